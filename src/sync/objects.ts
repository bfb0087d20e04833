import type { FieldValidation, ObjectRef } from '../cluster/port.js'
import { ClusterError } from '../model/errors.js'
import type { SyncOptions } from '../plan/annotations/sync-options.js'
import { optionValue } from '../plan/annotations/sync-options.js'
import type { KubeObject } from '../model/object.js'
import type { Task } from '../model/task.js'
import { TRACKING_ANNOTATION, trackingId } from '../model/tracking.js'
import { WAVESYNC } from '../plan/annotations/keys.js'

/** The reference of a task's object. */
export function refOf(task: Task): ObjectRef {
  return {
    group: task.key.group,
    version: task.version,
    kind: task.key.kind,
    namespace: task.key.namespace,
    name: task.key.name
  }
}

/**
 * The object as wavesync writes it: the tracking annotation on everything (§7.1), and the hook
 * finalizer on hooks so their final status stays readable if something else deletes them (§5.5).
 */
export function objectToWrite(task: Task, app: string): KubeObject {
  const source = task.object
  if (!source) throw new Error(`task ${task.id} has no object to write`)
  // Shallow: only metadata changes, and what is returned is serialised, never mutated.
  const metadata = {
    ...source.metadata,
    annotations: { ...source.metadata.annotations, [TRACKING_ANNOTATION]: trackingId(app, task.key) }
  }
  if (task.type === 'hook')
    metadata.finalizers = [...(source.metadata.finalizers ?? []), WAVESYNC.hookFinalizer]
  return { ...source, metadata }
}

/** How long to wait on a task's object: its wavesync.dev/timeout, else object-timeout (§4.8). */
export function timeoutOf(task: Task, settings: { objectTimeoutMs: number }): number {
  return task.timeoutMs ?? settings.objectTimeoutMs
}

/** True when the object still carries wavesync's hook finalizer. */
export function hasHookFinalizer(object: KubeObject): boolean {
  return object.metadata.finalizers?.includes(WAVESYNC.hookFinalizer) === true
}

/** Field validation of every write and dry run: `Ignore` with Validate=false, else `Strict` (§2.5). */
export function fieldValidationOf(task: Task, appOptions: SyncOptions): FieldValidation {
  return optionValue('Validate', task.syncOptions, appOptions) === 'false' ? 'Ignore' : 'Strict'
}

/** CRDs and Namespaces are never deleted to be re-created, whatever Force says (§2.5 Replace). */
export function neverRecreated(task: Task): boolean {
  return task.key.kind === 'CustomResourceDefinition' || task.key.kind === 'Namespace'
}

/** A Replace=true PUT body: the object with the live resourceVersion, the optimistic lock. */
export function replacing(object: KubeObject, live: KubeObject): KubeObject {
  return { ...object, metadata: { ...object.metadata, resourceVersion: live.metadata.resourceVersion ?? '' } }
}

/** The server refused to change an immutable field: what Force=true re-creates for (§2.5). */
export function isImmutableRejection(error: unknown): boolean {
  return error instanceof ClusterError && error.details.status === 422 && /immutable/i.test(error.message)
}

/** Replace=true (object or app): written with PUT/create instead of server-side apply (§2.5). */
export function replacedOf(task: Task, appOptions: SyncOptions): boolean {
  return optionValue('Replace', task.syncOptions, appOptions) === 'true'
}

/** Force=true (object or app): an immutable-field rejection deletes and re-creates (§2.5). */
export function forcedOf(task: Task, appOptions: SyncOptions): boolean {
  return optionValue('Force', task.syncOptions, appOptions) === 'true'
}
