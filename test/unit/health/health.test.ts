import { describe, expect, test } from '@jest/globals'
import { apiServiceHealth } from '../../../src/health/api-service.js'
import { customResourceDefinitionHealth } from '../../../src/health/custom-resource-definition.js'
import { daemonSetHealth } from '../../../src/health/daemon-set.js'
import { deploymentHealth } from '../../../src/health/deployment.js'
import { genericHealth } from '../../../src/health/generic.js'
import { resourceHealth } from '../../../src/health/health.js'
import { hookOutcome } from '../../../src/health/hook-phase.js'
import { horizontalPodAutoscalerHealth } from '../../../src/health/horizontal-pod-autoscaler.js'
import { ingressHealth } from '../../../src/health/ingress.js'
import { jobHealth } from '../../../src/health/job.js'
import { persistentVolumeClaimHealth } from '../../../src/health/persistent-volume-claim.js'
import { podHealth } from '../../../src/health/pod.js'
import { replicaSetHealth } from '../../../src/health/replica-set.js'
import { rolloutHealth } from '../../../src/health/rollout.js'
import { serviceHealth } from '../../../src/health/service.js'
import { statefulSetHealth } from '../../../src/health/stateful-set.js'
import type { Health, HealthOptions } from '../../../src/health/types.js'
import { workflowHealth } from '../../../src/health/workflow.js'
import type { KubeObject } from '../../../src/model/object.js'
import { asObject, fixture, fixtureNames, judgedAs } from './fixtures.js'

/** Fixture and options → expected verdict for the §6.1 steps taken before any kind rule. */
const DISPATCH: ReadonlyArray<[string, HealthOptions, Health]> = [
  // 1. deletionTimestamp without wavesync's hook finalizer
  ['deployment-pending-deletion', {}, judgedAs('Progressing', 'Pending deletion')],
  // 1. with the hook finalizer (§5.5.1, §5.7): the TTL'd hook's final status is judged
  ['job-deleting-with-hook-finalizer', { hook: true }, judgedAs('Healthy', 'Job complete: 1 succeeded')],
  // 2. a version the built-in rule does not read
  [
    'deployment-unsupported-version',
    {},
    judgedAs('Unknown', 'apps/v1beta2 Deployment is not supported by the health check (supported: apps/v1)')
  ],
  // 2. HPA v2beta2 was removed from Kubernetes: Unknown, not guessed
  [
    'hpa-v2beta2-unsupported',
    {},
    judgedAs(
      'Unknown',
      'autoscaling/v2beta2 HorizontalPodAutoscaler is not supported by the health check (supported: autoscaling/v1, autoscaling/v2)'
    )
  ],
  // 3. no built-in rule for extensions/Deployment: the generic rule
  [
    'generic-unserved-deployment',
    {},
    {
      status: 'Healthy',
      message: 'Deployment has no status conventions; healthy once observed',
      conventions: false
    }
  ],
  // Pod rule: ignore-restart-policy applies to non-hooks only
  ['pod-running-restart-never-ignore', {}, judgedAs('Healthy', 'Pod is running and ready')],
  [
    'pod-running-restart-never-ignore',
    { hook: true },
    judgedAs('Progressing', 'Waiting for the pod to complete')
  ]
]

// The fixture's name prefix says which rule must judge it: resourceHealth routes by group/kind.
const RULE_BY_PREFIX: Readonly<Record<string, (object: KubeObject) => Health>> = {
  deployment: deploymentHealth,
  statefulset: statefulSetHealth,
  daemonset: daemonSetHealth,
  replicaset: replicaSetHealth,
  pod: podHealth,
  job: jobHealth,
  pvc: persistentVolumeClaimHealth,
  service: serviceHealth,
  ingress: ingressHealth,
  apiservice: apiServiceHealth,
  hpa: horizontalPodAutoscalerHealth,
  workflow: workflowHealth,
  rollout: rolloutHealth,
  crd: customResourceDefinitionHealth,
  generic: genericHealth
}
// Fixtures the table above covers because §6.1 items 1–2 answer before the kind's rule.
const DISPATCH_CASES = new Set([
  'deployment-pending-deletion',
  'deployment-unsupported-version',
  'hpa-v2beta2-unsupported'
])

describe('resourceHealth (sync-semantics §6.1)', () => {
  test.each(DISPATCH)('%s %j', (name, options, expected) => {
    expect(resourceHealth(fixture(name), options)).toEqual(expected)
  })

  test.each(fixtureNames().filter(name => !DISPATCH_CASES.has(name)))(
    '%s is judged by its kind rule',
    name => {
      const rule = RULE_BY_PREFIX[name.split('-')[0] ?? '']
      expect(rule).toBeDefined()
      const object = fixture(name)
      expect(resourceHealth(object)).toEqual(rule?.(object))
    }
  )
})

// One object per rule (and the generic rule), each built from every malformed part below.
const KINDS: ReadonlyArray<readonly [string, string]> = [
  ['apps/v1', 'Deployment'],
  ['apps/v1', 'StatefulSet'],
  ['apps/v1', 'DaemonSet'],
  ['apps/v1', 'ReplicaSet'],
  ['v1', 'Pod'],
  ['v1', 'PersistentVolumeClaim'],
  ['v1', 'Service'],
  ['batch/v1', 'Job'],
  ['networking.k8s.io/v1', 'Ingress'],
  ['apiregistration.k8s.io/v1', 'APIService'],
  ['autoscaling/v1', 'HorizontalPodAutoscaler'],
  ['autoscaling/v2', 'HorizontalPodAutoscaler'],
  ['argoproj.io/v1alpha1', 'Workflow'],
  ['argoproj.io/v1alpha1', 'Rollout'],
  ['apiextensions.k8s.io/v1', 'CustomResourceDefinition'],
  ['example.com/v1', 'Database']
]
// Wrong types at every level the rules read.
const GARBAGE: readonly unknown[] = [
  null,
  42,
  'Running',
  [],
  { conditions: 'Ready', phase: 7, observedGeneration: 'x', replicas: '3' },
  {
    conditions: [null, 1, 'x', { type: 5 }, { type: 'Ready', status: true }, { type: 'Stalled', message: 9 }]
  },
  { containerStatuses: { name: 'app' }, initContainerStatuses: [{ state: 'x', lastState: [] }] },
  { loadBalancer: { ingress: 'x' }, pauseConditions: 'x', blueGreen: 4, canary: [], phase: 'Running' },
  { containerStatuses: [{ state: { terminated: { exitCode: 'one', reason: 5 } } }], phase: 'Failed' }
]
const METADATA: readonly unknown[] = [
  { name: 'x', generation: 'one', annotations: { 'autoscaling.alpha.kubernetes.io/conditions': 5 } },
  { name: 'x', deletionTimestamp: 5, finalizers: 'wavesync.dev/hook-finalizer' },
  {
    annotations: {
      'argocd.argoproj.io/ignore-restart-policy': true,
      'rollout.argoproj.io/workload-generation': {}
    }
  }
]
const SPECS: readonly unknown[] = [
  null,
  'x',
  { replicas: 'x', updateStrategy: 'x', strategy: { blueGreen: 1 }, workloadRef: 1, paused: 'true' }
]
const STATUSES = ['Healthy', 'Suspended', 'Progressing', 'Degraded', 'Unknown']

/** Every combination of the malformed parts above, as objects of one kind. */
function mangled(apiVersion: string, kind: string): KubeObject[] {
  return GARBAGE.flatMap(status =>
    METADATA.flatMap(metadata => SPECS.map(spec => asObject({ apiVersion, kind, metadata, spec, status })))
  )
}

describe('health never throws on malformed objects', () => {
  test.each(KINDS)('%s %s', (apiVersion, kind) => {
    for (const object of mangled(apiVersion, kind)) {
      const health = resourceHealth(object)
      expect(STATUSES).toContain(health.status)
      expect(typeof health.message).toBe('string')
      expect(['Running', 'Succeeded', 'Failed']).toContain(hookOutcome(object).state)
    }
  })
})
