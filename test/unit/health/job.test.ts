import { describe, expect, test } from '@jest/globals'
import { jobHealth } from '../../../src/health/job.js'
import type { HealthStatus } from '../../../src/health/types.js'
import { fixture, judgedAs } from './fixtures.js'

describe('jobHealth (sync-semantics §6.2)', () => {
  test.each<[string, HealthStatus, string]>([
    // no terminal condition yet
    ['job-running', 'Progressing', 'Waiting for the Job to complete: 1 active, 0 succeeded, 0 failed'],
    // Complete=True (after the interim SuccessCriteriaMet)
    ['job-complete', 'Healthy', 'Job complete: 1 succeeded'],
    // Failed=True: the condition message
    ['job-failed-backoff', 'Degraded', 'Job has reached the specified backoff limit'],
    ['job-failed-deadline', 'Degraded', 'Job was active longer than specified deadline'],
    // Suspended=True: the condition message
    ['job-suspended', 'Suspended', 'Job suspended'],
    // §11 #10: Suspended=False (resumed) is not completion; Argo CD would call this Healthy
    ['job-resumed', 'Progressing', 'Waiting for the Job to complete: 1 active, 0 succeeded, 0 failed'],
    // §12.10: interim FailureTarget is ignored until Failed follows
    ['job-failure-target', 'Progressing', 'Waiting for the Job to complete: 1 active, 0 succeeded, 3 failed'],
    // §12.10: interim SuccessCriteriaMet is ignored until Complete follows
    [
      'job-success-criteria-met',
      'Progressing',
      'Waiting for the Job to complete: 1 active, 1 succeeded, 0 failed'
    ],
    // only status True counts (§11 #10), for Failed too
    ['job-failed-false', 'Progressing', 'Waiting for the Job to complete: 1 active, 0 succeeded, 0 failed']
  ])('%s → %s', (name, status, message) => {
    expect(jobHealth(fixture(name))).toEqual(judgedAs(status, message))
  })
})
