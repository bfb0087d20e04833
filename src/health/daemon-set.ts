import { getString } from '../model/json.js'
import type { KubeObject } from '../model/object.js'
import { count, generationMessage, generationOf } from './status-fields.js'
import type { Health } from './types.js'
import { judged } from './types.js'

/**
 * Health of an `apps/v1` DaemonSet (sync-semantics §6.2), after kubectl's `rollout status` as
 * gitops-engine `health_daemonset.go` borrows it.
 */
export function daemonSetHealth(object: KubeObject): Health {
  if (generationOf(object) > count(object, ['status', 'observedGeneration'])) {
    return judged('Progressing', generationMessage(object))
  }
  const desired = count(object, ['status', 'desiredNumberScheduled'])
  const updated = count(object, ['status', 'updatedNumberScheduled'])
  const available = count(object, ['status', 'numberAvailable'])
  if (getString(object, ['spec', 'updateStrategy', 'type']) === 'OnDelete') {
    // Pods are replaced only when someone deletes them, so there is no rollout to wait for.
    return judged(
      'Healthy',
      `${count(object, ['status', 'numberReady'])}/${desired} pods ready (OnDelete updates)`
    )
  }
  if (updated < desired) {
    return judged('Progressing', `Waiting for rollout: ${updated} of ${desired} pods updated`)
  }
  if (available < desired) {
    return judged('Progressing', `Waiting for rollout: ${available} of ${desired} pods available`)
  }
  return judged('Healthy', `${available}/${desired} pods available`)
}
