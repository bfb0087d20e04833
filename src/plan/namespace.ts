import { keyId } from '../model/key.js'
import type { Task } from '../model/task.js'
import { newTask } from '../model/task.js'
import type { SyncOptions } from './annotations/sync-options.js'
import { optionValue } from './annotations/sync-options.js'
import type { PlanInput } from './plan.js'

/**
 * The CreateNamespace=true task (sync-semantics §2.5, §3.3): the destination namespace, unless a
 * manifest already defines it. Starts in PreSync wave 0 so hooks can run in it.
 */
export function namespaceTasks(input: PlanInput, tasks: readonly Task[], appOptions: SyncOptions): Task[] {
  const type = input.operation.type
  if (optionValue('CreateNamespace', {}, appOptions) !== 'true' || (type !== 'sync' && type !== 'rollback'))
    return []
  const key = { group: '', kind: 'Namespace', namespace: '', name: input.namespace }
  if (tasks.some(task => keyId(task.key) === keyId(key))) return []
  const metadata = { name: input.namespace, ...input.namespaceMetadata }
  const object = { apiVersion: 'v1', kind: 'Namespace', metadata }
  return [
    newTask({
      type: 'resource',
      phase: 'PreSync',
      wave: 0,
      key,
      version: 'v1',
      object,
      createdNamespace: true
    })
  ]
}
