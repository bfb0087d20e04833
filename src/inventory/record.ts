import { gunzipSync, gzipSync } from 'node:zlib'
import { isRecord } from '../model/json.js'
import type { ResourceKey } from '../model/key.js'
import type { KubeObject } from '../model/object.js'
import { isKubeObject } from '../model/object.js'
import type { HookFamily, OperationType, SyncMode } from '../model/vocabulary.js'

/** Record statuses (sync-semantics §7.2); a finished run never leaves `pending-*`. */
export type RecordStatus =
  | 'pending-install'
  | 'pending-upgrade'
  | 'pending-rollback'
  | 'pending-delete'
  | 'deployed'
  | 'superseded'
  | 'failed'
  | 'uninstalled'

/** One object the application applied. */
export interface InventoryObject extends ResourceKey {
  version: string
  uid?: string
  wave: number
  /** The destination namespace created for CreateNamespace=true. */
  createdNamespace: boolean
}

/** A hook's last run, as `wavesync status` lists it (§9.6). */
export interface HookRun {
  key: ResourceKey
  version: string
  uid?: string
  family: HookFamily
  phase: string
  trigger: string
  state: string
  message: string
  reason?: string
  startedAt?: string
  finishedAt?: string
}

/** The inventory record of one revision (sync-semantics §7.2): history, prune source, rollback input. */
export interface InventoryRecord {
  schema: 1
  app: string
  revision: number
  status: RecordStatus
  source: { commit: string; repository?: string; ref?: string; paths: string[]; digest?: string }
  operation: {
    type: OperationType
    mode?: SyncMode
    id: string
    runUrl?: string
    actor?: string
    startedAt: string
    finishedAt?: string
    phase?: string
    message?: string
  }
  objects: InventoryObject[]
  retained: (InventoryObject & { reason: string })[]
  hooks: HookRun[]
  /** Every desired document as applied, hooks included: what rollback and delete re-read. */
  manifests: KubeObject[]
}

/** The compressed payload must fit a Secret with room for metadata (§7.2). */
export const MAX_PAYLOAD_BYTES = 1024 * 1024 - 10 * 1024

/** gzip of the JSON record, base64: the Secret's `data.inventory`. */
export function encodeRecord(record: InventoryRecord): { data: string; bytes: number } {
  const zipped = gzipSync(Buffer.from(JSON.stringify(record), 'utf8'))
  return { data: zipped.toString('base64'), bytes: zipped.length }
}

/** Reads a record back; undefined (and the reason) when the Secret does not hold one. */
export function decodeRecord(data: string): InventoryRecord | Error {
  try {
    const value: unknown = JSON.parse(gunzipSync(Buffer.from(data, 'base64')).toString('utf8'))
    return isInventoryRecord(value) ? value : new Error('not a wavesync inventory record (schema 1)')
  } catch (error) {
    return error instanceof Error ? error : new Error(String(error))
  }
}

/** `wavesync.v1.<app>.v<N>`, like Helm's `sh.helm.release.v1.<name>.v<N>`. */
export function recordName(app: string, revision: number): string {
  return `wavesync.v1.${app}.v${revision}`
}

export const RECORD_TYPE = 'wavesync.dev/inventory.v1'

/** Narrows parsed JSON to a record: the fields every reader relies on are checked. */
function isInventoryRecord(value: unknown): value is InventoryRecord {
  return (
    isRecord(value) &&
    value['schema'] === 1 &&
    typeof value['app'] === 'string' &&
    typeof value['revision'] === 'number' &&
    typeof value['status'] === 'string' &&
    isRecord(value['source']) &&
    isRecord(value['operation']) &&
    Array.isArray(value['objects']) &&
    value['objects'].every(isKeyLike) &&
    Array.isArray(value['retained']) &&
    Array.isArray(value['hooks']) &&
    Array.isArray(value['manifests']) &&
    value['manifests'].every(isKubeObject)
  )
}

function isKeyLike(value: unknown): boolean {
  return (
    isRecord(value) &&
    ['group', 'kind', 'namespace', 'name', 'version'].every(field => typeof value[field] === 'string')
  )
}
