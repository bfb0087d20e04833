import { promisify } from 'node:util'
import { gunzip } from 'node:zlib'
import type { Dispatcher } from 'undici'
import { Agent } from 'undici'
import type { Clock } from '../clock.js'
import { realClock } from '../clock.js'
import { ClusterError } from '../model/errors.js'
import type { ResourceKey } from '../model/key.js'
import type { AuthState, Authenticate } from './auth.js'
import { AuthCache } from './auth.js'
import { abortedError, authenticationError, statusError, timeoutError, transportError } from './errors.js'
import { Deadline } from './deadline.js'
import type { ResponseHeaders } from './headers.js'
import { parseRetryAfter, parseWarnings } from './headers.js'
import type { RetryPolicy } from './retry.js'
import { DEFAULT_RETRY, backoffMs, shouldRetry } from './retry.js'

export type HttpMethodName = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'

/** One request to the API server. `verb` and `key` name it in errors and statistics. */
export interface ApiRequest {
  method: HttpMethodName
  /** Absolute API path, already encoded: `/apis/apps/v1/namespaces/ns/deployments/web`. */
  path: string
  query?: Readonly<Record<string, string | number | boolean | undefined>>
  /** Sent as JSON. */
  body?: unknown
  /** Defaults to `application/json` when there is a body. */
  contentType?: string
  /** Defaults to `application/json`. */
  accept?: string
  signal?: AbortSignal
  /** Per attempt; for streams, until the response headers arrive. */
  timeoutMs?: number
  verb: string
  key?: ResourceKey
  /** Defaults by method: GET, PUT, DELETE are; POST and PATCH are not (server-side apply says so). */
  idempotent?: boolean
  retryConflict?: boolean
}

/** A successful answer: status, body and the server's `Warning` texts. */
export interface ApiResponse<T> {
  status: number
  body: T
  warnings: string[]
}

/**
 * An open streamed answer (a watch), 2xx only. Iterate `body` to the end, or stop early (return,
 * break, throw) or abort the request's signal: each closes the stream and frees its connection.
 */
export interface ApiStream {
  status: number
  body: AsyncIterable<Uint8Array>
}

/** Requests sent, counted per attempt (retries and re-authentications included). */
export interface RequestStats {
  total: number
  byVerb: Record<string, number>
  byMethod: Record<string, number>
  retries: number
  reauthentications: number
}

export interface ApiClientOptions {
  /** Replaces the kubeconfig's TLS dispatcher (tests pass an undici MockAgent). */
  dispatcher?: Dispatcher
  /** Time for credential age and backoff sleeps (tests pass a fake that does not wait). */
  clock?: Clock
  /** Backoff jitter source (Math.random). */
  random?: () => number
  /** Default per-request timeout (30 s). */
  timeoutMs?: number
  /** How long credentials are reused before client-node is asked again (10 s). */
  authTtlMs?: number
  retry?: RetryPolicy
  /** Called once for each bearer token obtained (exec plugins mint new ones): mask it. */
  onSecret?: (value: string) => void
  userAgent?: string
}

const IDEMPOTENT_METHODS = new Set<HttpMethodName>(['GET', 'PUT', 'DELETE'])

/**
 * Raw JSON requests to the API server over undici's `Dispatcher.request()`, not `fetch`, whose WHATWG
 * Request/Response/Headers objects and web streams cost CPU and garbage on each of a sync's thousands
 * of requests: one keep-alive dispatcher for the whole run, cached credentials (re-read every ~10 s
 * and on a 401), retries for transient failures (sync-semantics §4.2), `Warning` headers, Status
 * bodies turned into `ClusterError`.
 */
export class ApiClient {
  readonly stats: RequestStats = { total: 0, byVerb: {}, byMethod: {}, retries: 0, reauthentications: 0 }
  private readonly auth: AuthCache
  private dispatcher: Dispatcher | undefined
  private dispatcherGeneration = 0
  private readonly clock: Clock
  private readonly random: () => number
  private readonly timeoutMs: number
  private readonly retry: RetryPolicy
  private readonly userAgent: string
  private readonly base: ServerBase | undefined

  constructor(
    readonly server: string,
    authenticate: Authenticate,
    private readonly options: ApiClientOptions = {}
  ) {
    this.clock = options.clock ?? realClock
    this.auth = new AuthCache(
      authenticate,
      () => this.clock.now(),
      options.authTtlMs ?? 10_000,
      options.onSecret
    )
    this.dispatcher = options.dispatcher
    this.random = options.random ?? Math.random
    this.timeoutMs = options.timeoutMs ?? 30_000
    this.retry = options.retry ?? DEFAULT_RETRY
    this.userAgent = options.userAgent ?? 'wavesync'
    // An unparsable server fails each request as a transport error (send parses again and throws).
    this.base = tryServerBase(server)
  }

  /** Sends a request, retrying transient failures, and parses the JSON answer. */
  async json(request: ApiRequest): Promise<ApiResponse<unknown>> {
    const answer = await this.withRetries(request, () => this.once(request, true))
    return { ...answer, body: parseBody(answer.body, request) }
  }

  /** Like `json`, for a text answer (pod logs). */
  async text(request: ApiRequest): Promise<ApiResponse<string>> {
    return this.withRetries(request, () => this.once(request, true))
  }

  /** One attempt, no retries; the caller reads (or cancels) the body. Used for watches. */
  async stream(request: ApiRequest): Promise<ApiStream> {
    const { status, body } = await this.once(request, false)
    return { status, body }
  }

  /** Closes the kept-alive connections it opened; abort open watches first, close() waits for them. */
  async close(): Promise<void> {
    if (this.options.dispatcher === undefined) await this.dispatcher?.close()
  }

  private async withRetries(
    request: ApiRequest,
    attempt: () => Promise<Answer>
  ): Promise<ApiResponse<string>> {
    for (let retry = 1; ; retry++) {
      try {
        const { status, headers, text } = await attempt()
        return { status, body: text, warnings: parseWarnings(headers['warning']) }
      } catch (error) {
        if (!(error instanceof ClusterError) || !this.mayRetry(request, error, retry)) throw error
        this.stats.retries += 1
        await this.pause(request, backoffMs(retry, this.random, error.details.retryAfterMs, this.retry))
      }
    }
  }

  private mayRetry(request: ApiRequest, error: ClusterError, retry: number): boolean {
    if (retry >= this.retry.attempts || request.signal?.aborted) return false
    const idempotent = request.idempotent ?? IDEMPOTENT_METHODS.has(request.method)
    return shouldRetry(error, { idempotent, retryConflict: request.retryConflict ?? false })
  }

  private async pause(request: ApiRequest, ms: number): Promise<void> {
    try {
      await this.clock.sleep(ms, request.signal)
    } catch {
      throw abortedError(identity(request))
    }
    if (request.signal?.aborted) throw abortedError(identity(request))
  }

  /** One attempt, plus one more with fresh credentials after a 401. */
  private async once(request: ApiRequest, readBody: boolean): Promise<Answer> {
    const auth = await this.authenticated(request, () => this.auth.current())
    const first = await this.send(request, auth, readBody)
    if (first.status !== 401) return this.check(request, first)
    this.stats.reauthentications += 1
    const renewed = await this.authenticated(request, () => this.auth.renew(auth))
    this.adoptDispatcher(renewed)
    return this.check(request, await this.send(request, renewed, readBody))
  }

  // An exec plugin that fails, or a certificate file that is gone, fails before any request is sent.
  private async authenticated(request: ApiRequest, get: () => Promise<AuthState>): Promise<AuthState> {
    try {
      return await get()
    } catch (error) {
      throw authenticationError(identity(request), error)
    }
  }

  private check(request: ApiRequest, answer: Answer): Answer {
    if (isSuccess(answer.status)) return answer
    const retryAfter = parseRetryAfter(answer.headers['retry-after'])
    throw statusError(identity(request), answer.status, answer.text, retryAfter)
  }

  private async send(request: ApiRequest, auth: AuthState, readBody: boolean): Promise<Answer> {
    this.count(request)
    const deadline = new Deadline(request.signal, request.timeoutMs ?? this.timeoutMs)
    let streaming = false
    try {
      const base = this.base ?? serverBase(this.server)
      const { statusCode, headers, body } = await this.dispatcherFor(auth).request({
        origin: base.origin,
        path: `${base.prefix}${request.path}${queryString(request)}`,
        method: request.method,
        headers: this.headers(request, auth, readBody),
        body: request.body !== undefined ? JSON.stringify(request.body) : null,
        signal: deadline.signal
      })
      // Error bodies are always read: they carry the Status, and reading to the end returns the
      // connection to the pool. Until then the signal stays attached: an abort destroys the body.
      streaming = !readBody && isSuccess(statusCode)
      if (streaming) releaseWhenClosed(body, deadline)
      const text = streaming ? '' : await bodyText(body, headers)
      return { status: statusCode, headers, text, body }
    } catch (error) {
      if (request.signal?.aborted) throw abortedError(identity(request))
      if (deadline.expired) throw timeoutError(identity(request), deadline.ms)
      throw transportError(identity(request), error)
    } finally {
      // An open stream still answers the caller's abort (released when it closes, above).
      if (!streaming) deadline.release()
    }
  }

  // client-node builds a new Agent per authentication: keep the first (or our own keep-alive Agent)
  // for the whole run; a renewal after a 401 may bring new TLS material (a rotated client cert).
  private dispatcherFor(auth: AuthState): Dispatcher {
    if (this.options.dispatcher !== undefined) return this.options.dispatcher
    this.dispatcher ??= auth.dispatcher ?? keepAliveAgent()
    return this.dispatcher
  }

  private adoptDispatcher(auth: AuthState): void {
    if (this.options.dispatcher !== undefined || auth.dispatcher === undefined) return
    if (auth.generation <= this.dispatcherGeneration) return
    const previous = this.dispatcher
    this.dispatcher = auth.dispatcher
    this.dispatcherGeneration = auth.generation
    // close() lets requests in flight (and open watches) finish on the old connections.
    previous?.close().catch(() => undefined)
  }

  private headers(request: ApiRequest, auth: AuthState, whole: boolean): Record<string, string> {
    const headers: Record<string, string> = {
      ...auth.headers,
      Accept: request.accept ?? 'application/json',
      'User-Agent': this.userAgent
    }
    // The API server gzips answers over 128 KiB (lists, inventory records) when asked, as client-go
    // does: on a remote cluster that is most of the bytes. Streams (watches) are read as they come.
    if (whole) headers['Accept-Encoding'] = 'gzip'
    if (request.body !== undefined) headers['Content-Type'] = request.contentType ?? 'application/json'
    return headers
  }

  private count(request: ApiRequest): void {
    this.stats.total += 1
    this.stats.byVerb[request.verb] = (this.stats.byVerb[request.verb] ?? 0) + 1
    this.stats.byMethod[request.method] = (this.stats.byMethod[request.method] ?? 0) + 1
  }
}

const gunzipAsync = promisify(gunzip)

/**
 * A stream's timeout ends with its headers; its abort forwarding ends with the body, however it
 * ends (read to the end, stopped early, aborted). Watches share the observer's signal, which lives
 * for the whole operation: a listener left on it per re-connection would pile up.
 */
function releaseWhenClosed(body: Dispatcher.ResponseData['body'], deadline: Deadline): void {
  deadline.clear()
  if (body.closed) deadline.release()
  else body.once('close', () => deadline.release())
}

/** The whole body as text, gunzipped when the server compressed it. */
async function bodyText(body: Dispatcher.ResponseData['body'], headers: ResponseHeaders): Promise<string> {
  const encoding = headers['content-encoding']
  if (encoding === undefined) return body.text()
  if (encoding !== 'gzip')
    throw new Error(`the server answered with an unexpected Content-Encoding: ${String(encoding)}`)
  return (await gunzipAsync(Buffer.from(await body.arrayBuffer()))).toString('utf8')
}

interface Answer {
  status: number
  headers: ResponseHeaders
  /** The whole body when it was read (JSON and text requests, every error), else ''. */
  text: string
  /** Unread only for a successful stream; consumed otherwise. */
  body: AsyncIterable<Uint8Array>
}

/** Where requests go: `Dispatcher.request()` takes the origin and the path apart. */
interface ServerBase {
  origin: string
  /** The server URL's own path, without a trailing slash: `/k8s/clusters/c-1` behind a proxy, else ''. */
  prefix: string
}

function serverBase(server: string): ServerBase {
  const url = new URL(server)
  return { origin: url.origin, prefix: url.pathname.replace(/\/+$/, '') }
}

function tryServerBase(server: string): ServerBase | undefined {
  try {
    return serverBase(server)
  } catch {
    return undefined
  }
}

/** `?a=1&b=x` from the defined query values, URLSearchParams-encoded; '' when there are none. */
function queryString(request: ApiRequest): string {
  if (request.query === undefined) return ''
  const params = new URLSearchParams()
  for (const [name, value] of Object.entries(request.query)) {
    if (value !== undefined) params.append(name, String(value))
  }
  const query = params.toString()
  return query === '' ? '' : `?${query}`
}

// 2xx, what fetch called `response.ok`: anything else is an error (request() follows no redirects).
function isSuccess(status: number): boolean {
  return status >= 200 && status <= 299
}

function identity(request: ApiRequest): { verb: string; key?: ResourceKey } {
  return request.key !== undefined ? { verb: request.verb, key: request.key } : { verb: request.verb }
}

// Keep-alive as client-node configures its own Agents: 30 s probes beat 60 s load-balancer idle cuts.
function keepAliveAgent(): Agent {
  return new Agent({ connect: { keepAlive: true, keepAliveInitialDelay: 30_000 } })
}

function parseBody(text: string, request: ApiRequest): unknown {
  if (text === '') return undefined
  try {
    return JSON.parse(text)
  } catch (error) {
    throw transportError(
      identity(request),
      new Error('the server answered with invalid JSON', { cause: error })
    )
  }
}
