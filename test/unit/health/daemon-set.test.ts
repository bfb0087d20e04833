import { describe, expect, test } from '@jest/globals'
import { daemonSetHealth } from '../../../src/health/daemon-set.js'
import type { HealthStatus } from '../../../src/health/types.js'
import { fixture, judgedAs } from './fixtures.js'

describe('daemonSetHealth (sync-semantics §6.2)', () => {
  test.each<[string, HealthStatus, string]>([
    // every scheduled pod updated and available
    ['daemonset-healthy', 'Healthy', '2/2 pods available'],
    // generation > observedGeneration
    [
      'daemonset-progressing-generation',
      'Progressing',
      'Waiting for the DaemonSet controller to observe generation 3 (observed 2)'
    ],
    // updatedNumberScheduled < desiredNumberScheduled
    ['daemonset-progressing-updating', 'Progressing', 'Waiting for rollout: 1 of 2 pods updated'],
    // numberAvailable < desiredNumberScheduled
    ['daemonset-progressing-unavailable', 'Progressing', 'Waiting for rollout: 1 of 2 pods available'],
    // OnDelete: old pods stay until deleted, nothing to wait for
    ['daemonset-healthy-ondelete', 'Healthy', '2/2 pods ready (OnDelete updates)']
  ])('%s → %s', (name, status, message) => {
    expect(daemonSetHealth(fixture(name))).toEqual(judgedAs(status, message))
  })
})
