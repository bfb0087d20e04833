import { describe, expect, test } from '@jest/globals'
import type { WatchEvent } from '../../../src/cluster/port.js'
import { ClusterError } from '../../../src/model/errors.js'
import type { KubeObject } from '../../../src/model/object.js'
import { EPOCH, FakeClock, settle } from '../../support/fake-clock.js'
import { FakeCluster } from '../../support/fake-cluster.js'
import { crdManifest } from '../../support/scenario.js'

// The fakes behave like the real thing where the engine relies on them (architecture §3a): these
// tests pin the API-server semantics the scenario tests take for granted.

const NS = 'shop'
const cm = (
  name: string,
  data: Record<string, string> = { a: '1' },
  labels?: Record<string, string>
): KubeObject => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, namespace: NS, ...(labels ? { labels } : {}) },
  data
})
const job = (name: string, image = 'x:1'): KubeObject => ({
  apiVersion: 'batch/v1',
  kind: 'Job',
  metadata: { name, namespace: NS },
  spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'main', image }] } } }
})
const ref = (kind: string, name: string, group = '', namespace = NS) => ({
  group,
  version: 'v1',
  kind,
  namespace,
  name
})

function setup(): { clock: FakeClock; cluster: FakeCluster } {
  const clock = new FakeClock()
  return { clock, cluster: new FakeCluster(clock, { namespaces: ['default', NS] }) }
}

async function failure(promise: Promise<unknown>): Promise<ClusterError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e
  )
  if (!(error instanceof ClusterError)) throw new Error(`expected a ClusterError, got ${String(error)}`)
  return error
}

describe('FakeClock', () => {
  test('time moves only by advance; due sleeps resolve in order; an abort rejects with its reason', async () => {
    const clock = new FakeClock()
    const fired: string[] = []
    void clock.sleep(300).then(() => fired.push(`b@${clock.now() - EPOCH}`))
    void clock.sleep(100).then(() => fired.push(`a@${clock.now() - EPOCH}`))
    const abort = new AbortController()
    const aborted = clock.sleep(200, abort.signal).catch((reason: unknown) => `aborted: ${String(reason)}`)
    await clock.advance(150)
    expect(fired).toEqual(['a@100'])
    abort.abort('stop')
    expect(await aborted).toBe('aborted: stop')
    await clock.advance(1000)
    expect(fired).toEqual(['a@100', 'b@300'])
    expect(clock.now()).toBe(EPOCH + 1150)
    expect(clock.pendingTimers).toBe(0)
  })

  test('a sleep set by a woken sleeper fires within the same advance when due', async () => {
    const clock = new FakeClock()
    const fired: number[] = []
    void clock.sleep(100).then(() => clock.sleep(100).then(() => fired.push(clock.now() - EPOCH)))
    await clock.advance(250)
    expect(fired).toEqual([200])
  })
})

describe('FakeCluster writes: metadata, apply, status', () => {
  test('server-managed metadata; server-side apply merges; a no-op apply keeps the resourceVersion', async () => {
    const { cluster } = setup()
    const first = (await cluster.apply(cm('a', { a: '1' }, { x: '1' }), { force: true })).object
    expect(first.metadata).toMatchObject({
      uid: expect.any(String),
      resourceVersion: expect.any(String),
      creationTimestamp: '2024-11-21T12:00:00Z'
    })
    const again = (await cluster.apply(cm('a', { a: '1' }, { x: '1' }), { force: true })).object
    expect(again.metadata.resourceVersion).toBe(first.metadata.resourceVersion)
    const changed = (await cluster.apply(cm('a', { a: '2' }, { y: '2' }), { force: true })).object
    expect(Number(changed.metadata.resourceVersion)).toBeGreaterThan(Number(first.metadata.resourceVersion))
    expect(changed.metadata.labels).toEqual({ x: '1', y: '2' })
    expect(changed['data']).toEqual({ a: '2' })
  })

  test('generation counts spec changes only; status is a subresource the main resource never writes', async () => {
    const { cluster } = setup()
    const created = (await cluster.apply({ ...job('j'), status: { succeeded: 9 } }, { force: true })).object
    expect(created.metadata.generation).toBe(1)
    expect(created['status']).toBeUndefined()
    cluster.update('Job', 'j', NS, 'status', o => (o['status'] = { active: 1 }))
    expect(cluster.mustFind('Job', 'j').metadata.generation).toBe(1)
    const relabelled = (
      await cluster.apply(
        { ...job('j'), metadata: { name: 'j', namespace: NS, labels: { a: 'b' } } },
        { force: true }
      )
    ).object
    expect(relabelled.metadata.generation).toBe(1)
    expect(relabelled['status']).toEqual({ active: 1 })
  })
})

describe('FakeCluster writes: errors, conflicts, dry run', () => {
  test('errors are ClusterErrors with status and reason as the adapter builds them', async () => {
    const { cluster } = setup()
    await cluster.create(job('j'), {})
    const exists = await failure(cluster.create(job('j'), {}))
    expect(exists.details).toMatchObject({
      verb: 'create',
      status: 409,
      reason: 'AlreadyExists',
      retryable: false
    })
    expect(exists.message).toBe('create batch/Job shop/j: jobs.batch "j" already exists')
    const immutable = await failure(cluster.apply(job('j', 'x:2'), { force: true }))
    expect(immutable.details).toMatchObject({ status: 422, reason: 'Invalid' })
    expect(immutable.message).toContain('field is immutable')
    const noNamespace = await failure(
      cluster.create({ ...cm('a'), metadata: { name: 'a', namespace: 'nope' } }, {})
    )
    expect(noNamespace.details).toMatchObject({ status: 404, reason: 'NotFound' })
    const unknown = await failure(
      cluster.get({ group: 'example.com', version: 'v1', kind: 'Widget', namespace: NS, name: 'w' })
    )
    expect(unknown.details).toMatchObject({ reason: 'UnknownKind', retryable: false })
  })

  test('replace needs the current resourceVersion (409 Conflict otherwise)', async () => {
    const { cluster } = setup()
    const live = (await cluster.create(cm('a'), {})).object
    await cluster.apply(cm('a', { a: '2' }), { force: true })
    const conflict = await failure(
      cluster.replace({ ...cm('a', { a: '3' }), metadata: { ...live.metadata } }, {})
    )
    expect(conflict.details).toMatchObject({ status: 409, reason: 'Conflict' })
  })

  test('dry run validates and changes nothing, emits nothing', async () => {
    const { cluster } = setup()
    const before = cluster.all()
    await cluster.apply(cm('a'), { force: true, dryRun: true })
    await cluster.create(job('j'), { dryRun: true })
    expect(cluster.all()).toEqual(before)
    expect(
      await cluster.delete(ref('ConfigMap', 'nope'), { propagationPolicy: 'Background', dryRun: true })
    ).toBe('not-found')
  })
})

describe('FakeCluster json patch', () => {
  test('json patch: test ops guard the change; a failed test is 422 and changes nothing', async () => {
    const { cluster } = setup()
    const live = (
      await cluster.create({ ...cm('a'), metadata: { name: 'a', namespace: NS, finalizers: ['f'] } }, {})
    ).object
    const bad = await failure(
      cluster.jsonPatch(ref('ConfigMap', 'a'), [
        { op: 'test', path: '/metadata/uid', value: 'other' },
        { op: 'remove', path: '/metadata/finalizers/0' }
      ])
    )
    expect(bad.details).toMatchObject({ status: 422 })
    expect(cluster.mustFind('ConfigMap', 'a').metadata.finalizers).toEqual(['f'])
    const patched = await cluster.jsonPatch(ref('ConfigMap', 'a'), [
      { op: 'test', path: '/metadata/uid', value: live.metadata.uid ?? '' },
      { op: 'remove', path: '/metadata/finalizers/0' }
    ])
    expect(patched?.metadata.finalizers).toEqual([])
    expect(await cluster.jsonPatch(ref('ConfigMap', 'gone'), [])).toBeUndefined()
  })
})

describe('FakeCluster deletes', () => {
  test('finalizers keep an object terminating; removing the last one deletes it', async () => {
    const { cluster } = setup()
    await cluster.create({ ...cm('a'), metadata: { name: 'a', namespace: NS, finalizers: ['f'] } }, {})
    expect(await cluster.delete(ref('ConfigMap', 'a'), { propagationPolicy: 'Background' })).toBe('deleted')
    expect(cluster.mustFind('ConfigMap', 'a').metadata.deletionTimestamp).toBe('2024-11-21T12:00:00Z')
    cluster.removeFinalizers('ConfigMap', 'a')
    expect(cluster.find('ConfigMap', 'a')).toBeUndefined()
  })

  test('a uid precondition that does not hold: 409 on the wire, "not-found" at the port (as the adapter maps it)', async () => {
    const { cluster } = setup()
    await cluster.create(cm('a'), {})
    expect(
      await cluster.delete(ref('ConfigMap', 'a'), { propagationPolicy: 'Background', uid: 'someone-else' })
    ).toBe('not-found')
    expect(cluster.requests.at(-1)).toMatchObject({ verb: 'delete', status: 409 })
    expect(cluster.find('ConfigMap', 'a')).toBeDefined()
  })

  test('foreground deletion: terminating first, dependents go, then the owner', async () => {
    const { cluster } = setup()
    await cluster.create(job('j'), {})
    cluster.startJob('j')
    const events: string[] = []
    const abort = new AbortController()
    const list = await cluster.list({ group: '', version: 'v1', kind: 'Pod', namespace: NS })
    void cluster.watch(
      { group: 'batch', version: 'v1', kind: 'Job', namespace: NS },
      { resourceVersion: list.resourceVersion },
      e =>
        events.push(
          e.type === 'BOOKMARK'
            ? 'BOOKMARK'
            : `${e.type} ${e.object.kind} ${String(e.object.metadata.deletionTimestamp !== undefined)}`
        ),
      abort.signal
    )
    await cluster.delete(ref('Job', 'j', 'batch'), { propagationPolicy: 'Foreground' })
    await settle()
    expect(events).toEqual(['MODIFIED Job true', 'DELETED Job true'])
    expect(cluster.all('Pod')).toEqual([])
    abort.abort()
  })
})

describe('FakeCluster namespaces', () => {
  test('a namespace being deleted refuses new content and goes once empty', async () => {
    const { cluster } = setup()
    await cluster.create({ ...cm('a'), metadata: { name: 'a', namespace: NS, finalizers: ['f'] } }, {})
    await cluster.delete(ref('Namespace', NS, '', ''), { propagationPolicy: 'Background' })
    const refused = await failure(cluster.create(cm('b'), {}))
    expect(refused.details).toMatchObject({ status: 403, reason: 'Forbidden' })
    cluster.removeFinalizers('ConfigMap', 'a')
    expect(cluster.find('Namespace', NS)).toBeUndefined()
  })
})

describe('FakeCluster lists and watches', () => {
  test('list filters by label selector and returns the current resourceVersion', async () => {
    const { cluster } = setup()
    await cluster.create(cm('a', {}, { app: 'x' }), {})
    await cluster.create(cm('b', {}, { app: 'y' }), {})
    const listed = await cluster.list(
      { group: '', version: 'v1', kind: 'ConfigMap', namespace: NS },
      { labelSelector: 'app=x' }
    )
    expect(listed.items.map(i => i.metadata.name)).toEqual(['a'])
    expect(listed.resourceVersion).toBe(cluster.mustFind('ConfigMap', 'b').metadata.resourceVersion)
  })

  test('a watch replays what happened after its resourceVersion; compaction answers 410', async () => {
    const { cluster } = setup()
    const collection = { group: '', version: 'v1', kind: 'ConfigMap', namespace: NS }
    const { resourceVersion } = await cluster.list(collection)
    await cluster.create(cm('a'), {})
    const seen: WatchEvent[] = []
    const abort = new AbortController()
    const ended = cluster.watch(collection, { resourceVersion }, e => seen.push(e), abort.signal)
    await settle()
    expect(
      seen.map(e => (e.type === 'BOOKMARK' ? e.type : `${e.type} ${e.object.metadata.name ?? ''}`))
    ).toEqual(['ADDED a'])
    cluster.dropWatches()
    expect(await ended).toEqual({ reason: 'closed' })
    cluster.compact()
    await cluster.create(cm('b'), {})
    expect(await cluster.watch(collection, { resourceVersion }, () => undefined, abort.signal)).toEqual({
      reason: 'expired'
    })
  })
})

describe('FakeCluster discovery and Job controller', () => {
  test('CRD kinds are served once the CRD is established', async () => {
    const { cluster } = setup()
    const crd = crdManifest({ kind: 'Widget' })
    await cluster.apply(crd, { force: true })
    expect(await cluster.resource('example.com', 'v1', 'Widget')).toBeUndefined()
    cluster.establishCrd('widgets.example.com')
    expect(await cluster.resource('example.com', 'v1', 'Widget')).toMatchObject({
      resource: 'widgets',
      namespaced: true
    })
  })

  test('Job controller: pods by job-name label, scripted logs, events about the Job', async () => {
    const { cluster } = setup()
    await cluster.create(job('j'), {})
    const failed = cluster.failJob('j', { exitCode: 3, log: 'one\ntwo\nthree\n' })
    const pods = await cluster.list(
      { group: '', version: 'v1', kind: 'Pod', namespace: NS },
      { labelSelector: 'batch.kubernetes.io/job-name=j' }
    )
    const pod = pods.items[0]?.metadata.name ?? ''
    expect(await cluster.podLogs(NS, pod, 'main', 2)).toBe('two\nthree\n')
    await expect(cluster.podLogs(NS, 'no-such-pod', 'main', 2)).rejects.toThrow(
      'pods "no-such-pod" not found'
    )
    const events = await cluster.events(NS, failed.metadata.uid ?? '')
    expect(events.map(e => e['reason'])).toEqual(['BackoffLimitExceeded'])
  })
})

describe('FakeCluster error injection and gates', () => {
  test('injected errors, and gates that hold a request until released', async () => {
    const { cluster } = setup()
    cluster.inject({ verb: 'apply', name: 'a', status: 503, message: 'etcd leader changed' })
    expect((await failure(cluster.apply(cm('a'), { force: true }))).details).toMatchObject({
      status: 503,
      reason: 'ServiceUnavailable',
      retryable: true
    })
    const gate = cluster.gate({ verb: 'create', name: 'b' })
    let done = false
    void cluster.create(cm('b'), {}).then(() => (done = true))
    await gate.reached
    await settle()
    expect([done, cluster.find('ConfigMap', 'b')]).toEqual([false, undefined])
    gate.release()
    await settle()
    expect(done).toBe(true)
  })
})
