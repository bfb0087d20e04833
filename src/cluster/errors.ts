import type { ClusterErrorCause } from '../model/errors.js'
import { ClusterError } from '../model/errors.js'
import { getArray, getNumber, getString, isRecord } from '../model/json.js'
import type { ResourceKey } from '../model/key.js'

/** What a request was doing, for error messages: `apply`, and the object when there is one. */
export interface RequestIdentity {
  verb: string
  key?: ResourceKey
}

// Server messages can be long (a webhook's full answer); a report line needs the gist only.
const MAX_MESSAGE = 1000
// After these the request may succeed later: throttling, and the server or a proxy in front failing.
const TRANSIENT_STATUSES = new Set([429, 500, 502, 503, 504])
// 500s that no retry can fix. Server-side apply answers a body that does not fit the kind's schema
// (an unknown field of a built-in kind, whatever fieldValidation says) with 500 "failed to create
// typed patch object … field not declared in schema" (seen on 1.34).
const PERMANENT_500 = /failed to create typed patch object|field not declared in schema/
// Reasons for a status when the body is not a metav1.Status (a proxy's HTML page, an empty body).
const STATUS_REASONS: Record<number, string> = {
  400: 'BadRequest',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'NotFound',
  405: 'MethodNotAllowed',
  409: 'Conflict',
  410: 'Expired',
  415: 'UnsupportedMediaType',
  422: 'Invalid',
  429: 'TooManyRequests',
  500: 'InternalError',
  503: 'ServiceUnavailable',
  504: 'Timeout'
}
// Failures before the request reached the server: re-sending cannot repeat a write.
const CONNECT_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_CONNECT_TIMEOUT'
])
// Failures on an established connection: the server may or may not have acted on the request.
const SOCKET_CODES = new Set([
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT'
])

/** True when the failure happened before the request was sent, so any verb may be re-sent. */
export function failedBeforeSending(error: ClusterError): boolean {
  return error.details.code !== undefined && CONNECT_CODES.has(error.details.code)
}

/** A write whose answer was lost (5xx, reset, timeout) may still have happened on the server. */
export function mayHaveHappened(error: unknown): boolean {
  if (!(error instanceof ClusterError)) return false
  const status = error.details.status
  return status === undefined || status >= 500
}

/** True when the failure is transient: throttling, 5xx, a dropped connection or a client-side timeout. */
export function isTransient(error: ClusterError): boolean {
  const { status, code, reason } = error.details
  if (status !== undefined) return TRANSIENT_STATUSES.has(status) && error.details.retryable
  if (code !== undefined) return CONNECT_CODES.has(code) || SOCKET_CODES.has(code)
  return reason === 'Timeout'
}

/**
 * The error for a non-2xx answer, from its metav1.Status body (reason, message, causes). The raw
 * body never enters the message: a proxy's page or an echoed header could carry credentials.
 */
export function statusError(
  identity: RequestIdentity,
  status: number,
  bodyText: string,
  retryAfterMs?: number
): ClusterError {
  const body = parseJson(bodyText)
  const isStatus = isRecord(body) && body['kind'] === 'Status'
  const reason = (isStatus ? getString(body, ['reason']) : undefined) || STATUS_REASONS[status] || 'Unknown'
  const message = (isStatus ? getString(body, ['message']) : undefined) || `HTTP ${status} ${reason}`
  const causes = isStatus ? statusCauses(body) : []
  return new ClusterError(truncate(message), {
    ...identity,
    status: (isStatus ? getNumber(body, ['code']) : undefined) ?? status,
    reason,
    retryable: TRANSIENT_STATUSES.has(status) && !PERMANENT_500.test(message),
    ...(causes.length > 0 ? { causes } : {}),
    ...(retryAfterMs !== undefined ? { retryAfterMs } : {})
  })
}

/** The error for a Status object received outside an HTTP error (a watch `ERROR` event). */
export function statusObjectError(identity: RequestIdentity, status: unknown): ClusterError {
  const code = getNumber(status, ['code']) ?? 500
  return statusError(identity, code, JSON.stringify(status))
}

/** `details.causes` of a Status, keeping only what names a field or says something. */
function statusCauses(status: unknown): ClusterErrorCause[] {
  const causes: ClusterErrorCause[] = []
  for (const cause of getArray(status, ['details', 'causes'])) {
    const message = getString(cause, ['message'])
    if (message === undefined) continue
    const field = getString(cause, ['field'])
    const reason = getString(cause, ['reason'])
    causes.push({
      message: truncate(message),
      ...(field !== undefined ? { field } : {}),
      ...(reason !== undefined ? { reason } : {})
    })
  }
  return causes
}

/**
 * The error for a request that got no HTTP answer (or lost it mid-body). undici's `request()`
 * rejects with the socket or connect error itself, sometimes wrapped with a `cause`; the code found
 * along the cause chain decides whether to retry.
 */
export function transportError(identity: RequestIdentity, error: unknown): ClusterError {
  const code = errorCode(error)
  const detail = innermostMessage(error)
  const message = code !== undefined && !detail.includes(code) ? `${code}: ${detail}` : detail
  const retryable = code !== undefined && (CONNECT_CODES.has(code) || SOCKET_CODES.has(code))
  return new ClusterError(truncate(message || 'request failed'), {
    ...identity,
    retryable,
    ...(code !== undefined ? { code } : {})
  })
}

/** Credentials could not be obtained (exec plugin failed, certificate file missing). */
export function authenticationError(identity: RequestIdentity, error: unknown): ClusterError {
  const detail = innermostMessage(error).trim() || 'no detail'
  return new ClusterError(truncate(`cannot authenticate: ${detail}`), {
    ...identity,
    reason: 'AuthenticationFailed',
    retryable: false
  })
}

/** The request was cancelled by the caller's signal. */
export function abortedError(identity: RequestIdentity): ClusterError {
  return new ClusterError('request aborted', { ...identity, reason: 'Aborted', retryable: false })
}

/** The request exceeded wavesync's own per-request timeout. */
export function timeoutError(identity: RequestIdentity, timeoutMs: number): ClusterError {
  return new ClusterError(`no answer within ${timeoutMs} ms`, {
    ...identity,
    reason: 'Timeout',
    retryable: true
  })
}

/** True for a 404 answer. */
export function isNotFound(error: unknown): boolean {
  return error instanceof ClusterError && error.details.status === 404
}

/** A 409 Conflict: the object moved on since it was read (or, for a create, exists already). */
export function isConflict(error: unknown): boolean {
  return error instanceof ClusterError && error.details.status === 409
}

function errorCode(error: unknown): string | undefined {
  for (let current = error, depth = 0; isRecord(current) && depth < 5; depth++) {
    const code = current['code']
    if (typeof code === 'string') return code
    current = current['cause']
  }
  return undefined
}

function innermostMessage(error: unknown): string {
  let message = error instanceof Error ? error.message : ''
  for (let current = error, depth = 0; current instanceof Error && depth < 5; depth++) {
    if (current.message !== '') message = current.message
    current = current.cause ?? firstAggregated(current)
  }
  return message
}

// A host with several addresses (IPv6 and IPv4) that all refuse fails as an AggregateError with an
// empty message; the first attempt's error says what happened (`connect ECONNREFUSED ::1:6443`).
function firstAggregated(error: Error): unknown {
  return error instanceof AggregateError ? (error.errors as unknown[])[0] : undefined
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}

function truncate(text: string): string {
  return text.length > MAX_MESSAGE ? `${text.slice(0, MAX_MESSAGE)}…` : text
}
