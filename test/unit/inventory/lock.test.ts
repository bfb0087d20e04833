import { describe, expect, test } from '@jest/globals'
import { ApplicationLock } from '../../../src/inventory/lock.js'
import { FakeClock } from '../../support/fake-clock.js'
import { FakeCluster } from '../../support/fake-cluster.js'

const NS = 'apps'
const OPTIONS = { holder: 'run-1', waitMs: 5_000, durationSeconds: 30 }

function setup(): { clock: FakeClock; cluster: FakeCluster; lock: ApplicationLock } {
  const clock = new FakeClock()
  const cluster = new FakeCluster(clock, { namespaces: [NS] })
  return { clock, cluster, lock: new ApplicationLock(cluster, clock, 'web', NS, OPTIONS) }
}

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
    const { cluster, lock } = setup()
    await lock.acquire(new AbortController().signal)
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
    const { cluster, lock } = setup()
    await lock.acquire(new AbortController().signal)
    const live = cluster.mustFind('Lease', 'wavesync.web', NS)
    await cluster.replace(
      { ...live, spec: { ...(live['spec'] as object), renewTime: '2030-01-01T00:00:00.000000Z' } },
      { signal: new AbortController().signal }
    )
    await lock.release()
    expect(cluster.find('Lease', 'wavesync.web', NS)).toBeUndefined()
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
