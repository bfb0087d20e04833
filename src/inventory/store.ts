import type { Cluster } from '../cluster/port.js'
import { ClusterError } from '../model/errors.js'
import { getString } from '../model/json.js'
import type { KubeObject } from '../model/object.js'
import { APPLICATION_LABEL } from '../model/tracking.js'
import type { InventoryRecord } from './record.js'
import { MAX_PAYLOAD_BYTES, RECORD_TYPE, decodeRecord, encodeRecord, recordName } from './record.js'

const SECRETS = { group: '', version: 'v1', kind: 'Secret' } as const

/** A record read from the cluster, with the Secret's name; unreadable ones are kept as problems. */
export interface StoredHistory {
  records: InventoryRecord[]
  problems: string[]
}

/** The application's inventory records (one Secret per revision, sync-semantics §7.2). */
export class InventoryStore {
  constructor(
    private readonly cluster: Cluster,
    private readonly app: string,
    private readonly namespace: string
  ) {}

  /** Every record, oldest first. A Secret that does not decode is reported, never silently dropped. */
  async history(signal?: AbortSignal): Promise<StoredHistory> {
    const listed = await this.cluster.list(
      { ...SECRETS, namespace: this.namespace },
      { labelSelector: `${APPLICATION_LABEL}=${this.app}`, ...(signal ? { signal } : {}) }
    )
    const history: StoredHistory = { records: [], problems: [] }
    for (const secret of listed.items) {
      const data = getString(secret, ['data', 'inventory'])
      const record = data === undefined ? new Error('no data.inventory') : decodeRecord(data)
      if (record instanceof Error) history.problems.push(`${secret.metadata.name ?? '?'}: ${record.message}`)
      else history.records.push(record)
    }
    history.records.sort((a, b) => a.revision - b.revision)
    return history
  }

  /**
   * Creates record N (POST: AlreadyExists is the last line of defence against a concurrent run).
   * When the answer is lost (5xx, reset), the record is read back: ours (same operation id) means
   * it was created; absent means the create is sent again, up to three times.
   */
  async create(record: InventoryRecord, signal?: AbortSignal): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.cluster.create(this.secretOf(record), signal ? { signal } : {})
        return
      } catch (error) {
        const lost =
          error instanceof ClusterError && (error.details.status === undefined || error.details.status >= 500)
        if (!lost || attempt >= 3) throw error
        const stored = await this.read(record.revision, signal).catch(() => undefined)
        if (stored?.operation.id === record.operation.id) return
      }
    }
  }

  /** One record by revision, or undefined when it does not exist or does not decode. */
  async read(revision: number, signal?: AbortSignal): Promise<InventoryRecord | undefined> {
    const secret = await this.cluster.get(
      { ...SECRETS, namespace: this.namespace, name: recordName(this.app, revision) },
      signal
    )
    const data = secret ? getString(secret, ['data', 'inventory']) : undefined
    const record = data === undefined ? undefined : decodeRecord(data)
    return record instanceof Error ? undefined : record
  }

  /** Writes a record's new content (status, results) over its Secret. */
  async update(record: InventoryRecord, signal?: AbortSignal): Promise<void> {
    await this.cluster.apply(this.secretOf(record), { force: true, ...(signal ? { signal } : {}) })
  }

  /** Deletes the records the history limit drops: oldest first, never the newest `deployed` one. */
  async trim(
    records: readonly Pick<InventoryRecord, 'revision' | 'status'>[],
    keep: number,
    signal?: AbortSignal
  ): Promise<number> {
    if (keep <= 0 || records.length <= keep) return 0
    const newestDeployed = [...records].reverse().find(r => r.status === 'deployed')
    const drop = records.slice(0, records.length - keep).filter(r => r !== newestDeployed)
    for (const record of drop) {
      const ref = { ...SECRETS, namespace: this.namespace, name: recordName(this.app, record.revision) }
      await this.cluster.delete(ref, { propagationPolicy: 'Background', ...(signal ? { signal } : {}) })
    }
    return drop.length
  }

  /** Removes every record (a successful delete without keep-history). */
  async removeAll(
    records: readonly Pick<InventoryRecord, 'revision'>[],
    signal?: AbortSignal
  ): Promise<void> {
    for (const record of records) {
      const ref = { ...SECRETS, namespace: this.namespace, name: recordName(this.app, record.revision) }
      await this.cluster.delete(ref, { propagationPolicy: 'Background', ...(signal ? { signal } : {}) })
    }
  }

  /** Checks the size rule before anything is written (validation, §7.2). */
  static sizeProblem(record: InventoryRecord): string | undefined {
    const { bytes } = encodeRecord(record)
    if (bytes <= MAX_PAYLOAD_BYTES) return undefined
    return `the inventory record is ${bytes} bytes compressed; at most ${MAX_PAYLOAD_BYTES} fit in a Secret`
  }

  private secretOf(record: InventoryRecord): KubeObject {
    return {
      apiVersion: 'v1',
      kind: 'Secret',
      type: RECORD_TYPE,
      metadata: {
        name: recordName(this.app, record.revision),
        namespace: this.namespace,
        labels: {
          'app.kubernetes.io/managed-by': 'wavesync',
          [APPLICATION_LABEL]: this.app,
          'wavesync.dev/revision': String(record.revision),
          'wavesync.dev/status': record.status,
          'wavesync.dev/operation': record.operation.type
        }
      },
      data: { inventory: encodeRecord(record).data }
    }
  }
}
