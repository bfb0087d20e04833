// Everything between discovery and the lock (sync-semantics §4.1.5, §8): the server-side dry run
// of every task, then each desired object judged against its live copy: what its write would do
// (§8.4, ApplyOutOfSyncOnly) and whose object it is (§7.1, FailOnSharedResource). Reads only.
import type { Observer } from '../cluster/observer.js'
import type { KubeObject } from '../model/object.js'
import { formatKey } from '../model/key.js'
import type { Task } from '../model/task.js'
import type { DryRunContext } from './dry-run.js'
import { dryRunTasks, skippedLines } from './dry-run.js'
import type { LiveFindings } from './live-check.js'
import { judgeLive } from './live-check.js'
import { namespaceKeptFor } from './namespace-cleanup.js'
import { unchangedAnswers } from './out-of-sync-only.js'
import type { RunUpdate } from './types.js'
import { wouldBeRuns } from './would-be.js'

export interface PreflightContext extends Omit<DryRunContext, 'namespacesToCreate'> {
  observer: Observer
  /** `dry-run: true`: the would-be results are the report, so namespaces to remove are listed too. */
  predictOnly: boolean
}

export interface Preflight {
  /** Set when the operation must stop before any write: the failed tasks and the message. */
  failure: { updates: RunUpdate[]; message: string } | undefined
  warnings: string[]
  notes: string[]
  /** ApplyOutOfSyncOnly: the resources not to write, with their dry runs' answers. */
  unchanged: Map<string, KubeObject>
  /** For `dry-run: true`: every task's would-be result (§8.4). */
  wouldBe: RunUpdate[]
}

const DRY_RUN_FAILED = 'one or more objects failed to apply (dry run)'
export const SHARED_FAILED =
  'one or more objects are tracked by another application (FailOnSharedResource=true)'

/** Dry-runs every task, then judges the desired objects against the cluster. */
export async function preflight(tasks: readonly Task[], ctx: PreflightContext): Promise<Preflight> {
  const namespacesToCreate = await namespacesCreatedBy(tasks, ctx)
  const dry = await dryRunTasks(tasks, { ...ctx, namespacesToCreate })
  const result: Preflight = {
    failure: undefined,
    warnings: dry.warnings,
    notes: skippedLines(tasks, dry.skipReasons),
    unchanged: new Map(),
    wouldBe: []
  }
  if (dry.failures.length > 0)
    return { ...result, failure: { updates: dry.failures, message: DRY_RUN_FAILED } }
  // Cancelled: the caller reports the termination; nothing more to learn.
  if (ctx.signal.aborted) return result
  const verdicts = ctx.predictOnly || ctx.appOptions['ApplyOutOfSyncOnly'] === 'true'
  const live = await judgeLive(tasks, dry.passed, { ...ctx, verdicts })
  if (ctx.signal.aborted) return result
  const shared = live.shared.filter(({ task }) => !task.createdNamespace)
  result.notes.push(...adoptedLines(live), ...sharedNamespaceLines(live))
  result.warnings.push(...live.unreadable)
  if (ctx.appOptions['FailOnSharedResource'] === 'true' && shared.length > 0)
    return { ...result, failure: { updates: sharedFailures(shared), message: SHARED_FAILED } }
  result.warnings.push(...shared.map(({ task, app }) => sharedWarning(task, app)))
  result.unchanged = unchangedAnswers(live.verdicts, ctx.appOptions)
  const findings = { verdicts: live.verdicts, passed: dry.passed, skipReasons: dry.skipReasons }
  result.wouldBe = wouldBeRuns(tasks, findings)
  if (ctx.predictOnly) result.wouldBe = await withKeptNamespaces(tasks, result.wouldBe, ctx)
  return result
}

/** A namespace the real run would keep (§10.2: other applications' objects in it) is predicted kept. */
async function withKeptNamespaces(
  tasks: readonly Task[],
  predicted: readonly RunUpdate[],
  ctx: PreflightContext
): Promise<RunUpdate[]> {
  const byId = new Map(tasks.map(task => [task.id, task]))
  return Promise.all(
    predicted.map(async update => {
      const task = byId.get(update.taskId)
      const removing = update.run.wouldBe === 'pruned' || update.run.wouldBe === 'deleted'
      if (!task || !removing) return update
      const kept = await namespaceKeptFor(task, ctx.cluster, ctx.app, ctx.signal)
      return kept === undefined
        ? update
        : { taskId: update.taskId, run: { ...update.run, wouldBe: 'skipped' as const, message: kept } }
    })
  )
}

/** Namespaces the plan creates that do not exist yet (their objects' dry runs are skipped, §8.2). */
async function namespacesCreatedBy(tasks: readonly Task[], ctx: PreflightContext): Promise<Set<string>> {
  const names = tasks
    .filter(t => t.type === 'resource' && t.key.group === '' && t.key.kind === 'Namespace')
    .map(t => t.key.name)
  const ref = { group: '', version: 'v1', kind: 'Namespace', namespace: '' }
  const missing = await Promise.all(
    names.map(async name => ((await ctx.cluster.get({ ...ref, name }, ctx.signal)) ? undefined : name))
  )
  return new Set(missing.filter((n): n is string => n !== undefined))
}

/** §7.1: one note for every object taken over that no application tracked. */
function adoptedLines(live: LiveFindings): string[] {
  if (live.adopted.length === 0) return []
  const names = live.adopted.map(t => `${t.key.kind} ${t.key.name}`).join(', ')
  return [`adopted ${live.adopted.length} object(s) that existed without a tracking id: ${names}`]
}

/**
 * The CreateNamespace=true namespace is not a shared resource: it is implied by an option, not
 * listed in any manifest, and several applications commonly sync into one destination namespace
 * (Argo CD does not track it at all). Said in a note, never a warning or a failure.
 */
function sharedNamespaceLines(live: LiveFindings): string[] {
  return live.shared
    .filter(({ task }) => task.createdNamespace)
    .map(
      ({ task, app }) =>
        `namespace ${task.key.name} (CreateNamespace=true) is also tracked by application ${app}; this sync records itself on it`
    )
}

function sharedWarning(task: Task, app: string): string {
  return `${formatKey(task.key)} is tracked by application ${app}: taken over by this sync (FailOnSharedResource=true would fail instead)`
}

/** FailOnSharedResource=true: each shared object's task fails, naming the other application. */
function sharedFailures(shared: LiveFindings['shared']): RunUpdate[] {
  return shared.map(({ task, app }) => ({
    taskId: task.id,
    run: {
      state: 'Failed',
      result: 'SyncFailed',
      message: `shared resource: tracked by application ${app}, and FailOnSharedResource=true forbids taking it over`
    }
  }))
}
