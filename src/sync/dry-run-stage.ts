// The dry-run stage (sync-semantics §4.1.5, §8): nothing is written before every task passes it, and
// it runs again under the lock when the plan had to be made again.
import { historyMoved } from './prepare.js'
import { gvk } from './discover.js'
import { preflight } from './preflight.js'
import { applyUpdates, initialState } from './state.js'
import type { EngineState, RunUpdate } from './types.js'
import { collectionsOf } from './write-step.js'
import type { OperationRun } from './operation-run.js'
import type { Ending } from './operation-report.js'
import { CANCELLED, invalidPlan, terminated, unlessCancelled } from './operation-report.js'

/** What the dry-run stage found. */
export interface DryRunResult {
  /** How the operation ends here (cancelled, or a task failed its dry run); undefined: it goes on. */
  ending: Ending | undefined
  /** `dry-run: true`: each task's would-be result (§8.4). */
  wouldBe: RunUpdate[]
}

/**
 * Starts the list + watch of every collection the plan writes to whose kind is served, while the
 * dry run runs: reads only (§8 forbids writes before it passes), and it takes each collection's
 * first list off the path between the lock and the first write. Kinds served only once a CRD of
 * this operation is established are followed when their batch starts (write-step).
 */
export function followEarly(run: Pick<OperationRun, 'observer' | 'plan' | 'prepared'>): void {
  const served = run.plan.tasks.filter(t => run.prepared.served.has(gvk(t.key.group, t.version, t.key.kind)))
  // Never rejects: a collection that cannot be followed is retried, then polled (observer.ts).
  void run.observer.track(collectionsOf(served))
}

/**
 * The server-side dry run of every task (§8), then each desired object judged against its live
 * copy (preflight.ts); its warnings and notes go to the report, the objects ApplyOutOfSyncOnly
 * leaves alone to the step machine. `base`: the runs so far (after a re-plan, the inventory
 * namespace's creation), which an ending here reports.
 */
export async function dryRun(
  run: OperationRun,
  base: EngineState = initialState(run.plan.tasks)
): Promise<DryRunResult> {
  const { settings, deps } = run
  const checked = await preflight(run.plan.tasks, {
    cluster: deps.cluster,
    observer: run.observer,
    app: settings.app,
    appOptions: settings.syncOptions,
    // Dry runs change nothing: twice the write parallelism keeps the server busy without risk.
    parallelism: settings.parallelism * 2,
    propagation: run.exec.settings.propagation,
    served: run.prepared.served,
    predictOnly: settings.dryRun,
    signal: deps.signal
  }).catch(unlessCancelled(deps.signal))
  // Cancelled during the dry run: nothing was written; the run was terminated, not refused.
  if (checked === CANCELLED || deps.signal.aborted) return { ending: terminated(base), wouldBe: [] }
  run.warnings.push(...checked.warnings)
  run.notes.push(...checked.notes)
  run.exec = { ...run.exec, unchanged: checked.unchanged }
  if (!checked.failure) return { ending: undefined, wouldBe: checked.wouldBe }
  const state = applyUpdates(base, checked.failure.updates)
  const ending: Ending = { state, phase: 'Failed', message: checked.failure.message, revision: null }
  return { ending, wouldBe: checked.wouldBe }
}

/** `dry-run: true` ends with the dry run: each task's would-be result, nothing written (§8.4). */
export function dryRunPassed(run: Pick<OperationRun, 'plan'>, wouldBe: readonly RunUpdate[]): Ending {
  return {
    state: applyUpdates(initialState(run.plan.tasks), wouldBe),
    phase: 'Succeeded',
    message: 'dry run passed: nothing was written',
    revision: null
  }
}

/**
 * Under the lock the history is read again: another operation may have finished while this one
 * waited. Then the plan (mode, prunes) is redone, checked as the first one was, and dry-run again
 * before the first write: read from another history, it may no longer be valid (a rollback's
 * revision trimmed, a latest record naming a kind the server does not serve). A cancel meanwhile
 * ends the run here, terminated (§4.9), with the plan it had when it was cut short.
 */
export async function replanIfMoved(
  run: OperationRun,
  initial: EngineState
): Promise<{ state: EngineState; failure?: Ending }> {
  const cancelled = unlessCancelled(run.deps.signal)
  const moved = await historyMoved(run.prepared, run.deps, run.store).catch(cancelled)
  if (moved === CANCELLED) return { state: initial, failure: terminated(initial) }
  if (!moved) return { state: initial }
  const again = await run.prepare().catch(cancelled)
  if (again === CANCELLED) return { state: initial, failure: terminated(initial) }
  run.prepared = again
  run.plan = again.plan
  const carried = applyUpdates(
    initialState(run.plan.tasks),
    [...initial.runs]
      .filter(([id]) => run.plan.tasks.some(t => t.id === id))
      .map(([taskId, taskRun]) => ({ taskId, run: taskRun }))
  )
  const invalid = invalidPlan(again, carried)
  if (invalid) return { state: carried, failure: invalid }
  const failure = (await dryRun(run, carried)).ending
  return failure ? { state: carried, failure } : { state: carried }
}
