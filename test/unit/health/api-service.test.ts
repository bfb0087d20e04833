import { describe, expect, test } from '@jest/globals'
import { apiServiceHealth } from '../../../src/health/api-service.js'
import type { HealthStatus } from '../../../src/health/types.js'
import { fixture, judgedAs } from './fixtures.js'

describe('apiServiceHealth (sync-semantics §6.3)', () => {
  test.each<[string, HealthStatus, string]>([
    // Available=True: reason and message
    ['apiservice-available', 'Healthy', 'Passed: all checks passed'],
    // Available=False waits, never Degraded
    [
      'apiservice-unavailable',
      'Progressing',
      'Waiting for the API service to become available (MissingEndpoints: endpoints for service/metrics-server in "kube-system" have no addresses)'
    ],
    // no Available condition yet: the spec's wording
    ['apiservice-new', 'Progressing', 'Waiting to be processed']
  ])('%s → %s', (name, status, message) => {
    expect(apiServiceHealth(fixture(name))).toEqual(judgedAs(status, message))
  })
})
