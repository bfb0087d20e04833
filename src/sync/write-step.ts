import { mayHaveHappened } from '../cluster/errors.js'
import { ClusterError, errorMessage } from '../model/errors.js'
import { getArray, isRecord } from '../model/json.js'
import { formatKey } from '../model/key.js'
import type { KubeObject } from '../model/object.js'
import type { Task } from '../model/task.js'
import { TRACKING_ANNOTATION, trackingId } from '../model/tracking.js'
import type { FieldValidation } from '../cluster/port.js'
import { formatDuration } from '../plan/annotations/values.js'
import { consecutiveBatches, mapLimit } from '../concurrency.js'
import { migrateClientSideApply } from './csa-migration.js'
import type { ExecDeps } from './execute.js'
import { keptNamespace } from './namespace-cleanup.js'
import {
  fieldValidationOf,
  forcedOf,
  hasHookFinalizer,
  isImmutableRejection,
  neverRecreated,
  objectToWrite,
  refOf,
  replacedOf,
  replacing,
  timeoutOf
} from './objects.js'
import { unchangedRun } from './out-of-sync-only.js'
import { deleteAndWait, removeHookFinalizer } from './removal.js'
import type { RunUpdate } from './types.js'

/**
 * One step's writes, in the strict order of sync-semantics §4.4: stale hook finalizers, prunes,
 * BeforeHookCreation deletions (awaited), then writes batched by kind, CRDs established before
 * the next batch. A failed task does not stop later batches; a failed prune stops the writes.
 */
export async function writeStep(tasks: readonly Task[], deps: ExecDeps): Promise<RunUpdate[]> {
  const first = tasks[0]
  if (first)
    deps.emit({ type: 'step-started', phase: first.phase, wave: first.wave, tasks: tasks.map(t => t.id) })
  const updates: RunUpdate[] = []
  const removals = tasks.filter(t => t.type === 'prune' || t.type === 'delete')
  // Cancelled while a collection was still being listed: write nothing more; the loop terminates.
  await deps.observer.track(collectionsOf(removals), deps.signal)
  if (deps.signal.aborted) return updates
  updates.push(...(await mapLimit(removals, deps.settings.parallelism, task => removeObject(task, deps))))
  if (updates.some(u => u.run.state === 'Failed')) return updates
  const writes = tasks.filter(t => t.type === 'resource' || t.type === 'hook')
  const ready = await prepareHooks(writes, deps, updates)
  for (const batch of consecutiveBatches(ready, task => `${task.key.group}/${task.key.kind}`)) {
    // Followed batch by batch: a custom resource's kind is served only once its CRD (an earlier batch) is established.
    await deps.observer.track(collectionsOf(batch), deps.signal)
    if (deps.signal.aborted) return updates
    const written = await mapLimit(batch, deps.settings.parallelism, task => writeTask(task, deps))
    updates.push(...written)
    // A CRD the server refused will never be established: waiting would only replace its error.
    const accepted = new Set(written.filter(u => u.run.state !== 'Failed').map(u => u.taskId))
    const crds = batch.filter(t => t.key.kind === 'CustomResourceDefinition' && accepted.has(t.id))
    if (crds.length > 0) await establishCrds(crds, updates, deps)
  }
  return updates
}

/** The collections (kind and namespace) holding these tasks' objects, once each. */
export function collectionsOf(tasks: readonly Task[]) {
  const seen = new Map<string, { group: string; version: string; kind: string; namespace: string }>()
  for (const { key, version } of tasks)
    seen.set(`${key.group}/${key.kind}/${key.namespace}`, {
      group: key.group,
      version,
      kind: key.kind,
      namespace: key.namespace
    })
  return [...seen.values()]
}

/**
 * Sub-steps 1 and 3 for hooks: a leftover object from an earlier operation loses our finalizer; a
 * terminating one is waited for; with BeforeHookCreation it is deleted and confirmed gone. Hooks
 * that cannot be prepared are reported failed and not written.
 */
async function prepareHooks(writes: readonly Task[], deps: ExecDeps, updates: RunUpdate[]): Promise<Task[]> {
  // Each hook fails on its own (a GET, finalizer patch or deletion error is that hook's alone), so
  // mapLimit never rejects and no preparation is left running once the step moves on.
  const results = await mapLimit(writes, deps.settings.parallelism, task =>
    task.type === 'hook'
      ? prepareHook(task, deps).catch((error: unknown) => failed(task, keyedMessage(task, error), deps))
      : Promise.resolve(undefined)
  )
  const failedIds = new Set<string>()
  for (const update of results) {
    if (!update) continue
    updates.push(update)
    failedIds.add(update.taskId)
  }
  return writes.filter(task => !failedIds.has(task.id))
}

/** Sub-steps 1 and 3 for one hook: undefined when it may be created, else why it failed. */
async function prepareHook(task: Task, deps: ExecDeps): Promise<RunUpdate | undefined> {
  const live = await deps.cluster.get(refOf(task), deps.signal)
  if (!live) return undefined
  if (hasHookFinalizer(live)) await removeHookFinalizer(task, live.metadata.uid, deps)
  const policies = task.hook?.deletePolicies ?? []
  if (live.metadata.deletionTimestamp === undefined && !policies.includes('BeforeHookCreation'))
    return undefined
  const gone = await deleteAndWait(task, live, deps)
  if (gone === 'replaced')
    return failed(
      task,
      `another ${task.key.kind} named ${task.key.name} was created while the previous hook was being deleted (conflict)`,
      deps
    )
  return gone === 'gone'
    ? undefined
    : failed(
        task,
        `timed out after ${formatDuration(timeoutOf(task, deps.settings))} waiting for deletion of the previous ${task.key.kind} ${task.key.name}`,
        deps
      )
}

/** An error's message naming the task's object: cluster errors already do, others get the key. */
function keyedMessage(task: Task, error: unknown): string {
  if (error instanceof ClusterError && error.details.key) return errorMessage(error)
  return `${formatKey(task.key)}: ${errorMessage(error)}`
}

/** Sub-steps 5–6: the write itself; success leaves the task Running until health or completion says more. */
async function writeTask(task: Task, deps: ExecDeps): Promise<RunUpdate> {
  const kept = unchangedRun(task, deps)
  if (kept) return kept
  try {
    const before = deps.observer.observe(task.key, task.version)
    const sentAt = deps.clock.now()
    const written = task.type === 'hook' ? await writeHook(task, deps) : await writeResource(task, deps)
    deps.observer.put(written)
    const verb =
      before.kind !== 'present'
        ? 'created'
        : before.object.metadata.resourceVersion === written.metadata.resourceVersion
          ? 'unchanged'
          : 'configured'
    return {
      taskId: task.id,
      run: {
        state: 'Running',
        result: 'Synced',
        message: `${task.key.kind.toLowerCase()}/${task.key.name} ${verb}`,
        startedAt: sentAt,
        uid: written.metadata.uid,
        deadline: sentAt + timeoutOf(task, deps.settings)
      }
    }
  } catch (error) {
    return failed(task, errorMessage(error), deps)
  }
}

async function writeResource(task: Task, deps: ExecDeps): Promise<KubeObject> {
  const options = deps.settings.appOptions
  const write: Write = {
    object: objectToWrite(task, deps.settings.app),
    fieldValidation: fieldValidationOf(task, options),
    force: forcedOf(task, options)
  }
  if (replacedOf(task, options)) return replaceObject(task, write, deps)
  await migrateClientSideApply(task, deps)
  const { object, fieldValidation } = write
  try {
    return (await deps.cluster.apply(object, { force: true, fieldValidation, signal: deps.signal })).object
  } catch (error) {
    if (!write.force || !isImmutableRejection(error)) throw error
    return recreate(task, write, deps)
  }
}

/** One resource's write: the object as sent, its field validation, and whether Force=true. */
interface Write {
  object: KubeObject
  fieldValidation: FieldValidation
  force: boolean
}

/** Replace=true: PUT over the live object (create when absent); with Force, delete and create. */
async function replaceObject(task: Task, write: Write, deps: ExecDeps): Promise<KubeObject> {
  const options = { fieldValidation: write.fieldValidation, signal: deps.signal }
  const live = await deps.cluster.get(refOf(task), deps.signal)
  if (!live) return (await deps.cluster.create(write.object, options)).object
  if (write.force && !neverRecreated(task)) return recreate(task, write, deps)
  return (await deps.cluster.replace(replacing(write.object, live), options)).object
}

/** Force=true on an immutable field: delete, wait until gone, create (sync-semantics §2.5). */
async function recreate(task: Task, write: Write, deps: ExecDeps): Promise<KubeObject> {
  const live = await deps.cluster.get(refOf(task), deps.signal)
  if (live) {
    const gone = await deleteAndWait(task, live, deps)
    if (gone === 'replaced')
      throw new Error(
        `another ${task.key.kind} named ${task.key.name} appeared while the old one was being deleted (conflict)`
      )
    if (gone === 'timeout')
      throw new Error(
        `timed out waiting for ${task.key.kind} ${task.key.name} to be deleted before re-creating it`
      )
  }
  const options = { fieldValidation: write.fieldValidation, signal: deps.signal }
  return (await deps.cluster.create(write.object, options)).object
}

/** Hooks are created (POST) under their computed name; an existing one was handled by prepareHooks (§5.3). */
async function writeHook(task: Task, deps: ExecDeps): Promise<KubeObject> {
  const object = objectToWrite(task, deps.settings.app)
  const fieldValidation = fieldValidationOf(task, deps.settings.appOptions)
  await deps.beforeCreate?.(task)
  for (let attempt = 1; ; attempt++) {
    try {
      return (await deps.cluster.create(object, { fieldValidation, signal: deps.signal })).object
    } catch (error) {
      if (error instanceof ClusterError && error.details.reason === 'AlreadyExists') {
        // After a lost answer, the object in the way may be our own earlier create.
        const ours = attempt > 1 ? await createdAnyway(task, deps) : undefined
        return ours ?? applyOverExisting(task, object, error, deps)
      }
      if (!mayHaveHappened(error) || deps.signal.aborted) throw error
      // The answer was lost: if the server made it, it is ours; if not, sending it again is safe
      // (a create is never blindly repeated: each try first checks the last one did not happen).
      // A read-back that fails tells nothing; the next create does (AlreadyExists or created).
      let unread: unknown
      const created = await createdAnyway(task, deps).catch((readError: unknown) => {
        unread = readError
        return undefined
      })
      if (created) return created
      if (attempt >= CREATE_ATTEMPTS) throw unknownOutcome(error, unread)
      await deps.clock.sleep(250 * 2 ** attempt, deps.signal)
    }
  }
}

/** The last create's error, and why reading the hook back could not tell whether it was made. */
function unknownOutcome(error: unknown, unread: unknown): unknown {
  if (unread === undefined) return error
  return new Error(
    `${errorMessage(error)}; whether the hook was created is unknown: reading it back failed (${errorMessage(unread)})`,
    { cause: error }
  )
}

const CREATE_ATTEMPTS = 3

/** Named argo hooks are created once: apply over the existing object; its status decides (§5.3.3). */
async function applyOverExisting(
  task: Task,
  object: KubeObject,
  cause: ClusterError,
  deps: ExecDeps
): Promise<KubeObject> {
  if (task.hook?.family !== 'argo') {
    throw new Error(`hook object ${task.key.name} already exists and has no before-hook-creation policy`, {
      cause
    })
  }
  try {
    const fieldValidation = fieldValidationOf(task, deps.settings.appOptions)
    return (await deps.cluster.apply(object, { force: true, fieldValidation, signal: deps.signal })).object
  } catch (applyError) {
    if (!isImmutableRejection(applyError)) throw applyError
    throw new Error(`${errorMessage(applyError)} (add BeforeHookCreation or use generateName)`, {
      cause: applyError
    })
  }
}

/**
 * After an ambiguous create, the object under the hook's name is ours if it carries our tracking id
 * and finalizer (prepareHooks made sure no earlier object was there): adopt it, so it is awaited and
 * its finalizer removed like any created hook (§5.5.3). A failed GET is thrown: it tells nothing.
 */
export async function createdAnyway(task: Task, deps: ExecDeps): Promise<KubeObject | undefined> {
  const live = await deps.cluster.get(refOf(task), deps.signal)
  if (!live || !hasHookFinalizer(live)) return undefined
  return live.metadata.annotations?.[TRACKING_ANNOTATION] === trackingId(deps.settings.app, task.key)
    ? live
    : undefined
}

/**
 * Removes an obsolete object (prune) or an application's object (delete), with a uid precondition
 * (§7.4); a namespace only after listing it shows nothing of other applications (§10.2).
 */
async function removeObject(task: Task, deps: ExecDeps): Promise<RunUpdate> {
  const result = task.type === 'prune' ? 'Pruned' : 'Deleted'
  const now = deps.clock.now()
  // The run keeps the uid removed: only that object's disappearance completes the task (§7.4.4).
  const running = (uid: string | undefined): RunUpdate => ({
    taskId: task.id,
    run: {
      state: 'Running',
      result,
      message: result.toLowerCase(),
      startedAt: now,
      deadline: now + timeoutOf(task, deps.settings),
      uid
    }
  })
  try {
    const live = deps.observer.observe(task.key, task.version)
    const uid = task.removal?.uid ?? (live.kind === 'present' ? live.object.metadata.uid : undefined)
    if (
      live.kind === 'present' &&
      live.object.metadata.deletionTimestamp !== undefined &&
      live.object.metadata.uid === uid
    )
      return running(uid)
    const kept = await keptNamespace(task, deps)
    if (kept) return kept
    const options = {
      propagationPolicy: deps.settings.propagation,
      signal: deps.signal,
      ...(uid ? { uid } : {})
    }
    await deps.cluster.delete(refOf(task), options)
    return running(uid)
  } catch (error) {
    return failed(task, errorMessage(error), deps)
  }
}

/** Waits for each written CRD to be Established, then drops cached discovery (§4.4.4). */
async function establishCrds(crds: readonly Task[], updates: RunUpdate[], deps: ExecDeps): Promise<void> {
  for (const task of crds) {
    const deadline = deps.clock.now() + timeoutOf(task, deps.settings)
    while (!deps.signal.aborted) {
      const seen = deps.observer.observe(task.key, task.version)
      if (seen.kind === 'present' && established(seen.object)) break
      if (deps.clock.now() >= deadline) {
        updates.push(
          failed(
            task,
            `timed out after ${formatDuration(timeoutOf(task, deps.settings))} waiting for the CRD to be established`,
            deps
          )
        )
        break
      }
      await deps.observer.changeOr(deadline, deps.signal)
    }
  }
  deps.cluster.invalidateDiscovery()
}

function established(crd: KubeObject): boolean {
  return getArray(crd, ['status', 'conditions']).some(
    c => isRecord(c) && c['type'] === 'Established' && c['status'] === 'True'
  )
}

function failed(task: Task, message: string, deps: ExecDeps): RunUpdate {
  const now = deps.clock.now()
  return {
    taskId: task.id,
    run: { state: 'Failed', result: 'SyncFailed', message, startedAt: now, finishedAt: now }
  }
}
