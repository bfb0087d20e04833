import { describe, expect, test } from '@jest/globals'
import { ApplicationLock } from '../../../src/inventory/lock.js'
import { FakeClock } from '../../support/fake-clock.js'
import { FakeCluster } from '../../support/fake-cluster.js'
import type { KubeObject } from '../../../src/model/object.js'

const NS = 'apps'
const OPTIONS = { holder: 'run-1', waitMs: 5_000, durationSeconds: 30 }

function setup(): { clock: FakeClock; cluster: FakeCluster; lock: ApplicationLock } {
  const clock = new FakeClock()
  const cluster = new FakeCluster(clock, { namespaces: [NS] })
  return { clock, cluster, lock: new ApplicationLock(cluster, clock, 'web', NS, OPTIONS) }
}

/** A lock already acquired by `run-1`, so the test starts from its renewals and release. */
async function held(): Promise<ReturnType<typeof setup>> {
  const parts = setup()
  await parts.lock.acquire(new AbortController().signal)
  return parts
}

/** Every Lease read fails from now on, as in an outage or a partition, until `clearInjections`. */
const cutOff = (cluster: FakeCluster): void =>
  cluster.inject({ verb: 'get', kind: 'Lease', status: 503, message: 'connection refused', times: Infinity })

const leaseCalls = (cluster: FakeCluster): string[] =>
  cluster.requests
    .filter(r => r.kind === 'Lease' && r.verb !== 'controller')
    .map(r => `${r.verb} ${r.status}`)

describe('ApplicationLock', () => {
  test('a free lock costs one create, and its release one delete of the version written', async () => {
    const { cluster, lock } = setup()
    expect(await lock.acquire(new AbortController().signal)).toEqual({ takenOverFrom: undefined })
    expect(cluster.mustFind('Lease', 'wavesync.web', NS)).toMatchObject({ spec: { holderIdentity: 'run-1' } })
    await lock.release()
    expect(cluster.find('Lease', 'wavesync.web', NS)).toBeUndefined()
    expect(leaseCalls(cluster)).toEqual(['create 200', 'delete 200'])
  })

  test('a Lease taken over by another run after ours expired is left to it', async () => {
    const { cluster, lock } = await held()
    const live = cluster.mustFind('Lease', 'wavesync.web', NS)
    await cluster.replace(
      { ...live, spec: { ...(live['spec'] as object), holderIdentity: 'run-2' } },
      { signal: new AbortController().signal }
    )
    await lock.release()
    expect(cluster.mustFind('Lease', 'wavesync.web', NS)).toMatchObject({ spec: { holderIdentity: 'run-2' } })
    // The version we wrote is gone: the Lease is read again, and not deleted.
    expect(leaseCalls(cluster).slice(-2)).toEqual(['delete 409', 'get 200'])
  })

  test('a Lease changed but still ours (a renewal whose answer was lost) is still released', async () => {
    const { cluster, lock } = await held()
    const live = cluster.mustFind('Lease', 'wavesync.web', NS)
    await cluster.replace(
      { ...live, spec: { ...(live['spec'] as object), renewTime: '2030-01-01T00:00:00.000000Z' } },
      { signal: new AbortController().signal }
    )
    await lock.release()
    expect(cluster.find('Lease', 'wavesync.web', NS)).toBeUndefined()
  })

  test.each([
    { why: 'the delete is refused', fault: { verb: 'delete' as const, status: 403, times: 1 } },
    { why: 'the Lease cannot be read again', fault: { verb: 'get' as const, status: 403, times: 1 } }
  ])('a release that fails says so with the server message: $why', async ({ fault }) => {
    const { cluster, lock } = await held()
    // The first delete (of the version we wrote) fails too, so release falls back to a read.
    cluster.inject({ verb: 'delete', kind: 'Lease', status: 503, message: 'etcd down' })
    cluster.inject({ ...fault, kind: 'Lease', message: 'leases "wavesync.web" is forbidden' })
    await expect(lock.release()).rejects.toThrow(`leases "wavesync.web" is forbidden`)
    expect(cluster.mustFind('Lease', 'wavesync.web', NS)).toMatchObject({ spec: { holderIdentity: 'run-1' } })
  })

  test('a server that keeps failing the create: the wait ends with its message', async () => {
    const { clock, cluster, lock } = setup()
    cluster.inject({ verb: 'create', kind: 'Lease', status: 503, message: 'etcd down', times: Infinity })
    const failed = expect(lock.acquire(new AbortController().signal)).rejects.toThrow(
      'the lock could not be taken: the API server kept failing (create coordination.k8s.io/Lease apps/wavesync.web: etcd down)'
    )
    for (let t = 0; t < 12; t++) await clock.advance(500)
    await failed
  })

  test('a live holder makes the second run wait, then fail naming it', async () => {
    const { clock, cluster, lock } = setup()
    const other = new ApplicationLock(cluster, clock, 'web', NS, { ...OPTIONS, holder: 'run-2' })
    await other.acquire(new AbortController().signal)
    const waiting = lock.acquire(new AbortController().signal)
    const failed = expect(waiting).rejects.toThrow('another operation is in progress (held by run-2)')
    // The other run keeps renewing while we wait.
    for (let t = 0; t < 6; t++) await clock.advance(1_000)
    await failed
    await other.release()
  })

  test('a Lease its holder stopped renewing is taken over, naming the dead holder', async () => {
    const { clock, cluster, lock } = setup()
    const renewed = new Date(clock.now() - 31_000).toISOString()
    cluster.seed({
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: { name: 'wavesync.web', namespace: NS },
      spec: { holderIdentity: 'run-0', leaseDurationSeconds: 30, acquireTime: renewed, renewTime: renewed }
    })
    expect(await lock.acquire(new AbortController().signal)).toEqual({ takenOverFrom: 'run-0' })
    expect(cluster.mustFind('Lease', 'wavesync.web', NS)).toMatchObject({ spec: { holderIdentity: 'run-1' } })
    await lock.release()
    expect(leaseCalls(cluster)).toEqual(['create 409', 'get 200', 'replace 200', 'delete 200'])
  })
})

describe('ApplicationLock renewal (§7.2): a lost lock is noticed, a transient error is not a loss', () => {
  const lease = (cluster: FakeCluster): KubeObject => cluster.mustFind('Lease', 'wavesync.web', NS)
  // Another write of the Lease: its holder, and a renewTime of its own (so the version moves on).
  const holdAs = async (cluster: FakeCluster, holder: string): Promise<void> => {
    const live = lease(cluster)
    const renewTime = '2030-01-01T00:00:00.000000Z'
    await cluster.replace(
      { ...live, spec: { ...(live['spec'] as object), holderIdentity: holder, renewTime } },
      { signal: new AbortController().signal }
    )
  }
  const gone = (cluster: FakeCluster): Promise<unknown> =>
    cluster.delete(
      { group: 'coordination.k8s.io', version: 'v1', kind: 'Lease', namespace: NS, name: 'wavesync.web' },
      { propagationPolicy: 'Background' }
    )

  test.each([
    {
      why: 'another run took the Lease over',
      meanwhile: (cluster: FakeCluster) => holdAs(cluster, 'run-2'),
      lost: 'lost the lock (coordination.k8s.io/Lease apps/wavesync.web): it is held by run-2 now'
    },
    {
      why: 'the Lease was deleted',
      meanwhile: gone,
      lost: 'lost the lock (coordination.k8s.io/Lease apps/wavesync.web): the Lease was deleted'
    },
    {
      // A permanent error is not retried: the renewal cannot succeed, so the lease will expire.
      why: 'renewing is forbidden',
      meanwhile: (cluster: FakeCluster) => {
        cluster.inject({ verb: 'replace', kind: 'Lease', status: 403, message: 'leases is forbidden' })
        return Promise.resolve()
      },
      lost: 'lost the lock (coordination.k8s.io/Lease apps/wavesync.web): renewing it failed: replace coordination.k8s.io/Lease apps/wavesync.web: leases is forbidden'
    }
  ])('$why: `lost` aborts with the reason at the next renewal', async ({ meanwhile, lost }) => {
    const { clock, cluster, lock } = await held()
    await meanwhile(cluster)
    expect(lock.lost.aborted).toBe(false)
    await clock.advance(30_000)
    expect(lock.lost.aborted).toBe(true)
    expect((lock.lost.reason as Error).message).toBe(lost)
    // Nothing renews any more.
    expect(clock.pendingTimers).toBe(0)
  })

  test('an outage longer than the Lease is no loss: retried, every second once overdue, then renewed', async () => {
    const { clock, cluster, lock } = await held()
    // The API server down from 5 s to 65 s: nobody can take the Lease over meanwhile.
    await clock.advance(5_000)
    cutOff(cluster)
    await clock.advance(60_000)
    expect(lock.lost.aborted).toBe(false)
    const gets = leaseCalls(cluster).filter(c => c === 'get 503').length
    // Renewal due at 10 s: 10, 11, 13, 17, 25, 33 s (backoff up to 8 s); overdue since 30 s (the last
    // renewal at 0 s plus 30 s), so then every second: 34 … 65 s.
    expect(gets).toBe(6 + 32)
    cluster.clearInjections()
    await clock.advance(1_000)
    expect(lock.lost.aborted).toBe(false)
    expect(leaseCalls(cluster).slice(-2)).toEqual(['get 200', 'replace 200'])
  })

  test('a takeover during a partition is found at the first read that gets through', async () => {
    const { clock, cluster, lock } = await held()
    cutOff(cluster)
    await clock.advance(45_000)
    // Others reach the server: the Lease expired, and run-2 took it.
    await holdAs(cluster, 'run-2')
    expect(lock.lost.aborted).toBe(false)
    cluster.clearInjections()
    await clock.advance(1_000)
    expect((lock.lost.reason as Error).message).toBe(
      'lost the lock (coordination.k8s.io/Lease apps/wavesync.web): it is held by run-2 now'
    )
  })

  test('a transient failure is retried with backoff: the Lease is renewed, the lock not lost', async () => {
    const { clock, cluster, lock } = await held()
    cluster.inject({ verb: 'replace', kind: 'Lease', status: 503, message: 'etcd down', times: 3 })
    await clock.advance(10_000 + 1_000 + 2_000 + 4_000)
    expect(lock.lost.aborted).toBe(false)
    expect(leaseCalls(cluster).filter(c => c.startsWith('replace'))).toEqual([
      'replace 503',
      'replace 503',
      'replace 503',
      'replace 200'
    ])
    expect(lease(cluster)).toMatchObject({ spec: { renewTime: '2024-11-21T12:00:17.000000Z' } })
    await lock.release()
    expect(cluster.find('Lease', 'wavesync.web', NS)).toBeUndefined()
  })

  /** The next renewal's PUT is held until `holder` has written the Lease after our GET: it conflicts. */
  async function renewalMeets(clock: FakeClock, cluster: FakeCluster, holder: string): Promise<void> {
    const put = cluster.gate({ verb: 'replace', kind: 'Lease' })
    const renewing = clock.advance(11_000)
    await put.reached
    await holdAs(cluster, holder)
    put.release()
    await renewing
  }

  test('a conflict is read again: still ours → renewed; taken meanwhile (409 with another holder) → lost', async () => {
    const { clock, cluster, lock } = await held()
    // Our own renewal whose answer was lost moved the Lease on: the PUT conflicts; 1 s later the re-read is ours.
    await renewalMeets(clock, cluster, 'run-1')
    expect(lock.lost.aborted).toBe(false)
    expect(leaseCalls(cluster).slice(-3)).toEqual(['replace 409', 'get 200', 'replace 200'])
    // Another run writes between our GET and our PUT: 409, and the re-read names it.
    await renewalMeets(clock, cluster, 'run-2')
    expect((lock.lost.reason as Error).message).toBe(
      'lost the lock (coordination.k8s.io/Lease apps/wavesync.web): it is held by run-2 now'
    )
    await lock.release()
    expect(lease(cluster)).toMatchObject({ spec: { holderIdentity: 'run-2' } })
  })
})
