import { createHash } from 'node:crypto'
import type { Cluster } from '../cluster/port.js'
import { servingResource } from '../cluster/serving.js'
import { mapLimit } from '../concurrency.js'
import { formatKey, keyId } from '../model/key.js'
import type { KubeObject } from '../model/object.js'
import { apiVersionOf } from '../model/object.js'
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
 * The previous record's objects with their live copies (one GET each), for pruning (§7.3). Each
 * kind is resolved first: an entry recorded at a version the server no longer serves is read (and
 * later pruned) at one it does serve, as kubectl and Argo CD do. An entry whose kind the server
 * serves at no version (its CRD uninstalled) is dropped and reported (§7.2): were it fatal, one
 * removed CRD would block every later operation of the application. Any other error still fails
 * the operation: a forbidden or failed GET says nothing about whether the object exists.
 */
export async function previousInventory(
  record: InventoryRecord | undefined,
  cluster: Cluster,
  signal: AbortSignal
): Promise<PreviousRead | undefined> {
  if (!record) return undefined
  const recorded = [...record.objects, ...record.retained].map(o => ({
    key: { group: o.group, kind: o.kind, namespace: o.namespace, name: o.name },
    version: o.version,
    createdNamespace: o.createdNamespace
  }))
  const versions = await servedVersions(recorded, cluster, signal)
  const entries: PreviousEntry[] = []
  const problems: string[] = []
  for (const entry of recorded) {
    const version = versions.get(kindVersionId(entry))
    if (version !== undefined) entries.push({ ...entry, version })
    else problems.push(unservedProblem(entry))
  }
  const read = await mapLimit(entries, GET_CONCURRENCY, entry =>
    cluster.get({ ...entry.key, version: entry.version }, signal)
  )
  const live = new Map<string, KubeObject>()
  entries.forEach((entry, i) => {
    const object = read[i]
    if (object) live.set(keyId(entry.key), object)
  })
  return { entries, live, problems }
}

/**
 * The version to read each recorded group/version/kind at: the recorded one while it is served,
 * else any other the kind is served at; absent when none is. One discovery lookup per kind, not per entry.
 */
async function servedVersions(
  entries: readonly PreviousEntry[],
  cluster: Cluster,
  signal: AbortSignal
): Promise<Map<string, string>> {
  const kinds = new Map(entries.map(entry => [kindVersionId(entry), entry] as const))
  const resolved = await mapLimit([...kinds], GET_CONCURRENCY, async ([id, { key, version }]) => {
    const served = await servingResource(cluster, { group: key.group, version, kind: key.kind }, signal)
    return served ? [[id, served.version] as const] : []
  })
  return new Map(resolved.flat())
}

function kindVersionId({ key, version }: PreviousEntry): string {
  return `${key.group}/${version}/${key.kind}`
}

function unservedProblem({ key, version }: PreviousEntry): string {
  const apiVersion = apiVersionOf(key.group, version)
  return `${formatKey(key)}: the server no longer serves ${apiVersion} ${key.kind}, nor ${key.kind} at any other version; dropped from the inventory`
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
