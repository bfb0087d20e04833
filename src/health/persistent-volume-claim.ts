import { getString } from '../model/json.js'
import type { KubeObject } from '../model/object.js'
import type { Health } from './types.js'
import { judged } from './types.js'

/**
 * Health of a `v1` PersistentVolumeClaim (sync-semantics §6.3). Pending stays Progressing even for
 * WaitForFirstConsumer classes: the claim binds once a Pod uses it, so put the consumer in the
 * same wave (Argo CD ≥ 3.3 calls such claims Healthy; the spec keeps the older rule).
 */
export function persistentVolumeClaimHealth(object: KubeObject): Health {
  const phase = getString(object, ['status', 'phase'])
  switch (phase) {
    case 'Bound':
      return judged('Healthy', `Bound to volume ${getString(object, ['spec', 'volumeName']) ?? '(unknown)'}`)
    case 'Pending':
      return judged(
        'Progressing',
        'Waiting for the claim to be bound (a WaitForFirstConsumer claim binds once a pod uses it)'
      )
    case 'Lost':
      return judged('Degraded', 'The bound volume no longer exists (claim Lost)')
    default:
      return judged('Unknown', phase ? `Claim reports phase ${phase}` : 'Claim reports no phase')
  }
}
