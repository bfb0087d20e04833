// One operation in the order of sync-semantics §4.1: read this file first, then the stage you need.
// Validating, discovering, reading the inventory and planning: prepare.ts. Then the dry run
// (dry-run-stage.ts), the inventory namespace (inventory-namespace.ts), the lock (lock-stage.ts),
// the record (record-stage.ts), the steps with their retries, timeout and termination (attempts.ts)
// or a test's hooks (test-operation.ts), and the report (operation-report.ts). What the stages
// share is operation-run.ts.
import type { Clock } from '../clock.js'
import type { Cluster } from '../cluster/port.js'
import { InventoryStore } from '../inventory/store.js'
import type { Issue } from '../model/issue.js'
import { hasErrors } from '../model/issue.js'
import { formatKey } from '../model/key.js'
import type { ManifestSource } from '../manifests/source.js'
import type { Report } from '../report/model.js'
import type { Prepared } from './prepare.js'
import { prepareOperation, validateOffline } from './prepare.js'
import type { ExecDeps } from './execute.js'
import type { SyncSettings } from './settings.js'
import { initialState } from './state.js'
import type { EngineState, ProgressEvent } from './types.js'
import type { OperationRun } from './operation-run.js'
import { startRun } from './operation-run.js'
import type { Ending } from './operation-report.js'
import {
  CANCELLED,
  failBeforeWrites,
  finish,
  invalidPlan,
  terminated,
  unlessCancelled
} from './operation-report.js'
import { underLock, lostBeforeWriting } from './lock-stage.js'
import { followEarly, dryRun, dryRunPassed, replanIfMoved } from './dry-run-stage.js'
import { createInventoryNamespace } from './inventory-namespace.js'
import { repairPrevious, newRecord, createRecord, closeRun } from './record-stage.js'
import { runAttempts } from './attempts.js'
import { runTest } from './test-operation.js'

/** The outside world of one operation; every side effect goes through these. */
export interface OperationDeps {
  cluster: Cluster
  clock: Clock
  source: ManifestSource
  emit: (event: ProgressEvent) => void
  /** Aborted on cancel (SIGINT/SIGTERM): the operation terminates (§4.9). */
  signal: AbortSignal
  /** Called with each hook before its create, so a killed run's cleanup can find it. */
  beforeCreate?: ExecDeps['beforeCreate']
  /** How long termination may take after a cancel (the action has ~7.5 s before SIGTERM). */
  terminationBudgetMs?: number
}

export interface OperationResult {
  /** 0 Succeeded, 1 ran and did not succeed, 2 invalid input (nothing written). */
  exitCode: 0 | 1 | 2
  report: Report | undefined
  issues: Issue[]
}

/** Runs one operation (sync-semantics §4.1): validate, discover, plan, dry run, lock, steps, finalize. */
export async function runSyncOperation(
  settings: SyncSettings,
  deps: OperationDeps
): Promise<OperationResult> {
  const startedAt = deps.clock.now()
  warmUp(deps)
  // Validate what can be validated offline (files, YAML, annotations) before touching the cluster.
  const local = await validateOffline(settings, deps.source, startedAt)
  if (hasErrors(local.issues)) return { exitCode: 2, report: undefined, issues: local.issues }
  const store = new InventoryStore(deps.cluster, settings.app, settings.inventoryNamespace)
  const prepare = (): Promise<Prepared> => prepareOperation(settings, deps, store, local.manifests, startedAt)
  const prepared = await prepare().catch(unlessCancelled(deps.signal))
  // Cancelled while planning: nothing was written, and there is no plan to report on (§4.9).
  if (prepared === CANCELLED) return { exitCode: 1, report: undefined, issues: [TERMINATED_WHILE_PLANNING] }
  if (hasErrors(prepared.issues)) return { exitCode: 2, report: undefined, issues: prepared.issues }
  const run = startRun({ settings, deps, startedAt, store, prepare }, prepared)
  // Errors were refused above as invalid input; what is left are tasks the server cannot take.
  const invalid = invalidPlan(prepared, initialState(prepared.plan.tasks))
  if (invalid) return failBeforeWrites(run, invalid)
  try {
    return await stages(run)
  } finally {
    await run.observer.stop()
  }
}

const TERMINATED_WHILE_PLANNING: Issue = {
  severity: 'error',
  file: '(operation)',
  line: 0,
  message: 'Operation terminated while reading the cluster for the plan; nothing was written'
}

/**
 * Opens the connection while the manifests are read: the first request waits for the TLS handshake,
 * the HTTP/2 settings and the credentials (an exec plugin such as `aws eks get-token` can take a
 * second), and every operation reads the core group's discovery first. A read only, so invalid
 * input still writes nothing. Its failure is not kept (a failed discovery read is not cached): the
 * operation's own first request meets the same error and reports it.
 */
function warmUp(deps: OperationDeps): void {
  deps.cluster.resource('', 'v1', 'Namespace', deps.signal).catch(() => undefined)
}

/** Past planning (§4.1.5–4.1.8): the dry run, the inventory namespace, then the lock and what it guards. */
async function stages(run: OperationRun): Promise<OperationResult> {
  emitStarted(run)
  followEarly(run)
  const dry = await dryRun(run)
  if (dry.ending) return finish(run, dry.ending)
  if (run.settings.dryRun) return finish(run, dryRunPassed(run, dry.wouldBe))
  const state = await createInventoryNamespace(run, initialState(run.plan.tasks))
  // A cancel cut the namespace's check or creation short: a termination, not that task's failure.
  if (run.deps.signal.aborted) return finish(run, terminated(state))
  if (state.outcome)
    return finish(run, { state, phase: 'Failed', message: state.outcome.message, revision: null })
  const ending = await underLock(run, state, lost => locked(run, state, lost))
  // Reported only now, so a lock that could not be released is in the report's warnings.
  return finish(run, ending)
}

function emitStarted(run: OperationRun): void {
  const labels = run.plan.tasks.map(t => ({
    id: t.id,
    label: formatKey(t.key),
    phase: t.phase,
    wave: t.wave
  }))
  run.deps.emit({ type: 'operation-started', tasks: labels })
}

/** How the run ends when its lock was lost or it was cancelled before its first write, else undefined. */
function stoppedBeforeWriting(run: OperationRun, state: EngineState, lost: AbortSignal): Ending | undefined {
  if (lost.aborted) return lostBeforeWriting(state, lost)
  if (run.deps.signal.aborted) return terminated(state)
  return undefined
}

/**
 * Under the lock: the plan made again if the history moved, the previous run's leftovers repaired,
 * record N+1 created, the steps run (with their retries), and the record closed (§4.1.6–4.1.8).
 */
async function locked(run: OperationRun, lockedState: EngineState, lost: AbortSignal): Promise<Ending> {
  const replanned = await replanIfMoved(run, lockedState)
  if (replanned.failure) return replanned.failure
  const initial = replanned.state
  const { plan } = run
  const { latest } = run.prepared
  // A lost lock or a cancel before the repair, or during it, ends the run here: nothing more is
  // written (§4.9), not a record, not even a test's results into the record it tested.
  const before = stoppedBeforeWriting(run, initial, lost)
  if (before) return before
  await repairPrevious(run, latest)
  const after = stoppedBeforeWriting(run, initial, lost)
  if (after) return after
  if (plan.operation.type === 'test') return runTest(run, initial, latest, lost)
  const record = newRecord(run, (latest?.revision ?? 0) + 1)
  const notCreated = await createRecord(run, record, initial)
  if (notCreated) return notCreated
  const state = await runAttempts(run, initial, lost)
  return closeRun(run, record, state, plan.operation.type)
}
