// ApplyOutOfSyncOnly=true (sync-semantics §2.5, §11 #14): resources whose dry run showed no change
// are not written, yet they take part in their wave like written ones, health gate included.
import type { KubeObject } from '../model/object.js'
import type { Task } from '../model/task.js'
import type { SyncOptions } from '../plan/annotations/sync-options.js'
import type { ExecDeps } from './execute.js'
import type { Verdict } from './live-check.js'
import { stillUnchanged } from './live-compare.js'
import { timeoutOf } from './objects.js'
import type { RunUpdate } from './types.js'

/**
 * The resources to leave unwritten, with their dry runs' answers: those judged `unchanged`, when
 * the application sets ApplyOutOfSyncOnly=true (an app-only option); none otherwise.
 */
export function unchangedAnswers(
  verdicts: ReadonlyMap<string, Verdict>,
  appOptions: SyncOptions
): Map<string, KubeObject> {
  const kept = new Map<string, KubeObject>()
  if (appOptions['ApplyOutOfSyncOnly'] !== 'true') return kept
  for (const [taskId, verdict] of verdicts)
    if (verdict.result === 'unchanged' && verdict.answer) kept.set(taskId, verdict.answer)
  return kept
}

/**
 * The run of a resource left unwritten: Running/Synced "<kind>/<name> unchanged", with the live
 * uid and the deadline a write would get, so the health gate judges it like a written one. Only
 * while the live object still agrees with the dry run's answer: the judgement may be minutes old
 * by the time a later wave starts, and an object that moved since is written.
 */
export function unchangedRun(task: Task, deps: ExecDeps): RunUpdate | undefined {
  const answer = deps.unchanged?.get(task.id)
  if (!answer || task.type !== 'resource') return undefined
  const seen = deps.observer.observe(task.key, task.version)
  const withStatus = task.object?.['status'] !== undefined
  if (seen.kind !== 'present' || !stillUnchanged(seen.object, answer, withStatus)) return undefined
  const now = deps.clock.now()
  return {
    taskId: task.id,
    run: {
      state: 'Running',
      result: 'Synced',
      message: `${task.key.kind.toLowerCase()}/${task.key.name} unchanged`,
      startedAt: now,
      uid: seen.object.metadata.uid,
      deadline: now + timeoutOf(task, deps.settings)
    }
  }
}
