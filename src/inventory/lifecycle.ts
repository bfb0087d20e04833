import { createHash } from 'node:crypto'
import type { Cluster } from '../cluster/port.js'
import { mapLimit } from '../concurrency.js'
import { ClusterError } from '../model/errors.js'
import { formatKey, keyId } from '../model/key.js'
import type { KubeObject } from '../model/object.js'
import type { Task } from '../model/task.js'
import type { OperationKind } from '../model/vocabulary.js'
import type { Plan } from '../plan/plan.js'
import type { PreviousEntry, PreviousInventory } from '../plan/prune.js'
import { runOf } from '../sync/state.js'
import type { EngineState } from '../sync/types.js'
import type { HookRun, InventoryObject, InventoryRecord, RecordStatus } from './record.js'

// The previous record can list hundreds of objects: one GET each, but not all at once.
const GET_CONCURRENCY = 8

/** The previous inventory as read, and why entries were dropped (shown like the history's problems). */
export interface PreviousRead extends PreviousInventory {
  problems: string[]
}

/**
 * The previous record's objects with their live copies (one GET each), for pruning (§7.3). An entry
 * whose kind the server no longer serves (its CRD uninstalled) is dropped and reported (§7.2): were
 * it fatal, one removed CRD would block every later operation of the application. Any other error
 * still fails the operation: a forbidden or failed GET says nothing about whether the object exists.
 */
export async function previousInventory(
  record: InventoryRecord | undefined,
  cluster: Cluster,
  signal: AbortSignal
): Promise<PreviousRead | undefined> {
  if (!record) return undefined
  const entries = [...record.objects, ...record.retained].map(o => ({
    key: { group: o.group, kind: o.kind, namespace: o.namespace, name: o.name },
    version: o.version,
    createdNamespace: o.createdNamespace
  }))
  const read = await mapLimit(entries, GET_CONCURRENCY, entry => readEntry(entry, cluster, signal))
  const kept = read.filter(r => r.problem === undefined)
  return {
    entries: kept.map(r => r.entry),
    live: new Map(kept.flatMap(r => (r.object ? [[keyId(r.entry.key), r.object] as const] : []))),
    problems: read.flatMap(r => (r.problem !== undefined ? [r.problem] : []))
  }
}

interface EntryRead {
  entry: PreviousEntry
  object?: KubeObject
  /** Why the entry is dropped: its kind is no longer served. */
  problem?: string
}

async function readEntry(entry: PreviousEntry, cluster: Cluster, signal: AbortSignal): Promise<EntryRead> {
  try {
    const object = await cluster.get({ ...entry.key, version: entry.version }, signal)
    return object ? { entry, object } : { entry }
  } catch (error) {
    if (!isUnknownKind(error)) throw error
    const { group, kind } = entry.key
    const apiVersion = group === '' ? entry.version : `${group}/${entry.version}`
    return {
      entry,
      problem: `${formatKey(entry.key)}: the server no longer serves ${apiVersion} ${kind}; dropped from the inventory`
    }
  }
}

/** The adapter's answer for a kind discovery does not know (no request was sent). */
function isUnknownKind(error: unknown): boolean {
  return error instanceof ClusterError && error.details.reason === 'UnknownKind'
}

export interface RecordContext {
  app: string
  revision: number
  operation: OperationKind
  operationId: string
  commit: string
  paths: readonly string[]
  /** The desired documents as read, before names and namespaces are computed: a replay plans them afresh. */
  manifests: readonly KubeObject[]
  /** The git ref the manifests came from (GITHUB_REF), when known. */
  ref?: string
  startedAt: number
  runUrl?: string
  actor?: string
}

/** Record N+1 as created before the first write: `pending-<mode>`, the desired set, the manifests. */
export function pendingRecord(plan: Plan, ctx: RecordContext): InventoryRecord {
  return {
    schema: 1,
    app: ctx.app,
    revision: ctx.revision,
    status: pendingStatus(ctx.operation),
    source: {
      commit: ctx.commit,
      paths: [...ctx.paths],
      digest: manifestDigest(ctx.manifests),
      ...(ctx.ref ? { ref: ctx.ref } : {})
    },
    operation: {
      type: ctx.operation.type,
      ...(ctx.operation.mode ? { mode: ctx.operation.mode } : {}),
      id: ctx.operationId,
      startedAt: new Date(ctx.startedAt).toISOString(),
      ...(ctx.runUrl ? { runUrl: ctx.runUrl } : {}),
      ...(ctx.actor ? { actor: ctx.actor } : {})
    },
    objects: plan.tasks.filter(t => t.type === 'resource').map(t => inventoryObject(t)),
    retained: [],
    // Every planned hook under its computed name, before any is created: if this run dies, the next
    // operation's repair finds them and removes our finalizer (§5.5.2).
    hooks: plan.tasks.filter(t => t.type === 'hook').map(plannedHook),
    manifests: [...ctx.manifests]
  }
}

/** The record as the operation ends: status, uids, retained objects and each hook's last run. */
export function finishedRecord(
  record: InventoryRecord,
  state: EngineState,
  outcome: { status: RecordStatus; phase: string; message: string; finishedAt: number }
): InventoryRecord {
  const resources = state.tasks.filter(t => t.type === 'resource')
  const retained = state.tasks
    .filter(
      t => t.type === 'prune' && (t.removal?.action === 'skip' || runOf(state, t).state !== 'Succeeded')
    )
    .map(t => ({ ...inventoryObject(t), reason: t.removal?.reason ?? runOf(state, t).message }))
  return {
    ...record,
    status: outcome.status,
    operation: {
      ...record.operation,
      finishedAt: new Date(outcome.finishedAt).toISOString(),
      phase: outcome.phase,
      message: outcome.message
    },
    objects: resources.map(t => ({
      ...inventoryObject(t),
      ...(runOf(state, t).uid ? { uid: runOf(state, t).uid ?? '' } : {})
    })),
    retained,
    hooks: state.tasks
      .filter(t => t.type === 'hook' && runOf(state, t).state !== 'pending')
      .map(t => hookRun(t, state))
  }
}

function inventoryObject(task: Task): InventoryObject {
  return { ...task.key, version: task.version, wave: task.wave, createdNamespace: task.createdNamespace }
}

function plannedHook(task: Task): HookRun {
  return {
    key: task.key,
    version: task.version,
    family: task.hook?.family ?? 'argo',
    phase: task.phase,
    trigger: task.hook?.trigger ?? task.phase,
    state: 'pending',
    message: 'not started'
  }
}

function hookRun(task: Task, state: EngineState): HookRun {
  const run = runOf(state, task)
  return {
    key: task.key,
    version: task.version,
    ...(run.uid ? { uid: run.uid } : {}),
    family: task.hook?.family ?? 'argo',
    phase: task.phase,
    trigger: task.hook?.trigger ?? task.phase,
    state: run.state,
    message: run.message,
    ...(run.diagnostics?.reason ? { reason: run.diagnostics.reason } : {}),
    ...(run.startedAt !== undefined ? { startedAt: new Date(run.startedAt).toISOString() } : {}),
    ...(run.finishedAt !== undefined ? { finishedAt: new Date(run.finishedAt).toISOString() } : {})
  }
}

/** `pending-install`, `pending-upgrade`, `pending-rollback` or `pending-delete` (§7.2). */
function pendingStatus(operation: OperationKind): RecordStatus {
  if (operation.type === 'sync') return operation.mode === 'upgrade' ? 'pending-upgrade' : 'pending-install'
  if (operation.type === 'rollback') return 'pending-rollback'
  return 'pending-delete'
}

/** `sha256:<hex>` of the documents in order: two revisions with the same digest applied the same manifests. */
export function manifestDigest(manifests: readonly KubeObject[]): string {
  const hash = createHash('sha256')
  for (const manifest of manifests) hash.update(JSON.stringify(manifest)).update('\n')
  return `sha256:${hash.digest('hex')}`
}
