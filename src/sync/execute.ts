import type { Clock } from '../clock.js'
import type { Observer } from '../cluster/observer.js'
import type { Cluster, PropagationPolicy } from '../cluster/port.js'
import { errorMessage } from '../model/errors.js'
import { formatShortKey } from '../model/key.js'
import type { KubeObject } from '../model/object.js'
import type { Task } from '../model/task.js'
import type { SyncOptions } from '../plan/annotations/sync-options.js'
import { finishHook, deleteHooks } from './hook-finish.js'
import { confirmRetryUpdate, missingMessage } from './refresh.js'
import type { RetryPolicy } from './retry.js'
import { retryDelayMs } from './retry.js'
import { runOf } from './state.js'
import type { Action, EngineState, ProgressEvent, RunUpdate, TaskRun } from './types.js'
import { refOf } from './objects.js'
import { writeStep } from './write-step.js'

export interface ExecSettings {
  app: string
  parallelism: number
  objectTimeoutMs: number
  propagation: PropagationPolicy
  appOptions: SyncOptions
}

/** Everything executing actions needs; the only place the engine reaches the cluster. */
export interface ExecDeps {
  cluster: Cluster
  observer: Observer
  clock: Clock
  signal: AbortSignal
  settings: ExecSettings
  emit: (event: ProgressEvent) => void
  /** Called with each hook's computed identity before its create (the post step must find it). */
  beforeCreate?: (task: Task) => Promise<void>
  /** ApplyOutOfSyncOnly: resources not to write while the live object agrees with this dry-run answer. */
  unchanged?: ReadonlyMap<string, KubeObject>
}

/**
 * Performs the step function's actions and reports what became of each task. Errors of one task
 * never escape: they become that task's result, so the step function sees every outcome.
 */
export async function execute(
  actions: readonly Action[],
  state: EngineState,
  deps: ExecDeps
): Promise<RunUpdate[]> {
  const updates: RunUpdate[] = []
  const byId = new Map(state.tasks.map(task => [task.id, task]))
  const tasksOf = (ids: readonly string[]): Task[] =>
    ids.map(id => byId.get(id)).filter((t): t is Task => t !== undefined)
  for (const action of actions) {
    switch (action.type) {
      case 'sleep':
        await deps.clock.sleep(action.ms, deps.signal).catch(() => undefined)
        break
      case 'skip-tasks':
        updates.push(...tasksOf(action.taskIds).map(task => skipped(task, deps.clock.now())))
        break
      case 'write-step':
        updates.push(...(await writeStep(tasksOf(action.taskIds), deps)))
        break
      case 'finish-hook': {
        const task = byId.get(action.taskId)
        if (task) updates.push(await finishHook(task, runOf(state, task), action, deps))
        break
      }
      case 'delete-hooks':
        updates.push(...(await deleteHooks(tasksOf(action.taskIds), state, deps)))
        break
      case 'confirm-missing': {
        const task = byId.get(action.taskId)
        if (task) updates.push(...(await confirmMissing(task, runOf(state, task), deps)))
        break
      }
    }
  }
  return updates
}

function skipped(task: Task, now: number): RunUpdate {
  const result = task.type === 'prune' ? 'PruneSkipped' : 'DeleteSkipped'
  return {
    taskId: task.id,
    run: {
      state: 'Succeeded',
      result,
      message: task.removal?.reason ?? 'skipped',
      startedAt: now,
      finishedAt: now
    }
  }
}

/**
 * A Running task's object seems gone: a GET decides (sync-semantics §4.3.2). A failed GET decides
 * nothing: it is recorded on the run with its error, and the step function asks again after a
 * backoff, until the object's timeout (refresh.ts `missing`).
 */
async function confirmMissing(task: Task, run: TaskRun, deps: ExecDeps): Promise<RunUpdate[]> {
  let live: KubeObject | undefined
  try {
    live = await deps.cluster.get(refOf(task), deps.signal)
  } catch (error) {
    // Aborted: the loop ends and termination reports; this GET says nothing about the object.
    if (deps.signal.aborted) return []
    return confirmFailed(task, run, error, deps.clock.now())
  }
  const settled = run.confirmRetry ? [confirmRetryUpdate(task, undefined)] : []
  if (live) {
    deps.observer.put(live)
    return settled
  }
  deps.observer.markGone(task.key)
  const now = deps.clock.now()
  // SyncFailed/Error (§4.3.2): a task failure, not a write failure.
  return [
    ...settled,
    {
      taskId: task.id,
      run: { state: 'Error', result: 'SyncFailed', message: missingMessage(task), finishedAt: now }
    }
  ]
}

// First retry after 1 s, doubling up to 30 s: a brief API outage is bridged quickly, a lasting
// one (or a GET that is forbidden) costs a few requests per minute until the object's timeout.
const CONFIRM_BACKOFF: RetryPolicy = { limit: 0, backoffMs: 1000, factor: 2, maxBackoffMs: 30_000 }

function confirmFailed(task: Task, run: TaskRun, error: unknown, now: number): RunUpdate[] {
  const failures = (run.confirmRetry?.failures ?? 0) + 1
  const delay = retryDelayMs(CONFIRM_BACKOFF, failures - 1)
  const retry = { at: now + delay, failures, error: errorMessage(error) }
  const message = `cannot confirm that ${formatShortKey(task.key)} is missing: ${retry.error}`
  return [confirmRetryUpdate(task, retry), { taskId: task.id, run: { message } }]
}
