import { describe, expect, test } from '@jest/globals'
import { deploymentHealth } from '../../../src/health/deployment.js'
import type { HealthStatus } from '../../../src/health/types.js'
import { fixture, judgedAs } from './fixtures.js'

describe('deploymentHealth (sync-semantics §6.2)', () => {
  test.each<[string, HealthStatus, string]>([
    // every replica updated and available
    ['deployment-healthy', 'Healthy', '3/3 replicas available'],
    // spec.paused wins over everything, even a stale generation
    ['deployment-suspended', 'Suspended', 'Deployment is paused'],
    // generation 3 not observed yet: the counters describe generation 2
    [
      'deployment-progressing-generation',
      'Progressing',
      'Waiting for the Deployment controller to observe generation 3 (observed 2)'
    ],
    // updatedReplicas < spec.replicas
    ['deployment-progressing-updating', 'Progressing', 'Waiting for rollout: 1 of 3 replicas updated'],
    // status.replicas > updatedReplicas: an old pod still terminating
    [
      'deployment-progressing-old-replicas',
      'Progressing',
      'Waiting for old replicas to terminate: 1 remaining'
    ],
    // availableReplicas < updatedReplicas
    [
      'deployment-progressing-unavailable',
      'Progressing',
      'Waiting for rollout: 2 of 3 updated replicas available'
    ],
    // Progressing condition with reason ProgressDeadlineExceeded
    [
      'deployment-degraded-deadline',
      'Degraded',
      'Progress deadline exceeded: ReplicaSet "web-7c9f5d" has timed out progressing.'
    ],
    // mistyped fields read as absent: observedGeneration "1" is no number
    [
      'deployment-malformed-status',
      'Progressing',
      'Waiting for the Deployment controller to observe generation 1 (none observed yet)'
    ]
  ])('%s → %s', (name, status, message) => {
    expect(deploymentHealth(fixture(name))).toEqual(judgedAs(status, message))
  })
})
