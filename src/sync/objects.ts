import type { ObjectRef } from '../cluster/port.js'
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
