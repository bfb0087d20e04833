import type { Clock } from '../clock.js'
import { Observer } from '../cluster/observer.js'
import type { Cluster } from '../cluster/port.js'
import { InventoryStore } from '../inventory/store.js'
import { ApplicationLock } from '../inventory/lock.js'
import { finishedRecord, pendingRecord } from '../inventory/lifecycle.js'
import type { InventoryRecord } from '../inventory/record.js'
import type { Issue } from '../model/issue.js'
import { compareIssues, formatIssue, hasErrors } from '../model/issue.js'
import { formatKey } from '../model/key.js'
import type { ManifestSource } from '../manifests/source.js'
import type { Plan } from '../plan/plan.js'
import { formatDuration } from '../plan/annotations/values.js'
import type { Report, ReportPhase } from '../report/model.js'
import { buildReport } from '../report/model.js'
import type { Prepared } from './prepare.js'
import { historyMoved, prepareOperation, validateOffline } from './prepare.js'
import { gvk } from './discover.js'
import type { ExecDeps } from './execute.js'
import { runLoop } from './loop.js'
import { closeRecord } from './record-close.js'
import type { SyncSettings } from './settings.js'
import { propagationOf } from './settings.js'
import type { RetryPolicy } from './retry.js'
import { NO_RETRY, retriesLeft, retryDelayMs, shouldRetry } from './retry.js'
import { preflight } from './preflight.js'
import { applyUpdates, initialState, runOf } from './state.js'
import { failureMessage } from './step.js'
import { terminate } from './terminate.js'
import { removeFinalizer } from './removal.js'
import type { EngineState, ProgressEvent, RunUpdate } from './types.js'
import { collectionsOf, writeStep } from './write-step.js'
import { errorMessage } from '../model/errors.js'

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

/** The Lease's duration: a run that stops renewing it is taken over after this (§7.2, §12.13). */
const LEASE_SECONDS = 30

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
  const prepared = await prepare()
  if (hasErrors(prepared.issues)) return { exitCode: 2, report: undefined, issues: prepared.issues }
  const run = new OperationRun(settings, deps, prepared, startedAt, prepare)
  if (prepared.discoveryIssues.length > 0)
    return run.failBeforeWrites('one or more synchronization tasks are not valid', prepared.discoveryIssues)
  return run.execute(store)
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

/** How a run ended, before its report is built: a held lock is released in between. */
interface Ending {
  state: EngineState
  phase: ReportPhase
  message: string
  revision: number | null
}

/** One operation past validation: holds what every later stage needs. */
class OperationRun {
  private readonly observer: Observer
  private exec: ExecDeps
  private readonly warnings: string[] = []
  private readonly notes: string[] = []
  /** `dry-run: true`: each task's would-be result (§8.4), from the last dry run. */
  private wouldBe: RunUpdate[] = []
  /** The held lock's `lost` signal once acquired: the run stops writing when it aborts (§7.2). */
  private lockLost: AbortSignal = new AbortController().signal

  private plan: Plan
  private issues: Issue[]

  constructor(
    private readonly settings: SyncSettings,
    private readonly deps: OperationDeps,
    private prepared: Prepared,
    private readonly startedAt: number,
    private readonly prepare: () => Promise<Prepared>
  ) {
    this.plan = prepared.plan
    this.issues = prepared.issues
    this.observer = new Observer(deps.cluster, deps.clock, {
      pollIntervalMs: settings.pollIntervalMs,
      maxBackoffMs: 2000
    })
    this.exec = {
      cluster: deps.cluster,
      observer: this.observer,
      clock: deps.clock,
      signal: deps.signal,
      emit: deps.emit,
      ...(deps.beforeCreate ? { beforeCreate: deps.beforeCreate } : {}),
      settings: {
        app: settings.app,
        parallelism: settings.parallelism,
        objectTimeoutMs: settings.objectTimeoutMs,
        propagation: propagationOf(settings.syncOptions),
        appOptions: settings.syncOptions
      }
    }
    this.warnings.push(...prepared.issues.filter(i => i.severity !== 'error').map(formatIssue))
  }

  failBeforeWrites(message: string, more: readonly Issue[]): OperationResult {
    const all = [...this.issues, ...more].sort(compareIssues)
    return {
      exitCode: 1,
      report: this.report(initialState(this.plan.tasks), 'Failed', message, null),
      issues: all
    }
  }

  async execute(store: InventoryStore): Promise<OperationResult> {
    try {
      return await this.stages(store)
    } finally {
      await this.observer.stop()
    }
  }

  private async stages(store: InventoryStore): Promise<OperationResult> {
    const { settings, deps } = this
    const labels = this.plan.tasks.map(t => ({
      id: t.id,
      label: formatKey(t.key),
      phase: t.phase,
      wave: t.wave
    }))
    this.deps.emit({ type: 'operation-started', tasks: labels })
    this.followEarly()
    const dryFailure = await this.dryRun()
    if (dryFailure) return this.finish(dryFailure)
    if (settings.dryRun)
      return this.finish({
        state: applyUpdates(initialState(this.plan.tasks), this.wouldBe),
        phase: 'Succeeded',
        message: 'dry run passed: nothing was written',
        revision: null
      })
    const lock = new ApplicationLock(deps.cluster, deps.clock, settings.app, settings.inventoryNamespace, {
      holder: settings.holder,
      waitMs: settings.lockWaitMs,
      durationSeconds: LEASE_SECONDS
    })
    const state = await this.createInventoryNamespace(initialState(this.plan.tasks))
    if (state.outcome)
      return this.finish({ state, phase: 'Failed', message: state.outcome.message, revision: null })
    try {
      await lock.acquire(deps.signal)
    } catch (error) {
      return this.finish(await this.notAcquired(lock, state, error))
    }
    this.lockLost = lock.lost
    let ending: Ending
    try {
      ending = await this.locked(store, state)
    } finally {
      await this.release(lock)
    }
    // Reported only now, so a lock that could not be released is in the report's warnings.
    return this.finish(ending)
  }

  /** Why there is no lock: a cancel while waiting for it is a termination (§4.9), else a failure. */
  private async notAcquired(lock: ApplicationLock, state: EngineState, error: unknown): Promise<Ending> {
    if (!this.deps.signal.aborted)
      return { state, phase: 'Failed', message: errorMessage(error), revision: null }
    // A create cut short by the cancel may have made the Lease all the same: ours is given back.
    await this.release(lock)
    return { state, phase: 'Terminated', message: 'Operation terminated', revision: null }
  }

  /**
   * Gives the lock back. When that fails the Lease stays until it expires, holding the next
   * operation up meanwhile: a warning with the server's message, never a silent drop.
   */
  private async release(lock: ApplicationLock): Promise<void> {
    await lock
      .release()
      .catch((error: unknown) =>
        this.warnings.push(
          `the lock was not released (${errorMessage(error)}); it expires ${LEASE_SECONDS} s after its last renewal, then the next operation takes it over`
        )
      )
  }

  /**
   * Starts the list + watch of every collection the plan writes to whose kind is served, while the
   * dry run runs: reads only (§8 forbids writes before it passes), and it takes each collection's
   * first list off the path between the lock and the first write. Kinds served only once a CRD of
   * this operation is established are followed when their batch starts (write-step).
   */
  private followEarly(): void {
    const served = this.plan.tasks.filter(t =>
      this.prepared.served.has(gvk(t.key.group, t.version, t.key.kind))
    )
    // Never rejects: a collection that cannot be followed is retried, then polled (observer.ts).
    void this.observer.track(collectionsOf(served))
  }

  /**
   * The server-side dry run of every task (§8), then each desired object judged against its live
   * copy (preflight.ts); a result when the operation must stop there, else undefined.
   */
  private async dryRun(): Promise<Ending | undefined> {
    const { settings, deps } = this
    const checked = await preflight(this.plan.tasks, {
      cluster: deps.cluster,
      observer: this.observer,
      app: settings.app,
      appOptions: settings.syncOptions,
      // Dry runs change nothing: twice the write parallelism keeps the server busy without risk.
      parallelism: settings.parallelism * 2,
      propagation: this.exec.settings.propagation,
      served: this.prepared.served,
      predictOnly: settings.dryRun,
      signal: deps.signal
    })
    // Cancelled during the dry run: nothing was written; the run was terminated, not refused.
    if (deps.signal.aborted)
      return {
        state: initialState(this.plan.tasks),
        phase: 'Terminated',
        message: 'Operation terminated',
        revision: null
      }
    this.warnings.push(...checked.warnings)
    this.notes.push(...checked.notes)
    this.exec = { ...this.exec, unchanged: checked.unchanged }
    this.wouldBe = checked.wouldBe
    if (!checked.failure) return undefined
    const state = applyUpdates(initialState(this.plan.tasks), checked.failure.updates)
    return { state, phase: 'Failed', message: checked.failure.message, revision: null }
  }

  /**
   * Under the lock the history is read again: another operation may have finished while this one
   * waited. Then the plan (mode, prunes) is redone and dry-run again before the first write.
   */
  private async replanIfMoved(
    store: InventoryStore,
    initial: EngineState
  ): Promise<{ state: EngineState; failure?: Ending }> {
    if (!(await historyMoved(this.prepared, this.deps, store))) return { state: initial }
    const again = await this.prepare()
    this.prepared = again
    this.plan = again.plan
    this.issues = again.issues
    const failure = await this.dryRun()
    const carried = applyUpdates(
      initialState(this.plan.tasks),
      [...initial.runs]
        .filter(([id]) => this.plan.tasks.some(t => t.id === id))
        .map(([taskId, run]) => ({ taskId, run }))
    )
    return failure ? { state: carried, failure } : { state: carried }
  }

  private async locked(store: InventoryStore, lockedState: EngineState): Promise<Ending> {
    const replanned = await this.replanIfMoved(store, lockedState)
    if (replanned.failure) return replanned.failure
    const initial = replanned.state
    const { settings, deps, plan } = this
    const { latest, records } = this.prepared
    if (this.lockLost.aborted) return this.lostBeforeWriting(initial)
    await this.repairPrevious(store, latest)
    if (plan.operation.type === 'test') return this.runTest(store, initial, latest)
    const revision = (latest?.revision ?? 0) + 1
    const record = this.newRecord(revision)
    const notCreated = await this.createRecord(store, record, initial)
    if (notCreated) return notCreated
    const state = await this.runAttempts(initial)
    const { warnings, notes } = this
    const closer = { store, clock: deps.clock, signal: deps.signal, settings, warnings, notes }
    const unclosed = await closeRecord(closer, record, state, plan.operation.type, records)
    const message = state.outcome?.message ?? ''
    // The outcome stands, but the record does not say it: an Error naming the record (§7.2).
    if (unclosed) return { state, phase: 'Error', message: `${message}; ${unclosed}`, revision }
    return { state, phase: reportPhaseOf(state), message, revision }
  }

  /** Record N+1 as created before the first write: `pending-<mode>`, the desired set, the manifests. */
  private newRecord(revision: number): InventoryRecord {
    const { settings, plan, prepared } = this
    return pendingRecord(plan, {
      app: settings.app,
      revision,
      operation: plan.operation,
      operationId: settings.operationId,
      commit: prepared.target?.source.commit ?? settings.revision,
      paths: settings.manifests,
      manifests: prepared.manifests.map(m => m.object),
      startedAt: this.startedAt,
      ...(settings.runUrl ? { runUrl: settings.runUrl } : {}),
      ...(settings.actor ? { actor: settings.actor } : {}),
      ...(settings.ref ? { ref: settings.ref } : {})
    })
  }

  /** Creates the run's record; how the run ends when it cannot go on, else undefined. */
  private async createRecord(
    store: InventoryStore,
    record: InventoryRecord,
    initial: EngineState
  ): Promise<Ending | undefined> {
    const stop = (phase: ReportPhase, message: string): Ending => ({
      state: initial,
      phase,
      message,
      revision: null
    })
    if (this.lockLost.aborted) return this.lostBeforeWriting(initial)
    // Cancelled before the record exists: none is made, so none is left pending (§4.9).
    if (this.deps.signal.aborted) return stop('Terminated', 'Operation terminated')
    try {
      await store.create(record, this.deps.clock)
      return undefined
    } catch (error) {
      // Nothing but the namespace was written, or the record if the message says it may exist (§4.10).
      return stop('Error', `the inventory record could not be created: ${errorMessage(error)}`)
    }
  }

  /**
   * At operation start (§5.5.2, §7.2): a record left `pending-*` by a run that died is marked
   * failed, and completed hooks of the previous record lose a finalizer a killed run left on them.
   */
  private async repairPrevious(store: InventoryStore, latest: InventoryRecord | undefined): Promise<void> {
    if (!latest) return
    if (latest.status.startsWith('pending-')) await this.markAbandoned(store, latest)
    for (const hook of latest.hooks) {
      await removeFinalizer(
        this.deps.cluster,
        { ...hook.key, version: hook.version },
        hook.uid,
        this.deps.signal
      ).catch((error: unknown) =>
        this.warnings.push(
          `${formatKey(hook.key)}: the hook finalizer left by revision ${latest.revision} was not removed (${errorMessage(error)})`
        )
      )
    }
  }

  /** The dead run's record → failed; the warning says whether that worked. */
  private async markAbandoned(store: InventoryStore, latest: InventoryRecord): Promise<void> {
    const message = 'abandoned: the operation that started this revision did not finish'
    const left = `revision ${latest.revision} was left ${latest.status} by an operation that did not finish`
    try {
      await store.update({ ...latest, status: 'failed', operation: { ...latest.operation, message } })
      this.warnings.push(`${left}; marked failed`)
    } catch (error) {
      this.warnings.push(`${left}; it could not be marked failed: ${errorMessage(error)}`)
    }
  }

  /** `test` (§9.10): runs the test hooks; no new revision, the record's hooks updated in place. */
  private async runTest(
    store: InventoryStore,
    initial: EngineState,
    latest: InventoryRecord | undefined
  ): Promise<Ending> {
    const state = await this.runWithTimeout(initial)
    const tested = this.prepared.target ?? latest
    if (tested) {
      const runs = finishedRecord(tested, state, {
        status: tested.status,
        phase: tested.operation.phase ?? '',
        message: tested.operation.message ?? '',
        finishedAt: this.deps.clock.now()
      }).hooks
      await store
        .update({ ...tested, hooks: [...tested.hooks.filter(h => h.phase !== 'Test'), ...runs] })
        .catch(error => this.warnings.push(`test results not recorded: ${String(error)}`))
    }
    return {
      state,
      phase: reportPhaseOf(state),
      message: state.outcome?.message ?? '',
      revision: tested?.revision ?? null
    }
  }

  /**
   * The step machine, and again after a failure while retries are left (§4.11). Every attempt but
   * the last leaves SyncFail hooks out: they run only once no retry follows. Each retry is a fresh
   * state under the same record, planned at its own start so its generated hook names are new.
   */
  private async runAttempts(initial: EngineState): Promise<EngineState> {
    const policy = this.settings.retry ?? NO_RETRY
    const type = this.plan.operation.type
    let state = initial
    for (let attempt = 0; ; attempt++) {
      const last = !retriesLeft(policy, attempt, type)
      const tasks = last ? state.tasks : state.tasks.filter(t => t.phase !== 'SyncFail')
      const ended = await this.runWithTimeout({ ...state, tasks })
      if (last || !shouldRetry(policy, attempt, type, reportPhaseOf(ended))) return ended
      const waited = await this.backOff(policy, attempt, ended)
      if (waited) return waited
      this.plan = this.prepared.planAt(this.deps.clock.now())
      state = initialState(this.plan.tasks)
    }
  }

  /** Waits before retry number `retry`; the state to end with when a cancel or the timeout cut it short. */
  private async backOff(
    policy: RetryPolicy,
    retry: number,
    failed: EngineState
  ): Promise<EngineState | undefined> {
    const { settings, deps } = this
    const delay = retryDelayMs(policy, retry)
    const message = failed.outcome?.message ?? ''
    this.notes.push(
      `attempt ${retry + 1} of ${policy.limit + 1} failed (${message}); retried after ${formatDuration(delay)}`
    )
    deps.emit({
      type: 'waiting',
      message: `attempt ${retry + 1} failed; retrying in ${formatDuration(delay)}`
    })
    const end = (why: string): EngineState => ({ ...failed, outcome: { phase: 'Failed', message: why } })
    // SyncFail hooks do not run for the overall timeout (§4.7.3): no attempt that cannot start.
    if (delay >= this.startedAt + settings.timeoutMs - deps.clock.now())
      return end(
        `operation timed out: the overall timeout (${formatDuration(settings.timeoutMs)}) ends before retry ${retry + 1}; last attempt: ${message}`
      )
    const slept = await deps.clock.sleep(delay, AbortSignal.any([deps.signal, this.lockLost])).then(
      () => true,
      () => false
    )
    if (slept) return undefined
    if (!deps.signal.aborted) return { ...failed, outcome: { phase: 'Error', message: this.lostMessage() } }
    return end(`Operation terminated while waiting to retry; last attempt: ${message}`)
  }

  /** Runs the loop until done, or terminates it on cancel or when the overall timeout passes (§4.8–4.9). */
  private async runWithTimeout(initial: EngineState): Promise<EngineState> {
    const { settings, deps } = this
    const timer = new AbortController()
    const signal = AbortSignal.any([deps.signal, timer.signal, this.lockLost])
    const remaining = Math.max(0, this.startedAt + settings.timeoutMs - deps.clock.now())
    const timeout = deps.clock.sleep(remaining, signal).then(
      () => timer.abort('timeout'),
      () => undefined
    )
    const state = await runLoop(
      initial,
      { ...this.exec, signal },
      { wait: settings.wait, waveDelayMs: settings.waveDelayMs }
    )
    timer.abort('done')
    await timeout
    if (state.mode === 'done') return state
    const cleanup = { ...this.exec, signal: AbortSignal.timeout(deps.terminationBudgetMs ?? 20_000) }
    if (deps.signal.aborted) return terminate(state, cleanup, 'Operation terminated')
    if (!this.lockLost.aborted)
      return terminate(state, cleanup, `operation timed out after ${formatDuration(settings.timeoutMs)}`)
    // Neither a cancel nor the timeout: the lock went from under the run, a cluster error (§4.10).
    // Its hooks are still settled as on termination, so none is left running or with our finalizer.
    const ended = await terminate(state, cleanup, this.lostMessage())
    const problems = ended.outcome?.phase === 'Error' ? `; ${ended.outcome.message}` : ''
    return { ...ended, outcome: { phase: 'Error', message: `${this.lostMessage()}${problems}` } }
  }

  private lostBeforeWriting(state: EngineState): Ending {
    return { state, phase: 'Error', message: this.lostMessage(), revision: null }
  }

  /** Why the run stopped when its lock was lost: what renewing found (lock.ts). */
  private lostMessage(): string {
    return `Operation stopped: ${errorMessage(this.lockLost.reason)}`
  }

  /** The inventory namespace must exist before the lock; the task creating it runs first (§4.1.6). */
  private async createInventoryNamespace(state: EngineState): Promise<EngineState> {
    const ns = this.settings.inventoryNamespace
    const exists = await this.deps.cluster.get(
      { group: '', version: 'v1', kind: 'Namespace', namespace: '', name: ns },
      this.deps.signal
    )
    if (exists) return state
    const task = this.plan.tasks.find(
      t => t.type === 'resource' && t.key.group === '' && t.key.kind === 'Namespace' && t.key.name === ns
    )
    if (!task)
      return {
        ...state,
        mode: 'done',
        outcome: {
          phase: 'Failed',
          message: `inventory namespace ${ns} does not exist; create it, add it to the manifests, or set CreateNamespace=true`
        }
      }
    const written = applyUpdates(state, await writeStep([task], this.exec))
    if (runOf(written, task).state !== 'Failed') return written
    // Without its namespace there is no Lease and no record: the operation stops before the lock.
    const failed: EngineState = { ...written, failure: { kind: 'apply' } }
    return { ...failed, mode: 'done', outcome: { phase: 'Failed', message: failureMessage(failed) } }
  }

  private finish({ state, phase, message, revision }: Ending): OperationResult {
    const finishedAt = this.deps.clock.now()
    this.deps.emit({ type: 'operation-finished', phase: phase === 'Terminated' ? 'Failed' : phase, message })
    const report = this.report(state, phase, message, revision, finishedAt)
    return { exitCode: phase === 'Succeeded' ? 0 : 1, report, issues: this.issues }
  }

  private report(
    state: EngineState,
    phase: ReportPhase,
    message: string,
    revision: number | null,
    finishedAt = this.deps.clock.now()
  ): Report {
    return buildReport({
      app: this.settings.app,
      operation: this.plan.operation,
      revision,
      targetRevision: this.prepared.target?.revision ?? null,
      sourceRevision: this.settings.revision,
      namespace: this.settings.namespace,
      phase,
      message,
      dryRun: this.settings.dryRun,
      startedAt: this.startedAt,
      finishedAt,
      state,
      skipped: this.plan.skipped,
      // A re-plan under the lock dry-runs again: the same remark is reported once.
      warnings: [...new Set(this.warnings)],
      notes: [...new Set(this.notes)],
      waveDelayMs: this.settings.waveDelayMs
    })
  }
}

/** Terminated (cancel or overall timeout), else the engine's own outcome. */
function reportPhaseOf(state: EngineState): ReportPhase {
  const message = state.outcome?.message ?? ''
  if (message.startsWith('Operation terminated') || message.startsWith('operation timed out'))
    return 'Terminated'
  const phase = state.outcome?.phase ?? 'Failed'
  return phase === 'Succeeded' ? 'Succeeded' : phase === 'Error' ? 'Error' : 'Failed'
}
