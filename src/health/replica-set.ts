import type { KubeObject } from '../model/object.js'
import { conditionText, findTrue, statusConditions } from './conditions.js'
import { count, generationMessage, generationOf } from './status-fields.js'
import type { Health } from './types.js'
import { judged } from './types.js'

/** Health of an `apps/v1` ReplicaSet (sync-semantics §6.2, gitops-engine `health_replicaset.go`). */
export function replicaSetHealth(object: KubeObject): Health {
  if (generationOf(object) > count(object, ['status', 'observedGeneration'])) {
    return judged('Progressing', generationMessage(object))
  }
  // ReplicaFailure=True: the controller cannot create pods (quota, admission webhook, ...).
  const failure = findTrue(statusConditions(object), 'ReplicaFailure')
  if (failure) return judged('Degraded', conditionText(failure, 'ReplicaSet cannot create its pods'))
  const desired = count(object, ['spec', 'replicas'], 1)
  const available = count(object, ['status', 'availableReplicas'])
  if (available < desired) {
    return judged('Progressing', `Waiting for replicas: ${available} of ${desired} available`)
  }
  return judged('Healthy', `${available}/${desired} replicas available`)
}
