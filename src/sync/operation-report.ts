// How an operation ends (sync-semantics §4.10): its last progress event, its report, its exit code.
import type { Issue } from '../model/issue.js'
import { compareIssues, hasErrors } from '../model/issue.js'
import type { Report, ReportPhase } from '../report/model.js'
import { buildReport } from '../report/model.js'
import type { EngineState } from './types.js'
import type { OperationResult } from './operation.js'
import type { OperationRun } from './operation-run.js'
import type { Prepared } from './prepare.js'

/** How a run ended, before its report is built: a held lock is released in between. */
export interface Ending {
  state: EngineState
  phase: ReportPhase
  message: string
  revision: number | null
  /** Issues the result carries besides planning's (`prepared.issues`): why the plan is not valid. */
  issues?: readonly Issue[]
}

/** A cancel before the steps ran (§4.9): nothing for termination to settle. */
export function terminated(state: EngineState): Ending {
  return { state, phase: 'Terminated', message: 'Operation terminated', revision: null }
}

/** How the steps ended, as the run ends: their outcome's phase and message. */
export function endingOf(state: EngineState, revision: number | null): Ending {
  return { state, phase: reportPhaseOf(state), message: state.outcome?.message ?? '', revision }
}

/** What a stage's request gives instead of its answer when a cancel cut it short. */
export const CANCELLED = Symbol('cancelled')

/**
 * For a stage's `.catch` before the steps: an error thrown once the operation is cancelled is the
 * cancel's doing (its request was aborted), so the stage ends in a termination (§4.9), neither a
 * failure nor an error escaping the operation. Any other error is thrown on.
 */
export function unlessCancelled(signal: AbortSignal): (error: unknown) => typeof CANCELLED {
  return error => {
    if (signal.aborted) return CANCELLED
    throw error
  }
}

/**
 * A plan that may not be carried out (§4.1.2): planning found errors, or tasks the server does not
 * serve (a kind nothing excuses, a recorded object it cannot take as recorded). The run fails before
 * its first write, those issues in its result. Undefined when the plan may run. Checked on the first
 * plan and on one made again under the lock, which read another history (dry-run-stage.ts).
 */
export function invalidPlan(prepared: Prepared, state: EngineState): Ending | undefined {
  if (!hasErrors(prepared.issues) && prepared.discoveryIssues.length === 0) return undefined
  const message = 'one or more synchronization tasks are not valid'
  return { state, phase: 'Failed', message, revision: null, issues: prepared.discoveryIssues }
}

/** Before the run started (no progress announced): its report and exit code, nothing written. */
export function failBeforeWrites(run: OperationRun, ending: Ending): OperationResult {
  return { exitCode: 1, report: reportOf(run, ending, run.deps.clock.now()), issues: issuesOf(run, ending) }
}

/** The run's end, announced, then its report and exit code. */
export function finish(run: OperationRun, ending: Ending): OperationResult {
  const { phase, message } = ending
  const finishedAt = run.deps.clock.now()
  run.deps.emit({ type: 'operation-finished', phase: phase === 'Terminated' ? 'Failed' : phase, message })
  const report = reportOf(run, ending, finishedAt)
  return { exitCode: phase === 'Succeeded' ? 0 : 1, report, issues: issuesOf(run, ending) }
}

function issuesOf(run: OperationRun, ending: Ending): Issue[] {
  if (!ending.issues?.length) return run.prepared.issues
  return [...run.prepared.issues, ...ending.issues].sort(compareIssues)
}

function reportOf(run: OperationRun, ending: Ending, finishedAt: number): Report {
  const { settings, plan } = run
  return buildReport({
    app: settings.app,
    operation: plan.operation,
    revision: ending.revision,
    targetRevision: run.prepared.target?.revision ?? null,
    sourceRevision: settings.revision,
    namespace: settings.namespace,
    phase: ending.phase,
    message: ending.message,
    dryRun: settings.dryRun,
    startedAt: run.startedAt,
    finishedAt,
    state: ending.state,
    skipped: plan.skipped,
    // A re-plan under the lock dry-runs again: the same remark is reported once.
    warnings: [...new Set(run.warnings)],
    notes: [...new Set(run.notes)],
    waveDelayMs: settings.waveDelayMs
  })
}

/** Terminated (cancel or overall timeout), else the engine's own outcome. */
export function reportPhaseOf(state: EngineState): ReportPhase {
  const message = state.outcome?.message ?? ''
  if (message.startsWith('Operation terminated') || message.startsWith('operation timed out'))
    return 'Terminated'
  const phase = state.outcome?.phase ?? 'Failed'
  return phase === 'Succeeded' ? 'Succeeded' : phase === 'Error' ? 'Error' : 'Failed'
}
