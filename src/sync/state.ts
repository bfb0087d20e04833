import type { Task } from '../model/task.js'
import { RunTable } from './run-table.js'
import type { EngineState, RunUpdate, TaskRun } from './types.js'

/** A task that has not started. */
export const PENDING: TaskRun = {
  state: 'pending',
  result: undefined,
  message: '',
  startedAt: undefined,
  finishedAt: undefined,
  uid: undefined,
  lastSeen: undefined,
  terminalSeen: false,
  deadline: undefined,
  diagnostics: undefined,
  finalized: false,
  deleted: false
}

/** The initial state of an operation over a plan's tasks. */
export function initialState(tasks: readonly Task[]): EngineState {
  return {
    tasks,
    runs: RunTable.EMPTY,
    mode: 'normal',
    failure: undefined,
    phasesClosed: new Set(),
    stepsStarted: 0,
    outcome: undefined
  }
}

export function runOf(state: EngineState, task: Task): TaskRun {
  return state.runs.get(task.id) ?? PENDING
}

/** Succeeded, Failed or Error (sync-semantics §4.10). */
export function isCompleted(run: TaskRun): boolean {
  return run.state === 'Succeeded' || run.state === 'Failed' || run.state === 'Error'
}

/** A new state with the updates merged into the runs; the old state is untouched. */
export function applyUpdates(state: EngineState, updates: readonly RunUpdate[]): EngineState {
  if (updates.length === 0) return state
  const changed = new Map<string, TaskRun>()
  for (const { taskId, run } of updates)
    changed.set(taskId, { ...(changed.get(taskId) ?? state.runs.get(taskId) ?? PENDING), ...run })
  return { ...state, runs: RunTable.with(state.runs, changed) }
}
