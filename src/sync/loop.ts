import type { Observer } from '../cluster/observer.js'
import type { Task } from '../model/task.js'
import type { ExecDeps } from './execute.js'
import { execute } from './execute.js'
import { applyUpdates } from './state.js'
import type { StepSettings } from './step.js'
import { decide } from './step.js'
import type { EngineState, ProgressEvent, RunUpdate } from './types.js'

export interface LoopDeps extends ExecDeps {
  observer: Observer
}

/**
 * Drives the step function until the operation ends or the signal aborts: observe, decide,
 * execute, and otherwise sleep until the next watch event or per-object deadline. No fixed
 * polling: a wave's writes go out in the tick that sees the previous wave pass its gate.
 */
export async function runLoop(
  initial: EngineState,
  deps: LoopDeps,
  settings: StepSettings
): Promise<EngineState> {
  let state = initial
  const observe = (task: Task) => deps.observer.observe(task.key, task.version)
  while (!deps.signal.aborted) {
    const decision = decide(state, observe, deps.clock.now(), settings)
    emitChanges(state, decision.state, decision.updated, deps.emit)
    state = decision.state
    if (decision.actions.length > 0) {
      const updates = await execute(decision.actions, state, deps)
      const next = applyUpdates(state, updates)
      emitChanges(state, next, updates, deps.emit)
      state = next
      continue
    }
    if (state.mode === 'done') return state
    if (decision.waiting) deps.emit({ type: 'waiting', message: decision.waiting })
    await deps.observer.changeOr(decision.wakeAt, deps.signal)
  }
  return state
}

/**
 * One progress event per updated task whose state, result or message changed (in update order; a
 * task updated twice in one batch is reported once, as it ended up).
 */
function emitChanges(
  before: EngineState,
  after: EngineState,
  updates: readonly RunUpdate[],
  emit: (event: ProgressEvent) => void
): void {
  const reported = new Set<string>()
  for (const { taskId } of updates) {
    const run = after.runs.get(taskId)
    if (run === undefined || reported.has(taskId)) continue
    reported.add(taskId)
    const old = before.runs.get(taskId)
    if (old && old.state === run.state && old.result === run.result && old.message === run.message) continue
    emit({ type: 'task', taskId, state: run.state, result: run.result, message: run.message })
  }
}
