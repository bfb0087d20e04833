import type { Clock } from '../clock.js'
import type { Cluster, ObjectRef } from '../cluster/port.js'
import { ClusterError } from '../model/errors.js'
import { getNumber, getString, isRecord } from '../model/json.js'
import type { KubeObject } from '../model/object.js'

export interface LockOptions {
  /** Who we are: repository, run id, attempt, host. */
  holder: string
  /** How long a second operation waits for the lock (default 5m). */
  waitMs: number
  /** A Lease not renewed within this is a dead run's (default 30 s). */
  durationSeconds: number
}

/** What acquiring found: a free lock, or one taken over from a dead holder (whose record must be marked failed). */
export interface Acquired {
  takenOverFrom: string | undefined
}

/**
 * One operation at a time per application (sync-semantics §7.2): a `coordination.k8s.io/v1` Lease
 * `wavesync.<app>`, renewed while the operation runs, released at its end. A Lease not renewed
 * within its duration belonged to a dead run and is taken over.
 */
export class ApplicationLock {
  private renewal: AbortController | undefined
  private readonly ref: ObjectRef
  /** The Lease as we last wrote it, so release deletes exactly that version in one request. */
  private held: { uid: string; resourceVersion: string } | undefined

  constructor(
    private readonly cluster: Cluster,
    private readonly clock: Clock,
    app: string,
    namespace: string,
    private readonly options: LockOptions
  ) {
    this.ref = {
      group: 'coordination.k8s.io',
      version: 'v1',
      kind: 'Lease',
      namespace,
      name: `wavesync.${app}`
    }
  }

  /** Waits up to `waitMs` for the lock; throws "another operation is in progress (held by …)". */
  async acquire(signal: AbortSignal): Promise<Acquired> {
    const deadline = this.clock.now() + this.options.waitMs
    // Usually nobody holds it: create it at once, and read it only when that loses.
    if ((await this.take(undefined, signal)) === 'taken') {
      this.startRenewing()
      return { takenOverFrom: undefined }
    }
    for (;;) {
      const live = await this.cluster.get(this.ref, signal)
      const holder = live ? getString(live, ['spec', 'holderIdentity']) : undefined
      const expired = live !== undefined && this.expired(live)
      if (!live || !holder || holder === this.options.holder || expired) {
        const took = await this.take(live, signal)
        if (took === 'taken') {
          this.startRenewing()
          return { takenOverFrom: expired && holder && holder !== this.options.holder ? holder : undefined }
        }
        if (took === 'lost') continue
        // A transient failure (5xx, reset): try again within the wait, not at once.
        if (this.clock.now() >= deadline)
          throw new Error('the lock could not be created: the API server kept failing')
        await this.clock.sleep(500, signal)
        continue
      }
      if (this.clock.now() >= deadline)
        throw new Error(`another operation is in progress (held by ${holder})`)
      await this.clock.sleep(Math.min(1000, Math.max(0, deadline - this.clock.now())), signal)
    }
  }

  /** Gives the lock back (idempotent); only our own holder identity is cleared. */
  async release(signal?: AbortSignal): Promise<void> {
    this.renewal?.abort()
    if (this.held && (await this.deleteHeld(this.held, signal)) === 'deleted') return
    // Retried through a short outage: a lock left held blocks the next run until it expires.
    const live = await this.readRetrying(signal)
    if (!live || getString(live, ['spec', 'holderIdentity']) !== this.options.holder) return
    await this.cluster
      .delete(this.ref, {
        propagationPolicy: 'Background',
        uid: live.metadata.uid ?? '',
        ...(signal ? { signal } : {})
      })
      .catch(() => undefined)
  }

  /** Deletes the Lease if it is still the version we wrote last; 'not-found' when it moved on or failed. */
  private async deleteHeld(
    held: { uid: string; resourceVersion: string },
    signal?: AbortSignal
  ): Promise<'deleted' | 'not-found'> {
    this.held = undefined
    return this.cluster
      .delete(this.ref, { propagationPolicy: 'Background', ...held, ...(signal ? { signal } : {}) })
      .catch(() => 'not-found' as const)
  }

  private async readRetrying(signal?: AbortSignal): Promise<KubeObject | undefined> {
    for (const wait of [1000, 2000, 4000, 8000, 0]) {
      try {
        return await this.cluster.get(this.ref, signal)
      } catch {
        if (wait === 0 || signal?.aborted) return undefined
        await this.clock.sleep(wait, signal).catch(() => undefined)
      }
    }
    return undefined
  }

  private expired(lease: KubeObject): boolean {
    const renewed = Date.parse(getString(lease, ['spec', 'renewTime']) ?? '')
    const duration = getNumber(lease, ['spec', 'leaseDurationSeconds']) ?? this.options.durationSeconds
    return !Number.isFinite(renewed) || renewed + duration * 1000 < this.clock.now()
  }

  /** Creates or updates the Lease under optimistic concurrency: `lost` when another run won the race. */
  private async take(
    live: KubeObject | undefined,
    signal: AbortSignal
  ): Promise<'taken' | 'lost' | 'transient'> {
    const now = new Date(this.clock.now()).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z')
    const lease: KubeObject = {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: {
        name: this.ref.name,
        namespace: this.ref.namespace,
        ...(live ? { resourceVersion: live.metadata.resourceVersion ?? '' } : {})
      },
      spec: {
        holderIdentity: this.options.holder,
        leaseDurationSeconds: this.options.durationSeconds,
        acquireTime: now,
        renewTime: now
      }
    }
    try {
      const written = live
        ? await this.cluster.replace(lease, { signal })
        : await this.cluster.create(lease, { signal })
      this.remember(written.object)
      return 'taken'
    } catch (error) {
      if (!(error instanceof ClusterError)) throw error
      if (error.details.status === 409 || error.details.reason === 'AlreadyExists') return 'lost'
      if (error.details.retryable || error.details.status === undefined || error.details.status >= 500)
        return 'transient'
      throw error
    }
  }

  private remember(lease: KubeObject): void {
    const { uid, resourceVersion } = lease.metadata
    this.held = uid !== undefined && resourceVersion !== undefined ? { uid, resourceVersion } : undefined
  }

  /** Renews the Lease every third of its duration until released. */
  private startRenewing(): void {
    this.renewal = new AbortController()
    const signal = this.renewal.signal
    const every = Math.max(1000, (this.options.durationSeconds * 1000) / 3)
    const renew = async (): Promise<void> => {
      while (!signal.aborted) {
        await this.clock.sleep(every, signal).catch(() => undefined)
        if (signal.aborted) return
        const live = await this.cluster.get(this.ref, signal).catch(() => undefined)
        if (live && getString(live, ['spec', 'holderIdentity']) === this.options.holder) {
          const now = new Date(this.clock.now()).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z')
          const spec = isRecord(live['spec']) ? live['spec'] : {}
          await this.cluster
            .replace({ ...live, spec: { ...spec, renewTime: now } }, { signal })
            .then(written => this.remember(written.object))
            .catch(() => undefined)
        }
      }
    }
    void renew()
  }
}
