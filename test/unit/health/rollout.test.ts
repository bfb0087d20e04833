import { describe, expect, test } from '@jest/globals'
import { rolloutHealth } from '../../../src/health/rollout.js'
import type { HealthStatus } from '../../../src/health/types.js'
import { fixture, judgedAs } from './fixtures.js'

describe('rolloutHealth (sync-semantics §6.4, Argo CD Rollout/health.lua)', () => {
  test.each<[string, HealthStatus, string]>([
    // no status at all
    ['rollout-no-status', 'Progressing', 'Waiting for the rollout controller to report status'],
    // observedGeneration "1" (a numeric string) ≠ generation 2, even though phase says Healthy
    [
      'rollout-progressing-generation',
      'Progressing',
      'Waiting for the rollout controller to observe generation 2 (observed 1)'
    ],
    // workloadRef: annotation 4 ≠ status.workloadObservedGeneration 3
    [
      'rollout-workload-ref-stale',
      'Progressing',
      'Waiting for the rollout controller to observe the referenced workload'
    ],
    // status.phase decides; empty message gets ours
    ['rollout-phase-healthy', 'Healthy', 'Rollout reports phase Healthy'],
    // phase Paused → Suspended, with status.message
    ['rollout-phase-paused', 'Suspended', 'CanaryPauseStep'],
    // phase Degraded, with status.message
    [
      'rollout-phase-degraded',
      'Degraded',
      'RolloutAborted: Rollout aborted update to revision 3: Metric "success-rate" assessed Failed'
    ],
    // no phase (controller < 1.0): InvalidSpec condition
    [
      'rollout-invalid-spec',
      'Degraded',
      'The Rollout "web" is invalid: spec.strategy.canary.steps[0].setWeight: Invalid value: 120'
    ],
    // no phase: Progressing condition with reason RolloutAborted
    ['rollout-aborted', 'Degraded', 'Rollout aborted update to revision 2'],
    // no phase: pauseConditions
    ['rollout-paused', 'Suspended', 'Rollout is paused'],
    // no phase: no currentPodHash yet
    ['rollout-no-pod-hash', 'Progressing', 'Waiting for the rollout controller to reconcile the status'],
    // spec.replicas defaults to 1
    ['rollout-updating', 'Progressing', 'Waiting for rollout: 0 of 1 replicas updated'],
    // canary: stableRS ≠ currentPodHash
    ['rollout-canary-steps', 'Progressing', 'Waiting for the canary steps to finish'],
    // canary: replicas > updatedReplicas
    ['rollout-canary-old-replicas', 'Progressing', 'Waiting for old replicas to terminate: 2 remaining'],
    // canary: the deprecated status.canary.stableRS matches
    ['rollout-canary-healthy', 'Healthy', '3 replicas available'],
    // blue-green: active selector still on the old hash
    ['rollout-bluegreen-cutover', 'Progressing', 'Waiting for the active Service to switch to the new pods'],
    // blue-green: switched and stable; numeric observedGeneration
    ['rollout-bluegreen-healthy', 'Healthy', '2 replicas available']
  ])('%s → %s', (name, status, message) => {
    expect(rolloutHealth(fixture(name))).toEqual(judgedAs(status, message))
  })
})
