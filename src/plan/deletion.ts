import { keyId } from '../model/key.js'
import type { Removal, Task } from '../model/task.js'
import type { SyncOptions } from './annotations/sync-options.js'
import { optionValue } from './annotations/sync-options.js'

export interface DeletionSettings {
  /** `confirm-delete`: allows deleting objects marked `Delete=confirm`. */
  confirmed?: boolean
}

/**
 * Shapes the `Delete` phase of a delete operation (sync-semantics §10.1–§10.2): CRDs are kept
 * (deleting one deletes every object of its kind), `Delete=false`/`keep` objects stay, and
 * Namespaces move to `NamespaceCleanup`, after PostDelete, kept while anything kept lives in them.
 */
export function arrangeDeletion(
  tasks: readonly Task[],
  appOptions: SyncOptions,
  settings: DeletionSettings
): Task[] {
  const decided = tasks.map(task =>
    task.type === 'delete' ? { ...task, removal: deleteDecision(task, appOptions, settings) } : task
  )
  const keptIn = new Set(
    decided.filter(t => t.type === 'delete' && t.removal?.action === 'skip').map(t => t.key.namespace)
  )
  return decided.map(task => {
    if (task.type !== 'delete' || task.key.group !== '' || task.key.kind !== 'Namespace') return task
    const removal: Removal = keptIn.has(task.key.name)
      ? { uid: undefined, action: 'skip', reason: 'namespace kept: it holds objects that are kept' }
      : (task.removal ?? { uid: undefined, action: 'remove', reason: undefined })
    return { ...task, id: `NamespaceCleanup:${keyId(task.key)}`, phase: 'NamespaceCleanup', wave: 0, removal }
  })
}

function deleteDecision(task: Task, appOptions: SyncOptions, settings: DeletionSettings): Removal {
  const skip = (reason: string): Removal => ({ uid: undefined, action: 'skip', reason })
  if (task.key.group === 'apiextensions.k8s.io' && task.key.kind === 'CustomResourceDefinition')
    return skip('CRD kept')
  if (task.keep) return skip('ignored (resource-policy keep)')
  const option = optionValue('Delete', task.syncOptions, appOptions)
  if (option === 'false') return skip('ignored (Delete=false)')
  if (option === 'confirm' && !settings.confirmed) return skip('ignored (requires confirmation)')
  return { uid: undefined, action: 'remove', reason: undefined }
}
