import { afterEach, describe, expect, test } from '@jest/globals'
import type { Collection } from '../../../src/cluster/observer.js'
import { Observer } from '../../../src/cluster/observer.js'
import type { ObjectRef, WatchEnd, WatchEvent } from '../../../src/cluster/port.js'
import type { ResourceKey } from '../../../src/model/key.js'
import type { KubeObject } from '../../../src/model/object.js'
import { FakeClock, settle } from '../../support/fake-clock.js'
import { FakeCluster } from '../../support/fake-cluster.js'

const NS = 'shop'
const POLL_MS = 1000
const MAX_BACKOFF_MS = 2000
const CONFIGMAPS: Collection = { group: '', version: 'v1', kind: 'ConfigMap', namespace: NS }
const keyOf = (name: string): ResourceKey => ({ group: '', kind: 'ConfigMap', namespace: NS, name })
const configMap = (name: string) => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, namespace: NS }
})

let observer: Observer | undefined

afterEach(async () => {
  await observer?.stop()
  observer = undefined
})

function start(cluster: FakeCluster, clock: FakeClock): Observer {
  observer = new Observer(cluster, clock, { pollIntervalMs: POLL_MS, maxBackoffMs: MAX_BACKOFF_MS })
  return observer
}

/** An observer on a cluster that forbids listing ConfigMaps: it falls back to GETs (§4.2). */
async function polling(...seeded: string[]) {
  const clock = new FakeClock()
  const cluster = new FakeCluster(clock, { namespaces: [NS] })
  cluster.seed(...seeded.map(configMap))
  cluster.inject({ verb: 'list', kind: 'ConfigMap', status: 403, message: 'forbidden', times: Infinity })
  const observer = start(cluster, clock)
  await observer.track([CONFIGMAPS])
  const gets = () => cluster.requests.filter(r => r.verb === 'get').length
  return { clock, cluster, observer, gets }
}

describe('Observer: the poll fallback', () => {
  // Absence before the first GET answered would end a prune at once, its object still there.
  test.each([
    ['an existing object', ['web'], 'present'],
    ['a missing object', [], 'absent']
  ])('%s reads unknown until its first poll answers', async (_case, seeded, after) => {
    const { clock, observer } = await polling(...seeded)
    const key = keyOf('web')
    expect(observer.observe(key, 'v1').kind).toBe('unknown')
    await clock.advance(POLL_MS)
    expect(observer.observe(key, 'v1').kind).toBe(after)
  })

  test('a poll that finds the object gone wakes a waiter and reads absent', async () => {
    const { clock, cluster, observer } = await polling('web')
    const key = keyOf('web')
    observer.observe(key, 'v1')
    await clock.advance(POLL_MS)
    cluster.forceDelete('ConfigMap', 'web', NS)
    let woken = false
    void observer.changeOr(undefined, new AbortController().signal).then(() => (woken = true))
    await clock.advance(POLL_MS)
    expect(woken).toBe(true)
    expect(observer.observe(key, 'v1').kind).toBe('absent')
  })

  test('a NotFound answered after a write’s response was stored does not undo it', async () => {
    const clock = new FakeClock()
    const cluster = new SlowGetCluster(clock, { namespaces: [NS] })
    cluster.inject({ verb: 'list', kind: 'ConfigMap', status: 403, message: 'forbidden', times: Infinity })
    const observer = start(cluster, clock)
    await observer.track([CONFIGMAPS])
    const key = keyOf('web')
    observer.observe(key, 'v1')
    let answer: () => void = () => undefined
    cluster.held = new Promise<void>(resolve => (answer = resolve))
    await clock.advance(POLL_MS) // the GET finds nothing, its answer is held
    const [created] = cluster.seed(configMap('web'))
    if (created) observer.put(created)
    answer()
    await settle()
    expect(observer.observe(key, 'v1').kind).toBe('present')
  })

  test.each([
    ['never read', 'unknown', []],
    ['read present before', 'present', ['web']]
  ])('a failing GET is not absence: a key %s stays %s', async (_case, kept, seeded) => {
    const { clock, cluster, observer } = await polling(...seeded)
    const key = keyOf('web')
    observer.observe(key, 'v1')
    if (seeded.length > 0) await clock.advance(POLL_MS)
    cluster.inject({ verb: 'get', kind: 'ConfigMap', status: 500, message: 'etcd timeout', times: Infinity })
    await clock.advance(POLL_MS * 5)
    expect(observer.observe(key, 'v1').kind).toBe(kept)
  })

  test('failing rounds back off (up to 8 intervals); a good round restores the interval', async () => {
    const { clock, cluster, observer, gets } = await polling('web')
    observer.observe(keyOf('web'), 'v1')
    cluster.inject({ verb: 'get', kind: 'ConfigMap', status: 500, message: 'etcd timeout', times: 4 })
    // Failing rounds at 1 s, 3 s, 7 s and 15 s (gaps 2, 4, 8 intervals), then the interval again.
    const at = [1, 3, 7, 15, 23, 24, 25]
    for (const [index, second] of at.entries()) {
      await clock.advanceTo(clock.now() + (second - (at[index - 1] ?? 0)) * POLL_MS - 1)
      expect(gets()).toBe(index)
      await clock.advance(1)
      expect(gets()).toBe(index + 1)
    }
    expect(observer.observe(keyOf('web'), 'v1').kind).toBe('present')
  })
})

/** A server whose GET answers reach the client only when a test lets them (a slow network). */
class SlowGetCluster extends FakeCluster {
  held: Promise<void> | undefined

  override async get(ref: ObjectRef, signal?: AbortSignal): Promise<KubeObject | undefined> {
    const answer = await super.get(ref, signal)
    await this.held
    return answer
  }
}

/** A server (or proxy) that ends every watch at once, unless a test makes one stream healthy. */
class ClosingCluster extends FakeCluster {
  watches = 0
  /** What the next stream does before it closes. */
  next: 'close' | 'event' | 'linger' = 'close'

  override watch(
    _ref: Omit<ObjectRef, 'name'>,
    _options: { resourceVersion: string },
    onEvent: (event: WatchEvent) => void
  ): Promise<WatchEnd> {
    this.watches += 1
    const behaviour = this.next
    this.next = 'close'
    if (behaviour === 'event') onEvent({ type: 'BOOKMARK', resourceVersion: '2000' })
    // A macrotask later, as a real stream ends: a hot loop shows as many watches per settle().
    const ended = new Promise<void>(resolve => setImmediate(resolve))
    const open = behaviour === 'linger' ? ended.then(() => this.clock.sleep(5000)) : ended
    return open.then(() => ({ reason: 'closed' }))
  }
}

describe('Observer: watches closed at once', () => {
  async function closing() {
    const clock = new FakeClock()
    const cluster = new ClosingCluster(clock, { namespaces: [NS] })
    await start(cluster, clock).track([CONFIGMAPS])
    await settle()
    return { clock, cluster }
  }

  test('are re-opened after a growing pause, capped at the longest backoff', async () => {
    const { clock, cluster } = await closing()
    expect(cluster.watches).toBe(1)
    for (const [index, pause] of [200, 400, 800, 1600, 2000, 2000].entries()) {
      await clock.advance(pause - 1)
      expect(cluster.watches).toBe(index + 1)
      await clock.advance(1)
      expect(cluster.watches).toBe(index + 2)
    }
  })

  test.each([
    ['carried an event', 'event' as const],
    ['stayed open a while', 'linger' as const]
  ])('the pause starts over after a stream that %s', async (_case, healthy) => {
    const { clock, cluster } = await closing()
    await clock.advance(200 + 400 + 800) // three quick closes: the next pause would be 1.6 s
    expect(cluster.watches).toBe(4)
    cluster.next = healthy
    // The healthy stream opens, ends and is re-opened at once.
    await clock.advance(1600 + (healthy === 'linger' ? 5000 : 0))
    expect(cluster.watches).toBe(6)
    await clock.advance(199) // closed at once again: the first, shortest pause
    expect(cluster.watches).toBe(6)
    await clock.advance(1)
    expect(cluster.watches).toBe(7)
  })
})

describe('Observer: track', () => {
  async function heldList() {
    const clock = new FakeClock()
    const cluster = new FakeCluster(clock, { namespaces: [NS] })
    const gate = cluster.gate({ verb: 'list', kind: 'ConfigMap' })
    const observer = start(cluster, clock)
    return { observer, gate }
  }

  test.each([
    ['the caller’s signal aborts', (_o: Observer, caller: AbortController) => caller.abort()],
    ['the observer stops', (o: Observer) => void o.stop()]
  ])('a wait for the first list ends when %s', async (_case, end) => {
    const { observer, gate } = await heldList()
    const caller = new AbortController()
    let done = false
    void observer.track([CONFIGMAPS], caller.signal).then(() => (done = true))
    await gate.reached
    await settle()
    expect(done).toBe(false)
    end(observer, caller)
    await settle()
    expect(done).toBe(true)
    expect(observer.observe(keyOf('web'), 'v1').kind).toBe('unknown')
  })

  test('resolves once listed, for the first caller and later ones alike', async () => {
    const { observer, gate } = await heldList()
    const waits = [observer.track([CONFIGMAPS]), observer.track([CONFIGMAPS])]
    await gate.reached
    gate.release()
    await Promise.all(waits)
    expect(observer.observe(keyOf('web'), 'v1').kind).toBe('absent')
  })
})
