// Retrying a failed sync (sync-semantics §4.11), as an Argo CD `syncPolicy.retry`: only failures of
// the step machine (§4.6) are retried; validation, dry-run, lock, timeout and termination are not.
import type { OperationType } from '../model/vocabulary.js'

/** `retry-limit`, `retry-backoff`, `retry-factor`, `retry-max-backoff`. */
export interface RetryPolicy {
  /** Retries after the first attempt (0: none). */
  limit: number
  backoffMs: number
  factor: number
  maxBackoffMs: number
}

export const NO_RETRY: RetryPolicy = { limit: 0, backoffMs: 5_000, factor: 2, maxBackoffMs: 180_000 }

/**
 * The wait before retry number `retry` (0 for the first retry): backoff × factor^retry, capped at
 * the maximum (Argo CD's `NextRetryAt`: the first retry waits exactly the backoff).
 */
export function retryDelayMs(policy: RetryPolicy, retry: number): number {
  const delay = policy.backoffMs * policy.factor ** retry
  return Math.round(Math.min(policy.maxBackoffMs, delay))
}

/**
 * Whether a failure of attempt `attempt` (0 for the first) would be retried. Deletes and tests are
 * not: a sync policy retries syncs (a rollback is a sync of an older revision).
 */
export function retriesLeft(policy: RetryPolicy, attempt: number, operation: OperationType): boolean {
  return attempt < policy.limit && (operation === 'sync' || operation === 'rollback')
}

/** Whether an attempt that ended in `phase` is retried: only a failure (§4.6), with retries left. */
export function shouldRetry(
  policy: RetryPolicy,
  attempt: number,
  operation: OperationType,
  phase: string
): boolean {
  return phase === 'Failed' && retriesLeft(policy, attempt, operation)
}

/**
 * The policy from the four settings, read as numbers and durations by the caller (action inputs
 * or CLI flags, each with its own wording of a bad value), with its problems named by `name`.
 */
export function readRetryPolicy(
  number: (name: RetryNumber, fallback: number) => number,
  duration: (name: RetryDuration, fallback: number) => number,
  name: (key: string) => string
): { policy: RetryPolicy; problems: string[] } {
  const policy = {
    limit: number('retry-limit', NO_RETRY.limit),
    backoffMs: duration('retry-backoff', NO_RETRY.backoffMs),
    factor: number('retry-factor', NO_RETRY.factor),
    maxBackoffMs: duration('retry-max-backoff', NO_RETRY.maxBackoffMs)
  }
  return { policy, problems: retryProblems(policy, name) }
}

export type RetryNumber = 'retry-limit' | 'retry-factor'
export type RetryDuration = 'retry-backoff' | 'retry-max-backoff'

/** The problems of the retry inputs, phrased with `name` (flag or input) of each. */
export function retryProblems(policy: RetryPolicy, name: (key: string) => string): string[] {
  const problems: string[] = []
  if (!Number.isInteger(policy.limit) || policy.limit < 0 || policy.limit > 100)
    problems.push(`${name('retry-limit')} must be a whole number from 0 to 100`)
  if (!Number.isFinite(policy.factor) || policy.factor < 1)
    problems.push(`${name('retry-factor')} must be a number of at least 1`)
  if (policy.maxBackoffMs < policy.backoffMs)
    problems.push(`${name('retry-max-backoff')} must not be shorter than ${name('retry-backoff')}`)
  return problems
}
