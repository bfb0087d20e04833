import { afterEach, describe, expect, test } from '@jest/globals'
import type { Collection } from '../../../src/cluster/observer.js'
import { Observer } from '../../../src/cluster/observer.js'
import type { ObjectRef, WatchEnd, WatchEvent } from '../../../src/cluster/port.js'
import type { ResourceKey } from '../../../src/model/key.js'
import { ClusterError } from '../../../src/model/errors.js'
import type { KubeObject } from '../../../src/model/object.js'
import { EPOCH, FakeClock, settle } from '../../support/fake-clock.js'
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

/** What one watch stream does: deliver some bookmarks at once, stay open a while, then end. */
interface StreamScript {
  /** Bookmarks, each with a newer resourceVersion than any before (progress). */
  bookmarks?: number
  /** One bookmark at the resourceVersion the stream was opened from (no progress). */
  staleBookmark?: boolean
  /** Clock time the stream stays open. */
  lifeMs?: number
  end: 'closed' | 'expired' | 'error'
}

/**
 * A server (or proxy) whose watch streams follow a script (`streams(n)` for the n-th, from 1);
 * lists are the fake's own, open to injected errors. Records when each stream was opened.
 */
class ScriptedCluster extends FakeCluster {
  readonly opened: number[] = []
  private bookmarked = 2000

  constructor(
    clock: FakeClock,
    private readonly streams: (n: number) => StreamScript
  ) {
    super(clock, { namespaces: [NS] })
  }

  override async watch(
    _ref: Omit<ObjectRef, 'name'>,
    options: { resourceVersion: string },
    onEvent: (event: WatchEvent) => void,
    signal: AbortSignal
  ): Promise<WatchEnd> {
    this.opened.push(this.clock.now() - EPOCH)
    const script = this.streams(this.opened.length)
    for (let i = 0; i < (script.bookmarks ?? 0); i++)
      onEvent({ type: 'BOOKMARK', resourceVersion: `${++this.bookmarked}` })
    if (script.staleBookmark === true) onEvent({ type: 'BOOKMARK', resourceVersion: options.resourceVersion })
    // A macrotask later at least, as a real stream ends: a loop that never pauses shows up as
    // thousands of requests (run() below), not as a test starved of macrotasks.
    await new Promise<void>(resolve => setImmediate(resolve))
    try {
      if (script.lifeMs !== undefined) await this.clock.sleep(script.lifeMs, signal)
    } catch {
      return { reason: 'aborted' }
    }
    if (script.end !== 'error') return { reason: script.end }
    return {
      reason: 'error',
      error: new ClusterError('etcd timeout', { verb: 'watch', status: 500, retryable: true })
    }
  }

  get lists(): number {
    return this.requests.filter(r => r.verb === 'list').length
  }
}

/** Moves the clock in 100 ms steps, letting everything run after each, so a hot loop cannot hide. */
async function run(clock: FakeClock, ms: number): Promise<void> {
  for (let elapsed = 0; elapsed < ms; elapsed += 100) await clock.advance(100)
}

/** An observer following ConfigMaps on a scripted server; `failingLists` lists fail with a 500 first. */
async function scripted(streams: (n: number) => StreamScript, failingLists = 0) {
  const clock = new FakeClock()
  const cluster = new ScriptedCluster(clock, streams)
  if (failingLists > 0)
    cluster.inject({
      verb: 'list',
      kind: 'ConfigMap',
      status: 500,
      message: 'etcd timeout',
      times: failingLists
    })
  // Not awaited: with failing lists the collection is ready only once it is polled.
  void start(cluster, clock).track([CONFIGMAPS])
  await settle()
  return { clock, cluster }
}

const always = (script: StreamScript) => (): StreamScript => script

describe('Observer: re-connecting is paced whatever way the server fails (§4.2)', () => {
  // The pauses go 0.2, 0.4, 0.8, 1.6 s, then stay at the longest (2 s here): a server that fails
  // every attempt sees 33 in the first minute (at 0, 0.2, 0.6, 1.4 s, then every 2 s from 3 s),
  // never a hot loop (which run() would show as thousands).
  test.each([
    // Each attempt is a list and a watch: re-listing goes on (every change is still seen), paced.
    { shape: 'every watch answers 410 at once', streams: always({ end: 'expired' }), lists: 33, watches: 33 },
    {
      // The 410 throws the bookmark's progress away.
      shape: 'every watch carries a new bookmark, then answers 410',
      streams: always({ bookmarks: 1, end: 'expired' }),
      lists: 33,
      watches: 33
    },
    // Open 1.5 s, then 410: a few seconds of life do not start the pauses over (3.5 s per attempt).
    {
      shape: 'every watch answers 410 after 1.5 s',
      streams: always({ lifeMs: 1500, end: 'expired' }),
      lists: 19,
      watches: 19
    },
    // Resumed from the resourceVersion held: no list needed.
    { shape: 'every watch closes at once, empty', streams: always({ end: 'closed' }), lists: 1, watches: 33 },
    // An event that gains nothing does not make a close routine.
    {
      shape: 'every watch carries a stale bookmark, then closes at once',
      streams: always({ staleBookmark: true, end: 'closed' }),
      lists: 1,
      watches: 33
    },
    // Four errors in a row (paused 0.2, 0.4, 0.8 s): the collection is polled instead.
    { shape: 'every watch fails at once', streams: always({ end: 'error' }), lists: 1, watches: 4 },
    {
      shape: 'every watch carries a stale bookmark, then fails',
      streams: always({ staleBookmark: true, end: 'error' }),
      lists: 1,
      watches: 4
    },
    {
      shape: 'every list fails',
      streams: always({ end: 'closed' }),
      failingLists: Infinity,
      lists: 4,
      watches: 0
    },
    // A list that succeeds between failed watches proves nothing: 410 and error alternate, and
    // each 410 is followed by a good list, yet the fourth error still gives way to polling.
    {
      shape: 'lists succeed, watches alternate 410 and errors',
      streams: (n: number): StreamScript => ({ end: n % 2 === 1 ? 'expired' : 'error' }),
      lists: 5,
      watches: 8
    }
  ])(
    '$shape: $lists list(s) and $watches watch(es) in a minute',
    async ({ streams, failingLists, lists, watches }) => {
      const { clock, cluster } = await scripted(streams, failingLists)
      await run(clock, 60_000)
      expect({ lists: cluster.lists, watches: cluster.opened.length }).toEqual({ lists, watches })
    }
  )

  test('the pauses grow up to the longest and stay there', async () => {
    const { clock, cluster } = await scripted(always({ end: 'expired' }))
    await run(clock, 10_000)
    expect(cluster.opened).toEqual([0, 200, 600, 1400, 3000, 5000, 7000, 9000])
  })

  // The routine case: a stream ends when its timeoutSeconds run out (240 s in client-node.ts).
  test('a watch closed by its timeout is resumed at once, every time, even after setbacks', async () => {
    const { clock, cluster } = await scripted(n =>
      n <= 3 ? { end: 'closed' } : { lifeMs: 240_000, end: 'closed' }
    )
    await run(clock, 1400 + 3 * 240_000)
    expect(cluster.opened).toEqual([0, 200, 600, 1400, 241_400, 481_400, 721_400])
    expect(cluster.lists).toBe(1)
  })

  test.each([
    // Watch, then a 200 ms pause, watch 60 s later, and so on: never the poll fallback.
    ['fails', 'error' as const, 1],
    ['answers 410', 'expired' as const, 5]
  ])(
    'a watch that %s after a long healthy run resumes after the shortest pause',
    async (_case, end, lists) => {
      const { clock, cluster } = await scripted(always({ lifeMs: 60_000, end }))
      await run(clock, 4 * 60_200)
      expect(cluster.opened).toEqual([0, 60_200, 120_400, 180_600, 240_800])
      expect(cluster.lists).toBe(lists)
    }
  )

  test.each([
    // Three empty streams closed at once (pauses 0.2, 0.4, 0.8 s), then the 4th as given, then
    // empty closes again. The pauses after the 4th and 5th show whether the run started over.
    ['carried a new bookmark and closed', [0, 200], { bookmarks: 1, end: 'closed' as const }],
    ['carried a new bookmark, then failed', [200, 400], { bookmarks: 1, end: 'error' as const }],
    ['stayed open 10 s and closed', [0, 200], { lifeMs: 10_000, end: 'closed' as const }],
    ['stayed open 10 s, then failed', [200, 400], { lifeMs: 10_000, end: 'error' as const }],
    ['stayed open 5 s and closed', [0, 1600], { lifeMs: 5000, end: 'closed' as const }],
    ['carried a new bookmark, then answered 410', [1600, 2000], { bookmarks: 1, end: 'expired' as const }],
    ['carried a stale bookmark and closed', [1600, 2000], { staleBookmark: true, end: 'closed' as const }]
  ])('after a stream that %s, the next pauses are %j ms', async (_case, pauses, fourth: StreamScript) => {
    const { clock, cluster } = await scripted(n => (n === 4 ? fourth : { end: 'closed' }))
    await run(clock, 1400 + (fourth.lifeMs ?? 0) + 5000)
    const [fourthOpened = 0, fifth = 0, sixth = 0] = cluster.opened.slice(3)
    expect([fifth - fourthOpened - (fourth.lifeMs ?? 0), sixth - fifth]).toEqual(pauses)
  })

  // A proxy cutting every stream after one event: each round brings a change, so the changes keep
  // flowing at the shortest pause (and a real stream, once caught up, stays open).
  test('a stream cut after each new event is resumed after the shortest pause, never polled', async () => {
    const { clock, cluster } = await scripted(always({ bookmarks: 1, end: 'error' }))
    await run(clock, 5000)
    expect(cluster.opened).toHaveLength(26)
    expect(new Set(cluster.opened.slice(1).map((at, i) => at - (cluster.opened[i] ?? 0)))).toEqual(
      new Set([200])
    )
  })

  test('a watch answered 410 re-lists: changes made meanwhile are seen, none lost', async () => {
    const clock = new FakeClock()
    const cluster = new FakeCluster(clock, { namespaces: [NS] })
    cluster.seed(configMap('old'))
    const observer = start(cluster, clock)
    await observer.track([CONFIGMAPS])
    await settle()
    cluster.holdWatchEvents()
    cluster.seed(configMap('web'))
    cluster.forceDelete('ConfigMap', 'old', NS)
    cluster.expireWatches() // compacted: the held events are gone, a resume would get 410
    cluster.resumeWatchEvents()
    await clock.advance(200)
    expect([observer.observe(keyOf('web'), 'v1').kind, observer.observe(keyOf('old'), 'v1').kind]).toEqual([
      'present',
      'absent'
    ])
    cluster.seed(configMap('later')) // followed by the watch opened from the new list
    await settle()
    expect(observer.observe(keyOf('later'), 'v1').kind).toBe('present')
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
