// The application's lock around the writes (sync-semantics §4.1.6, §7.2): one operation at a time,
// and a run that loses the lock stops writing.
import { ApplicationLock } from '../inventory/lock.js'
import type { EngineState } from './types.js'
import { errorMessage } from '../model/errors.js'
import type { OperationRun } from './operation-run.js'
import type { Ending } from './operation-report.js'
import { terminated } from './operation-report.js'

/** The Lease's duration: a run that stops renewing it is taken over after this (§7.2, §12.13). */
const LEASE_SECONDS = 30

/**
 * Runs `locked` holding the application's lock (§7.2), and gives the lock back however that ends.
 * `locked` is handed the lock's `lost` signal: the run stops writing when it aborts.
 */
export async function underLock(
  run: Pick<OperationRun, 'settings' | 'deps' | 'warnings'>,
  state: EngineState,
  locked: (lost: AbortSignal) => Promise<Ending>
): Promise<Ending> {
  const { settings, deps } = run
  const lock = new ApplicationLock(deps.cluster, deps.clock, settings.app, settings.inventoryNamespace, {
    holder: settings.holder,
    waitMs: settings.lockWaitMs,
    durationSeconds: LEASE_SECONDS
  })
  try {
    await lock.acquire(deps.signal)
  } catch (error) {
    return notAcquired(run, lock, state, error)
  }
  try {
    return await locked(lock.lost)
  } finally {
    await release(lock, run.warnings)
  }
}

/** Why there is no lock: a cancel while waiting for it is a termination (§4.9), else a failure. */
async function notAcquired(
  run: Pick<OperationRun, 'deps' | 'warnings'>,
  lock: ApplicationLock,
  state: EngineState,
  error: unknown
): Promise<Ending> {
  if (!run.deps.signal.aborted)
    return { state, phase: 'Failed', message: errorMessage(error), revision: null }
  // A create cut short by the cancel may have made the Lease all the same: ours is given back.
  await release(lock, run.warnings)
  return terminated(state)
}

/**
 * Gives the lock back. When that fails the Lease stays until it expires, holding the next
 * operation up meanwhile: a warning with the server's message, never a silent drop.
 */
async function release(lock: ApplicationLock, warnings: string[]): Promise<void> {
  await lock
    .release()
    .catch((error: unknown) =>
      warnings.push(
        `the lock was not released (${errorMessage(error)}); it expires ${LEASE_SECONDS} s after its last renewal, then the next operation takes it over`
      )
    )
}

/** The lock was lost before the first write: the run stops there, a cluster error (§4.10). */
export function lostBeforeWriting(state: EngineState, lost: AbortSignal): Ending {
  return { state, phase: 'Error', message: lostMessage(lost), revision: null }
}

/** Why the run stopped when its lock was lost: what renewing found (lock.ts). */
export function lostMessage(lost: AbortSignal): string {
  return `Operation stopped: ${errorMessage(lost.reason)}`
}
