import type { Cluster, ObjectRef } from '../cluster/port.js'
import { isConflict } from '../cluster/errors.js'
import { refKey } from '../cluster/requests.js'
import { ClusterError, errorMessage } from '../model/errors.js'
import type { KubeObject } from '../model/object.js'
import type { Task } from '../model/task.js'
import { WAVESYNC } from '../plan/annotations/keys.js'
import type { ExecDeps } from './execute.js'
import { refOf, timeoutOf } from './objects.js'

/** Removes wavesync's hook finalizer from a hook task's object, and records what the server returned. */
export async function removeHookFinalizer(
  task: Task,
  uid: string | undefined,
  deps: ExecDeps
): Promise<void> {
  const patched = await removeFinalizer(deps.cluster, refOf(task), uid, deps.signal)
  if (patched) deps.observer.put(patched)
}

/**
 * Removes wavesync's hook finalizer from the object with this uid (sync-semantics §5.5.2). A JSON
 * patch with `test` ops on the uid and the entry makes concurrent edits safe: on a mismatch, re-read
 * and retry, five times at most (then an error: the finalizer is still there). NotFound, another uid
 * or no finalizer means there is nothing left to do. Returns the patched object, if a patch was made.
 */
export async function removeFinalizer(
  cluster: Cluster,
  ref: ObjectRef,
  uid: string | undefined,
  signal?: AbortSignal
): Promise<KubeObject | undefined> {
  let last: unknown
  for (let attempt = 0; attempt < 5; attempt++) {
    const live = await cluster.get(ref, signal)
    if (!live || (uid !== undefined && live.metadata.uid !== uid)) return undefined
    const index = live.metadata.finalizers?.indexOf(WAVESYNC.hookFinalizer) ?? -1
    if (index < 0) return undefined
    const path = `/metadata/finalizers/${index}`
    const patch = [
      { op: 'test', path: '/metadata/uid', value: live.metadata.uid ?? '' },
      { op: 'test', path, value: WAVESYNC.hookFinalizer },
      { op: 'remove', path }
    ]
    try {
      return await cluster.jsonPatch(ref, patch, signal)
    } catch (error) {
      // 409, or 422 from a `test` the object no longer passes: read it again and retry.
      if (!isConflict(error) && !(error instanceof ClusterError && error.details.status === 422)) throw error
      last = error
    }
  }
  // A ClusterError carrying the key, so callers that prefix keys to plain errors do not add it twice.
  throw new ClusterError(
    `finalizer ${WAVESYNC.hookFinalizer} not removed: the object changed under each of 5 patches (last answer: ${errorMessage(last)})`,
    { verb: 'patch', key: refKey(ref), retryable: false }
  )
}

/** How a wait for an object's disappearance ended. */
export type GoneResult = 'gone' | 'replaced' | 'timeout'

/**
 * Waits until the object with `uid` is gone or the timeout passes; wakes on watch events, so a
 * deletion is noticed as soon as the server reports it. Another object appearing under the name
 * meanwhile is `replaced`: a conflict for the caller, never something to take over (§4.4.3).
 */
export async function waitGone(
  task: Task,
  uid: string | undefined,
  timeoutMs: number,
  deps: ExecDeps
): Promise<GoneResult> {
  const deadline = deps.clock.now() + timeoutMs
  while (!deps.signal.aborted) {
    const live = await deps.cluster.get(refOf(task), deps.signal)
    if (!live) {
      deps.observer.markGone(task.key)
      return 'gone'
    }
    if (uid !== undefined && live.metadata.uid !== uid) return 'replaced'
    if (deps.clock.now() >= deadline) return 'timeout'
    await deps.observer.changeOr(Math.min(deadline, deps.clock.now() + 1000), deps.signal)
  }
  return 'timeout'
}

/**
 * Deletes the live object (propagation policy, uid precondition; no call when it is already
 * terminating) and waits until it is gone (§4.4.3 BeforeHookCreation, §2.5 Force).
 */
export async function deleteAndWait(task: Task, live: KubeObject, deps: ExecDeps): Promise<GoneResult> {
  if (live.metadata.deletionTimestamp === undefined) {
    await deps.cluster.delete(refOf(task), {
      propagationPolicy: deps.settings.propagation,
      uid: live.metadata.uid ?? '',
      signal: deps.signal
    })
  }
  return waitGone(task, live.metadata.uid, timeoutOf(task, deps.settings), deps)
}
