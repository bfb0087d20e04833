import { getNumber, getString } from '../model/json.js'
import type { KubeObject } from '../model/object.js'
import { count, generationMessage, generationOf } from './status-fields.js'
import type { Health } from './types.js'
import { judged } from './types.js'

/**
 * Health of an `apps/v1` StatefulSet (sync-semantics §6.2), after kubectl's `rollout status` as
 * gitops-engine `health_statefulset.go` borrows it.
 */
export function statefulSetHealth(object: KubeObject): Health {
  const observed = count(object, ['status', 'observedGeneration'])
  // observedGeneration 0 means the controller has never reported on this object.
  if (observed === 0 || generationOf(object) > observed) {
    return judged('Progressing', generationMessage(object))
  }
  const desired = count(object, ['spec', 'replicas'], 1)
  const ready = count(object, ['status', 'readyReplicas'])
  if (ready < desired) return judged('Progressing', `Waiting for pods to be ready: ${ready}/${desired} ready`)
  return updateHealth(object, desired)
}

/** Whether the pods run the latest template, by update strategy. */
function updateHealth(object: KubeObject, desired: number): Health {
  const updated = count(object, ['status', 'updatedReplicas'])
  // The API server defaults the strategy type to RollingUpdate (and the partition to 0).
  const strategy = getString(object, ['spec', 'updateStrategy', 'type']) ?? 'RollingUpdate'
  const partition = getNumber(object, ['spec', 'updateStrategy', 'rollingUpdate', 'partition'])
  if (strategy === 'RollingUpdate' && partition !== undefined) {
    // Pods below the partition ordinal keep the old revision on purpose; only the rest must update.
    const target = Math.max(desired - partition, 0)
    const progress = `${updated} of ${target} pods updated (partition ${partition})`
    return updated < target
      ? judged('Progressing', `Waiting for rollout: ${progress}`)
      : judged('Healthy', `Rollout complete: ${progress}`)
  }
  if (strategy === 'OnDelete') {
    // Pods are replaced only when someone deletes them, so there is no rollout to wait for.
    const ready = count(object, ['status', 'readyReplicas'])
    return judged('Healthy', `${ready}/${desired} pods ready (OnDelete updates)`)
  }
  const current = getString(object, ['status', 'currentRevision']) ?? ''
  const target = getString(object, ['status', 'updateRevision']) ?? ''
  if (target !== current) {
    return judged(
      'Progressing',
      `Waiting for rolling update to revision ${target}: ${updated} of ${desired} pods updated`
    )
  }
  const pods = count(object, ['status', 'currentReplicas'])
  return judged('Healthy', `Rolling update complete: ${pods}/${desired} pods at revision ${current}`)
}
