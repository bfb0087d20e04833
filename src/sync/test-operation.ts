import { errorMessage } from '../model/errors.js'
import { finishedRecord } from '../inventory/lifecycle.js'
import type { InventoryRecord } from '../inventory/record.js'
import type { EngineState } from './types.js'
import type { OperationRun } from './operation-run.js'
import type { Ending } from './operation-report.js'
import { endingOf } from './operation-report.js'
import { runWithTimeout } from './attempts.js'

/** `test` (§9.10): runs the test hooks; no new revision, the record's hooks updated in place. */
export async function runTest(
  run: OperationRun,
  initial: EngineState,
  latest: InventoryRecord | undefined,
  lost: AbortSignal
): Promise<Ending> {
  const state = await runWithTimeout(run, initial, lost)
  const tested = run.prepared.target ?? latest
  if (tested) {
    const runs = finishedRecord(tested, state, {
      status: tested.status,
      phase: tested.operation.phase ?? '',
      message: tested.operation.message ?? '',
      finishedAt: run.deps.clock.now()
    }).hooks
    await run.store
      .update({ ...tested, hooks: [...tested.hooks.filter(h => h.phase !== 'Test'), ...runs] })
      .catch(error => run.warnings.push(`test results not recorded: ${errorMessage(error)}`))
  }
  return endingOf(state, tested?.revision ?? null)
}
