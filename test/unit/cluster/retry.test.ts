import { describe, expect, test } from '@jest/globals'
import { parseRetryAfter, parseWarnings } from '../../../src/cluster/headers.js'
import { backoffMs, shouldRetry } from '../../../src/cluster/retry.js'
import { ClusterError } from '../../../src/model/errors.js'

const error = (details: { status?: number; code?: string; reason?: string }) =>
  new ClusterError('x', { verb: 'v', retryable: true, ...details })

describe('shouldRetry', () => {
  const safe = { idempotent: true, retryConflict: false }
  const unsafe = { idempotent: false, retryConflict: false }

  test.each([
    // [failure, idempotent request, non-idempotent request]
    [{ status: 429 }, true, true], // rejected before processing (priority and fairness)
    [{ code: 'ECONNREFUSED' }, true, true], // never connected
    [{ code: 'UND_ERR_CONNECT_TIMEOUT' }, true, true],
    [{ status: 500 }, true, false],
    [{ status: 502 }, true, false],
    [{ status: 503 }, true, false],
    [{ status: 504 }, true, false],
    [{ code: 'ECONNRESET' }, true, false], // the write may have happened
    [{ code: 'UND_ERR_SOCKET' }, true, false],
    [{ reason: 'Timeout' }, true, false], // our own per-request timeout
    [{ status: 400 }, false, false],
    [{ status: 403 }, false, false],
    [{ status: 404 }, false, false],
    [{ status: 422 }, false, false],
    [{ status: 409, reason: 'Conflict' }, false, false], // only when the caller asks
    [{ code: 'CERT_HAS_EXPIRED' }, false, false]
  ])('%o: idempotent %s, otherwise %s', (details, idempotent, otherwise) => {
    expect(shouldRetry(error(details), safe)).toBe(idempotent)
    expect(shouldRetry(error(details), unsafe)).toBe(otherwise)
  })

  test('Conflict is retried when the caller says so, AlreadyExists never', () => {
    const traits = { idempotent: true, retryConflict: true }
    expect(shouldRetry(error({ status: 409, reason: 'Conflict' }), traits)).toBe(true)
    expect(shouldRetry(error({ status: 409, reason: 'AlreadyExists' }), traits)).toBe(false)
  })
})

test('backoffMs: doubling from 250 ms, capped at 2 s, half of it jittered, Retry-After as a floor', () => {
  expect([1, 2, 3, 4, 5, 6].map(n => backoffMs(n, () => 1))).toEqual([250, 500, 1000, 2000, 2000, 2000])
  expect([1, 2, 3, 4].map(n => backoffMs(n, () => 0))).toEqual([125, 250, 500, 1000])
  expect(backoffMs(1, () => 0, 3000)).toBe(3000)
})

describe('headers', () => {
  test.each<[string | string[] | undefined, string[]]>([
    [undefined, []],
    ['', []],
    ['299 - "a, with comma"', ['a, with comma']],
    ['299 - "one" "Mon, 01 Jan 2024 00:00:00 GMT", 299 - "two"', ['one', 'two']],
    ['299 - "same", 299 - "same"', ['same']],
    ['garbage', []],
    // Sent as separate headers (undici gives an array): every one is reported, duplicates once.
    [
      ['299 - "first, with comma"', '299 - "second"', '299 - "first, with comma"'],
      ['first, with comma', 'second']
    ],
    [
      ['299 - "a", 299 - "b"', '299 - "c"'],
      ['a', 'b', 'c']
    ]
  ])('Warning %p → %p', (value, expected) => {
    expect(parseWarnings(value)).toEqual(expected)
  })

  test.each<[string | string[] | undefined, number | undefined]>([
    ['1', 1000],
    [' 2 ', 2000],
    ['3600', 10_000], // capped
    ['Wed, 21 Oct 2015 07:28:00 GMT', undefined],
    [undefined, undefined],
    [['3', '3'], undefined] // repeated: ignored, as fetch's joined "3, 3" was
  ])('Retry-After %p → %p ms', (value, expected) => {
    expect(parseRetryAfter(value)).toBe(expected)
  })
})
