import type { Task } from '../model/task.js'
import type { DeletePolicy } from '../model/vocabulary.js'
import { isCompleted, runOf } from './state.js'
import type { Action, EngineState } from './types.js'

/**
 * Which rule times a hook's HookSucceeded/HookFailed deletion (sync-semantics §5.6):
 * - `argo`: at the end of the operation, by the operation's outcome (left column);
 * - `helm`: Helm's timing, per phase on success and per hook on failure (right column);
 * - `delete-cleanup`: PreDelete/PostDelete hooks of every family, together, by the aggregate of
 *   their outcomes (§10.1.5). §5.6's common rules send delete hooks there whatever their family,
 *   as Argo CD's controller/hook.go cleans `helm.sh/hook: pre-delete`/`post-delete` hooks too.
 */
export type PolicyTiming = 'argo' | 'helm' | 'delete-cleanup'

/** The timing of a hook task's policies; undefined for tasks that are not hooks. */
export function policyTiming(task: Task): PolicyTiming | undefined {
  if (task.type !== 'hook' || !task.hook) return undefined
  if (task.phase === 'PreDelete' || task.phase === 'PostDelete') return 'delete-cleanup'
  return task.hook.family === 'argo' ? 'argo' : 'helm'
}

/**
 * A helm/sherpack-family CustomResourceDefinition hook is never deleted by a policy (Helm's rule,
 * §5.6): deleting a CRD deletes every object of its kind.
 */
export function keptFromPolicies(task: Task): boolean {
  return task.hook?.family !== 'argo' && task.key.kind === 'CustomResourceDefinition'
}

/**
 * Delete-hook cleanup (§10.1.5): the outcome of every PreDelete and PostDelete hook that ran, worst
 * wins; HookSucceeded hooks go when all succeeded, HookFailed hooks (succeeded ones included) when
 * one failed; the others stay. Judged on the hooks alone, so an object that could not be deleted
 * after successful hooks still lets the HookSucceeded ones go (a re-run can create them again).
 */
export function deleteHookCleanup(state: EngineState): Action | undefined {
  const ran = state.tasks.filter(t => policyTiming(t) === 'delete-cleanup' && isCompleted(runOf(state, t)))
  const policy: DeletePolicy = ran.some(t => runOf(state, t).state !== 'Succeeded')
    ? 'HookFailed'
    : 'HookSucceeded'
  const taskIds = ran
    .filter(t => t.hook?.deletePolicies.includes(policy) === true)
    .filter(t => !runOf(state, t).deleted && !keptFromPolicies(t))
    .map(t => t.id)
  return taskIds.length > 0 ? { type: 'delete-hooks', taskIds, why: policy } : undefined
}
