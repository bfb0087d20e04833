import { getString } from '../model/json.js'
import type { KubeObject } from '../model/object.js'
import { splitApiVersion } from '../model/object.js'
import type { Condition } from './conditions.js'
import { conditionText, statusConditions, toConditions } from './conditions.js'
import type { Health } from './types.js'
import { judged } from './types.js'

/** Where `autoscaling/v1` keeps the conditions its schema has no field for. */
export const HPA_V1_CONDITIONS = 'autoscaling.alpha.kubernetes.io/conditions'

/** (type, reason) pairs that mean the autoscaler cannot do its job (Argo CD ≥ 3.3 `health_hpa.go`). */
const DEGRADED: Readonly<Record<string, readonly string[]>> = {
  AbleToScale: ['FailedGetScale', 'FailedUpdateScale'],
  ScalingActive: [
    'FailedGetResourceMetric',
    'FailedGetObjectMetric',
    'FailedGetPodsMetric',
    'FailedGetExternalMetric',
    'FailedComputeMetricsReplicas',
    'InvalidSelector'
  ]
}

/** Condition types whose status True means the autoscaler works (Argo CD ≥ 3.3). */
const HEALTHY_TYPES = ['AbleToScale', 'ScalingLimited']

const WAITING = 'Waiting to Autoscale'

/**
 * Health of an `autoscaling` HorizontalPodAutoscaler, v1 or v2 (sync-semantics §6.3). The
 * dispatcher answers Unknown for v2beta1/v2beta2, removed from Kubernetes in 1.25/1.26.
 * Degraded conditions are looked for across the whole list before healthy ones, so a failing
 * metric is reported whatever the list order (upstream stops at the first entry that matches).
 */
export function horizontalPodAutoscalerHealth(object: KubeObject): Health {
  const read = readConditions(object)
  if (typeof read === 'string') return judged('Unknown', read)
  if (read.length === 0) return judged('Progressing', WAITING)
  const degraded = read.find(condition => DEGRADED[condition.type]?.includes(condition.reason) === true)
  if (degraded) return judged('Degraded', conditionText(degraded, 'Autoscaler cannot scale'))
  const healthy = read.find(
    condition => HEALTHY_TYPES.includes(condition.type) && condition.status === 'True'
  )
  if (healthy) return judged('Healthy', conditionText(healthy, 'Autoscaler is active'))
  return judged('Progressing', WAITING)
}

/** v1 keeps conditions as JSON in an annotation; v2 has `status.conditions`. A parse error is a string. */
function readConditions(object: KubeObject): Condition[] | string {
  if (splitApiVersion(object.apiVersion).version !== 'v1') return statusConditions(object)
  const annotation = getString(object, ['metadata', 'annotations', HPA_V1_CONDITIONS])
  if (annotation === undefined) return []
  try {
    const parsed: unknown = JSON.parse(annotation)
    return Array.isArray(parsed) ? toConditions(parsed) : `annotation ${HPA_V1_CONDITIONS} is not a JSON list`
  } catch {
    // The parser's own wording varies between Node versions; the annotation name is what helps.
    return `annotation ${HPA_V1_CONDITIONS} is not valid JSON`
  }
}
