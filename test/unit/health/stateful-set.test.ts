import { describe, expect, test } from '@jest/globals'
import { statefulSetHealth } from '../../../src/health/stateful-set.js'
import type { HealthStatus } from '../../../src/health/types.js'
import { fixture, judgedAs } from './fixtures.js'

describe('statefulSetHealth (sync-semantics §6.2)', () => {
  test.each<[string, HealthStatus, string]>([
    // defaulted RollingUpdate partition 0, all pods updated
    ['statefulset-healthy', 'Healthy', 'Rollout complete: 3 of 3 pods updated (partition 0)'],
    // observedGeneration absent counts as 0: never reported
    [
      'statefulset-progressing-generation',
      'Progressing',
      'Waiting for the StatefulSet controller to observe generation 1 (none observed yet)'
    ],
    // readyReplicas < spec.replicas
    ['statefulset-progressing-not-ready', 'Progressing', 'Waiting for pods to be ready: 1/3 ready'],
    // partition 1: replicas − partition = 2 pods must update
    [
      'statefulset-progressing-partition',
      'Progressing',
      'Waiting for rollout: 1 of 2 pods updated (partition 1)'
    ],
    // OnDelete: nothing to wait for once ready, even with old revisions
    ['statefulset-healthy-ondelete', 'Healthy', '2/2 pods ready (OnDelete updates)'],
    // no partition recorded: updateRevision ≠ currentRevision
    [
      'statefulset-progressing-revision',
      'Progressing',
      'Waiting for rolling update to revision db-7a1c: 1 of 3 pods updated'
    ],
    // no partition recorded, revisions agree
    ['statefulset-healthy-revision', 'Healthy', 'Rolling update complete: 3/3 pods at revision db-7a1c']
  ])('%s → %s', (name, status, message) => {
    expect(statefulSetHealth(fixture(name))).toEqual(judgedAs(status, message))
  })
})
