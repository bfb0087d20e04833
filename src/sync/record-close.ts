// The end of an operation's revision record (sync-semantics §7.2): its final status, the previous
// `deployed` record superseded, the history trimmed or, after an uninstall, removed.
import type { Clock } from '../clock.js'
import { finishedRecord } from '../inventory/lifecycle.js'
import type { InventoryRecord } from '../inventory/record.js'
import { recordName } from '../inventory/record.js'
import { outlastOutage } from '../inventory/outage.js'
import type { InventoryStore } from '../inventory/store.js'
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

/**
 * Marks the operation's record with how it ended, then keeps the history true to it. Returns why
 * the record could not be marked (it stays `pending-*`), naming it; undefined when it was.
 */
export async function closeRecord(
  closer: RecordCloser,
  record: InventoryRecord,
  state: EngineState,
  operation: OperationType,
  earlier: readonly InventoryRecord[]
): Promise<string | undefined> {
  const phase = state.outcome?.phase ?? 'Failed'
  const status = phase !== 'Succeeded' ? 'failed' : operation === 'delete' ? 'uninstalled' : 'deployed'
  const message = state.outcome?.message ?? ''
  const finished = finishedRecord(record, state, { status, phase, message, finishedAt: closer.clock.now() })
  // A delete that removed the inventory namespace took the records with it (§10.1.7): nothing to mark.
  if (deletedNamespace(state, closer.settings.inventoryNamespace)) {
    closer.notes.push(`the inventory records went with namespace ${closer.settings.inventoryNamespace}`)
    return undefined
  }
  // Finishing must outlast a short API outage: a record left pending-* is the stuck state to avoid.
  try {
    await outlastOutage(() => closer.store.update(finished), closer.clock)
  } catch (error) {
    // Nothing more is written: superseding the previous `deployed` record would leave none deployed.
    const name = `${closer.settings.inventoryNamespace}/${recordName(record.app, record.revision)}`
    return `the inventory record ${name} is left ${record.status}: its final status (${status}) was not written (${errorMessage(error)}); the next operation marks it failed`
  }
  // One record is ever `deployed`: the new one, or none after an uninstall.
  if (status === 'deployed' || status === 'uninstalled') await supersede(closer, earlier, record.revision)
  if (status === 'uninstalled' && closer.settings.keepHistory !== true)
    await dropHistory(closer, [...earlier, finished])
  return undefined
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
