import { getPath, getString, isRecord } from '../model/json.js'
import type { KubeObject } from '../model/object.js'
import { conditionText, statusConditions } from './conditions.js'
import { count, generationOf } from './status-fields.js'
import type { Health, HealthStatus } from './types.js'
import { judged } from './types.js'

/** Set by Argo Rollouts on a Rollout with `spec.workloadRef`: the referenced Deployment's generation. */
export const WORKLOAD_GENERATION = 'rollout.argoproj.io/workload-generation'

/** `status.phase` values Argo Rollouts ≥ 1.0 reports, as health statuses. */
const PHASES: Readonly<Record<string, HealthStatus>> = {
  Healthy: 'Healthy',
  Progressing: 'Progressing',
  Paused: 'Suspended',
  Degraded: 'Degraded'
}

/**
 * Health of an Argo `argoproj.io` Rollout (sync-semantics §6.4), following Argo CD's bundled
 * `resource_customizations/argoproj.io/Rollout/health.lua`: wait until the controller observed the
 * spec; trust `status.phase` when the controller reports one; otherwise derive health from the
 * conditions, pause state, replica counters and strategy (controllers older than 1.0).
 */
export function rolloutHealth(object: KubeObject): Health {
  const unobserved = unobservedMessage(object)
  if (unobserved) return judged('Progressing', unobserved)
  const phase = getString(object, ['status', 'phase'])
  const message = getString(object, ['status', 'message']) ?? ''
  if (phase !== undefined) {
    return judged(PHASES[phase] ?? 'Unknown', message || `Rollout reports phase ${phase}`)
  }
  return derivedHealth(object)
}

/** Why the status cannot be trusted yet, if so. */
function unobservedMessage(object: KubeObject): string | undefined {
  const status = getPath(object, ['status'])
  const observed = getPath(status, ['observedGeneration'])
  // The script also waits when observedGeneration is absent: the controller has not reported yet.
  if (!isRecord(status) || observed === undefined)
    return 'Waiting for the rollout controller to report status'
  // Old controllers wrote a hash here, not a number; only a numeric value can be compared.
  const numeric = numericField(observed)
  if (numeric !== undefined && numeric !== generationOf(object)) {
    return `Waiting for the rollout controller to observe generation ${generationOf(object)} (observed ${numeric})`
  }
  if (getPath(object, ['spec', 'workloadRef']) !== undefined) {
    const wanted = numericField(getPath(object, ['metadata', 'annotations', WORKLOAD_GENERATION]))
    const seen = numericField(getPath(status, ['workloadObservedGeneration']))
    if (wanted !== seen) return 'Waiting for the rollout controller to observe the referenced workload'
  }
  return undefined
}

/** The script's checks for controllers that do not report `status.phase`. */
function derivedHealth(object: KubeObject): Health {
  for (const condition of statusConditions(object)) {
    const aborted =
      condition.type === 'Progressing' &&
      ['RolloutAborted', 'ProgressDeadlineExceeded'].includes(condition.reason)
    if (condition.type === 'InvalidSpec' || aborted)
      return judged('Degraded', conditionText(condition, 'Rollout failed'))
  }
  const pauses = getPath(object, ['status', 'pauseConditions'])
  if ((Array.isArray(pauses) && pauses.length > 0) || getPath(object, ['spec', 'paused']) === true) {
    return judged('Suspended', 'Rollout is paused')
  }
  const hash = getString(object, ['status', 'currentPodHash'])
  if (hash === undefined)
    return judged('Progressing', 'Waiting for the rollout controller to reconcile the status')
  const desired = count(object, ['spec', 'replicas'], 1)
  const updated = count(object, ['status', 'updatedReplicas'])
  const available = count(object, ['status', 'availableReplicas'])
  if (updated < desired)
    return judged('Progressing', `Waiting for rollout: ${updated} of ${desired} replicas updated`)
  if (available < updated) {
    return judged('Progressing', `Waiting for rollout: ${available} of ${updated} updated replicas available`)
  }
  return strategyHealth(object, hash, updated)
}

/** Blue-green waits for the active Service cutover; canary for the steps to make the new pods stable. */
function strategyHealth(object: KubeObject, hash: string, updated: number): Health {
  const stable =
    getString(object, ['status', 'stableRS']) ?? getString(object, ['status', 'canary', 'stableRS']) ?? ''
  if (getPath(object, ['spec', 'strategy', 'blueGreen']) !== undefined) {
    if (getString(object, ['status', 'blueGreen', 'activeSelector']) !== hash) {
      return judged('Progressing', 'Waiting for the active Service to switch to the new pods')
    }
    if (stable !== '' && stable !== hash)
      return judged('Progressing', 'Waiting for the new pods to become stable')
  } else if (getPath(object, ['spec', 'strategy', 'canary']) !== undefined) {
    const total = count(object, ['status', 'replicas'])
    if (total > updated) {
      return judged('Progressing', `Waiting for old replicas to terminate: ${total - updated} remaining`)
    }
    if (stable !== hash) return judged('Progressing', 'Waiting for the canary steps to finish')
  }
  return judged('Healthy', `${count(object, ['status', 'availableReplicas'])} replicas available`)
}

/** A generation written as a number or as a numeric string (Rollouts uses both); else undefined. */
function numericField(value: unknown): number | undefined {
  const numeric = typeof value === 'string' && value.trim() !== '' ? Number(value) : value
  return typeof numeric === 'number' && Number.isFinite(numeric) ? numeric : undefined
}
