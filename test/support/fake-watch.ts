import type { WatchEnd, WatchEvent } from '../../src/cluster/port.js'
import type { KubeObject } from '../../src/model/object.js'
import { splitApiVersion } from '../../src/model/object.js'
import type { Selector } from './fake-objects.js'
import { matches } from './fake-objects.js'

/** One open watch stream: a collection, its selectors and where its events go. */
export interface Watcher {
  group: string
  kind: string
  version: string
  /** '' for every namespace (or a cluster-scoped kind). */
  namespace: string
  labels: Selector
  fields: Selector
  onEvent: (event: WatchEvent) => void
  finish: (end: WatchEnd) => void
  closed: boolean
}

export type ChangeType = 'ADDED' | 'MODIFIED' | 'DELETED'

interface HistoryEntry {
  rv: number
  type: ChangeType
  object: KubeObject
}

/** How an object looks to a watcher of one version (the server converts on the way out). */
export type Serve = (object: KubeObject, version: string) => KubeObject

/**
 * The fake API server's watch side: the event history (what etcd keeps until compaction), the
 * open streams, and delivery. Events reach a client a macrotask after the change, i.e. after the
 * answer to the request that caused them; tests may hold them back and release them one by one,
 * end streams (`closed`, resumed by the client from its last resourceVersion) or answer 410.
 */
export class WatchHub {
  private readonly watchers = new Set<Watcher>()
  private readonly history: HistoryEntry[] = []
  private readonly queued: { watcher: Watcher; event: WatchEvent }[] = []
  private compactedRv = 0
  private holding = false
  private flushScheduled = false

  constructor(private readonly serve: Serve) {}

  /** True when a watch from `resourceVersion` can no longer be served (410 Gone). */
  expired(resourceVersion: number): boolean {
    return !Number.isFinite(resourceVersion) || resourceVersion < this.compactedRv
  }

  /** Opens a stream: replays the history after `from` (or every current object when undefined), then follows. */
  open(watcher: Watcher, from: number | undefined, current: Iterable<KubeObject>): void {
    this.watchers.add(watcher)
    const replay: { type: WatchEvent['type']; object: KubeObject }[] =
      from === undefined
        ? [...current].map(object => ({ type: 'ADDED' as const, object }))
        : this.history.filter(entry => entry.rv > from)
    for (const { type, object } of replay) {
      if (type !== 'BOOKMARK' && this.watches(watcher, object))
        this.enqueue(watcher, { type, object: this.serve(object, watcher.version) })
    }
  }

  /** A stream ended (by the client or the server). */
  close(watcher: Watcher): void {
    this.watchers.delete(watcher)
  }

  /** Records a change and sends it to every stream watching its collection. */
  emit(type: ChangeType, object: KubeObject): void {
    this.history.push({ rv: Number(object.metadata.resourceVersion), type, object: structuredClone(object) })
    for (const watcher of this.watchers)
      if (this.watches(watcher, object))
        this.enqueue(watcher, { type, object: this.serve(object, watcher.version) })
  }

  hold(): void {
    this.holding = true
  }

  /** Delivers up to `max` queued events in order; holding goes on. */
  release(max = Number.POSITIVE_INFINITY): number {
    let delivered = 0
    while (delivered < max && this.queued.length > 0) {
      const next = this.queued.shift()
      if (next && !next.watcher.closed) {
        next.watcher.onEvent(next.event)
        delivered += 1
      }
    }
    return delivered
  }

  resume(): void {
    this.holding = false
    this.release()
  }

  get queuedEvents(): number {
    return this.queued.length
  }

  get count(): number {
    return this.watchers.size
  }

  /** Ends every stream with `end`; undelivered events are dropped (a resume replays them from history). */
  endAll(end: WatchEnd): void {
    this.queued.length = 0
    for (const watcher of [...this.watchers]) watcher.finish(end)
  }

  /** etcd compaction: events up to `currentRv` are forgotten; older resourceVersions get 410. */
  compact(currentRv: number): void {
    this.compactedRv = currentRv
    this.history.length = 0
  }

  bookmark(currentRv: number): void {
    for (const watcher of this.watchers)
      this.enqueue(watcher, { type: 'BOOKMARK', resourceVersion: String(currentRv) })
  }

  private watches(watcher: Watcher, object: KubeObject): boolean {
    const { group } = splitApiVersion(object.apiVersion)
    if (group !== watcher.group || object.kind !== watcher.kind) return false
    if (watcher.namespace !== '' && object.metadata.namespace !== watcher.namespace) return false
    return matches(object, watcher.labels) && matches(object, watcher.fields)
  }

  private enqueue(watcher: Watcher, event: WatchEvent): void {
    this.queued.push({ watcher, event })
    if (this.holding || this.flushScheduled) return
    this.flushScheduled = true
    setImmediate(() => {
      this.flushScheduled = false
      if (!this.holding) this.release()
    })
  }
}
