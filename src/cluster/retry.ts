import type { ClusterError } from '../model/errors.js'
import { failedBeforeSending, isTransient } from './errors.js'

/** How often and how long to retry transient failures (sync-semantics §4.2: up to 5 attempts). */
export interface RetryPolicy {
  attempts: number
  baseMs: number
  capMs: number
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 5, baseMs: 250, capMs: 2000 }

/** What the caller says about re-sending one request. */
export interface RetryTraits {
  /** Sending it twice has the effect of sending it once (GET, PUT, DELETE, server-side apply). */
  idempotent: boolean
  /** A 409 Conflict may pass on a second try (the caller re-sends the same body). */
  retryConflict: boolean
}

/**
 * Whether a failed attempt may be sent again. 429 and connection-refused mean the server never
 * acted on the request, so even a create is safe to re-send; 5xx, resets and timeouts are
 * ambiguous (the write may have happened), so only idempotent requests are re-sent — a create
 * is reported to the engine, which decides (sync-semantics §5.3).
 */
export function shouldRetry(error: ClusterError, traits: RetryTraits): boolean {
  const { status, reason } = error.details
  if (status === 429 || failedBeforeSending(error)) return true
  if (status === 409) return traits.retryConflict && reason === 'Conflict'
  return traits.idempotent && isTransient(error)
}

/**
 * Delay before retry `retry` (1-based): exponential from `baseMs`, capped, with "equal jitter"
 * (half fixed, half random) so concurrent clients spread out; never shorter than the server's
 * Retry-After.
 */
export function backoffMs(
  retry: number,
  random: () => number,
  retryAfterMs?: number,
  policy: RetryPolicy = DEFAULT_RETRY
): number {
  const ceiling = Math.min(policy.capMs, policy.baseMs * 2 ** Math.max(0, retry - 1))
  const jittered = ceiling / 2 + (random() * ceiling) / 2
  return Math.round(Math.max(jittered, retryAfterMs ?? 0))
}
