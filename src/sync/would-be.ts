// `dry-run: true` (sync-semantics §8.4): the report lists what each task would do. Tasks stay
// pending (nothing started, nothing was written); `wouldBe` and the message carry the prediction.
import type { Task } from '../model/task.js'
import type { DryOutcome } from './dry-run.js'
import type { Verdict } from './live-check.js'
import type { RunUpdate, WouldBe } from './types.js'

export interface DryRunFindings {
  /** Resources' and hooks' verdicts (live-check.ts). */
  verdicts: ReadonlyMap<string, Verdict>
  /** Every passed dry run, removals included. */
  passed: ReadonlyMap<string, DryOutcome>
  /** Why a task's dry run was skipped (§8.2). */
  skipReasons: ReadonlyMap<string, string>
}

/** One pending run per task with its would-be result, in the plan's order. Pure. */
export function wouldBeRuns(tasks: readonly Task[], findings: DryRunFindings): RunUpdate[] {
  const updates: RunUpdate[] = []
  for (const task of tasks) {
    const predicted = predict(task, findings)
    if (predicted)
      updates.push({
        taskId: task.id,
        run: { state: 'pending', wouldBe: predicted[0], message: predicted[1] }
      })
  }
  return updates
}

function predict(task: Task, findings: DryRunFindings): [WouldBe, string] | undefined {
  if (task.removal?.action === 'skip') return ['skipped', task.removal.reason ?? 'skipped']
  const skipped = findings.skipReasons.get(task.id)
  if (skipped !== undefined) return ['skipped', `dry run skipped: ${skipped}`]
  if (task.type === 'prune' || task.type === 'delete') {
    if (!findings.passed.has(task.id)) return undefined
    return task.type === 'prune' ? ['pruned', 'pruned (dry run)'] : ['deleted', 'deleted (dry run)']
  }
  const verdict = findings.verdicts.get(task.id)
  if (!verdict) return undefined
  const what = `${task.key.kind.toLowerCase()}/${task.key.name} ${verdict.result}`
  return [verdict.result, verdict.why ? `${what} (dry run: ${verdict.why})` : `${what} (dry run)`]
}
