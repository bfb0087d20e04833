import { HOOK_FINALIZER } from '../model/tracking.js'
import { getArray, getString } from '../model/json.js'
import type { KubeObject } from '../model/object.js'
import { splitApiVersion } from '../model/object.js'
import { apiServiceHealth } from './api-service.js'
import { customResourceDefinitionHealth } from './custom-resource-definition.js'
import { daemonSetHealth } from './daemon-set.js'
import { deploymentHealth } from './deployment.js'
import { genericHealth } from './generic.js'
import { horizontalPodAutoscalerHealth } from './horizontal-pod-autoscaler.js'
import { ingressHealth } from './ingress.js'
import { jobHealth } from './job.js'
import { persistentVolumeClaimHealth } from './persistent-volume-claim.js'
import { podHealth } from './pod.js'
import { replicaSetHealth } from './replica-set.js'
import { rolloutHealth } from './rollout.js'
import { serviceHealth } from './service.js'
import { statefulSetHealth } from './stateful-set.js'
import type { Health, HealthOptions } from './types.js'
import { judged } from './types.js'
import { workflowHealth } from './workflow.js'

/** wavesync's hook finalizer (sync-semantics §5.5); mirrors `WAVESYNC.hookFinalizer` of the planner. */
/** Re-exported: the finalizer's name lives in model/tracking.ts. */
export { HOOK_FINALIZER }

/** A built-in rule: the versions it understands (all when absent) and the check. */
interface Rule {
  versions?: readonly string[]
  check: (object: KubeObject, options: HealthOptions) => Health
}

/**
 * Built-in rules by `group/kind` (sync-semantics §6.2–§6.5), as gitops-engine's
 * `GetHealthCheckFunc` plus the Rollout script and wavesync's CRD rule. Versions are listed where
 * the rule reads typed fields of one API version; Workflow, Rollout and Ingress rules read fields
 * every version shares, as upstream does.
 */
const RULES: ReadonlyMap<string, Rule> = new Map<string, Rule>([
  ['apps/Deployment', { versions: ['v1'], check: deploymentHealth }],
  ['apps/StatefulSet', { versions: ['v1'], check: statefulSetHealth }],
  ['apps/DaemonSet', { versions: ['v1'], check: daemonSetHealth }],
  ['apps/ReplicaSet', { versions: ['v1'], check: replicaSetHealth }],
  ['/Pod', { versions: ['v1'], check: podHealth }],
  ['/PersistentVolumeClaim', { versions: ['v1'], check: persistentVolumeClaimHealth }],
  ['/Service', { versions: ['v1'], check: serviceHealth }],
  ['batch/Job', { versions: ['v1'], check: jobHealth }],
  ['networking.k8s.io/Ingress', { check: ingressHealth }],
  ['extensions/Ingress', { check: ingressHealth }],
  ['apiregistration.k8s.io/APIService', { versions: ['v1', 'v1beta1'], check: apiServiceHealth }],
  ['autoscaling/HorizontalPodAutoscaler', { versions: ['v1', 'v2'], check: horizontalPodAutoscalerHealth }],
  ['argoproj.io/Workflow', { check: workflowHealth }],
  ['argoproj.io/Rollout', { check: rolloutHealth }],
  // v1beta1 has the same conditions; kept for old API servers (removed in Kubernetes 1.22).
  [
    'apiextensions.k8s.io/CustomResourceDefinition',
    { versions: ['v1', 'v1beta1'], check: customResourceDefinitionHealth }
  ]
])

/**
 * Health of a live object (sync-semantics §6.1, gitops-engine `GetResourceHealth`). Pure and total:
 * it never throws, whatever the object's status holds.
 *
 * 1. Being deleted without wavesync's hook finalizer → Progressing "Pending deletion". A hook
 *    carrying the finalizer keeps its final status readable while something else deletes it
 *    (Job TTL), so its status is judged instead (§5.5.1, §5.7).
 * 2. The built-in rule for the group/kind; an API version the rule does not know → Unknown.
 * 3. Otherwise the kstatus conventions (§6.6), which may find no conventions at all.
 *
 * `options.hook` marks hook objects: only the Pod rule cares (§6.2, ignore-restart-policy).
 */
export function resourceHealth(object: KubeObject, options: HealthOptions = {}): Health {
  if (pendingDeletion(object)) return judged('Progressing', 'Pending deletion')
  const { group, version } = splitApiVersion(object.apiVersion)
  const rule = RULES.get(`${group}/${object.kind}`)
  if (!rule) return genericHealth(object)
  if (rule.versions && !rule.versions.includes(version)) {
    const supported = rule.versions.map(known => (group ? `${group}/${known}` : known)).join(', ')
    return judged(
      'Unknown',
      `${object.apiVersion} ${object.kind} is not supported by the health check (supported: ${supported})`
    )
  }
  return rule.check(object, options)
}

function pendingDeletion(object: KubeObject): boolean {
  if (!getString(object, ['metadata', 'deletionTimestamp'])) return false
  return !getArray(object, ['metadata', 'finalizers']).includes(HOOK_FINALIZER)
}
