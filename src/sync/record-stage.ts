// The run's inventory record (sync-semantics §4.1.6, §4.1.8, §7.2): the previous run's leftovers
// repaired, record N+1 created pending before the first write, and closed with how the run ended.
import { pendingRecord } from '../inventory/lifecycle.js'
import type { ApiResource, Cluster } from '../cluster/port.js'
import { servingResource } from '../cluster/serving.js'
import type { HookRun, InventoryRecord } from '../inventory/record.js'
import { formatKey } from '../model/key.js'
import type { OperationType } from '../model/vocabulary.js'
import { closeRecord } from './record-close.js'
import { removeFinalizer } from './removal.js'
import type { EngineState } from './types.js'
import { errorMessage } from '../model/errors.js'
import type { OperationRun } from './operation-run.js'
import type { Ending } from './operation-report.js'
import { endingOf } from './operation-report.js'

/**
 * At operation start (§5.5.2, §7.2): a record left `pending-*` by a run that died is marked
 * failed, and completed hooks of the previous record lose a finalizer a killed run left on them.
 * Each hook is reached at the version its kind is served at now: a recorded version retired since
 * (a CRD serving v2 only) names the same object at the served one. A cancel stops the repair
 * (§4.9): the hooks not reached are named in a warning; the next operation repairs them.
 */
export async function repairPrevious(
  run: Pick<OperationRun, 'deps' | 'store' | 'warnings'>,
  latest: InventoryRecord | undefined
): Promise<void> {
  if (!latest) return
  const { cluster, signal } = run.deps
  if (latest.status.startsWith('pending-')) await markAbandoned(run, latest)
  const serving = servingOnce(cluster, signal)
  for (const [index, hook] of latest.hooks.entries()) {
    if (signal.aborted) return cutShort(run, latest, latest.hooks.slice(index))
    try {
      const resource = await serving({ ...hook.key, version: hook.version })
      // Served at no version (its CRD uninstalled): no object of the kind exists, so none carries
      // the finalizer; nothing left to do, as when the hook is NotFound.
      if (resource)
        await removeFinalizer(cluster, { ...hook.key, version: resource.version }, hook.uid, signal)
    } catch (error) {
      if (signal.aborted) return cutShort(run, latest, latest.hooks.slice(index))
      run.warnings.push(
        `${formatKey(hook.key)}: the hook finalizer left by revision ${latest.revision} was not removed (${errorMessage(error)})`
      )
    }
  }
}

/** The kind a record names, resolved once per group/version/kind (cluster/serving.ts). */
function servingOnce(
  cluster: Cluster,
  signal: AbortSignal
): (kind: { group: string; version: string; kind: string }) => Promise<ApiResource | undefined> {
  const resolved = new Map<string, Promise<ApiResource | undefined>>()
  return kind => {
    const id = `${kind.group}/${kind.version}/${kind.kind}`
    const known = resolved.get(id) ?? servingResource(cluster, kind, signal)
    resolved.set(id, known)
    return known
  }
}

/** The repair was cancelled before it reached these hooks: they may still carry the finalizer. */
function cutShort(
  run: Pick<OperationRun, 'warnings'>,
  latest: InventoryRecord,
  left: readonly HookRun[]
): void {
  const names = left.map(h => formatKey(h.key)).join(', ')
  run.warnings.push(
    `the operation was cancelled before it removed the hook finalizer revision ${latest.revision} may have left on ${names}; the next operation removes it`
  )
}

/** The dead run's record → failed; the warning says whether that worked. */
async function markAbandoned(
  run: Pick<OperationRun, 'store' | 'warnings'>,
  latest: InventoryRecord
): Promise<void> {
  const message = 'abandoned: the operation that started this revision did not finish'
  const left = `revision ${latest.revision} was left ${latest.status} by an operation that did not finish`
  try {
    await run.store.update({ ...latest, status: 'failed', operation: { ...latest.operation, message } })
    run.warnings.push(`${left}; marked failed`)
  } catch (error) {
    run.warnings.push(`${left}; it could not be marked failed: ${errorMessage(error)}`)
  }
}

/** Record N+1 as created before the first write: `pending-<mode>`, the desired set, the manifests. */
export function newRecord(
  run: Pick<OperationRun, 'settings' | 'plan' | 'prepared' | 'startedAt'>,
  revision: number
): InventoryRecord {
  const { settings, plan, prepared } = run
  return pendingRecord(plan, {
    app: settings.app,
    revision,
    operation: plan.operation,
    operationId: settings.operationId,
    commit: prepared.target?.source.commit ?? settings.revision,
    paths: settings.manifests,
    manifests: prepared.manifests.map(m => m.object),
    startedAt: run.startedAt,
    ...(settings.runUrl ? { runUrl: settings.runUrl } : {}),
    ...(settings.actor ? { actor: settings.actor } : {}),
    ...(settings.ref ? { ref: settings.ref } : {})
  })
}

/** Creates the run's record; how the run ends when it cannot go on, else undefined. */
export async function createRecord(
  run: Pick<OperationRun, 'deps' | 'store'>,
  record: InventoryRecord,
  initial: EngineState
): Promise<Ending | undefined> {
  // The caller checked for a lost lock and a cancel just before: nothing was awaited since.
  try {
    await run.store.create(record, run.deps.clock)
    return undefined
  } catch (error) {
    // Nothing but the namespace was written, or the record if the message says it may exist (§4.10).
    const message = `the inventory record could not be created: ${errorMessage(error)}`
    return { state: initial, phase: 'Error', message, revision: null }
  }
}

/** The record says how the run ended (record-close.ts); the run's ending, with the revision. */
export async function closeRun(
  run: OperationRun,
  record: InventoryRecord,
  state: EngineState,
  operation: OperationType
): Promise<Ending> {
  const { settings, deps, warnings, notes, store } = run
  const closer = { store, clock: deps.clock, signal: deps.signal, settings, warnings, notes }
  const unclosed = await closeRecord(closer, record, state, operation, run.prepared.records)
  const message = state.outcome?.message ?? ''
  const { revision } = record
  // The outcome stands, but the record does not say it: an Error naming the record (§7.2).
  if (unclosed) return { state, phase: 'Error', message: `${message}; ${unclosed}`, revision }
  return endingOf(state, revision)
}
