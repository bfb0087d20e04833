// ClientSideApplyMigration (sync-semantics §2.5): an object last written by `kubectl apply`
// (client-side) has its fields owned by the Update manager `kubectl-client-side-apply`. Server-side
// apply only removes fields its own manager owned, so a field dropped from the manifest would stay
// forever. Before the first server-side apply, the client-side appliers' fields move to wavesync's
// Apply entry (as `kubectl apply --server-side` does with client-go's csaupgrade, and Argo CD ≥ 3.3
// by default); `false` turns this off.
import { isConflict } from '../cluster/errors.js'
import { errorMessage } from '../model/errors.js'
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

/** The annotation every client-side apply writes: its owners are the client-side appliers. */
const LAST_APPLIED = 'f:kubectl.kubernetes.io/last-applied-configuration'

/** Patch attempts while the object keeps changing under us (kubectl's own bound). */
const MAX_ATTEMPTS = 5

/**
 * The Update managers whose fields move to wavesync: kubectl's, and every other one owning the
 * last-applied annotation, which only client-side appliers write (an older kubectl's `kubectl`,
 * Argo CD's `argocd-controller` before server-side apply), as `kubectl apply --server-side` finds
 * them. Sorted, so the result does not depend on the entries' order.
 */
export function clientSideManagers(entries: readonly JsonObject[]): string[] {
  const names = new Set([CSA_MANAGER])
  for (const entry of entries) {
    const manager = entry['manager']
    if (
      typeof manager === 'string' &&
      manager !== FIELD_MANAGER &&
      isMainUpdate(entry) &&
      ownsLastApplied(entry)
    )
      names.add(manager)
  }
  return [...names].sort()
}

/**
 * The managedFields after migration, or undefined when there is nothing to move. For each
 * client-side manager: its fields of the same apiVersion merge into wavesync's `Apply` entry (field
 * paths of another version may not mean the same fields); when wavesync never applied, the
 * manager's first entry listed becomes that entry. Then
 * every `Update` entry of the manager on the main resource goes, so the migration happens once.
 */
export function migratedManagedFields(managedFields: readonly unknown[]): JsonValue[] | undefined {
  const entries = managedFields.filter(isJsonObject)
  const migrated = clientSideManagers(entries).reduce(migrateManager, entries)
  return migrated === entries ? undefined : [...migrated]
}

/** One manager's migration; the same array back when it has no entry to move. */
function migrateManager(entries: readonly JsonObject[], manager: string): readonly JsonObject[] {
  const isClientSide = (entry: JsonObject): boolean => isEntry(entry, manager, 'Update')
  if (!entries.some(isClientSide)) return entries
  const working = [...entries]
  let target = working.findIndex(e => isEntry(e, FIELD_MANAGER, 'Apply'))
  if (target < 0) {
    target = working.findIndex(isClientSide)
    working[target] = { ...(working[target] ?? {}), manager: FIELD_MANAGER, operation: 'Apply' }
  }
  const apply = working[target] ?? {}
  const sameVersion = working.find(e => isClientSide(e) && e['apiVersion'] === apply['apiVersion'])
  if (sameVersion)
    working[target] = { ...apply, fieldsV1: unionFieldsV1(fieldsOf(apply), fieldsOf(sameVersion)) }
  return working.filter(entry => !isClientSide(entry))
}

/**
 * The JSON patch migrating a live object, or undefined when it needs none. Setting the
 * resourceVersion read makes the write conditional: if the object moved on, the server answers 409
 * Conflict (a `test` operation would fail as 422 Invalid, which cannot be told from a bad patch).
 */
export function migrationPatch(live: KubeObject): JsonValue[] | undefined {
  const managedFields = live.metadata['managedFields']
  const resourceVersion = live.metadata.resourceVersion
  if (!Array.isArray(managedFields) || resourceVersion === undefined) return undefined
  const migrated = migratedManagedFields(managedFields)
  if (!migrated) return undefined
  return [
    { op: 'replace', path: '/metadata/managedFields', value: migrated },
    { op: 'replace', path: '/metadata/resourceVersion', value: resourceVersion }
  ]
}

/**
 * True when the write of this live object would first move client-side appliers' fields to
 * wavesync: such an object is never "unchanged" (ApplyOutOfSyncOnly), or the migration, and with
 * it the removal of fields the manifest dropped, would never happen.
 */
export function awaitsMigration(live: KubeObject, appOptions: SyncOptions): boolean {
  return appOptions['ClientSideApplyMigration'] !== 'false' && migrationPatch(live) !== undefined
}

/**
 * Migrates the live object of a resource task before its server-side apply, unless the
 * application sets ClientSideApplyMigration=false. Starts from the Observer's copy (tracked before
 * each batch); on a conflict it reads the object again and retries, up to MAX_ATTEMPTS patches.
 * Any other rejection, or a conflict on the last attempt, fails the write with a message saying
 * what to do: never a silent skip.
 */
export async function migrateClientSideApply(task: Task, deps: ExecDeps): Promise<void> {
  // An application-level option only (sync-semantics §2.5): objects' own sync-options do not turn it off.
  if (deps.settings.appOptions['ClientSideApplyMigration'] === 'false') return
  const seen = deps.observer.observe(task.key, task.version)
  let live = seen.kind === 'present' ? seen.object : undefined
  for (let attempt = 1; live; attempt++) {
    const patch = migrationPatch(live)
    if (!patch) return
    try {
      await deps.cluster.jsonPatch(refOf(task), patch, deps.signal)
      return
    } catch (error) {
      if (!isConflict(error) || attempt === MAX_ATTEMPTS) throw migrationFailure(error, attempt)
    }
    live = await deps.cluster.get(refOf(task), deps.signal)
  }
}

function migrationFailure(error: unknown, attempts: number): Error {
  const why = isConflict(error) ? ` (the object changed during each of ${attempts} attempts)` : ''
  return new Error(
    `could not move client-side apply field ownership to ${FIELD_MANAGER}${why}: ${errorMessage(error)}; sync again, or set ClientSideApplyMigration=false`,
    { cause: error }
  )
}

function isMainUpdate(entry: JsonObject): boolean {
  return entry['operation'] === 'Update' && onMainResource(entry)
}

function ownsLastApplied(entry: JsonObject): boolean {
  const metadata = fieldsOf(entry)['f:metadata']
  const annotations = isJsonObject(metadata) ? metadata['f:annotations'] : undefined
  return isJsonObject(annotations) && LAST_APPLIED in annotations
}

function isEntry(entry: JsonObject, manager: string, operation: string): boolean {
  return entry['manager'] === manager && entry['operation'] === operation && onMainResource(entry)
}

/** Entries of a subresource (status, scale) record other writes: never migrated. */
function onMainResource(entry: JsonObject): boolean {
  const subresource = entry['subresource']
  return subresource === undefined || subresource === ''
}

function fieldsOf(entry: JsonObject): JsonObject {
  const fields = entry['fieldsV1']
  return isJsonObject(fields) ? fields : {}
}

/** managedFields come from the server as JSON: a record there is a JSON object. */
function isJsonObject(value: unknown): value is JsonObject {
  return isRecord(value)
}
