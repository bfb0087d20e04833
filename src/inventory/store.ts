import type { Clock } from '../clock.js'
import type { Cluster } from '../cluster/port.js'
import { mayHaveHappened } from '../cluster/errors.js'
import { ClusterError, errorMessage } from '../model/errors.js'
import { getString } from '../model/json.js'
import type { KubeObject } from '../model/object.js'
import { APPLICATION_LABEL } from '../model/tracking.js'
import { outlastOutage } from './outage.js'
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
      const record = decodeSecret(secret)
      if (record instanceof Error) history.problems.push(`${secret.metadata.name ?? '?'}: ${record.message}`)
      else history.records.push(record)
    }
    history.records.sort((a, b) => a.revision - b.revision)
    return history
  }

  /**
   * Creates record N (POST: AlreadyExists is the last line of defence against a concurrent run).
   * A create whose answer was lost (5xx, reset, timeout) may have happened: the record is read back,
   * through a short outage, to learn which. Ours (same operation id) means it was created; absent
   * means it is sent again, up to three times. When that cannot be learnt, the error says the record
   * may exist. No signal: a run that made its record must know it, to close it (§7.2).
   */
  async create(record: InventoryRecord, clock: Clock): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.cluster.create(this.secretOf(record), {})
        return
      } catch (error) {
        // After a lost answer, AlreadyExists may be our own earlier attempt.
        const ours = attempt > 1 && error instanceof ClusterError && error.details.reason === 'AlreadyExists'
        if (!ours && !mayHaveHappened(error)) throw error
        if ((await this.createdBy(record, error, clock)) === 'us') return
        if (attempt >= 3) throw error
      }
    }
  }

  /**
   * Whether record N exists and is this operation's: `us`, or `nobody` when it is absent; another
   * operation's record, or one that cannot be read, is an error naming it.
   */
  private async createdBy(record: InventoryRecord, cause: unknown, clock: Clock): Promise<'us' | 'nobody'> {
    const ref = { ...SECRETS, namespace: this.namespace, name: recordName(this.app, record.revision) }
    const where = `the inventory record ${ref.namespace}/${ref.name}`
    let secret: KubeObject | undefined
    try {
      secret = await outlastOutage(() => this.cluster.get(ref), clock)
    } catch (error) {
      throw new Error(
        `${errorMessage(cause)}; whether ${where} was created is unknown, reading it back failed (${errorMessage(error)}): if it was, it stays ${record.status} until the next operation marks it failed`,
        { cause: error }
      )
    }
    if (!secret) return 'nobody'
    const stored = decodeSecret(secret)
    if (stored instanceof Error) throw new Error(`${where} exists and does not decode: ${stored.message}`)
    if (stored.operation.id !== record.operation.id)
      throw new Error(`${where} exists already: operation ${stored.operation.id} created it`)
    return 'us'
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

/** The record a Secret holds, or why it holds none. */
function decodeSecret(secret: KubeObject): InventoryRecord | Error {
  const data = getString(secret, ['data', 'inventory'])
  return data === undefined ? new Error('no data.inventory') : decodeRecord(data)
}
