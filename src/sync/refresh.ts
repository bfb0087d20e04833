import { hookOutcome } from '../health/hook-phase.js'
import { resourceHealth } from '../health/health.js'
import { taskStateFromHealth } from '../health/task-state.js'
import { formatShortKey } from '../model/key.js'
import type { KubeObject } from '../model/object.js'
import type { Task } from '../model/task.js'
import { formatDuration } from '../plan/annotations/values.js'
import { keptFromPolicies, policyTiming } from './hook-policy.js'
import type { Action, ConfirmRetry, RunUpdate, TaskRun } from './types.js'
import type { HookOutcome } from '../health/hook-phase.js'
import type { Health } from '../health/types.js'

/** What the observer knows of a task's object right now. */
export type Observation = { kind: 'present'; object: KubeObject } | { kind: 'absent' } | { kind: 'unknown' }

// Every Running task is judged on each wake, but its object rarely changed since: the observer
// hands out the same object until a newer one arrives, so verdicts are remembered per object.
// Health is a pure function of the object, so this cache cannot change a result; it only keeps
// a wave of 1000 objects from re-running health checks (and their garbage) ~300 times.
const healthVerdicts = new WeakMap<KubeObject, Health>()
const hookVerdicts = new WeakMap<KubeObject, HookOutcome>()

function healthOf(object: KubeObject): Health {
  let health = healthVerdicts.get(object)
  if (health === undefined) healthVerdicts.set(object, (health = resourceHealth(object)))
  return health
}

function hookOutcomeOf(object: KubeObject): HookOutcome {
  let outcome = hookVerdicts.get(object)
  if (outcome === undefined) hookVerdicts.set(object, (outcome = hookOutcome(object)))
  return outcome
}

export interface Refreshed {
  updates: RunUpdate[]
  actions: Action[]
}

/**
 * Judges every Running task from its live object (sync-semantics §4.3.1–2, §4.8): completion,
 * health, disappearance and per-object timeouts. Pure: observations and the time come in.
 */
export function refreshRunning(
  tasks: readonly Task[],
  runs: ReadonlyMap<string, TaskRun>,
  observe: (task: Task) => Observation,
  now: number
): Refreshed {
  const out: Refreshed = { updates: [], actions: [] }
  for (const task of tasks) {
    const run = runs.get(task.id)
    if (!run || run.state !== 'Running') continue
    const observation = observe(task)
    // Seen again (or not known to be gone): a stale retry time would wake the loop for nothing.
    if (observation.kind !== 'absent' && run.confirmRetry)
      out.updates.push(confirmRetryUpdate(task, undefined))
    if (task.type === 'prune' || task.type === 'delete') refreshRemoval(task, run, observation, now, out)
    else if (task.type === 'hook') refreshHook(task, run, observation, now, out)
    else refreshResource(task, run, observation, now, out)
  }
  return out
}

function refreshHook(task: Task, run: TaskRun, observation: Observation, now: number, out: Refreshed): void {
  if (observation.kind === 'unknown') return timeoutIfDue(task, run, now, out, run.message)
  if (observation.kind === 'absent') return missing(task, run, now, out)
  // Only the object our create returned can complete the hook (§4.2): another uid under the name
  // (a late event of a deleted predecessor) says nothing about it; wait for our own.
  if (observation.object.metadata.uid !== run.uid) return timeoutIfDue(task, run, now, out, run.message)
  const outcome = hookOutcomeOf(observation.object)
  if (outcome.state === 'Running') {
    if (outcome.message !== run.message) {
      out.updates.push({ taskId: task.id, run: { message: outcome.message, lastSeen: observation.object } })
    }
    return timeoutIfDue(task, run, now, out, outcome.message)
  }
  const terminal = {
    state: outcome.state,
    message: outcome.message,
    lastSeen: observation.object,
    terminalSeen: true
  }
  finishHook(task, out, terminal, now)
}

function refreshResource(
  task: Task,
  run: TaskRun,
  observation: Observation,
  now: number,
  out: Refreshed
): void {
  if (observation.kind === 'unknown') return timeoutIfDue(task, run, now, out, run.message)
  if (observation.kind === 'absent') return missing(task, run, now, out)
  const health = healthOf(observation.object)
  const state = taskStateFromHealth(health, 'resource')
  const message = health.conventions ? health.message : run.message
  if (state === 'Running') {
    if (message !== run.message)
      out.updates.push({ taskId: task.id, run: { message, lastSeen: observation.object } })
    return timeoutIfDue(task, run, now, out, message)
  }
  out.updates.push({
    taskId: task.id,
    run: { state, message, lastSeen: observation.object, terminalSeen: true, finishedAt: now }
  })
}

function refreshRemoval(
  task: Task,
  run: TaskRun,
  observation: Observation,
  now: number,
  out: Refreshed
): void {
  // Done when the object removed (by uid) is gone, even if another was created under its name (§7.4.4).
  const replaced =
    observation.kind === 'present' && run.uid !== undefined && observation.object.metadata.uid !== run.uid
  if (observation.kind === 'absent' || replaced) {
    out.updates.push({ taskId: task.id, run: { state: 'Succeeded', finishedAt: now } })
    return
  }
  timeoutIfDue(task, run, now, out, `deletion of ${formatShortKey(task.key)}`)
}

function finishHook(task: Task, out: Refreshed, run: Partial<TaskRun>, now: number): void {
  const failed = run.state === 'Failed'
  const logPolicy = task.hook?.logPolicy ?? []
  const capture = failed || logPolicy.includes('hook-succeeded')
  // Only Helm's timing deletes a failed hook at once; argo and delete hooks wait for the end (§5.6, §10.1.5).
  const deleteNow =
    policyTiming(task) === 'helm' &&
    failed &&
    task.hook?.deletePolicies.includes('HookFailed') === true &&
    !keptFromPolicies(task)
  out.updates.push({ taskId: task.id, run: { ...run, finishedAt: now } })
  out.actions.push({ type: 'finish-hook', taskId: task.id, capture, deleteNow })
}

/**
 * A Running task whose object is gone: confirm with a GET, unless its last state was terminal
 * (§5.7). After a GET failed, the next one waits for its retry time (the decision wakes for it,
 * see `wakeTimeOf`), and the per-object timeout bounds the wait like any other (§4.8): a GET that
 * keeps failing (forbidden, API down) ends as a timeout naming the error, never as a hot loop.
 */
function missing(task: Task, run: TaskRun, now: number, out: Refreshed): void {
  if (run.terminalSeen) return
  const retry = run.confirmRetry
  if (retry) {
    const waitingFor = `confirmation that ${formatShortKey(task.key)} is missing (${retry.error})`
    if (isDue(run, now)) return timeoutIfDue(task, run, now, out, waitingFor)
    if (now < retry.at) return
  }
  out.actions.push({ type: 'confirm-missing', taskId: task.id })
}

function isDue(run: TaskRun, now: number): boolean {
  return run.deadline !== undefined && now >= run.deadline
}

function timeoutIfDue(task: Task, run: TaskRun, now: number, out: Refreshed, waitingFor: string): void {
  if (!isDue(run, now) || run.deadline === undefined) return
  const limit = formatDuration(run.deadline - (run.startedAt ?? run.deadline))
  const message = `timed out after ${limit} waiting for ${waitingFor || 'completion'}`
  if (task.type === 'hook') finishHook(task, out, { state: 'Failed', message }, now)
  else out.updates.push({ taskId: task.id, run: { state: 'Failed', message, finishedAt: now } })
}

/** The update setting (or, with undefined, clearing) a run's confirmation retry. */
export function confirmRetryUpdate(task: Task, retry: ConfirmRetry | undefined): RunUpdate {
  return { taskId: task.id, run: { confirmRetry: retry } }
}

/** When the loop must look at a Running run again: its deadline, or an earlier GET retry. */
export function wakeTimeOf(run: TaskRun): number | undefined {
  const retryAt = run.confirmRetry?.at
  if (retryAt === undefined) return run.deadline
  return run.deadline === undefined ? retryAt : Math.min(retryAt, run.deadline)
}

/** The message of a vanished object (Argo CD ≥ 3.3 wording). */
export function missingMessage(task: Task): string {
  return `Resource ${formatShortKey(task.key)} is missing, it might have been deleted`
}
