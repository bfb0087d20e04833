// ClientSideApplyMigration (sync-semantics §2.5): an object last written by `kubectl apply`
// (client-side) has its fields owned by the Update manager `kubectl-client-side-apply`. Server-side
// apply only removes fields its own manager owned, so a field dropped from the manifest would stay
// forever. Before the first server-side apply, that manager's fields move to wavesync's Apply entry
// (as client-go's csaupgrade does, and Argo CD ≥ 3.3 by default); `false` turns this off.
import { ClusterError, errorMessage } from '../model/errors.js'
import { isRecord } from '../model/json.js'
import type { JsonObject, JsonValue } from '../model/json.js'
import type { KubeObject } from '../model/object.js'
import type { SyncOptions } from '../plan/annotations/sync-options.js'
import type { Task } from '../model/task.js'
import type { ExecDeps } from './execute.js'
import { unionFieldsV1 } from './fields-v1.js'
import { refOf } from './objects.js'
import { FIELD_MANAGER } from '../model/tracking.js'

/** The manager `kubectl apply` (client-side) records its writes under. */
const CSA_MANAGER = 'kubectl-client-side-apply'

/**
 * The managedFields after migration, or undefined when there is nothing to move: the CSA
 * manager's `Update` entry (main resource, not a subresource) is merged into wavesync's `Apply`
 * entry, or becomes it when wavesync never applied. Other entries are kept as they are.
 */
export function migratedManagedFields(managedFields: readonly unknown[]): JsonValue[] | undefined {
  const entries = managedFields.filter(isJsonObject)
  const csa = entries.findIndex(e => isEntry(e, CSA_MANAGER, 'Update'))
  const csaEntry = entries[csa]
  if (!csaEntry) return undefined
  const ssa = entries.findIndex(e => isEntry(e, FIELD_MANAGER, 'Apply'))
  const ssaEntry = entries[ssa]
  if (!ssaEntry) {
    const renamed = { ...csaEntry, manager: FIELD_MANAGER, operation: 'Apply' }
    return entries.map((entry, i) => (i === csa ? renamed : entry))
  }
  const merged = { ...ssaEntry, fieldsV1: unionFieldsV1(fieldsOf(ssaEntry), fieldsOf(csaEntry)) }
  return entries.flatMap((entry, i) => (i === csa ? [] : i === ssa ? [merged] : [entry]))
}

/**
 * The JSON patch migrating a live object, or undefined when it needs none. The `test` on
 * resourceVersion makes it safe against concurrent writers: a changed object rejects it.
 */
export function migrationPatch(live: KubeObject): JsonValue[] | undefined {
  const managedFields = live.metadata['managedFields']
  const resourceVersion = live.metadata.resourceVersion
  if (!Array.isArray(managedFields) || resourceVersion === undefined) return undefined
  const migrated = migratedManagedFields(managedFields)
  if (!migrated) return undefined
  return [
    { op: 'test', path: '/metadata/resourceVersion', value: resourceVersion },
    { op: 'replace', path: '/metadata/managedFields', value: migrated }
  ]
}

/**
 * True when the write of this live object would first move kubectl-client-side-apply's fields to
 * wavesync: such an object is never "unchanged" (ApplyOutOfSyncOnly), or the migration, and with
 * it the removal of fields the manifest dropped, would never happen.
 */
export function awaitsMigration(live: KubeObject, appOptions: SyncOptions): boolean {
  return appOptions['ClientSideApplyMigration'] !== 'false' && migrationPatch(live) !== undefined
}

/**
 * Migrates the live object of a resource task before its server-side apply, unless the
 * application sets ClientSideApplyMigration=false. Reads the Observer's copy (tracked before each
 * batch); when the patch is rejected because the object moved on, reads it again and tries once
 * more. A second rejection fails the write with a message: never a silent skip.
 */
export async function migrateClientSideApply(task: Task, deps: ExecDeps): Promise<void> {
  // An application-level option only (sync-semantics §2.5): objects' own sync-options do not turn it off.
  if (deps.settings.appOptions['ClientSideApplyMigration'] === 'false') return
  const seen = deps.observer.observe(task.key, task.version)
  if (seen.kind !== 'present') return
  const first = migrationPatch(seen.object)
  if (!first) return
  try {
    await deps.cluster.jsonPatch(refOf(task), first, deps.signal)
  } catch (error) {
    if (!(error instanceof ClusterError)) throw error
    const live = await deps.cluster.get(refOf(task), deps.signal)
    const again = live && migrationPatch(live)
    if (!again) return
    await deps.cluster.jsonPatch(refOf(task), again, deps.signal).catch((retryError: unknown) => {
      throw new Error(
        `could not move ${CSA_MANAGER} field ownership to ${FIELD_MANAGER} (the object kept changing): ${errorMessage(retryError)}; sync again, or set ClientSideApplyMigration=false`,
        { cause: retryError }
      )
    })
  }
}

function isEntry(entry: JsonObject, manager: string, operation: string): boolean {
  const subresource = entry['subresource']
  return (
    entry['manager'] === manager &&
    entry['operation'] === operation &&
    (subresource === undefined || subresource === '')
  )
}

function fieldsOf(entry: JsonObject): JsonObject {
  const fields = entry['fieldsV1']
  return isJsonObject(fields) ? fields : {}
}

/** managedFields come from the server as JSON: a record there is a JSON object. */
function isJsonObject(value: unknown): value is JsonObject {
  return isRecord(value)
}
