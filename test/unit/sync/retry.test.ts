import { describe, expect, test } from '@jest/globals'
import type { OperationType } from '../../../src/model/vocabulary.js'
import type { RetryPolicy } from '../../../src/sync/retry.js'
import { NO_RETRY, retriesLeft, retryDelayMs, retryProblems, shouldRetry } from '../../../src/sync/retry.js'
import type { KubeObject } from '../../../src/model/object.js'
import { Scenario, deploymentManifest, jobHookManifest, manifestFiles } from '../../support/scenario.js'

// Retrying a failed sync (sync-semantics §4.11), as Argo CD's syncPolicy.retry.

const policy = (over: Partial<RetryPolicy> = {}): RetryPolicy => ({ ...NO_RETRY, limit: 3, ...over })

describe('retryDelayMs: backoff × factor^retry, capped', () => {
  test.each<[string, Partial<RetryPolicy>, number, number]>([
    ['the first retry waits the backoff', {}, 0, 5_000],
    ['then twice as long', {}, 1, 10_000],
    ['and again', {}, 2, 20_000],
    ['160 s is under the 3 m cap', {}, 5, 160_000],
    ['320 s is capped at 3 m', {}, 6, 180_000],
    ['factor 1: constant', { factor: 1 }, 4, 5_000],
    ['a fractional factor', { backoffMs: 1_000, factor: 1.5 }, 2, 2_250]
  ])('%s', (_, over, retry, expected) => {
    expect(retryDelayMs(policy(over), retry)).toBe(expected)
  })
})

describe('shouldRetry: only a failed sync with retries left', () => {
  test.each<[string, number, OperationType, string, boolean]>([
    ['a failed sync, first attempt', 0, 'sync', 'Failed', true],
    ['a failed sync, last retry used', 3, 'sync', 'Failed', false],
    ['a failed rollback (a sync of an older revision)', 0, 'rollback', 'Failed', true],
    ['a delete is not retried', 0, 'delete', 'Failed', false],
    ['a test is not retried', 0, 'test', 'Failed', false],
    ['a success is not retried', 0, 'sync', 'Succeeded', false],
    ['termination or timeout is not retried', 0, 'sync', 'Terminated', false],
    ['an Error (not tied to a task) is not retried', 0, 'sync', 'Error', false]
  ])('%s', (_, attempt, operation, phase, expected) => {
    expect(shouldRetry(policy(), attempt, operation, phase)).toBe(expected)
  })

  test.each<[number, OperationType, boolean]>([
    [0, 'sync', true],
    [2, 'sync', true],
    [3, 'sync', false],
    [0, 'delete', false]
  ])(
    'retriesLeft after attempt %d of a %s: %s (SyncFail waits for the attempt where this is false)',
    (attempt, operation, expected) => {
      expect(retriesLeft(policy(), attempt, operation)).toBe(expected)
    }
  )

  test('limit 0 (the default) never retries', () => {
    expect(shouldRetry(NO_RETRY, 0, 'sync', 'Failed')).toBe(false)
  })
})

describe('retryProblems', () => {
  test.each<[string, Partial<RetryPolicy>, string[]]>([
    ['the defaults', {}, []],
    ['a negative limit', { limit: -1 }, ['--retry-limit must be a whole number from 0 to 100']],
    [
      'a limit that is not a number',
      { limit: Number('x') },
      ['--retry-limit must be a whole number from 0 to 100']
    ],
    ['a factor under 1', { factor: 0.5 }, ['--retry-factor must be a number of at least 1']],
    [
      'a maximum under the backoff',
      { backoffMs: 10_000, maxBackoffMs: 5_000 },
      ['--retry-max-backoff must not be shorter than --retry-backoff']
    ]
  ])('%s', (_, over, expected) => {
    expect(retryProblems(policy(over), name => `--${name}`)).toEqual(expected)
  })
})

const MIGRATE = jobHookManifest('', { hook: 'PreSync', generateName: 'migrate-' })
const ALERT = jobHookManifest('alert', { hook: 'SyncFail' })
const created = (s: Scenario, name: (n: string) => boolean): string[] =>
  s.cluster
    .writes()
    .filter(r => r.verb === 'create' && r.kind === 'Job' && name(r.name))
    .map(r => r.name)

/** A cluster whose first `failures` migrate Jobs fail; later ones, and every other Job, complete. */
function flaky(failures: number): Scenario {
  const s = new Scenario()
  let failed = 0
  s.whenCreated('Job', '*', (job: KubeObject) => {
    const name = job.metadata.name ?? ''
    if (name.startsWith('migrate-') && failed < failures) {
      failed += 1
      s.cluster.failJob(name, { exitCode: 1 })
    } else s.cluster.completeJob(name)
  })
  s.whenCreated('Deployment', '*', d => s.cluster.makeDeploymentAvailable(d.metadata.name ?? ''))
  return s
}

describe('a sync that fails, retried (§4.11)', () => {
  test('the second attempt succeeds: new hook names, backoff waited, no SyncFail, one revision deployed', async () => {
    const s = flaky(1)
    const started = s.clock.now()
    const result = await s.sync(manifestFiles(MIGRATE, deploymentManifest('web'), ALERT), {
      retry: policy({ limit: 2 })
    })
    expect(result.report?.phase).toBe('Succeeded')
    expect(result.exitCode).toBe(0)
    const hooks = created(s, n => n.startsWith('migrate-'))
    expect(hooks).toHaveLength(2)
    expect(new Set(hooks).size).toBe(2)
    expect(created(s, n => n === 'alert')).toEqual([])
    // The second attempt started after the 5 s backoff: its name carries its own start.
    const seconds = hooks.map(h => Number(h.split('-').pop()))
    expect((seconds[1] ?? 0) - (seconds[0] ?? 0)).toBeGreaterThanOrEqual(5)
    expect(s.clock.now() - started).toBeGreaterThanOrEqual(5_000)
    expect(result.report?.notes.some(n => n.startsWith('attempt 1 of 3 failed ('))).toBe(true)
    expect((await s.records()).map(r => [r.revision, r.status])).toEqual([[1, 'deployed']])
  })

  test('every attempt fails: SyncFail runs once, after the last; the report is the last attempt’s', async () => {
    const s = flaky(5)
    const result = await s.sync(manifestFiles(MIGRATE, deploymentManifest('web'), ALERT), {
      retry: policy({ limit: 1 })
    })
    expect(result.report?.phase).toBe('Failed')
    expect(created(s, n => n.startsWith('migrate-'))).toHaveLength(2)
    expect(created(s, n => n === 'alert')).toEqual(['alert'])
    expect(result.report?.tasks.find(t => t.name === 'alert')?.state).toBe('Succeeded')
    expect(result.report?.notes.filter(n => n.includes('failed ('))).toHaveLength(1)
    expect((await s.records()).map(r => [r.revision, r.status])).toEqual([[1, 'failed']])
  })

  test('a retry the overall timeout would cut off is not started: Terminated, no SyncFail', async () => {
    const s = flaky(5)
    const result = await s.sync(manifestFiles(MIGRATE, ALERT), {
      retry: policy({ limit: 3, backoffMs: 5 * 60_000, maxBackoffMs: 5 * 60_000 }),
      timeoutMs: 60_000
    })
    expect(result.report?.phase).toBe('Terminated')
    expect(result.report?.message).toMatch(
      /^operation timed out: the overall timeout \(1m\) ends before retry 1; last attempt: one or more synchronization tasks completed unsuccessfully/
    )
    expect(created(s, n => n.startsWith('migrate-'))).toHaveLength(1)
    expect(created(s, n => n === 'alert')).toEqual([])
  })

  test('without retry-limit a failure is final at once, SyncFail included', async () => {
    const s = flaky(1)
    const result = await s.sync(manifestFiles(MIGRATE, ALERT))
    expect(result.report?.phase).toBe('Failed')
    expect(created(s, n => n.startsWith('migrate-'))).toHaveLength(1)
    expect(created(s, n => n === 'alert')).toEqual(['alert'])
  })
})
