import { describe, expect, test } from '@jest/globals'
import type { InventoryRecord } from '../../../src/inventory/record.js'
import { InventoryStore } from '../../../src/inventory/store.js'
import type { Injection } from '../../support/fake-cluster.js'
import { FakeCluster } from '../../support/fake-cluster.js'
import { FakeClock } from '../../support/fake-clock.js'
import { inventoryRecord } from '../../support/inventory-builders.js'

const NS = 'shop'
const NAME = 'wavesync.v1.shop.v1'

/** Revision 1 as operation `operationId` creates it. */
const record = (operationId: string): InventoryRecord => inventoryRecord({ operation: { id: operationId } })

/** Runs `work` to its end, moving the fake clock whenever it sleeps. */
async function drive<T>(clock: FakeClock, work: Promise<T>): Promise<T> {
  let done = false
  const settled = work.finally(() => (done = true))
  // Awaited below; a rejection must not go unhandled while the clock is driven.
  settled.catch(() => undefined)
  while (!done && (await clock.runNext()));
  return settled
}

// A lost answer is logged twice: the server's 200, then the error the client saw.
const secretCalls = (cluster: FakeCluster): string[] =>
  cluster.requests.filter(r => r.kind === 'Secret').map(r => `${r.verb} ${r.status}`)

describe('InventoryStore.create: an ambiguous create is settled by reading the record back (§7.2)', () => {
  const lost = (times = 1): Injection => ({
    verb: 'create',
    kind: 'Secret',
    status: 504,
    message: 'proxy timeout',
    when: 'after',
    times
  })
  const refused: Injection = { verb: 'create', kind: 'Secret', status: 503, message: 'etcd down' }
  const unreadable = (status: number, times: number): Injection => ({
    verb: 'get',
    kind: 'Secret',
    status,
    message: 'cannot read',
    times
  })

  test.each([
    {
      why: 'the server made it, the answer was lost: read back, ours, not sent again',
      faults: [lost()],
      calls: ['create 200', 'create 504', 'get 200']
    },
    {
      why: 'the server did not make it: read back, absent, sent again',
      faults: [refused],
      calls: ['create 503', 'get 404', 'create 200']
    },
    {
      // §4.2: the read-back outlasts a short outage (1 s, 2 s) before it decides.
      why: 'the read-back fails transiently first, then says it is ours',
      faults: [lost(), unreadable(503, 2)],
      calls: ['create 200', 'create 504', 'get 503', 'get 503', 'get 200']
    }
  ])('$why', async ({ faults, calls }) => {
    const clock = new FakeClock()
    const cluster = new FakeCluster(clock, { namespaces: [NS] })
    for (const fault of faults) cluster.inject(fault)
    const store = new InventoryStore(cluster, 'shop', NS)
    await drive(clock, store.create(record('run-1'), clock))
    expect(secretCalls(cluster)).toEqual(calls)
    expect((await store.history()).records.map(r => r.operation.id)).toEqual(['run-1'])
  })

  test.each([
    {
      why: 'the read-back fails for good: whether it exists is unknown, and the error says so',
      seeded: undefined,
      faults: [lost(), unreadable(403, 1)],
      error:
        'create /Secret shop/wavesync.v1.shop.v1: proxy timeout; whether the inventory record shop/wavesync.v1.shop.v1 was created is unknown, reading it back failed (get /Secret shop/wavesync.v1.shop.v1: cannot read): if it was, it stays pending-install until the next operation marks it failed'
    },
    {
      why: 'another operation’s record is there: named, never taken for ours',
      seeded: 'run-0',
      faults: [refused],
      error: 'the inventory record shop/wavesync.v1.shop.v1 exists already: operation run-0 created it'
    },
    {
      why: 'AlreadyExists on the first try: another run’s record, as the server said it',
      seeded: 'run-0',
      faults: [],
      error: `secrets "${NAME}" already exists`
    }
  ])('$why', async ({ seeded, faults, error }) => {
    const clock = new FakeClock()
    const cluster = new FakeCluster(clock, { namespaces: [NS] })
    const store = new InventoryStore(cluster, 'shop', NS)
    if (seeded) await store.create(record(seeded), clock)
    for (const fault of faults) cluster.inject(fault)
    await expect(drive(clock, store.create(record('run-1'), clock))).rejects.toThrow(error)
  })
})
