// The pure half of judging desired objects against the cluster at dry-run time (sync-semantics
// §2.5 ApplyOutOfSyncOnly, §7.1, §8.4): what a write would do, and whose object the live copy is.
// The I/O half (where the live copy comes from) is live-check.ts.
import { isRecord } from '../model/json.js'
import type { KubeObject } from '../model/object.js'
import { TRACKING_ANNOTATION, trackedApp } from '../model/tracking.js'

/**
 * What a resource's write would do: `created` (no live object), `configured` (it would change the
 * live object), `unchanged` (the server's answer equals the live object). `stale`: the live copy
 * at hand may be older than the object the dry run saw, so nothing can be concluded from it.
 */
export type LiveComparison = 'created' | 'configured' | 'unchanged' | 'stale'

/** A live copy and how it was had: from a cache (may lag), or `read` by a GET after the dry run. */
export interface LiveCopy {
  object: KubeObject | undefined
  source: 'cached' | 'read'
}

/**
 * Compares a server-side-apply dry run's answer with a live copy. A dry run of an existing object
 * answers with that object's resourceVersion and a dry run of a new one with none (checked on a
 * real API server in test/e2e/adapter.test.ts). The answer is what the object becomes; a live
 * copy that already equals it needs no write, provided the copy is not older than the object the
 * dry run saw: an older copy could equal the answer while the object has drifted since (someone
 * scaled it; the apply would scale it back). So a cached copy counts only at that resourceVersion
 * or a later one; a GET made after the dry run always counts. Doubt is `stale`, and the caller
 * reads again or writes.
 */
export function compareWithLive(dryRun: KubeObject, live: LiveCopy, withStatus = false): LiveComparison {
  const version = dryRun.metadata.resourceVersion
  if (version === undefined || version === '') return 'created'
  const copy = live.object
  if (!copy || copy.apiVersion !== dryRun.apiVersion) return 'stale'
  if (live.source === 'cached' && !notOlder(copy.metadata.resourceVersion, version)) return 'stale'
  return sameContent(dryRun, copy, withStatus) ? 'unchanged' : 'configured'
}

/**
 * At write time (ApplyOutOfSyncOnly): the live object, as the cache holds it now, still needs no
 * write: it is not older than what the dry run saw and still agrees with the answer. Status and
 * resourceVersion may have moved meanwhile; anything an apply decides may not.
 */
export function stillUnchanged(current: KubeObject, dryRun: KubeObject, withStatus = false): boolean {
  const seen = dryRun.metadata.resourceVersion
  return (
    seen !== undefined &&
    notOlder(current.metadata.resourceVersion, seen) &&
    sameContent(current, dryRun, withStatus)
  )
}

/**
 * resourceVersions are opaque by contract, but every API server serves etcd revisions (integers,
 * increasing); the Observer relies on the same. A non-numeric one counts only when equal.
 */
export function notOlder(copy: string | undefined, seen: string): boolean {
  if (copy === seen) return true
  const [a, b] = [Number(copy), Number(seen)]
  return copy !== undefined && Number.isSafeInteger(a) && Number.isSafeInteger(b) && a > b
}

/**
 * True when two copies of an object agree on everything an apply decides (all but the fields
 * below): a live object that still agrees with a dry run's answer needs no write. `withStatus`:
 * the manifest itself sets a status, which an apply does write for kinds without a status
 * subresource, so it is compared too (for kinds with one, the server keeps the live status in its
 * answer, and a difference merely costs a needless write).
 */
function sameContent(a: KubeObject, b: KubeObject, withStatus = false): boolean {
  return jsonEqual(comparable(a, withStatus), comparable(b, withStatus))
}

/**
 * Left out of the comparison: server bookkeeping that changes without the object changing
 * (resourceVersion, generation, managedFields timestamps), and status (unless the manifest sets
 * one), which an apply does not write and controllers move all the time.
 */
const IGNORED_METADATA = new Set(['resourceVersion', 'generation', 'managedFields'])

function comparable(object: KubeObject, withStatus: boolean): Record<string, unknown> {
  const metadata = Object.fromEntries(
    Object.entries(object.metadata).filter(([field]) => !IGNORED_METADATA.has(field))
  )
  const rest = Object.entries(object).filter(
    ([field]) => field !== 'metadata' && (withStatus || field !== 'status')
  )
  return { ...Object.fromEntries(rest), metadata }
}

/** Deep equality of JSON values; key order does not matter, an `undefined` field counts as absent. */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false
    return a.every((item, i) => jsonEqual(item, b[i]))
  }
  if (!isRecord(a) || !isRecord(b)) return false
  const keys = (r: Record<string, unknown>): string[] => Object.keys(r).filter(k => r[k] !== undefined)
  const left = keys(a)
  if (left.length !== keys(b).length) return false
  return left.every(key => Object.hasOwn(b, key) && jsonEqual(a[key], b[key]))
}

/**
 * Whose object a live copy is (§7.1): this application's (its tracking id names it), nobody's
 * (no tracking id, or one that is not `<app>:…`: adopted), or another application's (shared).
 */
export type Ownership = { kind: 'ours' } | { kind: 'untracked' } | { kind: 'shared'; app: string }

export function ownershipOf(live: KubeObject, app: string): Ownership {
  const value = live.metadata.annotations?.[TRACKING_ANNOTATION]
  const owner = trackedApp(typeof value === 'string' ? value : undefined)
  if (owner === undefined) return { kind: 'untracked' }
  return owner === app ? { kind: 'ours' } : { kind: 'shared', app: owner }
}
