import { describe, expect, test } from '@jest/globals'
import { replicaSetHealth } from '../../../src/health/replica-set.js'
import type { HealthStatus } from '../../../src/health/types.js'
import { fixture, judgedAs } from './fixtures.js'

describe('replicaSetHealth (sync-semantics §6.2)', () => {
  test.each<[string, HealthStatus, string]>([
    // all replicas available
    ['replicaset-healthy', 'Healthy', '2/2 replicas available'],
    // availableReplicas < spec.replicas
    ['replicaset-progressing', 'Progressing', 'Waiting for replicas: 1 of 2 available'],
    // generation not observed yet
    [
      'replicaset-progressing-generation',
      'Progressing',
      'Waiting for the ReplicaSet controller to observe generation 2 (observed 1)'
    ],
    // ReplicaFailure=True: its message
    [
      'replicaset-degraded-failure',
      'Degraded',
      'pods "web-7c9f5d-x2x9q" is forbidden: exceeded quota: compute, requested: cpu=2, used: cpu=8, limited: cpu=8'
    ],
    // ReplicaFailure=False does not count
    ['replicaset-failure-resolved', 'Healthy', '2/2 replicas available']
  ])('%s → %s', (name, status, message) => {
    expect(replicaSetHealth(fixture(name))).toEqual(judgedAs(status, message))
  })
})
