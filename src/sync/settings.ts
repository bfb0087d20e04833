import type { PropagationPolicy } from '../cluster/port.js'
import type { OperationName } from '../model/vocabulary.js'
import type { SyncOptions } from '../plan/annotations/sync-options.js'
import type { Guardrails } from '../plan/guardrails.js'
import type { RetryPolicy } from './retry.js'
import type { NamespaceMetadata } from '../plan/namespace-metadata.js'

/** Everything a sync operation is told; parsed and validated from flags or action inputs first. */
export interface SyncSettings {
  /** Application name: DNS-1123 label, ≤ 53 characters; unit of locking, inventory and pruning. */
  app: string
  /** Destination namespace for namespaced objects that name none. */
  namespace: string
  /** Where inventory records and the Lease live (default: the destination namespace). */
  inventoryNamespace: string
  /** Files, folders and globs of manifests, relative to the workspace. */
  manifests: string[]
  operation: OperationName
  /** Rollback: the revision to return to (default the newest deployed one before the latest). */
  rollbackTo?: number
  /** Delete: where the manifests come from; `inventory` (default) needs no checkout. */
  deleteManifests?: 'inventory' | 'repo'
  /** Delete: keep the inventory records instead of removing them with a successful delete. */
  keepHistory?: boolean
  /** Delete: allow deleting objects marked Delete=confirm. */
  confirmDelete?: boolean
  /** After a failed sync: uninstall (install) or roll back (upgrade), and still report failure (§9.8). */
  atomic?: boolean
  /** Namespaces and cluster-scoped kinds the operation may touch (undefined: no limit). */
  guardrails?: Guardrails
  /** Labels and annotations of the namespace CreateNamespace=true creates (managedNamespaceMetadata). */
  namespaceMetadata?: NamespaceMetadata
  /** Delete obsolete objects (off: they are reported). */
  prune: boolean
  /** Allow deleting objects marked Prune=confirm. */
  confirmPrune: boolean
  /** Allow pruning everything when the manifests hold no resources. */
  allowEmpty: boolean
  /** Stop after the server-side dry run. */
  dryRun: boolean
  /** Retries of a failed sync (§4.11); none when absent. */
  retry?: RetryPolicy
  /** Gate the last step on health (default true). */
  wait: boolean
  timeoutMs: number
  objectTimeoutMs: number
  waveDelayMs: number
  parallelism: number
  pollIntervalMs: number
  lockWaitMs: number
  historyMax: number
  syncOptions: SyncOptions
  skipHooks: string[]
  noHooks: boolean
  /** Source revision (commit SHA). */
  revision: string
  /** Operation id: CI run id + attempt, or a local one. */
  operationId: string
  /** Lock holder identity: repository, run, attempt, host. */
  holder: string
  runUrl?: string
  actor?: string
  /** The git ref (GITHUB_REF), recorded with the revision. */
  ref?: string
}

export const DEFAULTS = {
  timeoutMs: 30 * 60_000,
  objectTimeoutMs: 5 * 60_000,
  waveDelayMs: 0,
  parallelism: 10,
  pollIntervalMs: 2000,
  lockWaitMs: 5 * 60_000,
  historyMax: 10
} as const

/** PrunePropagationPolicy, default foreground (sync-semantics §2.5). */
export function propagationOf(options: SyncOptions): PropagationPolicy {
  const value = options['PrunePropagationPolicy'] ?? 'foreground'
  return value === 'background' ? 'Background' : value === 'orphan' ? 'Orphan' : 'Foreground'
}
