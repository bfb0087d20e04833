import { apiVersionOf } from '../model/object.js'
import type { Issue } from '../model/issue.js'
import { issueAt } from '../model/issue.js'
import { getString } from '../model/json.js'
import { formatKey } from '../model/key.js'
import type { Task } from '../model/task.js'
import type { SyncOptions } from './annotations/sync-options.js'
import { optionValue } from './annotations/sync-options.js'

/**
 * How the server serves now a group/version/kind that an inventory record's manifests name but
 * that it no longer serves at that version. Only operations planned from a record (delete,
 * rollback, test) ask: the repository's manifests must name served versions (§4.1.2).
 */
export type RetiredKind =
  /** No version serves the group/kind (its CRD was uninstalled): no object of it can exist. */
  | { served: false }
  | {
      served: true
      /** The version used instead: the one discovery resolved (the group's preferred). */
      version: string
      /** Every version the kind is served at, for messages. */
      versions: readonly string[]
      /** Why a stored object may not be re-sent at `version`; undefined when it may. */
      unsafe: string | undefined
    }

/** A recorded group/version/kind as served now; undefined while the server serves it as recorded. */
export type RetiredKinds = (group: string, version: string, kind: string) => RetiredKind | undefined

/** Where an issue points when a task has no source (every task from a manifest has one). */
const RECORD = { file: '(inventory)', docIndex: 0, line: 0 }

/** Tasks with the versions they are carried out at, and those that cannot be carried out. */
export interface SettledKinds {
  tasks: Task[]
  /** One error per task the server cannot take as recorded: the operation fails before any write. */
  issues: Issue[]
}

/**
 * Gives the tasks planned from a record's manifests a version the server serves (sync-semantics
 * §7.2, §10). An object is one object at every version of its kind, so a DELETE at any served
 * version removes it, as kubectl and Argo CD do; a delete task whose kind no version serves is
 * left for arrangeDeletion to skip (nothing of it can exist). A write sends the stored body, which
 * is only re-labelled when the server says the versions hold the same fields (`unsafe` unset, see
 * sync/recorded-kinds.ts); otherwise it fails naming the versions rather than guessing. A write
 * whose kind a CRD applied by this operation defines is left as it is: that CRD decides which
 * versions are served once it is established (§8.2), not the cluster as it is now.
 */
export function settleRetiredKinds(
  tasks: readonly Task[],
  retired: RetiredKinds | undefined,
  appOptions: SyncOptions
): SettledKinds {
  if (!retired) return { tasks: [...tasks], issues: [] }
  const applied = crdKindsApplied(tasks)
  const issues: Issue[] = []
  const settled = tasks.map(task => {
    const now = retired(task.key.group, task.version, task.key.kind)
    if (!now) return task
    if (task.type === 'delete') return now.served ? atVersion(task, now.version) : task
    if (applied.has(`${task.key.group}/${task.key.kind}`)) return task
    const problem = writeProblem(task, now, appOptions)
    if (problem === undefined) return now.served ? atVersion(task, now.version) : task
    issues.push(issueAt('error', task.source ?? RECORD, problem, { key: task.key }))
    return task
  })
  return { tasks: settled, issues }
}

/** Why the stored object of a resource or hook cannot be written; undefined when it can. */
function writeProblem(task: Task, now: RetiredKind, appOptions: SyncOptions): string | undefined {
  const what = task.type === 'hook' ? `${task.phase} hook ${formatKey(task.key)}` : formatKey(task.key)
  const recorded = `${apiVersionOf(task.key.group, task.version)} ${task.key.kind}`
  if (!now.served) {
    // The option says the kind may be missing now and present when the write comes (§8.2).
    if (optionValue('SkipDryRunOnMissingResource', task.syncOptions, appOptions) === 'true') return undefined
    const outcome =
      task.type === 'hook'
        ? 'so the hook cannot be created'
        : 'so there is nothing to roll back to: the object cannot be created'
    return `${what}: the server no longer serves ${recorded} at any version (its CRD or API was removed), ${outcome}; ${remedy(task, 'reinstall the CRD first')}`
  }
  if (now.unsafe === undefined) return undefined
  const served = now.versions.map(v => apiVersionOf(task.key.group, v)).join(', ')
  const fix =
    task.type === 'hook'
      ? 'sync manifests written for a served version'
      : 'sync manifests written for a served version instead of rolling back to this revision'
  return `${what}: the server no longer serves ${recorded}, only ${served}, and ${now.unsafe}: the recorded object may not be valid at another version, so it is not sent as one; ${remedy(task, fix)}`
}

/** What the user can do: fix the cluster or the manifests, or, for a hook, leave it out (§5.8). */
function remedy(task: Task, fix: string): string {
  if (task.type !== 'hook') return fix
  return `${fix}, or leave the hook out (no-hooks, or skip-hooks ${task.hook?.trigger ?? task.phase})`
}

/** The task at another version of its kind: the same object, addressed (and labelled) there. */
function atVersion(task: Task, version: string): Task {
  const object = task.object
    ? { ...task.object, apiVersion: apiVersionOf(task.key.group, version) }
    : undefined
  return { ...task, version, object }
}

/** `group/Kind` of every kind a CRD applied by this operation defines. */
function crdKindsApplied(tasks: readonly Task[]): Set<string> {
  const kinds = tasks
    .filter(t => t.type === 'resource' && t.key.kind === 'CustomResourceDefinition' && t.object)
    .map(
      t =>
        `${getString(t.object, ['spec', 'group']) ?? ''}/${getString(t.object, ['spec', 'names', 'kind']) ?? ''}`
    )
  return new Set(kinds)
}
