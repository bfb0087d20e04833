// Running the step machine (sync-semantics §4.3–4.11): attempts and the back-off between them, the
// overall timeout, and termination on cancel, timeout or a lost lock.
import { formatDuration } from '../plan/annotations/values.js'
import { runLoop } from './loop.js'
import type { RetryPolicy } from './retry.js'
import { NO_RETRY, retriesLeft, retryDelayMs, shouldRetry } from './retry.js'
import { initialState } from './state.js'
import { terminate } from './terminate.js'
import type { EngineState } from './types.js'
import type { OperationRun } from './operation-run.js'
import { reportPhaseOf } from './operation-report.js'
import { lostMessage } from './lock-stage.js'

/**
 * The step machine, and again after a failure while retries are left (§4.11). Every attempt but
 * the last leaves SyncFail hooks out: they run only once no retry follows. Each retry is a fresh
 * state under the same record, planned at its own start so its generated hook names are new; that
 * plan becomes the run's.
 */
export async function runAttempts(
  run: OperationRun,
  initial: EngineState,
  lost: AbortSignal
): Promise<EngineState> {
  const policy = run.settings.retry ?? NO_RETRY
  const type = run.plan.operation.type
  let state = initial
  for (let attempt = 0; ; attempt++) {
    const last = !retriesLeft(policy, attempt, type)
    const tasks = last ? state.tasks : state.tasks.filter(t => t.phase !== 'SyncFail')
    const ended = await runWithTimeout(run, { ...state, tasks }, lost)
    if (last || !shouldRetry(policy, attempt, type, reportPhaseOf(ended))) return ended
    const waited = await backOff(run, { policy, retry: attempt, failed: ended }, lost)
    if (waited) return waited
    run.plan = run.prepared.planAt(run.deps.clock.now())
    state = initialState(run.plan.tasks)
  }
}

/** A failed attempt with a retry left: which retry comes, under which policy. */
interface Retrying {
  policy: RetryPolicy
  /** 0 for the first retry. */
  retry: number
  failed: EngineState
}

/** Waits before retry number `retry`; the state to end with when a cancel, the timeout or a lost lock cut it short. */
async function backOff(
  run: Pick<OperationRun, 'settings' | 'deps' | 'startedAt' | 'notes'>,
  { policy, retry, failed }: Retrying,
  lost: AbortSignal
): Promise<EngineState | undefined> {
  const { settings, deps } = run
  const delay = retryDelayMs(policy, retry)
  const message = failed.outcome?.message ?? ''
  run.notes.push(
    `attempt ${retry + 1} of ${policy.limit + 1} failed (${message}); retried after ${formatDuration(delay)}`
  )
  deps.emit({
    type: 'waiting',
    message: `attempt ${retry + 1} failed; retrying in ${formatDuration(delay)}`
  })
  const end = (why: string): EngineState => ({ ...failed, outcome: { phase: 'Failed', message: why } })
  // SyncFail hooks do not run for the overall timeout (§4.7.3): no attempt that cannot start.
  if (delay >= run.startedAt + settings.timeoutMs - deps.clock.now())
    return end(
      `operation timed out: the overall timeout (${formatDuration(settings.timeoutMs)}) ends before retry ${retry + 1}; last attempt: ${message}`
    )
  const slept = await deps.clock.sleep(delay, AbortSignal.any([deps.signal, lost])).then(
    () => true,
    () => false
  )
  if (slept) return undefined
  if (!deps.signal.aborted) return { ...failed, outcome: { phase: 'Error', message: lostMessage(lost) } }
  return end(`Operation terminated while waiting to retry; last attempt: ${message}`)
}

/** Runs the loop until done, or terminates it on cancel or when the overall timeout passes (§4.8–4.9). */
export async function runWithTimeout(
  run: Pick<OperationRun, 'settings' | 'deps' | 'startedAt' | 'exec'>,
  initial: EngineState,
  lost: AbortSignal
): Promise<EngineState> {
  const { settings, deps } = run
  const timer = new AbortController()
  const signal = AbortSignal.any([deps.signal, timer.signal, lost])
  const remaining = Math.max(0, run.startedAt + settings.timeoutMs - deps.clock.now())
  const timeout = deps.clock.sleep(remaining, signal).then(
    () => timer.abort('timeout'),
    () => undefined
  )
  const state = await runLoop(
    initial,
    { ...run.exec, signal },
    { wait: settings.wait, waveDelayMs: settings.waveDelayMs }
  )
  timer.abort('done')
  await timeout
  if (state.mode === 'done') return state
  const cleanup = { ...run.exec, signal: AbortSignal.timeout(deps.terminationBudgetMs ?? 20_000) }
  if (deps.signal.aborted) return terminate(state, cleanup, 'Operation terminated')
  if (!lost.aborted)
    return terminate(state, cleanup, `operation timed out after ${formatDuration(settings.timeoutMs)}`)
  // Neither a cancel nor the timeout: the lock went from under the run, a cluster error (§4.10).
  // Its hooks are still settled as on termination, so none is left running or with our finalizer.
  const ended = await terminate(state, cleanup, lostMessage(lost))
  const problems = ended.outcome?.phase === 'Error' ? `; ${ended.outcome.message}` : ''
  return { ...ended, outcome: { phase: 'Error', message: `${lostMessage(lost)}${problems}` } }
}
