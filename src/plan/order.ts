import type { Task } from '../model/task.js'
import { PHASE_RANK } from '../model/vocabulary.js'
import { kindRank } from './kind-order.js'

/** Ordinal string comparison (code units), never locale-dependent. */
function ordinal(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}

/** Items 2–8 of the sort key: wave, kind rank, name, namespace, group, version, kind string. */
function compareWithinPhase(a: Task, b: Task): number {
  return (
    a.wave - b.wave ||
    kindRank(a.key.kind) - kindRank(b.key.kind) ||
    ordinal(a.key.name, b.key.name) ||
    ordinal(a.key.namespace, b.key.namespace) ||
    ordinal(a.key.group, b.key.group) ||
    ordinal(a.version, b.version) ||
    ordinal(a.key.kind, b.key.kind)
  )
}

/**
 * The total order of sync-semantics §3.1. Within the `Delete` phase of a delete operation items
 * 2–8 are reversed (§3.6): highest wave first, APIService before Namespace.
 */
export function compareTasks(a: Task, b: Task): number {
  const byPhase = PHASE_RANK[a.phase] - PHASE_RANK[b.phase]
  if (byPhase !== 0) return byPhase
  const within = compareWithinPhase(a, b)
  return a.phase === 'Delete' ? -within : within
}
