import { describe, expect, test } from '@jest/globals'
import { podHealth } from '../../../src/health/pod.js'
import type { HealthStatus } from '../../../src/health/types.js'
import { fixture, judgedAs } from './fixtures.js'

/** Fixture → expected verdict; (n) is the step of the §6.2 Pod rule that decides. */
const CASES: ReadonlyArray<[string, HealthStatus, string]> = [
  // (3) Running, restartPolicy Always, Ready
  ['pod-running-ready', 'Healthy', 'Pod is running and ready'],
  // (3) Running, Always, not Ready, never restarted: still starting
  ['pod-running-not-ready', 'Progressing', 'Waiting for the pod to become ready'],
  // (3) Running, Always, not Ready after a crash (lastState.terminated)
  [
    'pod-running-restarted',
    'Degraded',
    'container "app" restarted (Error, exit code 1) and the pod is not ready'
  ],
  // (1) Always (the default when absent), waiting CrashLoopBackOff
  [
    'pod-crashloop',
    'Degraded',
    'container "app" CrashLoopBackOff: back-off 1m20s restarting failed container=app pod=web_shop'
  ],
  // (1) Always, waiting ImagePullBackOff, even while Pending
  [
    'pod-image-pull-backoff',
    'Degraded',
    'container "app" ImagePullBackOff: Back-off pulling image "example/web:missing"'
  ],
  // (1) does not apply to restartPolicy Never: the image may still appear
  [
    'pod-image-pull-backoff-never',
    'Progressing',
    'Waiting for the pod to start: container "migrate" ErrImagePull: rpc error: code = NotFound'
  ],
  // (2) Pending with containers being created
  ['pod-pending', 'Progressing', 'Waiting for the pod to start: container "app" ContainerCreating'],
  // (2) Pending, not scheduled: no container statuses yet
  ['pod-pending-unscheduled', 'Progressing', 'Waiting for the pod to be scheduled and started'],
  // (3) Running with restartPolicy Never: not done until it exits, Ready or not
  ['pod-running-restart-never', 'Progressing', 'Waiting for the pod to complete'],
  // (2) Succeeded
  ['pod-succeeded', 'Healthy', 'Pod succeeded'],
  // (2) Failed: a terminated container's OOMKilled
  ['pod-failed-oomkilled', 'Degraded', 'container "migrate" was OOMKilled'],
  // (2) Failed: init container exited 0, so the main container's exit code
  ['pod-failed-exit-code', 'Degraded', 'container "migrate" failed with exit code 1'],
  // (2) Failed: the failed init container's termination message comes first
  ['pod-failed-init', 'Degraded', 'relation "users" already exists'],
  // (2) Failed: the Pod's own status message wins
  ['pod-failed-deadline', 'Degraded', 'Pod was active on the node longer than the specified deadline'],
  // (4) any other phase
  ['pod-unknown', 'Unknown', 'Pod reports phase Unknown'],
  // malformed statuses and conditions are skipped; restartPolicy 7 reads as the default Always
  ['pod-malformed-status', 'Progressing', 'Waiting for the pod to become ready']
]

describe('podHealth (sync-semantics §6.2)', () => {
  test.each(CASES)('%s → %s', (name, status, message) => {
    expect(podHealth(fixture(name))).toEqual(judgedAs(status, message))
  })

  describe('argocd.argoproj.io/ignore-restart-policy: "true" (Argo CD ≥ 3.3)', () => {
    test('a non-hook Pod is judged as restartPolicy Always: Running and Ready is Healthy', () => {
      expect(podHealth(fixture('pod-running-restart-never-ignore'))).toEqual(
        judgedAs('Healthy', 'Pod is running and ready')
      )
    })

    test('a non-hook Pod is judged as restartPolicy Always: ErrImagePull is Degraded', () => {
      expect(podHealth(fixture('pod-image-pull-backoff-never-ignore'), { hook: false })).toEqual(
        judgedAs('Degraded', 'container "migrate" ErrImagePull: rpc error: code = NotFound')
      )
    })

    test('a hook keeps its own restart policy: it must run to completion', () => {
      expect(podHealth(fixture('pod-running-restart-never-ignore'), { hook: true })).toEqual(
        judgedAs('Progressing', 'Waiting for the pod to complete')
      )
    })
  })
})
