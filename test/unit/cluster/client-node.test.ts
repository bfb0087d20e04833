import { afterEach, beforeEach, describe, expect, test } from '@jest/globals'
import type { Interceptable, MockAgent } from 'undici'
import { ClusterError } from '../../../src/model/errors.js'
import type { KubeObject } from '../../../src/model/object.js'
import {
  APPS_RESOURCES,
  BATCH_RESOURCES,
  calls,
  CORE_RESOURCES,
  header,
  JSON_HEADERS,
  jsonBody,
  lastCall,
  mockAgent,
  onPath,
  replyDiscovery,
  status,
  testCluster
} from './mock-api.js'

let agent: MockAgent
let api: Interceptable

beforeEach(() => {
  ;({ agent, api } = mockAgent())
})

afterEach(async () => {
  agent.assertNoPendingInterceptors()
  await agent.close()
})

const DEPLOYMENT_PATH = '/apis/apps/v1/namespaces/shop/deployments/web'

/** A Deployment as read back from a cluster, plus a field no OpenAPI model knows. */
function liveDeployment(): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name: 'web',
      namespace: 'shop',
      uid: 'u-1',
      resourceVersion: '42',
      generation: 3,
      creationTimestamp: '2025-01-01T00:00:00Z',
      managedFields: [{ manager: 'kubectl' }],
      labels: { app: 'web' }
    },
    spec: { replicas: 2, madeUpField: { keep: 'me' }, template: { spec: { containers: [{ name: 'c' }] } } },
    status: { readyReplicas: 2 }
  }
}

describe('apply (server-side apply as a raw PATCH)', () => {
  test('method, path, query, content type, and a body without server fields but with unknown ones', async () => {
    replyDiscovery(api, '/apis/apps/v1', APPS_RESOURCES)
    api.intercept({ path: onPath(DEPLOYMENT_PATH), method: 'PATCH' }).reply(200, liveDeployment(), {
      headers: { ...JSON_HEADERS, warning: '299 - "unknown field \\"spec.madeUpField\\""' }
    })
    const cluster = testCluster(agent)
    const input = liveDeployment()
    const result = await cluster.apply(input, { force: true, fieldValidation: 'Ignore', dryRun: true })

    const call = lastCall(agent)
    expect(call.method).toBe('PATCH')
    expect(call.path).toBe(DEPLOYMENT_PATH)
    expect(call.searchParams).toEqual({
      fieldManager: 'wavesync',
      force: 'true',
      fieldValidation: 'Ignore',
      dryRun: 'All'
    })
    expect(header(call, 'content-type')).toBe('application/apply-patch+yaml')
    expect(jsonBody(call)).toEqual({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web', namespace: 'shop', labels: { app: 'web' } },
      spec: { replicas: 2, madeUpField: { keep: 'me' }, template: { spec: { containers: [{ name: 'c' }] } } }
    })
    expect(input).toEqual(liveDeployment()) // the caller's object is untouched
    expect(result.warnings).toEqual(['unknown field "spec.madeUpField"'])
    expect(result.object.metadata.uid).toBe('u-1')
  })
})

describe('apply: server answers', () => {
  test('the server rejecting an unknown field of a built-in kind (500 typed patch) is final, not retried', async () => {
    replyDiscovery(api, '/apis/apps/v1', APPS_RESOURCES)
    const message =
      'failed to create typed patch object (shop/web; apps/v1, Kind=Deployment): .spec.madeUpField: field not declared in schema'
    api
      .intercept({ path: onPath(DEPLOYMENT_PATH), method: 'PATCH' })
      .reply(500, status(500, 'InternalError', message))
    const cluster = testCluster(agent)
    const error = await cluster.apply(liveDeployment(), { force: true }).catch((caught: unknown) => caught)
    expect(error instanceof ClusterError && error.details).toMatchObject({ status: 500, retryable: false })
    expect(cluster.stats.byVerb).toEqual({ discovery: 1, apply: 1 })
  })

  test('defaults: fieldValidation=Strict, no dryRun; a cluster-scoped kind loses a stray namespace', async () => {
    replyDiscovery(api, '/api/v1', CORE_RESOURCES)
    api
      .intercept({ path: onPath('/api/v1/namespaces/team'), method: 'PATCH' })
      .reply(200, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team' } })
    const ns = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team', namespace: 'oops' } }
    await testCluster(agent).apply(ns, { force: false })
    const call = lastCall(agent)
    expect(call.searchParams).toEqual({ fieldManager: 'wavesync', force: 'false', fieldValidation: 'Strict' })
    expect(jsonBody(call)).toEqual({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team' } })
  })

  test('an unserved kind is a ClusterError naming it (a fresh discovery read is not repeated)', async () => {
    replyDiscovery(api, '/apis/apps/v1', APPS_RESOURCES)
    const object = { apiVersion: 'apps/v1', kind: 'Widget', metadata: { name: 'w', namespace: 'shop' } }
    await expect(testCluster(agent).apply(object, { force: true })).rejects.toThrow(
      'apply apps/Widget shop/w: the server does not serve kind Widget in apps/v1'
    )
  })
})

describe('create, replace, delete, patch', () => {
  test('create POSTs to the collection with fieldManager and dryRun; a 409 AlreadyExists keeps its reason', async () => {
    replyDiscovery(api, '/apis/batch/v1', BATCH_RESOURCES)
    const job = { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'migrate-abc', namespace: 'shop' } }
    api
      .intercept({ path: onPath('/apis/batch/v1/namespaces/shop/jobs'), method: 'POST' })
      .reply(201, { ...job, metadata: { ...job.metadata, uid: 'u-9' } })
    api
      .intercept({ path: onPath('/apis/batch/v1/namespaces/shop/jobs'), method: 'POST' })
      .reply(409, status(409, 'AlreadyExists', 'jobs.batch "migrate-abc" already exists'))
    const cluster = testCluster(agent)
    await expect(cluster.create(job, { dryRun: true })).resolves.toMatchObject({
      object: { metadata: { uid: 'u-9' } }
    })
    expect(lastCall(agent).searchParams).toEqual({
      fieldManager: 'wavesync',
      fieldValidation: 'Strict',
      dryRun: 'All'
    })
    const error = await cluster.create(job, {}).catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(ClusterError)
    expect(error instanceof ClusterError && error.details).toMatchObject({
      status: 409,
      reason: 'AlreadyExists'
    })
  })

  test('replace PUTs the object with its resourceVersion, without managedFields', async () => {
    replyDiscovery(api, '/apis/apps/v1', APPS_RESOURCES)
    api.intercept({ path: onPath(DEPLOYMENT_PATH), method: 'PUT' }).reply(200, liveDeployment())
    await testCluster(agent).replace(liveDeployment(), {})
    const body = jsonBody(lastCall(agent))
    expect(body).toMatchObject({ metadata: { resourceVersion: '42', uid: 'u-1' } })
    expect(JSON.stringify(body)).not.toContain('managedFields')
  })
})

const LEASE_RESOURCES = [{ name: 'leases', kind: 'Lease', namespaced: true, verbs: ['create', 'delete'] }]

describe('delete and jsonPatch', () => {
  test('delete sends DeleteOptions with propagationPolicy and a uid precondition', async () => {
    replyDiscovery(api, '/apis/batch/v1', BATCH_RESOURCES)
    const path = '/apis/batch/v1/namespaces/shop/jobs/migrate'
    api.intercept({ path: onPath(path), method: 'DELETE' }).reply(200, status(200, '', 'deleted'))
    const ref = { group: 'batch', version: 'v1', kind: 'Job', namespace: 'shop', name: 'migrate' }
    const cluster = testCluster(agent)
    await expect(cluster.delete(ref, { propagationPolicy: 'Foreground', uid: 'u-7' })).resolves.toBe(
      'deleted'
    )
    expect(jsonBody(lastCall(agent))).toEqual({
      apiVersion: 'v1',
      kind: 'DeleteOptions',
      propagationPolicy: 'Foreground',
      preconditions: { uid: 'u-7' }
    })
    expect(header(lastCall(agent), 'content-type')).toBe('application/json')
  })

  test('delete: 404 and a failed uid precondition (a new object took the name) are not-found', async () => {
    replyDiscovery(api, '/apis/batch/v1', BATCH_RESOURCES)
    const path = '/apis/batch/v1/namespaces/shop/jobs/migrate'
    api
      .intercept({ path: onPath(path), method: 'DELETE' })
      .reply(404, status(404, 'NotFound', 'jobs.batch "migrate" not found'))
    api
      .intercept({ path: onPath(path), method: 'DELETE' })
      .reply(
        409,
        status(409, 'Conflict', 'Precondition failed: UID in precondition: u-7, UID in object meta: u-8')
      )
    const ref = { group: 'batch', version: 'v1', kind: 'Job', namespace: 'shop', name: 'migrate' }
    const cluster = testCluster(agent)
    await expect(cluster.delete(ref, { propagationPolicy: 'Background' })).resolves.toBe('not-found')
    await expect(
      cluster.delete(ref, { propagationPolicy: 'Background', uid: 'u-7', dryRun: true })
    ).resolves.toBe('not-found')
    expect(lastCall(agent).searchParams).toEqual({ dryRun: 'All' })
    // The API server reads DeleteOptions from the body and ignores the query's dryRun when a body
    // is sent: without dryRun in the body, a "dry run" deletes for real (seen on kube-apiserver 1.34).
    expect(jsonBody(lastCall(agent))).toMatchObject({
      kind: 'DeleteOptions',
      dryRun: ['All'],
      preconditions: { uid: 'u-7' }
    })
  })

  test('delete with a resourceVersion precondition: deletes only that version, a newer one is not-found', async () => {
    replyDiscovery(api, '/apis/coordination.k8s.io/v1', LEASE_RESOURCES)
    const path = '/apis/coordination.k8s.io/v1/namespaces/shop/leases/wavesync.web'
    api
      .intercept({ path: onPath(path), method: 'DELETE' })
      .reply(
        409,
        status(
          409,
          'Conflict',
          'Precondition failed: ResourceVersion in precondition: 41, ResourceVersion in object meta: 42'
        )
      )
    const ref = {
      group: 'coordination.k8s.io',
      version: 'v1',
      kind: 'Lease',
      namespace: 'shop',
      name: 'wavesync.web'
    }
    const cluster = testCluster(agent)
    await expect(
      cluster.delete(ref, { propagationPolicy: 'Background', uid: 'u-1', resourceVersion: '41' })
    ).resolves.toBe('not-found')
    expect(jsonBody(lastCall(agent))).toEqual({
      apiVersion: 'v1',
      kind: 'DeleteOptions',
      propagationPolicy: 'Background',
      preconditions: { uid: 'u-1', resourceVersion: '41' }
    })
  })
})

describe('jsonPatch', () => {
  test('jsonPatch sends RFC 6902 operations; a vanished object is undefined', async () => {
    replyDiscovery(api, '/apis/batch/v1', BATCH_RESOURCES)
    const path = '/apis/batch/v1/namespaces/shop/jobs/hook'
    api
      .intercept({ path: onPath(path), method: 'PATCH' })
      .reply(200, { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'hook' } })
    api.intercept({ path: onPath(path), method: 'PATCH' }).reply(404, status(404, 'NotFound', 'gone'))
    const ref = { group: 'batch', version: 'v1', kind: 'Job', namespace: 'shop', name: 'hook' }
    const patch = [
      { op: 'test', path: '/metadata/finalizers/0', value: 'wavesync.dev/hook-finalizer' },
      { op: 'remove', path: '/metadata/finalizers/0' }
    ]
    const cluster = testCluster(agent)
    await expect(cluster.jsonPatch(ref, patch)).resolves.toMatchObject({ kind: 'Job' })
    expect(header(lastCall(agent), 'content-type')).toBe('application/json-patch+json')
    expect(jsonBody(lastCall(agent))).toEqual(patch)
    await expect(cluster.jsonPatch(ref, patch)).resolves.toBeUndefined()
  })
})

describe('reads', () => {
  test('get: the object, or undefined on 404', async () => {
    replyDiscovery(api, '/api/v1', CORE_RESOURCES)
    const path = '/api/v1/namespaces/shop/configmaps/settings'
    api
      .intercept({ path, method: 'GET' })
      .reply(200, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings' } })
    api.intercept({ path, method: 'GET' }).reply(404, status(404, 'NotFound', 'not found'))
    const ref = { group: '', version: 'v1', kind: 'ConfigMap', namespace: 'shop', name: 'settings' }
    const cluster = testCluster(agent)
    await expect(cluster.get(ref)).resolves.toMatchObject({ metadata: { name: 'settings' } })
    await expect(cluster.get(ref)).resolves.toBeUndefined()
  })

  test('list: items get apiVersion/kind back, pages are followed, the resourceVersion is returned', async () => {
    replyDiscovery(api, '/apis/apps/v1', APPS_RESOURCES)
    const path = '/apis/apps/v1/namespaces/shop/deployments'
    const page = (names: string[], token: string) => ({
      kind: 'DeploymentList',
      apiVersion: 'apps/v1',
      metadata: { resourceVersion: '77', continue: token },
      items: names.map(name => ({ metadata: { name } }))
    })
    api
      .intercept({ path: `${path}?labelSelector=app%3Dweb&limit=2`, method: 'GET' })
      .reply(200, page(['a', 'b'], 'next'))
    api
      .intercept({ path: `${path}?labelSelector=app%3Dweb&limit=2&continue=next`, method: 'GET' })
      .reply(200, page(['c'], ''))
    const cluster = testCluster(agent, { listPageSize: 2 })
    const result = await cluster.list(
      { group: 'apps', version: 'v1', kind: 'Deployment', namespace: 'shop' },
      { labelSelector: 'app=web' }
    )
    expect(result.resourceVersion).toBe('77')
    expect(result.items).toEqual(
      ['a', 'b', 'c'].map(name => ({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name } }))
    )
  })

  test('list across all namespaces of a namespaced kind uses the unscoped collection', async () => {
    replyDiscovery(api, '/api/v1', CORE_RESOURCES)
    api
      .intercept({ path: '/api/v1/configmaps?limit=500', method: 'GET' })
      .reply(200, { metadata: { resourceVersion: '5' }, items: [] })
    await testCluster(agent).list({ group: '', version: 'v1', kind: 'ConfigMap', namespace: '' })
  })
})

describe('logs, events, version', () => {
  test('podLogs: the text; the server’s refusal, with its message, for the caller to report', async () => {
    const path = '/api/v1/namespaces/shop/pods/migrate-x/log?container=main&tailLines=20'
    api.intercept({ path, method: 'GET' }).reply(200, 'line 1\nline 2\n')
    api
      .intercept({ path, method: 'GET' })
      .reply(400, status(400, 'BadRequest', 'container "main" is waiting to start'))
    const cluster = testCluster(agent)
    await expect(cluster.podLogs('shop', 'migrate-x', 'main', 20)).resolves.toBe('line 1\nline 2\n')
    await expect(cluster.podLogs('shop', 'migrate-x', 'main', 20)).rejects.toMatchObject({
      bareMessage: 'container "main" is waiting to start',
      details: { status: 400, reason: 'BadRequest' }
    })
  })

  test('events: by involvedObject.uid, oldest first, typed', async () => {
    const event = (name: string, time: Record<string, string>) => ({ metadata: { name }, ...time })
    const items = [
      event('late', { lastTimestamp: '2025-01-01T00:00:09Z' }),
      event('micro', { eventTime: '2025-01-01T00:00:05.123456Z' }),
      event('early', { firstTimestamp: '2025-01-01T00:00:01Z' })
    ]
    const path = '/api/v1/namespaces/shop/events?fieldSelector=involvedObject.uid%3Du-1&limit=500'
    api.intercept({ path, method: 'GET' }).reply(200, { metadata: { resourceVersion: '1' }, items })
    const events = await testCluster(agent).events('shop', 'u-1')
    expect(events.map(e => [e.metadata.name, e.kind, e.apiVersion])).toEqual([
      ['early', 'Event', 'v1'],
      ['micro', 'Event', 'v1'],
      ['late', 'Event', 'v1']
    ])
  })

  test('serverVersion reads /version', async () => {
    api
      .intercept({ path: onPath('/version'), method: 'GET' })
      .reply(200, { major: '1', minor: '34', gitVersion: 'v1.34.2' })
    const cluster = testCluster(agent)
    await expect(cluster.serverVersion()).resolves.toBe('v1.34.2')
    expect(cluster.stats.byVerb).toEqual({ version: 1 })
  })
})

test('request counting: one apply of a known kind costs one request after discovery', async () => {
  replyDiscovery(api, '/apis/apps/v1', APPS_RESOURCES)
  api
    .intercept({ path: onPath(DEPLOYMENT_PATH), method: 'PATCH' })
    .reply(200, liveDeployment())
    .times(3)
  const cluster = testCluster(agent)
  for (let i = 0; i < 3; i++) await cluster.apply(liveDeployment(), { force: true })
  expect(cluster.stats.byVerb).toEqual({ discovery: 1, apply: 3 })
  expect(calls(agent)).toHaveLength(4)
})

test('a namespaced object without a namespace is refused before any write', async () => {
  replyDiscovery(api, '/api/v1', CORE_RESOURCES)
  const object = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings' } }
  await expect(testCluster(agent).apply(object, { force: true })).rejects.toThrow(
    'apply /ConfigMap settings: ConfigMap is namespaced: metadata.namespace is required'
  )
})
