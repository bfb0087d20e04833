import { formatShortKey } from '../model/key.js'
import type { Task } from '../model/task.js'
import type { Phase } from '../model/vocabulary.js'
import { deleteHookCleanup, keptFromPolicies, policyTiming } from './hook-policy.js'
import type { Observation } from './refresh.js'
import { refreshRunning, wakeTimeOf } from './refresh.js'
import { applyUpdates, isCompleted, runOf } from './state.js'
import type { Action, EngineState, RunUpdate, TaskRun } from './types.js'

export interface StepSettings {
  /** Gate the last step on health too (sync-semantics §4.5.3); false reproduces Argo CD. */
  wait: boolean
  waveDelayMs: number
}

export interface Decision {
  state: EngineState
  actions: Action[]
  /** What the operation waits for, when it waits. */
  waiting: string | undefined
  /** The earliest per-object deadline (or GET retry) among Running tasks, so the loop wakes for it. */
  wakeAt: number | undefined
  /** The runs this decision changed (from observations), for progress events. */
  updated: readonly RunUpdate[]
}

/**
 * The pure step function of sync-semantics §4.3–§4.7: given the state, what the cluster shows and
 * the time, returns the next state and the side effects to perform. Called after every
 * observation and every executed action; cheap, so there is no debounce.
 */
export function decide(
  state: EngineState,
  observe: (task: Task) => Observation,
  now: number,
  settings: StepSettings
): Decision {
  if (state.mode === 'done') return { state, actions: [], waiting: undefined, wakeAt: undefined, updated: [] }
  const refreshed = refreshRunning(state.tasks, state.runs, observe, now)
  let next = applyUpdates(state, refreshed.updates)
  const decided = (): Decision => {
    if (refreshed.actions.length > 0) return decision(next, refreshed.actions)
    if (next.mode === 'normal' && failedTask(next))
      next = { ...next, mode: 'failing', failure: { kind: writeFailed(next) ? 'apply' : 'task' } }
    return next.mode === 'failing' ? decideFailing(next) : decideNormal(next, settings)
  }
  return { ...decided(), updated: refreshed.updates }
}

function decision(state: EngineState, actions: Action[], waiting?: string): Decision {
  return { state, actions, waiting, wakeAt: nearestDeadline(state), updated: [] }
}

function decideNormal(state: EngineState, settings: StepSettings): Decision {
  const running = runningTasks(state)
  const lastStepRelaxed =
    !settings.wait &&
    running.length > 0 &&
    running.every(t => t.type === 'resource') &&
    pendingTasks(state).length === 0
  if (running.length > 0 && !lastStepRelaxed) return decision(state, [], waitingMessage(running))
  const closing = closePhases(state)
  if (closing.actions.length > 0) return decision(closing.state, closing.actions)
  const pending = pendingTasks(state)
  if (pending.length === 0) return succeed(state)
  return startStep(state, pending, settings)
}

function startStep(state: EngineState, pending: readonly Task[], settings: StepSettings): Decision {
  const first = pending[0]
  if (!first) return succeed(state)
  const step = pending.filter(task => task.phase === first.phase && task.wave === first.wave)
  const skipped = step.filter(task => task.removal?.action === 'skip')
  const writes = step.filter(task => task.removal?.action !== 'skip')
  const actions: Action[] = []
  if (settings.waveDelayMs > 0 && state.stepsStarted > 0)
    actions.push({ type: 'sleep', ms: settings.waveDelayMs })
  if (skipped.length > 0) actions.push({ type: 'skip-tasks', taskIds: skipped.map(t => t.id) })
  if (writes.length > 0) actions.push({ type: 'write-step', taskIds: writes.map(t => t.id) })
  return decision({ ...state, stepsStarted: state.stepsStarted + 1 }, actions)
}

/**
 * Success: argo-timed HookSucceeded deletions of every completed hook carrying it (§5.6), then the
 * delete-hook cleanup (§10.1.5), whose aggregate is success too.
 */
function succeed(state: EngineState): Decision {
  const hooks = state.tasks.filter(
    t => policyTiming(t) === 'argo' && t.hook?.deletePolicies.includes('HookSucceeded') === true
  )
  const toDelete = hooks.filter(t => isCompleted(runOf(state, t)) && !runOf(state, t).deleted).map(t => t.id)
  const done: EngineState = {
    ...state,
    mode: 'done',
    outcome: { phase: 'Succeeded', message: 'successfully synced (all tasks run)' }
  }
  const actions: Action[] =
    toDelete.length > 0 ? [{ type: 'delete-hooks', taskIds: toDelete, why: 'HookSucceeded' }] : []
  return decision(done, withCleanup(done, actions))
}

/** The actions, then the delete-hook cleanup of a delete operation (§10.1.5), if it deletes anything. */
function withCleanup(state: EngineState, actions: Action[]): Action[] {
  const cleanup = deleteHookCleanup(state)
  return cleanup ? [...actions, cleanup] : actions
}

/**
 * The failure path (§4.6, §4.7): Running hooks are still awaited, resources no longer; SyncFail
 * hooks start at once, one wave at a time; then HookFailed deletions and the final message.
 */
function decideFailing(state: EngineState): Decision {
  const hooksRunning = runningTasks(state).filter(t => t.type === 'hook')
  const syncFailPending = state.tasks.filter(
    t => t.phase === 'SyncFail' && runOf(state, t).state === 'pending'
  )
  const syncFailRunning = hooksRunning.some(t => t.phase === 'SyncFail')
  if (syncFailPending.length > 0 && !syncFailRunning) {
    const first = syncFailPending[0]
    const wave = syncFailPending.filter(t => t.wave === first?.wave).map(t => t.id)
    return decision({ ...state, stepsStarted: state.stepsStarted + 1 }, [
      { type: 'write-step', taskIds: wave }
    ])
  }
  if (hooksRunning.length > 0 || syncFailPending.length > 0)
    return decision(state, [], waitingMessage(hooksRunning))
  const teardown = teardownAfterPostDelete(state)
  if (teardown) return teardown
  const deletions = failureDeletions(state)
  const done: EngineState = {
    ...state,
    mode: 'done',
    outcome: { phase: 'Failed', message: failureMessage(state) }
  }
  const actions: Action[] =
    deletions.length > 0 ? [{ type: 'delete-hooks', taskIds: deletions, why: 'HookFailed' }] : []
  return decision(done, withCleanup(done, actions))
}

/**
 * A delete whose only failures are PostDelete hooks still tears down (sync-semantics §10.4): every
 * object is gone by then, so the namespaces are deleted anyway; the operation stays Failed.
 */
function teardownAfterPostDelete(state: EngineState): Decision | undefined {
  const failed = state.tasks.filter(
    t => runOf(state, t).state === 'Failed' || runOf(state, t).state === 'Error'
  )
  if (failed.length === 0 || !failed.every(t => t.phase === 'PostDelete')) return undefined
  const cleanup = state.tasks.filter(t => t.phase === 'NamespaceCleanup')
  if (cleanup.some(t => runOf(state, t).state === 'Running'))
    return decision(state, [], waitingMessage(cleanup))
  const pending = cleanup.filter(t => runOf(state, t).state === 'pending')
  if (pending.length === 0) return undefined
  const skipped = pending.filter(t => t.removal?.action === 'skip').map(t => t.id)
  const removed = pending.filter(t => t.removal?.action !== 'skip').map(t => t.id)
  const actions: Action[] = []
  if (skipped.length > 0) actions.push({ type: 'skip-tasks', taskIds: skipped })
  if (removed.length > 0) actions.push({ type: 'write-step', taskIds: removed })
  return decision({ ...state, stepsStarted: state.stepsStarted + 1 }, actions)
}

/**
 * Hooks deleted when the operation failed: argo HookFailed (any outcome), SyncFail by own outcome,
 * helm HookSucceeded of the failed phase. Delete hooks are left to the cleanup (§10.1.5).
 */
function failureDeletions(state: EngineState): string[] {
  return state.tasks
    .filter(task => {
      const run = runOf(state, task)
      const policies = task.hook?.deletePolicies ?? []
      const timing = policyTiming(task)
      if (
        !timing ||
        timing === 'delete-cleanup' ||
        !isCompleted(run) ||
        run.deleted ||
        keptFromPolicies(task)
      )
        return false
      if (task.phase === 'SyncFail')
        return run.state === 'Succeeded'
          ? policies.includes('HookSucceeded')
          : policies.includes('HookFailed')
      if (timing === 'argo') return policies.includes('HookFailed')
      return run.state === 'Succeeded' && policies.includes('HookSucceeded')
    })
    .map(task => task.id)
}

export function failureMessage(state: EngineState): string {
  const failed = state.tasks.filter(
    t => t.phase !== 'SyncFail' && (runOf(state, t).state === 'Failed' || runOf(state, t).state === 'Error')
  )
  const reasons = distinct(failed.map(t => runOf(state, t).message))
  const head =
    state.failure?.kind === 'apply'
      ? 'one or more objects failed to apply'
      : 'one or more synchronization tasks completed unsuccessfully'
  let message = reasons.length > 0 ? `${head}, reason: ${reasons.join(', ')}` : head
  const syncFailFailed = state.tasks.filter(t => t.phase === 'SyncFail' && runOf(state, t).state === 'Failed')
  if (syncFailFailed.length > 0)
    message += `\none or more SyncFail hooks failed, reason: ${distinct(syncFailFailed.map(t => runOf(state, t).message)).join(', ')}`
  return message
}

/**
 * Helm/Sherpack HookSucceeded deletions once a phase (all its waves) completed (§5.6, right column);
 * not for delete hooks, which wait for the cleanup of §10.1.5.
 */
function closePhases(state: EngineState): { state: EngineState; actions: Action[] } {
  const phases = distinct(state.tasks.map(t => t.phase)).filter(p => !state.phasesClosed.has(p))
  for (const phase of phases) {
    const inPhase = state.tasks.filter(t => t.phase === phase)
    if (!inPhase.every(t => runOf(state, t).state === 'Succeeded')) continue
    const closed = new Set(state.phasesClosed).add(phase)
    const hooks = inPhase
      .filter(
        t =>
          policyTiming(t) === 'helm' &&
          t.hook?.deletePolicies.includes('HookSucceeded') === true &&
          !keptFromPolicies(t)
      )
      .sort((a, b) => createdLater(state, b, a))
    const next = { ...state, phasesClosed: closed }
    if (hooks.length > 0)
      return {
        state: next,
        actions: [{ type: 'delete-hooks', taskIds: hooks.map(t => t.id), why: 'HookSucceeded' }]
      }
    return closePhases(next)
  }
  return { state, actions: [] }
}

function pendingTasks(state: EngineState): Task[] {
  return state.tasks.filter(t => t.phase !== 'SyncFail' && runOf(state, t).state === 'pending')
}

function runningTasks(state: EngineState): Task[] {
  return state.tasks.filter(t => runOf(state, t).state === 'Running')
}

function failedTask(state: EngineState): boolean {
  return state.tasks.some(
    t => t.phase !== 'SyncFail' && (runOf(state, t).state === 'Failed' || runOf(state, t).state === 'Error')
  )
}

function writeFailed(state: EngineState): boolean {
  // A write the server rejected leaves SyncFailed/Failed; a vanished object is SyncFailed/Error (§4.3.2).
  return state.tasks.some(t => runOf(state, t).result === 'SyncFailed' && runOf(state, t).state === 'Failed')
}

/** Argo CD's waiting messages, naming the first task, hooks first (§4.10). */
export function waitingMessage(running: readonly Task[]): string {
  const hooks = running.filter(t => t.type === 'hook')
  const others = running.filter(t => t.type !== 'hook')
  const first = hooks[0] ?? others[0]
  if (!first) return ''
  const what =
    first.type === 'hook'
      ? 'completion of hook'
      : first.type === 'resource'
        ? 'healthy state of'
        : 'deletion of'
  const rest = running.length - 1
  const noun = hooks.length > 0 ? 'hooks' : 'resources'
  return `waiting for ${what} ${formatShortKey(first.key)}${rest > 0 ? ` and ${rest} more ${noun}` : ''}`
}

function nearestDeadline(state: EngineState): number | undefined {
  let nearest: number | undefined
  state.runs.forEach(run => {
    const wake = run.state === 'Running' ? wakeTimeOf(run) : undefined
    if (wake !== undefined && !(nearest !== undefined && nearest <= wake)) nearest = wake
  })
  return nearest
}

function distinct<T>(items: readonly T[]): T[] {
  return [...new Set(items)]
}

export type { RunUpdate, TaskRun, Phase }

/**
 * Positive when `a` was created after `b`: by write time, then by plan order (writes of one
 * step go out in plan order, so two in the same millisecond keep it).
 */
function createdLater(state: EngineState, a: Task, b: Task): number {
  const byTime = (runOf(state, a).startedAt ?? 0) - (runOf(state, b).startedAt ?? 0)
  return byTime !== 0 ? byTime : state.tasks.indexOf(a) - state.tasks.indexOf(b)
}
