import type { Clock } from '../clock.js'
import { isConflict, isTransient } from '../cluster/errors.js'
import type { Cluster, ObjectRef } from '../cluster/port.js'
import { ClusterError, errorMessage } from '../model/errors.js'
import { getNumber, getString, isRecord } from '../model/json.js'
import { formatKey } from '../model/key.js'
import type { KubeObject } from '../model/object.js'

/** The longest wait between renewal attempts through an outage, and the wait once the Lease is overdue. */
const RENEW_BACKOFF_CAP_MS = 8000
const OVERDUE_RETRY_MS = 1000

/** Conflicting renewals in a row before the Lease counts as contested (sync-semantics §4.2: 5 attempts). */
const MAX_CONFLICTS = 5

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
  private readonly loss = new AbortController()
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

  /**
   * Aborts when the lock is lost while held: the Lease was taken over or deleted, or renewing it
   * failed for good or not before it expired. Its reason is an Error saying which. The operation
   * must stop writing then: it no longer keeps other runs out.
   */
  get lost(): AbortSignal {
    return this.loss.signal
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
          throw new Error(`the lock could not be taken: the API server kept failing (${took.transient})`)
        await this.clock.sleep(500, signal)
        continue
      }
      if (this.clock.now() >= deadline)
        throw new Error(`another operation is in progress (held by ${holder})`)
      await this.clock.sleep(Math.min(1000, Math.max(0, deadline - this.clock.now())), signal)
    }
  }

  /**
   * Gives the lock back (idempotent); only our own holder identity is cleared. Throws when the
   * Lease could not be read or deleted: it then stays until it expires.
   */
  async release(signal?: AbortSignal): Promise<void> {
    this.renewal?.abort()
    if (this.held && (await this.deleteHeld(this.held, signal)) === 'deleted') return
    // Retried through a short outage: a lock left held blocks the next run until it expires.
    const live = await this.readRetrying(signal)
    if (!live || getString(live, ['spec', 'holderIdentity']) !== this.options.holder) return
    await this.cluster.delete(this.ref, {
      propagationPolicy: 'Background',
      uid: live.metadata.uid ?? '',
      ...(signal ? { signal } : {})
    })
  }

  /**
   * Deletes the Lease if it is still the version we wrote last; 'not-found' when it moved on. A
   * failure is 'not-found' too: release reads the Lease again and deletes it by uid if it is still
   * ours, and throws what that second try meets.
   */
  private async deleteHeld(
    held: { uid: string; resourceVersion: string },
    signal?: AbortSignal
  ): Promise<'deleted' | 'not-found'> {
    this.held = undefined
    return this.cluster
      .delete(this.ref, { propagationPolicy: 'Background', ...held, ...(signal ? { signal } : {}) })
      .catch(() => 'not-found' as const)
  }

  /** The Lease, read again through a short outage (1, 2, 4, 8 s); other errors and the last are thrown. */
  private async readRetrying(signal?: AbortSignal): Promise<KubeObject | undefined> {
    for (const wait of [1000, 2000, 4000, 8000]) {
      try {
        return await this.cluster.get(this.ref, signal)
      } catch (error) {
        if (signal?.aborted || !(error instanceof ClusterError) || !isTransient(error)) throw error
        await this.clock.sleep(wait, signal)
      }
    }
    return this.cluster.get(this.ref, signal)
  }

  private expired(lease: KubeObject): boolean {
    const renewed = Date.parse(getString(lease, ['spec', 'renewTime']) ?? '')
    const duration = getNumber(lease, ['spec', 'leaseDurationSeconds']) ?? this.options.durationSeconds
    return !Number.isFinite(renewed) || renewed + duration * 1000 < this.clock.now()
  }

  /**
   * Creates or updates the Lease under optimistic concurrency: `lost` when another run won the race,
   * `transient` with the error when the server may answer better later.
   */
  private async take(
    live: KubeObject | undefined,
    signal: AbortSignal
  ): Promise<'taken' | 'lost' | { transient: string }> {
    const now = this.timestamp()
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
        return { transient: errorMessage(error) }
      throw error
    }
  }

  private remember(lease: KubeObject): void {
    const { uid, resourceVersion } = lease.metadata
    this.held = uid !== undefined && resourceVersion !== undefined ? { uid, resourceVersion } : undefined
  }

  /** Renews the Lease every third of its duration until released, or until the lock is lost. */
  private startRenewing(): void {
    this.renewal = new AbortController()
    void this.keepRenewing(this.renewal.signal)
  }

  private async keepRenewing(signal: AbortSignal): Promise<void> {
    const every = Math.max(1000, (this.options.durationSeconds * 1000) / 3)
    let renewedAt = this.clock.now()
    while (await this.pause(every, signal)) {
      const lost = await this.renew(renewedAt, signal)
      if (signal.aborted) return
      if (lost !== undefined) {
        this.loss.abort(new Error(`lost the lock (${formatKey(this.ref)}): ${lost}`))
        return
      }
      renewedAt = this.clock.now()
    }
  }

  /**
   * One renewal: undefined once renewed (or released meanwhile), else why the lock is lost. Transient
   * errors are retried for as long as the operation runs, whatever the Lease's expiry: only a run that
   * reaches the API server can take the Lease over, and doing so writes it, so the first read that
   * gets through tells whether it is still ours. An outage of the server itself (which stops every
   * writer) is then no loss; a takeover during a partition is found at that read, retried every
   * second once the Lease is overdue so it is found soon after the connection returns.
   */
  private async renew(renewedAt: number, signal: AbortSignal): Promise<string | undefined> {
    const expiresAt = renewedAt + this.options.durationSeconds * 1000
    let conflicts = 0
    for (let attempt = 0; ; attempt++) {
      try {
        const outcome = await this.renewOnce(signal)
        if (outcome === 'renewed') return undefined
        if (outcome !== 'conflict') return outcome.lost
        if (++conflicts >= MAX_CONFLICTS) return 'the Lease kept changing (409 Conflict)'
      } catch (error) {
        if (signal.aborted) return undefined
        if (!(error instanceof ClusterError) || !isTransient(error))
          return `renewing it failed: ${errorMessage(error)}`
      }
      const backoff = Math.min(RENEW_BACKOFF_CAP_MS, 1000 * 2 ** attempt)
      const wait = this.clock.now() >= expiresAt ? OVERDUE_RETRY_MS : backoff
      if (!(await this.pause(wait, signal))) return undefined
    }
  }

  /** GET, then PUT a new renewTime under optimistic concurrency: `conflict` when the Lease moved meanwhile. */
  private async renewOnce(signal: AbortSignal): Promise<'renewed' | 'conflict' | { lost: string }> {
    const live = await this.cluster.get(this.ref, signal)
    if (!live) return { lost: 'the Lease was deleted' }
    const holder = getString(live, ['spec', 'holderIdentity'])
    if (holder !== this.options.holder) return { lost: `it is held by ${holder ?? 'nobody'} now` }
    const spec = isRecord(live['spec']) ? live['spec'] : {}
    try {
      const renewed = { ...live, spec: { ...spec, renewTime: this.timestamp() } }
      this.remember((await this.cluster.replace(renewed, { signal })).object)
      return 'renewed'
    } catch (error) {
      // Someone wrote the Lease since our GET: read it again to learn whether it is still ours.
      if (isConflict(error)) return 'conflict'
      throw error
    }
  }

  /** Sleeps; false when the renewal was stopped meanwhile. */
  private pause(ms: number, signal: AbortSignal): Promise<boolean> {
    return this.clock.sleep(ms, signal).then(
      () => !signal.aborted,
      () => false
    )
  }

  /** The clock's now as a Lease's MicroTime. */
  private timestamp(): string {
    return new Date(this.clock.now()).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z')
  }
}
