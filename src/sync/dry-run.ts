import type { Cluster, PropagationPolicy } from '../cluster/port.js'
import { ClusterError } from '../model/errors.js'
import type { Task } from '../model/task.js'
import type { SyncOptions } from '../plan/annotations/sync-options.js'
import { optionValue } from '../plan/annotations/sync-options.js'
import { mapLimit } from './concurrency.js'
import { gvk } from './discover.js'
import { objectToWrite, refOf } from './objects.js'
import type { RunUpdate } from './types.js'
import { errorMessage } from './write-step.js'

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

export interface DryRunResult {
  /** Failed tasks, as SyncFailed updates; empty when everything passed. */
  failures: RunUpdate[]
  /** "dry run skipped: <reason>" per task id (§8.2), and API warnings. */
  notes: string[]
}

/**
 * The server-side dry run of every task with the exact request it will make later (sync-semantics
 * §8): apply for resources, create for hooks (under their computed names), DELETE for removals.
 * Nothing is written; the first failure does not stop the others, so all are reported.
 */
export async function dryRunTasks(tasks: readonly Task[], ctx: DryRunContext): Promise<DryRunResult> {
  const result: DryRunResult = { failures: [], notes: [] }
  await mapLimit(tasks, ctx.parallelism, async task => {
    const skip = skipReason(task, ctx)
    if (skip) {
      result.notes.push(`${task.key.kind} ${task.key.name}: dry run skipped: ${skip}`)
      return
    }
    try {
      const warnings = await dryRunOne(task, ctx)
      result.notes.push(...warnings.map(w => `${task.key.kind} ${task.key.name}: ${w}`))
    } catch (error) {
      result.failures.push({
        taskId: task.id,
        run: { state: 'Failed', result: 'SyncFailed', message: errorMessage(error) }
      })
    }
  })
  return result
}

function skipReason(task: Task, ctx: DryRunContext): string | undefined {
  if (task.removal?.action === 'skip') return 'nothing to do'
  if (
    !ctx.served.has(gvk(task.key.group, task.version, task.key.kind)) &&
    task.type !== 'prune' &&
    task.type !== 'delete'
  ) {
    return 'the kind is not served yet (its CRD is part of this operation, or SkipDryRunOnMissingResource=true)'
  }
  if (task.key.namespace !== '' && ctx.namespacesToCreate.has(task.key.namespace))
    return `namespace ${task.key.namespace} is created by this operation`
  return undefined
}

async function dryRunOne(task: Task, ctx: DryRunContext): Promise<string[]> {
  const signal = ctx.signal
  if (task.type === 'prune' || task.type === 'delete') {
    const uid = task.removal?.uid
    await ctx.cluster.delete(refOf(task), {
      propagationPolicy: ctx.propagation,
      dryRun: true,
      signal,
      ...(uid ? { uid } : {})
    })
    return []
  }
  const object = objectToWrite(task, ctx.app)
  if (task.type === 'hook') return dryRunHook(task, object, ctx)
  const fieldValidation =
    optionValue('Validate', task.syncOptions, ctx.appOptions) === 'false' ? 'Ignore' : 'Strict'
  try {
    return (await ctx.cluster.apply(object, { force: true, dryRun: true, fieldValidation, signal })).warnings
  } catch (error) {
    const force = optionValue('Force', task.syncOptions, ctx.appOptions) === 'true'
    if (
      force &&
      error instanceof ClusterError &&
      error.details.status === 422 &&
      /immutable/i.test(error.message)
    )
      return ['will be recreated (Force=true)']
    throw error
  }
}

async function dryRunHook(
  task: Task,
  object: Parameters<Cluster['create']>[0],
  ctx: DryRunContext
): Promise<string[]> {
  try {
    return (await ctx.cluster.create(object, { dryRun: true, signal: ctx.signal })).warnings
  } catch (error) {
    if (!(error instanceof ClusterError) || error.details.reason !== 'AlreadyExists') throw error
    if (task.hook?.deletePolicies.includes('BeforeHookCreation')) return []
    if (task.hook?.family !== 'argo')
      throw new Error(`hook object ${task.key.name} already exists and has no before-hook-creation policy`, {
        cause: error
      })
    return (await ctx.cluster.apply(object, { force: true, dryRun: true, signal: ctx.signal })).warnings
  }
}
