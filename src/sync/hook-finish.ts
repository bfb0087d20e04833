import type { Task } from '../model/task.js'
import { captureDiagnostics } from './diagnostics.js'
import type { ExecDeps } from './execute.js'
import { refOf } from './objects.js'
import { removeHookFinalizer } from './removal.js'
import { runOf } from './state.js'
import type { EngineState, RunUpdate, TaskRun } from './types.js'
import { errorMessage } from '../model/errors.js'

/**
 * A hook reached a terminal state: capture its diagnostics first (before anything may delete it),
 * then remove our finalizer, then — for a HookFailed hook on Helm's timing — delete it (§5.4–§5.6).
 */
export async function finishHook(
  task: Task,
  run: TaskRun,
  action: { capture: boolean; deleteNow: boolean },
  deps: ExecDeps
): Promise<RunUpdate> {
  const update: Partial<TaskRun> = {}
  if (action.capture) update.diagnostics = await captureDiagnostics(task, run, deps)
  try {
    await removeHookFinalizer(task, run.uid, deps)
    // Only once removed: a policy deletion then skips a second removal; otherwise it tries again.
    update.finalized = true
  } catch (error) {
    update.message = `${run.message} (finalizer not removed: ${errorMessage(error)})`
  }
  if (action.deleteNow) {
    const deleted = await deleteOne(task, run, deps)
    Object.assign(update, deleted)
  }
  return { taskId: task.id, run: update }
}

/** Policy deletions: issued, not awaited (only BeforeHookCreation waits); errors mark the hook `Error` (§5.6). */
export async function deleteHooks(
  tasks: readonly Task[],
  state: EngineState,
  deps: ExecDeps
): Promise<RunUpdate[]> {
  const updates: RunUpdate[] = []
  for (const task of tasks)
    updates.push({ taskId: task.id, run: await deleteOne(task, runOf(state, task), deps) })
  return updates
}

async function deleteOne(task: Task, run: TaskRun, deps: ExecDeps): Promise<Partial<TaskRun>> {
  try {
    if (!run.finalized) await removeHookFinalizer(task, run.uid, deps)
    const options = {
      propagationPolicy: deps.settings.propagation,
      signal: deps.signal,
      ...(run.uid ? { uid: run.uid } : {})
    }
    await deps.cluster.delete(refOf(task), options)
    return { deleted: true }
  } catch (error) {
    // Reported on the hook, never a change of the operation's outcome (§5.6 common rules).
    return { deleted: false, message: `${run.message}; deleting the hook failed: ${errorMessage(error)}` }
  }
}
