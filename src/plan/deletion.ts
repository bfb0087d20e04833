import type { ResourceKey } from '../model/key.js'
import { keyId } from '../model/key.js'
import type { KubeObject } from '../model/object.js'
import type { Removal, Task } from '../model/task.js'
import { newTask } from '../model/task.js'
import { TRACKING_ANNOTATION, trackingId } from '../model/tracking.js'
import type { SyncOptions } from './annotations/sync-options.js'
import { optionValue } from './annotations/sync-options.js'
import type { RetiredKinds } from './recorded-kinds.js'

const ALREADY_GONE = 'already gone'

export interface DeletionSettings {
  /** `confirm-delete`: allows deleting objects marked `Delete=confirm`. */
  confirmed?: boolean
  /** Namespaces the previous record says wavesync created (CreateNamespace): deleted last. */
  createdNamespaces?: readonly string[]
  /** The live copies of the objects (by `keyId`), when known: what is gone or no longer ours is skipped. */
  live?: ReadonlyMap<string, KubeObject>
  app?: string
  /** Manifests from a record: kinds the server no longer serves as recorded (recorded-kinds.ts). */
  retired?: RetiredKinds
}

/**
 * Shapes the `Delete` phase of a delete operation (sync-semantics §10.1–§10.2): CRDs are kept
 * (deleting one deletes every object of its kind), `Delete=false`/`keep` objects stay, objects no
 * longer carrying this application's tracking id stay, and Namespaces move to `NamespaceCleanup`,
 * after PostDelete, kept while anything kept lives in them. Namespaces created by CreateNamespace
 * join them.
 */
export function arrangeDeletion(
  tasks: readonly Task[],
  appOptions: SyncOptions,
  settings: DeletionSettings
): Task[] {
  const all = [...tasks, ...createdNamespaceTasks(tasks, settings)]
  const decided = all.map(task =>
    task.type === 'delete' ? { ...task, removal: deleteDecision(task, appOptions, settings) } : task
  )
  // An object already gone keeps nothing: a delete re-run after a partial failure, or a Job its TTL
  // removed, must not keep the namespace (§10.4). Nor does one whose kind no version serves.
  const keptIn = new Set(
    decided
      .filter(
        t =>
          t.type === 'delete' &&
          t.removal?.action === 'skip' &&
          t.removal.reason !== ALREADY_GONE &&
          !unserved(t, settings)
      )
      .map(t => t.key.namespace)
  )
  return decided.map(task => {
    if (task.type !== 'delete' || task.key.group !== '' || task.key.kind !== 'Namespace') return task
    const removal: Removal =
      keptIn.has(task.key.name) && task.removal?.action !== 'skip'
        ? { uid: undefined, action: 'skip', reason: 'namespace kept: it holds objects that are kept' }
        : (task.removal ?? { uid: undefined, action: 'remove', reason: undefined })
    return { ...task, id: `NamespaceCleanup:${keyId(task.key)}`, phase: 'NamespaceCleanup', wave: 0, removal }
  })
}

/** A delete task per CreateNamespace namespace not already among the manifests. */
function createdNamespaceTasks(tasks: readonly Task[], settings: DeletionSettings): Task[] {
  // Only a delete operation removes anything: its tasks are the only `delete` ones.
  if (!tasks.some(t => t.type === 'delete')) return []
  const present = new Set(tasks.map(t => keyId(t.key)))
  return (settings.createdNamespaces ?? [])
    .map(name => ({ group: '', kind: 'Namespace', namespace: '', name }))
    .filter(key => !present.has(keyId(key)))
    .map(key => namespaceTask(key))
}

function namespaceTask(key: ResourceKey): Task {
  return newTask({ type: 'delete', phase: 'Delete', wave: 0, key, version: 'v1', createdNamespace: true })
}

function deleteDecision(task: Task, appOptions: SyncOptions, settings: DeletionSettings): Removal {
  const live = settings.live?.get(keyId(task.key))
  const uid = live?.metadata.uid
  const skip = (reason: string): Removal => ({ uid, action: 'skip', reason })
  // First: whatever its options say, an object of a kind no version serves cannot exist. Failing
  // instead would leave a preview whose CRD was uninstalled impossible to tear down.
  if (unserved(task, settings))
    return skip(
      `kind no longer served: ${task.key.group}/${task.key.kind} (its CRD or API was removed); nothing to delete`
    )
  if (task.key.group === 'apiextensions.k8s.io' && task.key.kind === 'CustomResourceDefinition')
    return skip('CRD kept')
  if (task.keep) return skip('ignored (resource-policy keep)')
  const option = optionValue('Delete', task.syncOptions, appOptions)
  if (option === 'false') return skip('ignored (Delete=false)')
  if (option === 'confirm' && !settings.confirmed) return skip('ignored (requires confirmation)')
  // A namespace some revision recorded as created is looked at when its deletion runs.
  if (settings.live && settings.app !== undefined && !task.createdNamespace) {
    if (!live) return skip(ALREADY_GONE)
    if (live.metadata.annotations?.[TRACKING_ANNOTATION] !== trackingId(settings.app, task.key))
      return skip('no longer tracked by this application')
  }
  return { uid, action: 'remove', reason: undefined }
}

/** True when the task comes from a record and no version of its kind is served any more. */
function unserved(task: Task, settings: DeletionSettings): boolean {
  return settings.retired?.(task.key.group, task.version, task.key.kind)?.served === false
}
