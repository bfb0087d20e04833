import type { Clock } from '../clock.js'
import { ClusterError } from '../model/errors.js'
import type { ResourceKey } from '../model/key.js'
import { keyId } from '../model/key.js'
import type { KubeObject } from '../model/object.js'
import { splitApiVersion } from '../model/object.js'
import type { Observation } from '../sync/refresh.js'
import type { Cluster, ObjectRef, WatchEnd, WatchEvent } from './port.js'

/** One collection to follow: a kind in a namespace ('' for cluster-scoped kinds). */
export type Collection = Omit<ObjectRef, 'name'>

export interface ObserverOptions {
  /** GET interval when watching is not possible (forbidden, or the stream keeps failing). */
  pollIntervalMs: number
  /** Longest pause between watch re-connection attempts. */
  maxBackoffMs: number
}

/**
 * The live cache (architecture §3b): one list + watch per collection, resumed from the last
 * resourceVersion when a stream ends, re-listed on 410, and replaced by polling when watching is
 * forbidden or keeps failing. Every change wakes the sync loop, so a wave starts as soon as the
 * previous one is healthy, without a polling delay.
 */
export class Observer {
  private readonly objects = new Map<string, KubeObject>()
  /** Collections whose list (kept current by a watch) is complete: a key not held is absent. */
  private readonly listed = new Set<string>()
  /** Collections read key by key (poll fallback): absence is known only for keys GET has read. */
  private readonly polling = new Set<string>()
  /** Keys a GET found missing (ours or a caller's): all that poll mode may call absent. */
  private readonly gone = new Set<string>()
  private readonly streams = new Map<string, Promise<void>>()
  private readonly listeners = new Set<() => void>()
  /** Per collection, the keys asked about: what the poll fallback re-reads (§4.2). */
  private readonly polled = new Map<string, Map<string, ObjectRef>>()
  /** The cache and collection ids of the keys asked about (tasks keep their key objects). */
  private readonly keyIds = new WeakMap<ResourceKey, { object: string; collection: string }>()
  private readonly controller = new AbortController()
  /** Counts changes, so a waiter can tell whether anything happened since it looked. */
  private version = 0

  constructor(
    private readonly cluster: Cluster,
    private readonly clock: Clock,
    private readonly options: ObserverOptions
  ) {}

  /**
   * Starts following these collections (if not yet) and resolves when each has been listed once
   * (or handed to the poll fallback), when `signal` aborts, or when the observer stops; never
   * rejects, so an aborted caller must check its signal (a collection not ready reads `unknown`).
   */
  async track(collections: readonly Collection[], signal?: AbortSignal): Promise<void> {
    const ids = collections.map(collection => {
      const id = collectionId(collection)
      if (!this.streams.has(id)) this.streams.set(id, this.follow(collection))
      return id
    })
    const pending = ids.filter(id => !this.ready(id))
    if (pending.length > 0) await this.whenReady(pending, signal)
  }

  /**
   * What is known of an object: present, absent (its collection was listed, or a poll read it as
   * gone), or unknown. Called for every Running task on every wake, so it allocates nothing once
   * a key has been seen.
   */
  observe(key: ResourceKey, version: string): Observation {
    let ids = this.keyIds.get(key)
    if (ids === undefined) {
      ids = { object: keyId(key), collection: collectionId(key) }
      this.keyIds.set(key, ids)
      this.remember(ids, { ...key, version })
    }
    const object = this.objects.get(ids.object)
    if (object) return presentObservation(object)
    // A poll has not answered for this key yet: absence would end a prune at once (refresh.ts).
    if (this.polling.has(ids.collection)) return this.gone.has(ids.object) ? ABSENT : UNKNOWN
    return this.listed.has(ids.collection) ? ABSENT : UNKNOWN
  }

  /** Records a write's response: the freshest knowledge of that object. */
  put(object: KubeObject): void {
    if (this.store(object)) this.changed()
  }

  /** Records that a GET found nothing. */
  markGone(key: ResourceKey): void {
    this.recordAbsent(keyId(key))
  }

  /** Resolves on the next change, at `until`, or when the signal aborts; never rejects. */
  async changeOr(until: number | undefined, signal: AbortSignal): Promise<void> {
    const seen = this.version
    const timeout =
      until === undefined ? this.options.pollIntervalMs * 8 : Math.max(0, until - this.clock.now())
    const local = new AbortController()
    const stop = (): void => local.abort()
    signal.addEventListener('abort', stop, { once: true })
    const changed = new Promise<void>(resolve => {
      const listener = (): void => resolve()
      this.listeners.add(listener)
      local.signal.addEventListener('abort', () => this.listeners.delete(listener), { once: true })
    })
    if (this.version !== seen) return
    await Promise.race([changed, this.clock.sleep(timeout, local.signal).catch(() => undefined)])
    local.abort()
    signal.removeEventListener('abort', stop)
  }

  /** Stops every stream. */
  async stop(): Promise<void> {
    this.controller.abort()
    await Promise.allSettled(this.streams.values())
  }

  private changed(): void {
    this.version += 1
    for (const listener of [...this.listeners]) listener()
  }

  private ready(id: string): boolean {
    return this.listed.has(id) || this.polling.has(id)
  }

  /** Resolves once every id is ready, or either signal (the caller's, the observer's) aborts. */
  private whenReady(ids: readonly string[], signal: AbortSignal | undefined): Promise<void> {
    const signals = signal ? [signal, this.controller.signal] : [this.controller.signal]
    return new Promise(resolve => {
      const done = (): void => {
        this.listeners.delete(check)
        for (const each of signals) each.removeEventListener('abort', done)
        resolve()
      }
      const check = (): void => {
        if (ids.every(id => this.ready(id))) done()
      }
      if (signals.some(each => each.aborted)) return resolve()
      this.listeners.add(check)
      for (const each of signals) each.addEventListener('abort', done, { once: true })
    })
  }

  private remember(ids: { object: string; collection: string }, ref: ObjectRef): void {
    let keys = this.polled.get(ids.collection)
    if (keys === undefined) this.polled.set(ids.collection, (keys = new Map()))
    if (!keys.has(ids.object)) keys.set(ids.object, ref)
  }

  /**
   * Keeps one collection current until stopped: list, watch, resume or re-list, back off, poll.
   * Every round that ends in anything but a routine close (a refused or failed list or watch, a
   * 410, a stream closed at once) pauses before the next request, longer each time. Only a stream
   * that proved the watch works ends that run of setbacks; a successful list does not, or a server
   * answering every watch with 410 would be re-listed back to back.
   */
  private async follow(collection: Collection): Promise<void> {
    const signal = this.controller.signal
    const state: FollowState = { resourceVersion: undefined, errors: 0, setbacks: 0 }
    while (!signal.aborted) {
      let pace: Pace
      try {
        pace = await this.round(collection, state)
      } catch (error) {
        if (signal.aborted) return
        state.errors += 1
        if (state.errors > MAX_ERRORS || isForbidden(error)) return this.pollForever(collection)
        pace = 'back off'
      }
      if (pace === 'stop') return
      if (pace === 'back off') {
        state.setbacks += 1
        await this.pause(Math.min(this.options.maxBackoffMs, 100 * 2 ** state.setbacks))
      }
    }
  }

  /** Lists if there is no resourceVersion to resume from, then follows one watch stream; throws on errors. */
  private async round(collection: Collection, state: FollowState): Promise<Pace> {
    if (state.resourceVersion === undefined) state.resourceVersion = await this.relist(collection)
    const stream = await this.watchOnce(collection, state.resourceVersion, state)
    if (proven(stream)) {
      state.errors = 0
      state.setbacks = 0
    }
    // 410: events between the resourceVersion held and now are lost; only a new list recovers them.
    if (stream.end.reason === 'expired') state.resourceVersion = undefined
    if (stream.end.reason === 'error') throw stream.end.error
    return paceAfter(stream)
  }

  /** Lists the collection into the cache and marks it listed; returns where a watch resumes. */
  private async relist(collection: Collection): Promise<string> {
    const resourceVersion = await this.list(collection)
    this.listed.add(collectionId(collection))
    this.changed()
    return resourceVersion
  }

  /** One watch stream from `from`, applying its events; says how it ended and how it went. */
  private async watchOnce(collection: Collection, from: string, state: FollowState): Promise<Stream> {
    const opened = this.clock.now()
    const end = await this.cluster.watch(
      collection,
      { resourceVersion: from },
      event => {
        state.resourceVersion = this.onEvent(event) ?? state.resourceVersion
      },
      this.controller.signal
    )
    return { end, progressed: state.resourceVersion !== from, lived: this.clock.now() - opened }
  }

  /** Sleeps unless stopped; a stop ends the sleep early and the caller's loop then ends. */
  private async pause(ms: number): Promise<void> {
    await this.clock.sleep(ms, this.controller.signal).catch(() => undefined)
  }

  private async list(collection: Collection): Promise<string> {
    const { items, resourceVersion } = await this.cluster.list(collection, { signal: this.controller.signal })
    const prefix = collectionId(collection)
    const present = new Set(items.map(item => keyId(keyOfLive(item))))
    for (const [id, object] of this.objects) {
      if (collectionId(collectionOf(object)) === prefix && !present.has(id)) this.objects.delete(id)
    }
    for (const item of items) this.store(item)
    return resourceVersion
  }

  /** Applies one watch event; returns the resourceVersion to resume from. */
  private onEvent(event: WatchEvent): string | undefined {
    if (event.type === 'BOOKMARK') return event.resourceVersion
    const changed = event.type === 'DELETED' ? this.forget(event.object) : this.store(event.object)
    if (changed) this.changed()
    return event.object.metadata.resourceVersion
  }

  /**
   * Stores a copy unless it is older than the one held. resourceVersions are opaque by contract, but
   * every API server in practice serves etcd revisions (integers, global across objects); comparing
   * them keeps a late, stale watch event (even of a deleted predecessor with another uid) from
   * overwriting a write's fresher response. Non-numeric versions always win.
   */
  private store(object: KubeObject): boolean {
    const id = keyId(keyOfLive(object))
    const held = this.objects.get(id)
    if (held && olderThan(object, held)) return false
    this.objects.set(id, object)
    return true
  }

  /** A deletion removes the held copy only if it is that object: a re-created successor stays. */
  private forget(object: KubeObject): boolean {
    const id = keyId(keyOfLive(object))
    const held = this.objects.get(id)
    if (!held || (held.metadata.uid !== undefined && held.metadata.uid !== object.metadata.uid)) return false
    return this.objects.delete(id)
  }

  /** The object is gone; a key not yet known gone is news too (poll mode now answers absent). */
  private recordAbsent(id: string): void {
    const news = !this.gone.has(id)
    this.gone.add(id)
    if (this.objects.delete(id) || news) this.changed()
  }

  /**
   * The fallback when a collection cannot be listed and watched: GET every key asked about, each
   * poll interval. A round with errors backs off (up to 8 intervals): the client's own retries
   * have already given up, so the server needs a rest, not more requests.
   */
  private async pollForever(collection: Collection): Promise<void> {
    const id = collectionId(collection)
    const signal = this.controller.signal
    this.polling.add(id)
    this.changed()
    let failures = 0
    while (!signal.aborted) {
      failures = (await this.pollRound(id)) ? 0 : failures + 1
      await this.pause(this.options.pollIntervalMs * 2 ** Math.min(failures, 3))
    }
  }

  /** One GET per key of the collection; false when any failed. */
  private async pollRound(collection: string): Promise<boolean> {
    let ok = true
    for (const [id, ref] of this.polled.get(collection) ?? []) {
      if (this.controller.signal.aborted) break
      if (!(await this.poll(id, ref))) ok = false
    }
    return ok
  }

  /** Reads one key; an error leaves what was known (or unknown) as it was: it is not absence. */
  private async poll(id: string, ref: ObjectRef): Promise<boolean> {
    const before = this.objects.get(id)
    let object: KubeObject | undefined
    try {
      object = await this.cluster.get(ref, this.controller.signal)
    } catch {
      return false
    }
    if (object) this.put(object)
    // A write's response stored while the GET was out is newer than its NotFound.
    else if (this.objects.get(id) === before) this.recordAbsent(id)
    return true
  }
}

interface FollowState {
  resourceVersion: string | undefined
  /** Consecutive failed lists or watches; past MAX_ERRORS the collection is polled instead. */
  errors: number
  /** Consecutive rounds that ended in a setback: the exponent of the pause before the next request. */
  setbacks: number
}

/** One watch stream as the reconnect loop judges it. */
interface Stream {
  end: WatchEnd
  /**
   * Its events moved the resourceVersion on: a resumed watch starts after them. Events that do
   * not (a bookmark at the resourceVersion asked for, say) show nothing was gained.
   */
  progressed: boolean
  /** How long it was open, in ms. */
  lived: number
}

/** What the next request waits for: nothing, a growing pause, or the observer has stopped. */
type Pace = 'at once' | 'back off' | 'stop'

/** Errors in a row that are retried; one more and the collection is polled instead of watched. */
const MAX_ERRORS = 3

/**
 * A stream closed sooner than this without progress was refused (a proxy ending every stream at
 * once), not a routine close; client-go draws the same line for its "very short watch".
 */
const QUICK_CLOSE_MS = 1000

/**
 * A stream that stayed open this long proves the watch works, however it then ended: the run of
 * setbacks starts over. Shorter-lived streams that fail keep the pauses growing, so a server that
 * fails every watch after a few seconds is still met with the longest pause.
 */
const STEADY_STREAM_MS = 10_000

/**
 * Whether a stream ends a run of setbacks (and of errors): it stayed open a while, or it made
 * progress that the next watch keeps. A 410 throws the progress away (the collection is re-listed),
 * so events before one prove nothing: a server doing that on every stream would otherwise be
 * re-listed after the shortest pause forever. A stream cut after each new event still resumes
 * after the shortest pause: every round brings a change, and once caught up the stream stays open.
 */
function proven(stream: Stream): boolean {
  return stream.lived >= STEADY_STREAM_MS || (stream.progressed && stream.end.reason !== 'expired')
}

/**
 * A routine close (a watch's timeoutSeconds ran out, or it made progress) resumes at once, which
 * keeps the cache current; a 410, an error or a stream closed at once without progress backs off.
 */
function paceAfter(stream: Stream): Pace {
  if (stream.end.reason === 'aborted') return 'stop'
  if (stream.end.reason !== 'closed') return 'back off'
  return stream.progressed || stream.lived >= QUICK_CLOSE_MS ? 'at once' : 'back off'
}

const ABSENT: Observation = Object.freeze({ kind: 'absent' })
const UNKNOWN: Observation = Object.freeze({ kind: 'unknown' })
const presentObservations = new WeakMap<KubeObject, Observation>()

/** One observation per held object, so a verdict remembered for it is found again (refresh.ts). */
function presentObservation(object: KubeObject): Observation {
  let observation = presentObservations.get(object)
  if (observation === undefined) presentObservations.set(object, (observation = { kind: 'present', object }))
  return observation
}

function olderThan(a: KubeObject, b: KubeObject): boolean {
  const x = Number(a.metadata.resourceVersion)
  const y = Number(b.metadata.resourceVersion)
  return Number.isSafeInteger(x) && Number.isSafeInteger(y) && x < y
}

function keyOfLive(object: KubeObject): ResourceKey {
  return {
    group: splitApiVersion(object.apiVersion).group,
    kind: object.kind,
    namespace: object.metadata.namespace ?? '',
    name: object.metadata.name ?? ''
  }
}

function collectionOf(object: KubeObject): Collection {
  const { group, version } = splitApiVersion(object.apiVersion)
  return { group, version, kind: object.kind, namespace: object.metadata.namespace ?? '' }
}

/** Collections are identified without the version: one object, one cache entry. */
function collectionId(collection: Pick<Collection, 'group' | 'kind' | 'namespace'>): string {
  return `${collection.group}\u0000${collection.kind}\u0000${collection.namespace}`
}

function isForbidden(error: unknown): boolean {
  return error instanceof ClusterError && error.details.status === 403
}
