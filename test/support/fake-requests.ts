import type { Clock } from '../../src/clock.js'
import { abortedError, statusError } from '../../src/cluster/errors.js'
import { ClusterError } from '../../src/model/errors.js'
import type { Target } from './fake-objects.js'
import { pickTarget } from './fake-objects.js'

/** The requests the fake answers, named like the adapter's `verb` in errors. */
export type Verb =
  'get' | 'list' | 'apply' | 'create' | 'replace' | 'delete' | 'patch' | 'watch' | 'logs' | 'events'

/** One entry of the request log: what was asked, when, and the HTTP status the fake answered. */
export interface RequestRecord {
  seq: number
  at: number
  verb: Verb | 'controller'
  group: string
  kind: string
  namespace: string
  name: string
  dryRun: boolean
  status: number
  /** Propagation policy and uid precondition of a delete, a controller's action, a failure's message. */
  detail: string
}

/** Which requests an injected error or a gate applies to; omitted fields match anything. */
export interface RequestMatch {
  verb: Verb
  kind?: string
  name?: string
  namespace?: string
  dryRun?: boolean
}

/** An error the fake answers (as if the adapter's retries had given up). */
export interface Injection extends RequestMatch {
  status: number
  reason?: string
  message: string
  /** How many matching requests fail (default 1; Infinity for all). */
  times?: number
  /**
   * `before` (default): the server refuses and nothing changes. `after`: the server acts on the
   * request, then the answer is lost and this error is what the client sees (a 504 from a proxy, a
   * reset connection): the write happened although the caller was told otherwise.
   */
  when?: 'before' | 'after'
}

/**
 * Holds one matching request: `before` it reaches the server, or `after` the server acted on it
 * (the answer is lost if the caller aborts meanwhile, as on a dropped connection).
 */
export interface Gate {
  readonly reached: Promise<void>
  release(): void
}

interface PendingGate extends RequestMatch {
  when: 'before' | 'after'
  arrived: () => void
  open: Promise<void>
}

const REASONS: Readonly<Record<number, string>> = {
  400: 'BadRequest',
  403: 'Forbidden',
  404: 'NotFound',
  409: 'Conflict',
  410: 'Expired',
  422: 'Invalid',
  429: 'TooManyRequests',
  500: 'InternalError',
  503: 'ServiceUnavailable',
  504: 'Timeout'
}

/**
 * The request side of the fake API server: every request is logged with the clock's time and the
 * status answered; tests inject errors and hold requests at gates. Errors are built by the
 * adapter's own `statusError` from a metav1.Status body, so they carry status and reason exactly
 * as the real adapter's do.
 */
export class RequestDesk {
  readonly log: RequestRecord[] = []
  private readonly injections: Injection[] = []
  private readonly gates: PendingGate[] = []

  constructor(private readonly clock: Clock) {}

  inject(injection: Injection): void {
    this.injections.push({ ...injection, times: injection.times ?? 1 })
  }

  /** Ends every injected error (the outage is over). */
  clearInjections(): void {
    this.injections.length = 0
  }

  gate(match: RequestMatch & { when?: 'before' | 'after' }): Gate {
    let arrived: () => void = () => undefined
    let release: () => void = () => undefined
    const reached = new Promise<void>(resolve => (arrived = resolve))
    const open = new Promise<void>(resolve => (release = resolve))
    this.gates.push({ ...match, when: match.when ?? 'before', arrived, open })
    return { reached, release }
  }

  /** Runs `work` as the server would answer one request: abort, gates, injected errors, log. */
  async handle<T>(
    verb: Verb,
    target: Target,
    dryRun: boolean,
    signal: AbortSignal | undefined,
    work: () => T,
    detail = ''
  ): Promise<T> {
    const key = pickTarget(target)
    if (signal?.aborted) throw abortedError({ verb, key })
    const before = this.takeGate(verb, key, dryRun, 'before')
    if (before) await this.wait(before, verb, key, signal)
    const injected = this.takeInjection(verb, key, dryRun)
    const lostAnswer = injected !== undefined && injected.when === 'after'
    let result: T
    try {
      if (injected && !lostAnswer) throw this.injectedError(verb, key, injected)
      result = work()
      this.record(verb, key, dryRun, 200, detail)
      if (injected) throw this.injectedError(verb, key, injected)
    } catch (error) {
      const status = error instanceof ClusterError ? (error.details.status ?? 0) : 500
      this.record(verb, key, dryRun, status, error instanceof Error ? error.message : String(error))
      throw error
    }
    const after = this.takeGate(verb, key, dryRun, 'after')
    if (after) await this.wait(after, verb, key, signal)
    return result
  }

  record(verb: RequestRecord['verb'], target: Target, dryRun: boolean, status: number, detail: string): void {
    this.log.push({
      seq: this.log.length,
      at: this.clock.now(),
      verb,
      ...pickTarget(target),
      dryRun,
      status,
      detail
    })
  }

  /** A Status error as the API server sends it, through the adapter's conversion. */
  serverError(verb: string, target: Target, status: number, reason: string, message: string): ClusterError {
    const body = {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message,
      reason,
      code: status
    }
    return statusError({ verb, key: pickTarget(target) }, status, JSON.stringify(body))
  }

  private injectedError(verb: Verb, key: Target, injected: Injection): ClusterError {
    return this.serverError(
      verb,
      key,
      injected.status,
      injected.reason ?? REASONS[injected.status] ?? 'Unknown',
      injected.message
    )
  }

  private async wait(
    gate: PendingGate,
    verb: string,
    key: Target,
    signal: AbortSignal | undefined
  ): Promise<void> {
    gate.arrived()
    const aborted = new Promise<'aborted'>(resolve => {
      if (signal?.aborted) resolve('aborted')
      signal?.addEventListener('abort', () => resolve('aborted'), { once: true })
    })
    const outcome = await Promise.race([gate.open.then(() => 'open' as const), aborted])
    if (outcome === 'aborted') throw abortedError({ verb, key })
  }

  private takeGate(
    verb: Verb,
    target: Target,
    dryRun: boolean,
    when: 'before' | 'after'
  ): PendingGate | undefined {
    const index = this.gates.findIndex(g => g.when === when && matchesRequest(g, verb, target, dryRun))
    return index < 0 ? undefined : this.gates.splice(index, 1)[0]
  }

  private takeInjection(verb: Verb, target: Target, dryRun: boolean): Injection | undefined {
    const found = this.injections.find(i => (i.times ?? 1) > 0 && matchesRequest(i, verb, target, dryRun))
    if (found) found.times = (found.times ?? 1) - 1
    return found
  }
}

function matchesRequest(match: RequestMatch, verb: Verb, target: Target, dryRun: boolean): boolean {
  return (
    match.verb === verb &&
    (match.kind === undefined || match.kind === target.kind) &&
    (match.name === undefined || match.name === target.name) &&
    (match.namespace === undefined || match.namespace === target.namespace) &&
    (match.dryRun === undefined || match.dryRun === dryRun)
  )
}
