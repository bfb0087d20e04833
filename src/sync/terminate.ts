import { hookOutcome } from '../health/hook-phase.js'
import type { Task } from '../model/task.js'
import type { ExecDeps } from './execute.js'
import { refOf } from './objects.js'
import { removeHookFinalizer } from './removal.js'
import { applyUpdates, runOf } from './state.js'
import type { EngineState, RunUpdate } from './types.js'
import { createdAnyway } from './write-step.js'
import { errorMessage } from '../model/errors.js'

/**
 * Termination (sync-semantics §4.9), in priority order because runners allow only seconds:
 * finalizers off every hook this operation created; each Running hook re-read, deleted if still
 * running, unknown or HookFailed, and recorded with its real terminal state or "Terminated".
 * Resources are left as they are; no SyncFail hooks; no HookSucceeded deletions.
 */
export async function terminate(initial: EngineState, deps: ExecDeps, message: string): Promise<EngineState> {
  const errors: string[] = []
  const state = applyUpdates(initial, await adoptInterrupted(initial, deps, errors))
  const hooks = state.tasks.filter(t => t.type === 'hook' && runOf(state, t).uid !== undefined)
  await Promise.all(
    hooks.map(task =>
      removeHookFinalizer(task, runOf(state, task).uid, deps).catch(e => errors.push(errorMessage(e)))
    )
  )
  const running = hooks.filter(t => runOf(state, t).state === 'Running')
  const updates = await Promise.all(
    running.map(task =>
      settleHook(task, state, deps).catch(e => {
        errors.push(errorMessage(e))
        return {
          taskId: task.id,
          run: { state: 'Failed' as const, message: 'Terminated', finishedAt: deps.clock.now() }
        }
      })
    )
  )
  const next = applyUpdates(state, updates)
  const phase = errors.length > 0 ? 'Error' : 'Failed'
  const text = errors.length > 0 ? `Operation termination had errors: ${errors.join(', ')}` : message
  return { ...next, mode: 'done', outcome: { phase, message: text } }
}

/**
 * Hooks whose create was sent but whose answer never came (cancelled in flight): if the server made
 * the object, it carries our tracking id and finalizer; it is treated as running, so it is settled
 * and loses the finalizer like any other (§4.9.1). A hook that cannot be read is a termination error:
 * it may exist with our finalizer.
 */
async function adoptInterrupted(state: EngineState, deps: ExecDeps, errors: string[]): Promise<RunUpdate[]> {
  const interrupted = state.tasks.filter(
    t => t.type === 'hook' && runOf(state, t).uid === undefined && runOf(state, t).startedAt !== undefined
  )
  const found = await Promise.all(
    interrupted.map(async task => {
      const live = await createdAnyway(task, deps).catch((error: unknown) => {
        errors.push(errorMessage(error))
        return undefined
      })
      return { task, live }
    })
  )
  return found.flatMap(({ task, live }) =>
    live ? [{ taskId: task.id, run: { state: 'Running' as const, uid: live.metadata.uid } }] : []
  )
}

async function settleHook(task: Task, state: EngineState, deps: ExecDeps): Promise<RunUpdate> {
  const run = runOf(state, task)
  const now = deps.clock.now()
  const live = await deps.cluster.get(refOf(task), deps.signal)
  if (!live || live.metadata.uid !== run.uid)
    return { taskId: task.id, run: { state: 'Failed', message: 'Terminated', finishedAt: now } }
  const outcome = hookOutcome(live)
  const hookFailed = task.hook?.deletePolicies.includes('HookFailed') === true
  if (outcome.state === 'Running' || hookFailed) {
    const options = {
      propagationPolicy: deps.settings.propagation,
      signal: deps.signal,
      ...(run.uid ? { uid: run.uid } : {})
    }
    await deps.cluster.delete(refOf(task), options)
  }
  if (outcome.state === 'Running')
    return {
      taskId: task.id,
      run: { state: 'Failed', message: 'Terminated', finishedAt: now, deleted: true }
    }
  return {
    taskId: task.id,
    run: {
      state: outcome.state,
      message: outcome.message,
      finishedAt: now,
      terminalSeen: true,
      deleted: hookFailed
    }
  }
}
