import { describe, expect, test } from '@jest/globals'
import type { HookOutcome } from '../../../src/health/hook-phase.js'
import { hookOutcome } from '../../../src/health/hook-phase.js'
import { fixture } from './fixtures.js'

/** Fixture → expected state and message, one row per §5.4 table cell. */
const CASES: ReadonlyArray<[string, HookOutcome['state'], string]> = [
  // Job: neither Complete=True nor Failed=True
  ['job-running', 'Running', 'Waiting for the Job to complete: 1 active, 0 succeeded, 0 failed'],
  // Job: Complete=True
  ['job-complete', 'Succeeded', 'Job complete: 1 succeeded'],
  // Job: Failed=True names the condition's reason and message
  [
    'job-failed-backoff',
    'Failed',
    'Failed (BackoffLimitExceeded): Job has reached the specified backoff limit'
  ],
  [
    'job-failed-deadline',
    'Failed',
    'Failed (DeadlineExceeded): Job was active longer than specified deadline'
  ],
  // Job: Suspended=True waits until the hook's timeout
  ['job-suspended', 'Running', 'Job suspended'],
  // Job: §11 #10, a resumed Job (Suspended=False) is running, not complete
  ['job-resumed', 'Running', 'Waiting for the Job to complete: 1 active, 0 succeeded, 0 failed'],
  // Job: §12.10, interim conditions do not end the wait
  ['job-failure-target', 'Running', 'Waiting for the Job to complete: 1 active, 0 succeeded, 3 failed'],
  ['job-success-criteria-met', 'Running', 'Waiting for the Job to complete: 1 active, 1 succeeded, 0 failed'],
  // Job: §5.7, deleted by its TTL but held by wavesync's finalizer: the final status counts
  ['job-deleting-with-hook-finalizer', 'Succeeded', 'Job complete: 1 succeeded'],
  // Pod Never/OnFailure: Running even when Ready
  ['pod-running-restart-never', 'Running', 'Waiting for the pod to complete'],
  // Pod Never/OnFailure: a missing image keeps it waiting, not failed
  [
    'pod-image-pull-backoff-never',
    'Running',
    'Waiting for the pod to start: container "migrate" ErrImagePull: rpc error: code = NotFound'
  ],
  // Pod: ignore-restart-policy is not honoured for hooks
  ['pod-running-restart-never-ignore', 'Running', 'Waiting for the pod to complete'],
  // Pod Never/OnFailure: Succeeded
  ['pod-succeeded', 'Succeeded', 'Pod succeeded'],
  // Pod Never/OnFailure: Failed, named by the terminated container
  ['pod-failed-oomkilled', 'Failed', 'Failed (OOMKilled): container "migrate"'],
  ['pod-failed-exit-code', 'Failed', 'Failed (exit code 1): container "migrate"'],
  // Pod: the failed init container is found first, with its termination message
  ['pod-failed-init', 'Failed', 'Failed (exit code 2): container "schema": relation "users" already exists'],
  // Pod: no terminated container, the Pod's own reason
  [
    'pod-failed-deadline',
    'Failed',
    'Failed (DeadlineExceeded): Pod was active on the node longer than the specified deadline'
  ],
  // Pod Never/OnFailure: an unknown phase fails
  ['pod-unknown', 'Failed', 'Failed (health Unknown): Pod reports phase Unknown'],
  // Pod Always: Pending, or Running not Ready without a prior termination
  ['pod-pending', 'Running', 'Waiting for the pod to start: container "app" ContainerCreating'],
  ['pod-running-not-ready', 'Running', 'Waiting for the pod to become ready'],
  // Pod Always: Running and Ready
  ['pod-running-ready', 'Succeeded', 'Pod is running and ready'],
  // Pod Always: §6.2 Degraded cases, named by the last termination
  ['pod-crashloop', 'Failed', 'Failed (exit code 1): container "app"'],
  ['pod-running-restarted', 'Failed', 'Failed (exit code 1): container "app"'],
  // Pod Always: Degraded without any termination, the health message
  [
    'pod-image-pull-backoff',
    'Failed',
    'Failed: container "app" ImagePullBackOff: Back-off pulling image "example/web:missing"'
  ],
  // Workflow: empty phase, Running
  ['workflow-pending', 'Running', 'Waiting for the workflow controller to start the workflow'],
  ['workflow-running', 'Running', 'Waiting for the workflow to finish (Running)'],
  // Workflow: Succeeded
  ['workflow-succeeded', 'Succeeded', 'Workflow succeeded'],
  // Workflow: Failed, Error and any other phase fail
  ['workflow-failed', 'Failed', 'Failed: child "smoke-abc12-1234" failed'],
  [
    'workflow-error',
    'Failed',
    'Failed (Error): templates.main.steps failed to resolve {{inputs.parameters.url}}'
  ],
  ['workflow-unknown-phase', 'Failed', 'Failed (phase Omitted)'],
  // other kinds: a ConfigMap hook has no status conventions: "<name> created"
  ['generic-no-conventions', 'Succeeded', 'settings created'],
  // other kinds: Healthy
  ['crd-established', 'Succeeded', 'CRD is established'],
  // other kinds: Progressing and Suspended run
  ['generic-ready-false', 'Running', 'Waiting for Ready: Issuing certificate as Secret does not exist'],
  ['deployment-suspended', 'Running', 'Deployment is paused'],
  // other kinds: Degraded fails
  ['generic-stalled', 'Failed', 'Failed: storage quota exceeded: requested 500Gi, limit 100Gi'],
  // other kinds: Unknown fails a hook (it waits for a resource)
  ['pvc-no-phase', 'Failed', 'Failed (health Unknown): Claim reports no phase']
]

describe('hookOutcome (sync-semantics §5.4)', () => {
  test.each(CASES)('%s → %s', (name, state, message) => {
    expect(hookOutcome(fixture(name))).toEqual({ state, message })
  })
})
