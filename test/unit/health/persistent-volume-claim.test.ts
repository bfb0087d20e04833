import { describe, expect, test } from '@jest/globals'
import { persistentVolumeClaimHealth } from '../../../src/health/persistent-volume-claim.js'
import type { HealthStatus } from '../../../src/health/types.js'
import { fixture, judgedAs } from './fixtures.js'

describe('persistentVolumeClaimHealth (sync-semantics §6.3)', () => {
  test.each<[string, HealthStatus, string]>([
    // Bound
    ['pvc-bound', 'Healthy', 'Bound to volume pvc-0a1b2c3d'],
    // Pending, including WaitForFirstConsumer claims
    [
      'pvc-pending',
      'Progressing',
      'Waiting for the claim to be bound (a WaitForFirstConsumer claim binds once a pod uses it)'
    ],
    // Lost
    ['pvc-lost', 'Degraded', 'The bound volume no longer exists (claim Lost)'],
    // anything else
    ['pvc-no-phase', 'Unknown', 'Claim reports no phase']
  ])('%s → %s', (name, status, message) => {
    expect(persistentVolumeClaimHealth(fixture(name))).toEqual(judgedAs(status, message))
  })
})
