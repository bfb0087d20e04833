import type { Clock } from '../clock.js'
import { ClusterError } from '../model/errors.js'
import type { ResourceKey } from '../model/key.js'
import { keyId } from '../model/key.js'
import type { KubeObject } from '../model/object.js'
import { splitApiVersion } from '../model/object.js'
import type { Observation } from '../sync/refresh.js'
import type { Cluster, ObjectRef, WatchEvent } from './port.js'

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
  private readonly listed = new Set<string>()
  private readonly streams = new Map<string, Promise<void>>()
  private readonly listeners = new Set<() => void>()
  private readonly polled = new Map<string, ObjectRef>()
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

  /** Starts following these collections (if not yet) and resolves when each has been listed once. */
  async track(collections: readonly Collection[]): Promise<void> {
    const waits = collections.map(collection => {
      const id = collectionId(collection)
      if (!this.streams.has(id)) {
        let listed: () => void = () => undefined
        const first = new Promise<void>(resolve => (listed = resolve))
        this.streams.set(id, this.follow(collection, listed))
        return first
      }
      return this.listed.has(id) ? Promise.resolve() : this.whenListed(id)
    })
    await Promise.all(waits)
  }

  /**
   * What is known of an object: present, absent (its collection was listed), or unknown. Called
   * for every Running task on every wake, so it allocates nothing once a key has been seen.
   */
  observe(key: ResourceKey, version: string): Observation {
    let ids = this.keyIds.get(key)
    if (ids === undefined) {
      ids = { object: keyId(key), collection: collectionId(key) }
      this.keyIds.set(key, ids)
      // Everything asked about is also what the poll fallback re-reads (§4.2).
      if (!this.polled.has(ids.object)) this.polled.set(ids.object, { ...key, version })
    }
    const object = this.objects.get(ids.object)
    if (object) return presentObservation(object)
    return this.listed.has(ids.collection) ? ABSENT : UNKNOWN
  }

  /** Records a write's response: the freshest knowledge of that object. */
  put(object: KubeObject): void {
    if (this.store(object)) this.changed()
  }

  /** Records that a GET found nothing. */
  markGone(key: ResourceKey): void {
    if (this.objects.delete(keyId(key))) this.changed()
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

  private whenListed(id: string): Promise<void> {
    return new Promise(resolve => {
      const check = (): void => {
        if (!this.listed.has(id)) return
        this.listeners.delete(check)
        resolve()
      }
      this.listeners.add(check)
    })
  }

  /** Keeps one collection current until stopped: list, watch, resume or re-list, back off, poll. */
  private async follow(collection: Collection, listed: () => void): Promise<void> {
    const id = collectionId(collection)
    const signal = this.controller.signal
    let resourceVersion: string | undefined
    let failures = 0
    while (!signal.aborted) {
      try {
        if (resourceVersion === undefined) {
          resourceVersion = await this.list(collection)
          this.listed.add(id)
          listed()
          this.changed()
        }
        const end = await this.cluster.watch(
          collection,
          { resourceVersion },
          event => {
            resourceVersion = this.onEvent(event) ?? resourceVersion
            failures = 0
          },
          signal
        )
        if (end.reason === 'aborted') return
        if (end.reason === 'expired') resourceVersion = undefined
        if (end.reason === 'error') throw end.error
      } catch (error) {
        if (signal.aborted) return
        failures += 1
        if (failures > 3 || isForbidden(error)) return this.pollForever(collection, listed)
        await this.clock
          .sleep(Math.min(this.options.maxBackoffMs, 100 * 2 ** failures), signal)
          .catch(() => undefined)
      }
    }
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

  private async pollForever(collection: Collection, listed: () => void): Promise<void> {
    const signal = this.controller.signal
    this.listed.add(collectionId(collection))
    listed()
    while (!signal.aborted) {
      for (const ref of this.polled.values()) {
        if (collectionId(ref) !== collectionId(collection)) continue
        const object = await this.cluster.get(ref, signal).catch(() => null)
        if (object === undefined) this.markGone(ref)
        else if (object) this.put(object)
      }
      await this.clock.sleep(this.options.pollIntervalMs, signal).catch(() => undefined)
    }
  }
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
