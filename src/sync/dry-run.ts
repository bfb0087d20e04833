import type { Cluster, PropagationPolicy } from '../cluster/port.js'
import { ClusterError } from '../model/errors.js'
import type { KubeObject } from '../model/object.js'
import type { Task } from '../model/task.js'
import type { SyncOptions } from '../plan/annotations/sync-options.js'
import { mapLimit } from '../concurrency.js'
import { gvk } from './discover.js'
import {
  fieldValidationOf,
  forcedOf,
  isImmutableRejection,
  neverRecreated,
  objectToWrite,
  refOf,
  replacedOf,
  replacing
} from './objects.js'
import type { RunUpdate } from './types.js'
import { errorMessage } from '../model/errors.js'

export interface DryRunContext {
  cluster: Cluster
  app: string
  appOptions: SyncOptions
  parallelism: number
  propagation: PropagationPolicy
  served: ReadonlySet<string>
  /** Namespaces that do not exist yet and that this operation creates. */
  namespacesToCreate: ReadonlySet<string>
  signal: AbortSignal
}

/**
 * What a passed dry run says the task would do (§8.4): `applied` with the server's answer (the
 * object as it would be stored), `recreated` (deleted first: Force=true on an immutable field, or a
 * hook's BeforeHookCreation), `created` (a hook's POST), `existing` (a named argo hook already
 * there: applied over, its status decides), `removed` (a prune's or delete's DELETE).
 */
export type DryOutcome =
  | { type: 'applied'; object: KubeObject }
  | { type: 'recreated'; why: string }
  | { type: 'created' }
  | { type: 'existing' }
  | { type: 'removed' }

export interface DryRunResult {
  /** Failed tasks, as SyncFailed updates; empty when everything passed. */
  failures: RunUpdate[]
  /** Tasks whose dry run passed, by task id. */
  passed: Map<string, DryOutcome>
  /** Tasks whose dry run was skipped (§8.2), by task id: why. */
  skipReasons: Map<string, string>
  /** `Warning:` headers the server sent (deprecated APIs, unknown fields with Warn). */
  warnings: string[]
}

/**
 * The server-side dry run of every task with the exact request it will make later (sync-semantics
 * §8): apply for resources (PUT or create with Replace=true), create for hooks (under their
 * computed names), DELETE for removals.
 * Nothing is written; the first failure does not stop the others, so all are reported.
 */
export async function dryRunTasks(tasks: readonly Task[], ctx: DryRunContext): Promise<DryRunResult> {
  const result: DryRunResult = {
    failures: [],
    passed: new Map(),
    skipReasons: new Map(),
    warnings: []
  }
  await mapLimit(tasks, ctx.parallelism, async task => {
    try {
      // Inside the try: a discovery error fails this task's dry run, not the whole stage.
      const skip = await skipReason(task, ctx)
      if (skip) {
        result.skipReasons.set(task.id, skip)
        return
      }
      const { warnings, outcome } = await dryRunOne(task, ctx)
      result.warnings.push(...warnings.map(w => `${task.key.kind} ${task.key.name}: ${w}`))
      result.passed.set(task.id, outcome)
    } catch (error) {
      result.failures.push({
        taskId: task.id,
        run: { state: 'Failed', result: 'SyncFailed', message: errorMessage(error) }
      })
    }
  })
  return result
}

/**
 * One line per reason, objects in plan order: `dry run skipped for 3 object(s) (namespace shop is
 * created by this operation): …`.
 */
export function skippedLines(tasks: readonly Task[], reasons: ReadonlyMap<string, string>): string[] {
  const skipped = new Map<string, string[]>()
  for (const task of tasks) {
    const reason = reasons.get(task.id)
    if (reason !== undefined)
      skipped.set(reason, [...(skipped.get(reason) ?? []), `${task.key.kind} ${task.key.name}`])
  }
  return [...skipped].map(
    ([reason, objects]) =>
      `dry run skipped for ${objects.length} object(s) (${reason}): ${objects.join(', ')}`
  )
}

async function skipReason(task: Task, ctx: DryRunContext): Promise<string | undefined> {
  if (task.removal?.action === 'skip') return 'nothing to do'
  const removal = task.type === 'prune' || task.type === 'delete'
  // Tasks the planner made (the CreateNamespace namespace) have kinds discovery was not asked about yet.
  const served =
    ctx.served.has(gvk(task.key.group, task.version, task.key.kind)) ||
    (await ctx.cluster.resource(task.key.group, task.version, task.key.kind, ctx.signal)) !== undefined
  if (!removal && !served)
    return 'the kind is not served yet: its CRD is part of this operation, or SkipDryRunOnMissingResource=true'
  if (task.key.namespace !== '' && ctx.namespacesToCreate.has(task.key.namespace))
    return `namespace ${task.key.namespace} is created by this operation`
  return undefined
}

interface Passed {
  warnings: string[]
  outcome: DryOutcome
}

async function dryRunOne(task: Task, ctx: DryRunContext): Promise<Passed> {
  const signal = ctx.signal
  if (task.type === 'prune' || task.type === 'delete') {
    const uid = task.removal?.uid
    await ctx.cluster.delete(refOf(task), {
      propagationPolicy: ctx.propagation,
      dryRun: true,
      signal,
      ...(uid ? { uid } : {})
    })
    return { warnings: [], outcome: { type: 'removed' } }
  }
  const object = objectToWrite(task, ctx.app)
  if (task.type === 'hook') return dryRunHook(task, object, ctx)
  if (replacedOf(task, ctx.appOptions)) return dryRunReplace(task, object, ctx)
  const fieldValidation = fieldValidationOf(task, ctx.appOptions)
  try {
    const answer = await ctx.cluster.apply(object, { force: true, dryRun: true, fieldValidation, signal })
    return { warnings: answer.warnings, outcome: { type: 'applied', object: answer.object } }
  } catch (error) {
    if (forcedOf(task, ctx.appOptions) && isImmutableRejection(error)) return WILL_BE_RECREATED
    throw error
  }
}

const WILL_BE_RECREATED: Passed = {
  warnings: ['will be recreated (Force=true)'],
  outcome: { type: 'recreated', why: 'Force=true and an immutable field changed' }
}

/**
 * Replace=true, dry-run as it will be written (write-step.ts `replaceObject`): create when absent,
 * else PUT with the live resourceVersion. With Force=true (not for CRDs and Namespaces) the real
 * write deletes and creates: the PUT still checks the body (an immutable-field rejection is what
 * Force is for, so it passes, §8.2) and the DELETE is dry-run as it will be sent.
 */
async function dryRunReplace(task: Task, object: KubeObject, ctx: DryRunContext): Promise<Passed> {
  const options = {
    dryRun: true,
    fieldValidation: fieldValidationOf(task, ctx.appOptions),
    signal: ctx.signal
  }
  const live = await ctx.cluster.get(refOf(task), ctx.signal)
  if (!live) {
    const { warnings } = await ctx.cluster.create(object, options)
    return { warnings, outcome: { type: 'created' } }
  }
  const recreate = forcedOf(task, ctx.appOptions) && !neverRecreated(task)
  try {
    const answer = await ctx.cluster.replace(replacing(object, live), options)
    if (!recreate) return { warnings: answer.warnings, outcome: { type: 'applied', object: answer.object } }
  } catch (error) {
    if (!recreate || !isImmutableRejection(error)) throw error
  }
  await ctx.cluster.delete(refOf(task), {
    propagationPolicy: ctx.propagation,
    dryRun: true,
    signal: ctx.signal,
    uid: live.metadata.uid ?? ''
  })
  return {
    warnings: [],
    outcome: { type: 'recreated', why: 'Replace=true and Force=true: deleted, then created' }
  }
}

async function dryRunHook(task: Task, object: KubeObject, ctx: DryRunContext): Promise<Passed> {
  const fieldValidation = fieldValidationOf(task, ctx.appOptions)
  try {
    const { warnings } = await ctx.cluster.create(object, {
      dryRun: true,
      fieldValidation,
      signal: ctx.signal
    })
    return { warnings, outcome: { type: 'created' } }
  } catch (error) {
    if (!(error instanceof ClusterError) || error.details.reason !== 'AlreadyExists') throw error
    if (task.hook?.deletePolicies.includes('BeforeHookCreation'))
      return {
        warnings: [],
        outcome: { type: 'recreated', why: 'BeforeHookCreation deletes the existing one first' }
      }
    if (task.hook?.family !== 'argo')
      throw new Error(`hook object ${task.key.name} already exists and has no before-hook-creation policy`, {
        cause: error
      })
    const { warnings } = await ctx.cluster.apply(object, {
      force: true,
      dryRun: true,
      fieldValidation,
      signal: ctx.signal
    })
    return { warnings, outcome: { type: 'existing' } }
  }
}
