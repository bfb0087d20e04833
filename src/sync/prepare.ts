import type { InventoryRecord } from '../inventory/record.js'
import { previousInventory } from '../inventory/lifecycle.js'
import type { InventoryStore } from '../inventory/store.js'
import type { Issue } from '../model/issue.js'
import { compareIssues } from '../model/issue.js'
import type { Manifest } from '../model/manifest.js'
import { loadManifests } from '../manifests/load.js'
import type { ManifestSource } from '../manifests/source.js'
import type { Plan, PlanInput } from '../plan/plan.js'
import { buildPlan } from '../plan/plan.js'
import { offlineScope } from '../plan/scope.js'
import { desiredDocuments } from './desired.js'
import { discoverKinds } from './discover.js'
import type { OperationDeps } from './operation.js'
import type { SyncSettings } from './settings.js'

/**
 * Planning an operation against one reading of the release history (sync-semantics §4.1.1–4.1.4):
 * the history, the desired documents it implies, discovery, the previous inventory, the plan.
 * Redone under the lock when another operation moved the history meanwhile.
 */
export async function prepareOperation(
  settings: SyncSettings,
  deps: OperationDeps,
  store: InventoryStore,
  preloaded: Manifest[] | undefined,
  startedAt: number
): Promise<Prepared> {
  // The repository's manifests are known before the history is: their kinds are discovered meanwhile.
  const early = preloaded
    ? discoverKinds(preloaded, deps.cluster, settings.syncOptions, deps.signal)
    : undefined
  early?.catch(() => undefined) // awaited below when used; a failure must not go unhandled meanwhile
  const history = await readHistory(store, settings, deps)
  const latest = history.records[history.records.length - 1]
  const desired = await desiredDocuments(settings, deps.source, history.records, preloaded)
  // A record's manifests were valid when applied: kinds retired since are resolved, not refused.
  const origin = desired.target !== undefined ? 'record' : 'repository'
  const discovered =
    early && desired.manifests === preloaded
      ? await early
      : await discoverKinds(desired.manifests, deps.cluster, settings.syncOptions, deps.signal, origin)
  const previous = await previousInventory(latest, deps.cluster, deps.signal)
  const input: PlanInput = {
    app: settings.app,
    manifests: desired.manifests,
    operation: desired.operation,
    namespace: settings.namespace,
    revision: settings.revision,
    startedAt: Math.floor(startedAt / 1000),
    scope: discovered.scope,
    appOptions: settings.syncOptions,
    hooks: { none: settings.noHooks, skip: settings.skipHooks },
    ...(settings.guardrails ? { guardrails: settings.guardrails } : {}),
    ...(settings.namespaceMetadata ? { namespaceMetadata: settings.namespaceMetadata } : {}),
    prune: { enabled: settings.prune, confirmed: settings.confirmPrune, allowEmpty: settings.allowEmpty },
    deletion: {
      confirmed: settings.confirmDelete ?? false,
      createdNamespaces: createdNamespaces(history.records)
    },
    ...(previous ? { previous } : {}),
    ...(discovered.retired ? { retiredKinds: discovered.retired } : {})
  }
  const plan = buildPlan(input)
  const problems = [...history.problems, ...(previous?.problems ?? [])].map(p => notice(`inventory: ${p}`))
  return {
    plan,
    // A retry's generated hook names carry its own start (§4.11, §5.2); nothing else changes.
    planAt: (attemptStartedAt: number) =>
      buildPlan({ ...input, startedAt: Math.floor(attemptStartedAt / 1000) }),
    latest,
    records: history.records,
    issues: [...desired.issues, ...plan.issues, ...problems].sort(compareIssues),
    manifests: desired.manifests,
    target: desired.target,
    served: discovered.served,
    discoveryIssues: [...discovered.issues, ...plan.unserved]
  }
}

/**
 * The repository's manifests (for the operations that read them), loaded and planned with the
 * built-in scope: every file, YAML and annotation problem is found without a cluster (§4.1.1).
 */
export async function validateOffline(
  settings: SyncSettings,
  source: ManifestSource,
  startedAt: number
): Promise<{ manifests: Manifest[] | undefined; issues: Issue[] }> {
  if (!readsRepository(settings)) return { manifests: undefined, issues: [] }
  // The files that parsed are planned too, so one broken file does not hide the others' problems.
  const loaded = await loadManifests(source, settings.manifests)
  const plan = buildPlan({
    app: settings.app,
    manifests: loaded.manifests,
    operation: {
      type: settings.operation === 'delete' ? 'delete' : 'sync',
      mode: settings.operation === 'upgrade' ? 'upgrade' : 'install'
    },
    namespace: settings.namespace,
    revision: settings.revision,
    startedAt: Math.floor(startedAt / 1000),
    scope: offlineScope(loaded.manifests),
    appOptions: settings.syncOptions,
    hooks: { none: settings.noHooks, skip: settings.skipHooks },
    ...(settings.guardrails ? { guardrails: settings.guardrails } : {}),
    ...(settings.namespaceMetadata ? { namespaceMetadata: settings.namespaceMetadata } : {})
  })
  return { manifests: loaded.manifests, issues: [...loaded.issues, ...plan.issues].sort(compareIssues) }
}

/** Syncs read the repository; so does a delete told to (delete-manifests: repo). */
export function readsRepository(settings: SyncSettings): boolean {
  return (
    ['sync', 'install', 'upgrade'].includes(settings.operation) ||
    (settings.operation === 'delete' && settings.deleteManifests === 'repo')
  )
}

/**
 * Namespaces any revision says wavesync created (CreateNamespace): a delete removes them last.
 * Any revision, not only the latest: a rollback without CreateNamespace still found it created.
 */
function createdNamespaces(records: readonly InventoryRecord[]): string[] {
  const names = records.flatMap(r =>
    r.objects.filter(o => o.createdNamespace && o.kind === 'Namespace').map(o => o.name)
  )
  return [...new Set(names)]
}

/** What planning produced against one reading of the history; redone if the history moved meanwhile. */
export interface Prepared {
  plan: Plan
  /** The same plan for an attempt started at another time (ms): only generated hook names differ. */
  planAt: (attemptStartedAt: number) => Plan
  latest: InventoryRecord | undefined
  records: InventoryRecord[]
  issues: Issue[]
  /** The desired documents as read (before names and namespaces are computed): what the record stores. */
  manifests: Manifest[]
  /** Rollback: the revision replayed; test: the revision tested. */
  target: InventoryRecord | undefined
  /** Kinds the server serves now (`group/version/kind`), from discovery. */
  served: ReadonlySet<string>
  /**
   * Kinds the server does not serve and nothing excuses (§4.1.2), and objects of a record the
   * server cannot take as recorded (plan/recorded-kinds.ts): the operation fails before any write.
   */
  discoveryIssues: Issue[]
}

/**
 * True when the newest record is no longer the one planned against: another operation finished (or
 * died) meanwhile. Only the history is read; re-planning is for when it moved.
 */
export async function historyMoved(
  prepared: Prepared,
  deps: OperationDeps,
  store: InventoryStore
): Promise<boolean> {
  // Called under the lock, whose Lease lives in the inventory namespace: no need to check it exists.
  const { records } = await store.history(deps.signal)
  const latest = records[records.length - 1]
  return latest?.revision !== prepared.latest?.revision || latest?.status !== prepared.latest?.status
}

async function readHistory(store: InventoryStore, settings: SyncSettings, deps: OperationDeps) {
  const ref = {
    group: '',
    version: 'v1',
    kind: 'Namespace',
    namespace: '',
    name: settings.inventoryNamespace
  }
  const exists = (await deps.cluster.get(ref, deps.signal)) !== undefined
  return exists ? store.history(deps.signal) : { records: [], problems: [] }
}

function notice(message: string): Issue {
  return { severity: 'warning', file: '(inventory)', line: 0, message }
}
