import { getPath } from '../model/json.js'
import type { KubeObject } from '../model/object.js'
import { conditionText, findCondition, statusConditions } from './conditions.js'
import { count, generationMessage, generationOf } from './status-fields.js'
import type { Health } from './types.js'
import { judged } from './types.js'

/**
 * Health of an `apps/v1` Deployment (sync-semantics §6.2), after kubectl's `rollout status` as
 * gitops-engine `health_deployment.go` borrows it: paused → Suspended; once the controller has
 * observed the latest generation, a ProgressDeadlineExceeded → Degraded, an unfinished rollout →
 * Progressing, else Healthy.
 */
export function deploymentHealth(object: KubeObject): Health {
  // A paused Deployment never finishes its rollout; Suspended keeps the task waiting (§4.5.4).
  if (getPath(object, ['spec', 'paused']) === true) return judged('Suspended', 'Deployment is paused')
  if (generationOf(object) > count(object, ['status', 'observedGeneration'])) {
    return judged('Progressing', generationMessage(object))
  }
  const progressing = findCondition(statusConditions(object), 'Progressing')
  if (progressing?.reason === 'ProgressDeadlineExceeded') {
    return judged('Degraded', `Progress deadline exceeded: ${conditionText(progressing, 'no progress')}`)
  }
  return rolloutHealth(object)
}

/** The replica counters of a rollout the controller has caught up with. */
function rolloutHealth(object: KubeObject): Health {
  // The API server defaults spec.replicas to 1, so an absent value means 1.
  const desired = count(object, ['spec', 'replicas'], 1)
  const total = count(object, ['status', 'replicas'])
  const updated = count(object, ['status', 'updatedReplicas'])
  const available = count(object, ['status', 'availableReplicas'])
  if (updated < desired) {
    return judged('Progressing', `Waiting for rollout: ${updated} of ${desired} replicas updated`)
  }
  if (total > updated) {
    return judged('Progressing', `Waiting for old replicas to terminate: ${total - updated} remaining`)
  }
  if (available < updated) {
    return judged('Progressing', `Waiting for rollout: ${available} of ${updated} updated replicas available`)
  }
  return judged('Healthy', `${available}/${desired} replicas available`)
}
