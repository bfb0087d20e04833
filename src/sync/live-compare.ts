// The pure half of judging desired objects against the cluster at dry-run time (sync-semantics
// §2.5 ApplyOutOfSyncOnly, §7.1, §8.4): what a write would do, and whose object the live copy is.
// The I/O half (where the live copy comes from) is live-check.ts.
import { isRecord } from '../model/json.js'
import type { KubeObject } from '../model/object.js'
import { TRACKING_ANNOTATION, trackedApp } from '../model/tracking.js'

/**
 * What a resource's write would do: `created` (no live object), `configured` (it would change the
 * live object), `unchanged` (the server's answer equals the live object). `stale`: the live copy
 * at hand is not the version the dry run was computed against, so nothing can be concluded yet.
 */
export type LiveComparison = 'created' | 'configured' | 'unchanged' | 'stale'

/**
 * Compares a server-side-apply dry run's answer with a live copy. A dry run of an existing object
 * answers with that object's resourceVersion and a dry run of a new one with none (checked on a
 * real API server in test/e2e/adapter.test.ts), so the answer says which live version it was
 * computed against: only a live copy of exactly that version can prove `unchanged`. Any doubt
 * (another version, another apiVersion, no copy) is `stale`; the caller errs towards writing.
 */
export function compareWithLive(dryRun: KubeObject, live: KubeObject | undefined): LiveComparison {
  const version = dryRun.metadata.resourceVersion
  if (version === undefined || version === '') return 'created'
  if (!live || live.metadata.resourceVersion !== version || live.apiVersion !== dryRun.apiVersion)
    return 'stale'
  return sameContent(dryRun, live) ? 'unchanged' : 'configured'
}

/**
 * True when two copies of an object agree on everything an apply decides (the fields compared
 * above): a live object that still agrees with a dry run's answer needs no write.
 */
export function sameContent(a: KubeObject, b: KubeObject): boolean {
  return jsonEqual(comparable(a), comparable(b))
}

/**
 * Left out of the comparison: server bookkeeping that changes without the object changing
 * (resourceVersion, generation, managedFields timestamps), and status, which an apply never
 * writes and controllers move all the time.
 */
const IGNORED_METADATA = new Set(['resourceVersion', 'generation', 'managedFields'])

function comparable(object: KubeObject): Record<string, unknown> {
  const metadata = Object.fromEntries(
    Object.entries(object.metadata).filter(([field]) => !IGNORED_METADATA.has(field))
  )
  const rest = Object.entries(object).filter(([field]) => field !== 'status' && field !== 'metadata')
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
