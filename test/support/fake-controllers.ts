import { getArray, getNumber, getString, isRecord } from '../../src/model/json.js'
import type { KubeObject } from '../../src/model/object.js'
import type { FakeCluster } from './fake-cluster.js'

/**
 * The controllers of a real cluster (deployment, job, kubelet, apiextensions), played by the test:
 * each function writes the status the real controller would write, through `FakeCluster.update`,
 * so watchers see MODIFIED events and the request log shows when it happened.
 */

/** How a Job or hook Pod ends: its namespace when the name is ambiguous, and what its container printed. */
export interface JobEnd {
  namespace?: string
  log?: string
}

export interface JobFailure extends JobEnd {
  exitCode?: number
  /** The Job's Failed condition reason (default BackoffLimitExceeded), or the container's reason for Pods. */
  reason?: string
  message?: string
}

/** The API server's timestamps: RFC 3339, whole seconds. */
export function isoSeconds(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z')
}

export function makeDeploymentAvailable(c: FakeCluster, name: string, namespace?: string): KubeObject {
  return c.update('Deployment', name, namespace, 'deployment available', d => {
    const replicas = getNumber(d, ['spec', 'replicas']) ?? 1
    d['status'] = {
      observedGeneration: d.metadata.generation ?? 1,
      replicas,
      updatedReplicas: replicas,
      readyReplicas: replicas,
      availableReplicas: replicas,
      conditions: [
        condition('Available', 'True', 'MinimumReplicasAvailable', 'Deployment has minimum availability.'),
        condition(
          'Progressing',
          'True',
          'NewReplicaSetAvailable',
          `ReplicaSet "${name}-5d4f8" has successfully progressed.`
        )
      ]
    }
  })
}

export function makeDeploymentProgressing(c: FakeCluster, name: string, namespace?: string): KubeObject {
  return c.update('Deployment', name, namespace, 'deployment progressing', d => {
    const replicas = getNumber(d, ['spec', 'replicas']) ?? 1
    d['status'] = {
      observedGeneration: d.metadata.generation ?? 1,
      replicas,
      updatedReplicas: replicas,
      unavailableReplicas: replicas,
      conditions: [
        condition(
          'Available',
          'False',
          'MinimumReplicasUnavailable',
          'Deployment does not have minimum availability.'
        ),
        condition('Progressing', 'True', 'ReplicaSetUpdated', `ReplicaSet "${name}-5d4f8" is progressing.`)
      ]
    }
  })
}

export function failDeployment(
  c: FakeCluster,
  name: string,
  namespace?: string,
  message?: string
): KubeObject {
  return c.update('Deployment', name, namespace, 'deployment progress deadline exceeded', d => {
    const replicas = getNumber(d, ['spec', 'replicas']) ?? 1
    d['status'] = {
      observedGeneration: d.metadata.generation ?? 1,
      replicas,
      updatedReplicas: replicas,
      unavailableReplicas: replicas,
      conditions: [
        condition(
          'Available',
          'False',
          'MinimumReplicasUnavailable',
          'Deployment does not have minimum availability.'
        ),
        condition(
          'Progressing',
          'False',
          'ProgressDeadlineExceeded',
          message ?? `ReplicaSet "${name}-5d4f8" has timed out progressing.`
        )
      ]
    }
  })
}

/** The Job controller starts the Job's pod (if not yet) and counts it active. */
export function startJob(c: FakeCluster, name: string, namespace?: string): KubeObject {
  const job = c.mustFind('Job', name, namespace)
  jobPod(c, job)
  return c.update('Job', name, job.metadata.namespace, 'job started', j => {
    j['status'] = { startTime: isoSeconds(c.clock.now()), active: 1, ready: 1 }
  })
}

export function completeJob(c: FakeCluster, name: string, options: JobEnd = {}): KubeObject {
  const job = c.mustFind('Job', name, options.namespace)
  const ns = job.metadata.namespace ?? ''
  const pod = jobPod(c, job)
  endPod(c, pod, { ...options, namespace: ns }, 0, 'Completed')
  const now = isoSeconds(c.clock.now())
  const updated = c.update('Job', name, ns, 'job complete', j => {
    j['status'] = {
      startTime: getString(j, ['status', 'startTime']) ?? now,
      completionTime: now,
      active: 0,
      ready: 0,
      succeeded: 1,
      conditions: [
        condition(
          'SuccessCriteriaMet',
          'True',
          'CompletionsReached',
          'Reached expected number of succeeded pods'
        ),
        condition('Complete', 'True', 'CompletionsReached', 'Reached expected number of succeeded pods')
      ]
    }
  })
  c.recordEvent(updated, { reason: 'Completed', message: 'Job completed' })
  return c.mustFind('Job', name, ns)
}

export function failJob(c: FakeCluster, name: string, options: JobFailure = {}): KubeObject {
  const job = c.mustFind('Job', name, options.namespace)
  const ns = job.metadata.namespace ?? ''
  const pod = jobPod(c, job)
  endPod(c, pod, { ...options, namespace: ns }, options.exitCode ?? 1, 'Error')
  const reason = options.reason ?? 'BackoffLimitExceeded'
  const message = options.message ?? 'Job has reached the specified backoff limit'
  const updated = c.update('Job', name, ns, 'job failed', j => {
    j['status'] = {
      startTime: getString(j, ['status', 'startTime']) ?? isoSeconds(c.clock.now()),
      active: 0,
      ready: 0,
      failed: 1,
      conditions: [
        condition('FailureTarget', 'True', reason, message),
        condition('Failed', 'True', reason, message)
      ]
    }
  })
  c.recordEvent(updated, { type: 'Warning', reason, message })
  return c.mustFind('Job', name, ns)
}

export function makePodRunning(
  c: FakeCluster,
  name: string,
  options: { namespace?: string; ready?: boolean } = {}
): KubeObject {
  const ready = options.ready ?? true
  return c.update('Pod', name, options.namespace, 'pod running', p => {
    p['status'] = {
      phase: 'Running',
      conditions: [condition('Ready', ready ? 'True' : 'False', '', '')],
      containerStatuses: containerNames(p).map(container => ({
        name: container,
        ready,
        restartCount: 0,
        state: { running: { startedAt: isoSeconds(c.clock.now()) } }
      }))
    }
  })
}

export function makePodSucceeded(c: FakeCluster, name: string, options: JobEnd = {}): KubeObject {
  const pod = c.mustFind('Pod', name, options.namespace)
  endPod(c, pod, options, 0, 'Completed')
  return c.mustFind('Pod', name, pod.metadata.namespace)
}

export function makePodFailed(c: FakeCluster, name: string, options: JobFailure = {}): KubeObject {
  const pod = c.mustFind('Pod', name, options.namespace)
  endPod(c, pod, options, options.exitCode ?? 1, options.reason ?? 'Error')
  return c.mustFind('Pod', name, pod.metadata.namespace)
}

/** The apiextensions controller accepts the names and establishes the CRD: its kinds are served from now on. */
export function establishCrd(c: FakeCluster, name: string): KubeObject {
  return c.update('CustomResourceDefinition', name, undefined, 'crd established', crd => {
    const names = isRecord(crd['spec']) && isRecord(crd['spec']['names']) ? crd['spec']['names'] : {}
    crd['status'] = {
      acceptedNames: structuredClone(names),
      conditions: [
        condition('NamesAccepted', 'True', 'NoConflicts', 'no conflicts found'),
        condition('Established', 'True', 'InitialNamesAccepted', 'the initial names have been accepted')
      ]
    }
  })
}

/** The Job's pod, created by "the Job controller" the first time it is needed. */
export function jobPod(c: FakeCluster, job: KubeObject): KubeObject {
  const ns = job.metadata.namespace ?? ''
  const name = job.metadata.name ?? ''
  const uid = job.metadata.uid ?? ''
  const existing = c
    .all('Pod')
    .find(
      p => p.metadata.namespace === ns && p.metadata.labels?.['batch.kubernetes.io/controller-uid'] === uid
    )
  if (existing) return existing
  const template = isRecord(job['spec']) && isRecord(job['spec']['template']) ? job['spec']['template'] : {}
  const [pod] = c.seed({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: `${name}-${uid.slice(-5)}`,
      namespace: ns,
      labels: {
        'batch.kubernetes.io/job-name': name,
        'job-name': name,
        'batch.kubernetes.io/controller-uid': uid,
        'controller-uid': uid
      },
      ownerReferences: [
        { apiVersion: 'batch/v1', kind: 'Job', name, uid, controller: true, blockOwnerDeletion: true }
      ]
    },
    spec: structuredClone(isRecord(template['spec']) ? template['spec'] : { containers: [{ name: 'main' }] }),
    status: { phase: 'Running' }
  })
  if (!pod) throw new Error('seeding the job pod failed')
  return pod
}

function endPod(c: FakeCluster, pod: KubeObject, options: JobEnd, exitCode: number, reason: string): void {
  const ns = pod.metadata.namespace ?? ''
  const name = pod.metadata.name ?? ''
  const containers = containerNames(pod)
  if (options.log !== undefined && containers[0] !== undefined) c.setLog(ns, name, containers[0], options.log)
  const now = isoSeconds(c.clock.now())
  c.update('Pod', name, ns, exitCode === 0 ? 'pod succeeded' : 'pod failed', p => {
    p['status'] = {
      phase: exitCode === 0 ? 'Succeeded' : 'Failed',
      containerStatuses: containers.map((container, i) => ({
        name: container,
        ready: false,
        restartCount: 0,
        state: {
          terminated: {
            exitCode: i === 0 ? exitCode : 0,
            reason: i === 0 ? reason : 'Completed',
            startedAt: now,
            finishedAt: now
          }
        }
      }))
    }
  })
}

function containerNames(pod: KubeObject): string[] {
  const names = getArray(pod, ['spec', 'containers'])
    .map(container => getString(container, ['name']))
    .filter((name): name is string => name !== undefined)
  return names.length > 0 ? names : ['main']
}

function condition(type: string, status: string, reason: string, message: string): Record<string, string> {
  return { type, status, reason, message, lastTransitionTime: '2024-11-21T12:00:00Z' }
}
