// How an operation ends (sync-semantics §4.10): its last progress event, its report, its exit code.
import type { Issue } from '../model/issue.js'
import { compareIssues } from '../model/issue.js'
import type { Report, ReportPhase } from '../report/model.js'
import { buildReport } from '../report/model.js'
import { initialState } from './state.js'
import type { EngineState } from './types.js'
import type { OperationResult } from './operation.js'
import type { OperationRun } from './operation-run.js'

/** How a run ended, before its report is built: a held lock is released in between. */
export interface Ending {
  state: EngineState
  phase: ReportPhase
  message: string
  revision: number | null
}

/** A cancel before the steps ran (§4.9): nothing for termination to settle. */
export function terminated(state: EngineState): Ending {
  return { state, phase: 'Terminated', message: 'Operation terminated', revision: null }
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

/** Nothing was written: the run fails with every task still pending. */
export function failBeforeWrites(
  run: OperationRun,
  message: string,
  more: readonly Issue[]
): OperationResult {
  const all = [...run.prepared.issues, ...more].sort(compareIssues)
  const ending: Ending = { state: initialState(run.plan.tasks), phase: 'Failed', message, revision: null }
  return { exitCode: 1, report: reportOf(run, ending, run.deps.clock.now()), issues: all }
}

/** The run's end, announced, then its report and exit code. */
export function finish(run: OperationRun, ending: Ending): OperationResult {
  const { phase, message } = ending
  const finishedAt = run.deps.clock.now()
  run.deps.emit({ type: 'operation-finished', phase: phase === 'Terminated' ? 'Failed' : phase, message })
  const report = reportOf(run, ending, finishedAt)
  return { exitCode: phase === 'Succeeded' ? 0 : 1, report, issues: run.prepared.issues }
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
