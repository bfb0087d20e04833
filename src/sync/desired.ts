import type { InventoryRecord } from '../inventory/record.js'
import type { Issue } from '../model/issue.js'
import type { Manifest } from '../model/manifest.js'
import type { OperationKind } from '../model/vocabulary.js'
import { operationKind } from '../model/vocabulary.js'
import { loadManifests } from '../manifests/load.js'
import type { ManifestSource } from '../manifests/source.js'
import type { SyncSettings } from './settings.js'

/** What an operation works from: its documents, their problems, its kind, and the record replayed. */
export interface Desired {
  manifests: Manifest[]
  issues: Issue[]
  operation: OperationKind
  /**
   * The record the manifests come from: for rollback the revision synced again, for test the one
   * tested, for delete (unless `delete-manifests: repo`) the latest; undefined for the repository's.
   */
  target: InventoryRecord | undefined
}

const deployed = (record: InventoryRecord): boolean =>
  record.status === 'deployed' || record.status === 'superseded'

/**
 * The records of the current release: those after the last `uninstalled` one. After a delete the
 * application starts over, so the next sync is an install again (sync-semantics §9.1).
 */
export function currentRelease(records: readonly InventoryRecord[]): readonly InventoryRecord[] {
  const last = records.map(r => r.status).lastIndexOf('uninstalled')
  return records.slice(last + 1)
}

/**
 * Where the desired documents come from (sync-semantics §9.9, §9.10, §10.1): a sync reads the
 * repository; a rollback replays an earlier revision's stored manifests; delete and test use the
 * latest record's (so a closed pull request's deleted branch is not needed).
 */
export async function desiredDocuments(
  settings: SyncSettings,
  source: ManifestSource,
  records: readonly InventoryRecord[],
  /** The repository's manifests when already read (they were validated before any cluster call). */
  preloaded?: Manifest[]
): Promise<Desired> {
  const latest = records[records.length - 1]
  switch (settings.operation) {
    case 'rollback':
      return rollbackDocuments(settings, records)
    case 'delete':
      if (settings.deleteManifests === 'repo') break
      if (!latest)
        return missing(
          settings,
          `${settings.app} has no revision in ${settings.inventoryNamespace}: nothing to delete`
        )
      return fromRecord(latest, { type: 'delete' })
    case 'test': {
      const last = [...currentRelease(records)].reverse().find(r => r.status === 'deployed')
      if (!last) return missing(settings, `${settings.app} has no deployed revision to test`)
      return fromRecord(last, { type: 'test' })
    }
    default: {
      const loaded = preloaded
        ? { manifests: preloaded, issues: [] }
        : await loadManifests(source, settings.manifests)
      const kind = operationKind(settings.operation, currentRelease(records).some(deployed))
      return { manifests: loaded.manifests, issues: loaded.issues, operation: kind, target: undefined }
    }
  }
  const loaded = preloaded
    ? { manifests: preloaded, issues: [] }
    : await loadManifests(source, settings.manifests)
  return {
    manifests: loaded.manifests,
    issues: loaded.issues,
    operation: { type: 'delete' },
    target: undefined
  }
}

function rollbackDocuments(settings: SyncSettings, records: readonly InventoryRecord[]): Desired {
  const latest = records[records.length - 1]
  const target =
    settings.rollbackTo !== undefined
      ? records.find(r => r.revision === settings.rollbackTo)
      : [...records].reverse().find(r => r !== latest && deployed(r))
  if (!target) {
    const which =
      settings.rollbackTo !== undefined ? `revision ${settings.rollbackTo}` : 'an earlier deployed revision'
    return missing(settings, `${settings.app} has no ${which} to roll back to`)
  }
  return fromRecord(target, { type: 'rollback' })
}

/** A record's stored documents as manifests, located at `revision N` for messages. */
function fromRecord(record: InventoryRecord, operation: OperationKind): Desired {
  const manifests = record.manifests.map((object, docIndex) => ({
    object,
    source: { file: `(revision ${record.revision})`, docIndex, line: docIndex + 1 },
    fieldLines: new Map<string, number>()
  }))
  return { manifests, issues: [], operation, target: record }
}

function missing(settings: SyncSettings, message: string): Desired {
  const issue: Issue = {
    severity: 'error',
    file: `(inventory ${settings.inventoryNamespace})`,
    line: 0,
    message
  }
  return {
    manifests: [],
    issues: [issue],
    operation: { type: settings.operation === 'test' ? 'test' : 'delete' },
    target: undefined
  }
}
