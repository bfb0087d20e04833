import { afterEach, beforeEach, describe, expect, test } from '@jest/globals'
import type { Interceptable, MockAgent } from 'undici'
import { METADATA_ACCEPT, metadataOnly } from '../../../src/cluster/namespace-contents.js'
import type { KubeObject } from '../../../src/model/object.js'
import {
  APPS_RESOURCES,
  BATCH_RESOURCES,
  CORE_RESOURCES,
  JSON_HEADERS,
  calls,
  header,
  mockAgent,
  replyDiscovery,
  status,
  testCluster
} from './mock-api.js'

// The adapter's `namespaceContents` at the HTTP level: discovery of every group's preferred version,
// one metadata-only list per listable namespaced kind, and every failure accounted for.

let agent: MockAgent
let api: Interceptable

beforeEach(() => {
  ;({ agent, api } = mockAgent())
})

afterEach(async () => {
  agent.assertNoPendingInterceptors()
  await agent.close()
})

const NO_RETRY = { retry: { attempts: 1, baseMs: 0, capMs: 0 } }

function groups(...entries: [string, string, ...string[]][]): object {
  return {
    kind: 'APIGroupList',
    apiVersion: 'v1',
    groups: entries.map(([name, preferred, ...others]) => ({
      name,
      versions: [preferred, ...others].map(version => ({ groupVersion: `${name}/${version}`, version })),
      preferredVersion: { groupVersion: `${name}/${preferred}`, version: preferred }
    }))
  }
}

/** An item as a PartialObjectMetadataList carries it, managedFields included. */
function partial(name: string, extra: Record<string, unknown> = {}): object {
  return {
    kind: 'PartialObjectMetadata',
    apiVersion: 'meta.k8s.io/v1',
    metadata: { name, namespace: 'team', managedFields: [{ manager: 'kubectl' }], ...extra }
  }
}

function page(items: object[], token = ''): object {
  return {
    kind: 'PartialObjectMetadataList',
    apiVersion: 'meta.k8s.io/v1',
    metadata: { continue: token },
    items
  }
}

const WIDGETS = [{ name: 'widgets', kind: 'Widget', namespaced: true, verbs: ['get', 'list'] }]

describe('namespaceContents', () => {
  test('every listable namespaced kind of each preferred version, metadata only, pages followed', async () => {
    api
      .intercept({ path: '/apis', method: 'GET' })
      .reply(200, groups(['apps', 'v1'], ['batch', 'v1'], ['example.com', 'v2', 'v1']), {
        headers: JSON_HEADERS
      })
    replyDiscovery(api, '/api/v1', CORE_RESOURCES)
    replyDiscovery(api, '/apis/apps/v1', APPS_RESOURCES)
    replyDiscovery(api, '/apis/batch/v1', BATCH_RESOURCES) // jobs without `list`: not listed
    replyDiscovery(api, '/apis/example.com/v2', WIDGETS)
    const reply = (path: string, body: object) =>
      api.intercept({ path, method: 'GET' }).reply(200, body, { headers: JSON_HEADERS })
    const tracked = { annotations: { 'wavesync.dev/tracking-id': 'other:/ConfigMap:team/settings' } }
    reply('/api/v1/namespaces/team/configmaps?limit=2', page([partial('settings', tracked)]))
    reply('/api/v1/namespaces/team/pods?limit=2', page([partial('web-1')]))
    reply('/api/v1/namespaces/team/events?limit=2', page([]))
    reply('/apis/apps/v1/namespaces/team/deployments?limit=2', page([partial('web')]))
    reply('/apis/example.com/v2/namespaces/team/widgets?limit=2', page([partial('a'), partial('b')], 'more'))
    reply('/apis/example.com/v2/namespaces/team/widgets?limit=2&continue=more', page([partial('c')]))

    const contents = await testCluster(agent, { listPageSize: 2 }).namespaceContents('team')

    expect(contents.unlisted).toEqual([])
    const names = (kind: string) => contents.objects.filter(o => o.kind === kind).map(o => o.metadata.name)
    expect(names('Widget')).toEqual(['a', 'b', 'c'])
    expect(contents.objects.map(o => `${o.apiVersion} ${o.kind}/${o.metadata.name ?? ''}`).sort()).toEqual([
      'apps/v1 Deployment/web',
      'example.com/v2 Widget/a',
      'example.com/v2 Widget/b',
      'example.com/v2 Widget/c',
      'v1 ConfigMap/settings',
      'v1 Pod/web-1'
    ])
    expect(contents.objects.find(o => o.kind === 'ConfigMap')).toEqual({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'settings', namespace: 'team', ...tracked }
    })
    const lists = calls(agent).filter(c => c.path.includes('/namespaces/team/'))
    expect(lists.map(c => header(c, 'accept'))).toEqual(lists.map(() => METADATA_ACCEPT))
  })

  test('a forbidden kind and an unreadable group are unlisted; a kind gone since discovery is empty', async () => {
    api
      .intercept({ path: '/apis', method: 'GET' })
      .reply(200, groups(['apps', 'v1'], ['metrics.k8s.io', 'v1beta1']), { headers: JSON_HEADERS })
    replyDiscovery(api, '/api/v1', CORE_RESOURCES)
    replyDiscovery(api, '/apis/apps/v1', APPS_RESOURCES)
    api
      .intercept({ path: '/apis/metrics.k8s.io/v1beta1', method: 'GET' })
      .reply(503, status(503, 'ServiceUnavailable', 'the server is currently unable to handle the request'))
    const fail = (path: string, code: number, reason: string, message: string) =>
      api.intercept({ path, method: 'GET' }).reply(code, status(code, reason, message))
    fail('/api/v1/namespaces/team/configmaps?limit=500', 403, 'Forbidden', 'configmaps is forbidden')
    fail('/api/v1/namespaces/team/pods?limit=500', 500, 'InternalError', 'etcd timed out')
    fail('/api/v1/namespaces/team/events?limit=500', 404, 'NotFound', 'the server could not find it')
    api
      .intercept({ path: '/apis/apps/v1/namespaces/team/deployments?limit=500', method: 'GET' })
      .reply(200, page([]), { headers: JSON_HEADERS })

    const contents = await testCluster(agent, NO_RETRY).namespaceContents('team')

    expect(contents.objects).toEqual([])
    expect(contents.unlisted).toEqual([
      {
        resource: 'metrics.k8s.io/v1beta1',
        reason: 'discovery: the server is currently unable to handle the request'
      },
      { resource: 'configmaps', reason: 'forbidden' },
      { resource: 'pods', reason: 'list: etcd timed out' }
    ])
  })

  test('a server that refuses the Accept header (406) is asked for the objects whole, reduced here', async () => {
    api.intercept({ path: '/apis', method: 'GET' }).reply(200, groups(), { headers: JSON_HEADERS })
    replyDiscovery(api, '/api/v1', [CORE_RESOURCES[0] ?? {}])
    const path = '/api/v1/namespaces/team/configmaps?limit=500'
    api
      .intercept({ path, method: 'GET' })
      .reply(
        406,
        status(406, 'NotAcceptable', 'only the following media types are accepted: application/json')
      )
    const whole = {
      metadata: { name: 'big', managedFields: [{ manager: 'x' }] },
      data: { key: 'x'.repeat(1000) }
    }
    api
      .intercept({ path, method: 'GET' })
      .reply(
        200,
        { kind: 'ConfigMapList', apiVersion: 'v1', metadata: {}, items: [whole] },
        { headers: JSON_HEADERS }
      )

    const contents = await testCluster(agent).namespaceContents('team')

    expect(contents).toEqual({
      objects: [{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'big' } }],
      unlisted: []
    })
    const sent = calls(agent).filter(c => c.path.startsWith('/api/v1/namespaces/'))
    expect(sent.map(c => header(c, 'accept'))).toEqual([METADATA_ACCEPT, 'application/json'])
  })

  test('discovery is read afresh: a kind added since the cache was filled is listed', async () => {
    const cluster = testCluster(agent)
    replyDiscovery(api, '/apis/example.com/v1', [])
    await expect(cluster.resource('example.com', 'v1', 'Pod')).resolves.toBeUndefined()
    api
      .intercept({ path: '/apis', method: 'GET' })
      .reply(200, groups(['example.com', 'v1']), { headers: JSON_HEADERS })
    replyDiscovery(api, '/api/v1', [])
    replyDiscovery(api, '/apis/example.com/v1', WIDGETS)
    api
      .intercept({ path: '/apis/example.com/v1/namespaces/team/widgets?limit=500', method: 'GET' })
      .reply(200, page([partial('w')]), { headers: JSON_HEADERS })
    const contents = await cluster.namespaceContents('team')
    expect(contents.objects.map(o => o.metadata.name)).toEqual(['w'])
  })
})

describe('metadataOnly', () => {
  test.each<[string, unknown, KubeObject | undefined]>([
    [
      'a partial item gets the listed kind, not PartialObjectMetadata',
      partial('a'),
      { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'a', namespace: 'team' } }
    ],
    [
      'a whole object loses everything but metadata',
      { metadata: { name: 'a', labels: { x: 'y' } }, data: { token: 'c2VjcmV0' }, type: 'Opaque' },
      { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'a', labels: { x: 'y' } } }
    ],
    ['no metadata', { data: {} }, undefined],
    ['not an object', 'x', undefined]
  ])('%s', (_, item, expected) => {
    expect(metadataOnly(item, { apiVersion: 'v1', kind: 'Secret' })).toEqual(expected)
  })
})
