import { applyUpdates, runOf } from './state.js'
import { failureMessage } from './step.js'
import type { EngineState } from './types.js'
import { writeStep } from './write-step.js'
import type { OperationRun } from './operation-run.js'
import { CANCELLED, unlessCancelled } from './operation-report.js'

/** The inventory namespace must exist before the lock; the task creating it runs first (§4.1.6). */
export async function createInventoryNamespace(
  run: Pick<OperationRun, 'settings' | 'deps' | 'plan' | 'exec'>,
  state: EngineState
): Promise<EngineState> {
  const ns = run.settings.inventoryNamespace
  const exists = await run.deps.cluster
    .get({ group: '', version: 'v1', kind: 'Namespace', namespace: '', name: ns }, run.deps.signal)
    .catch(unlessCancelled(run.deps.signal))
  // Cancelled: the caller ends the run Terminated, seeing its signal.
  if (exists === CANCELLED || exists) return state
  const task = run.plan.tasks.find(
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
  const written = applyUpdates(state, await writeStep([task], run.exec))
  if (runOf(written, task).state !== 'Failed') return written
  // Without its namespace there is no Lease and no record: the operation stops before the lock.
  const failed: EngineState = { ...written, failure: { kind: 'apply' } }
  return { ...failed, mode: 'done', outcome: { phase: 'Failed', message: failureMessage(failed) } }
}
