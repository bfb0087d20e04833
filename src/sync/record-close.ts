// The end of an operation's revision record (sync-semantics §7.2): its final status, the previous
// `deployed` record superseded, the history trimmed or, after an uninstall, removed.
import type { Clock } from '../clock.js'
import { finishedRecord } from '../inventory/lifecycle.js'
import type { InventoryRecord } from '../inventory/record.js'
import type { InventoryStore } from '../inventory/store.js'
import { ClusterError } from '../model/errors.js'
import type { OperationType } from '../model/vocabulary.js'
import type { SyncSettings } from './settings.js'
import type { EngineState } from './types.js'
import { errorMessage } from '../model/errors.js'

/** What closing a record needs, and where its problems and notes go (none of them fails the run). */
export interface RecordCloser {
  store: InventoryStore
  clock: Clock
  signal: AbortSignal
  settings: Pick<SyncSettings, 'inventoryNamespace' | 'keepHistory' | 'historyMax'>
  warnings: string[]
  notes: string[]
}

/** Marks the operation's record with how it ended, then keeps the history true to it. */
export async function closeRecord(
  closer: RecordCloser,
  record: InventoryRecord,
  state: EngineState,
  operation: OperationType,
  earlier: readonly InventoryRecord[]
): Promise<void> {
  const phase = state.outcome?.phase ?? 'Failed'
  const status = phase !== 'Succeeded' ? 'failed' : operation === 'delete' ? 'uninstalled' : 'deployed'
  const message = state.outcome?.message ?? ''
  const finished = finishedRecord(record, state, { status, phase, message, finishedAt: closer.clock.now() })
  // A delete that removed the inventory namespace took the records with it (§10.1.7): nothing to mark.
  if (deletedNamespace(state, closer.settings.inventoryNamespace)) {
    closer.notes.push(`the inventory records went with namespace ${closer.settings.inventoryNamespace}`)
    return
  }
  // Finishing must outlast a short API outage: a record left pending-* is the stuck state to avoid.
  await persist(() => closer.store.update(finished), closer.clock).catch(error =>
    closer.warnings.push(`inventory record not updated: ${errorMessage(error)}`)
  )
  // One record is ever `deployed`: the new one, or none after an uninstall.
  if (status === 'deployed' || status === 'uninstalled') await supersede(closer, earlier, record.revision)
  if (status === 'uninstalled' && closer.settings.keepHistory !== true)
    await dropHistory(closer, [...earlier, finished])
}

/** Previous `deployed` records become `superseded`; then the history is trimmed. */
async function supersede(
  closer: RecordCloser,
  records: readonly InventoryRecord[],
  revision: number
): Promise<void> {
  for (const record of records.filter(r => r.status === 'deployed')) {
    await closer.store
      .update({ ...record, status: 'superseded' })
      .catch(error =>
        closer.warnings.push(`revision ${record.revision} not marked superseded: ${errorMessage(error)}`)
      )
  }
  const all = [
    ...records.map(r => ({
      revision: r.revision,
      status: r.status === 'deployed' ? ('superseded' as const) : r.status
    })),
    { revision, status: 'deployed' as const }
  ]
  await closer.store
    .trim(all, closer.settings.historyMax)
    .catch(error => closer.warnings.push(`history trimming failed: ${errorMessage(error)}`))
}

/** A successful delete removes every record (§7.2 History), unless keep-history. */
async function dropHistory(closer: RecordCloser, records: readonly InventoryRecord[]): Promise<void> {
  await closer.store
    .removeAll(records, closer.signal)
    .catch(error => closer.warnings.push(`history not removed: ${errorMessage(error)}`))
}

/** True when this operation deleted the namespace (NamespaceCleanup ended `Deleted`). */
function deletedNamespace(state: EngineState, namespace: string): boolean {
  return state.tasks.some(task => {
    if (task.phase !== 'NamespaceCleanup' || task.key.kind !== 'Namespace' || task.key.name !== namespace)
      return false
    const run = state.runs.get(task.id)
    return run?.state === 'Succeeded' && run.result === 'Deleted'
  })
}

/**
 * Retries a finishing write for up to ~30 s (1, 2, 4, 8, 15 s) while the API server is unreachable
 * or failing; the operation's own cancellation does not stop it (finishing is cleanup).
 */
async function persist(write: () => Promise<void>, clock: Clock): Promise<void> {
  for (const wait of [1000, 2000, 4000, 8000, 15000, 0]) {
    try {
      return await write()
    } catch (error) {
      const transient =
        error instanceof ClusterError &&
        (error.details.status === undefined || error.details.status >= 500 || error.details.status === 429)
      if (!transient || wait === 0) throw error
      await clock.sleep(wait)
    }
  }
}
