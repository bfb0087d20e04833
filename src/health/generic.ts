import { getNumber } from '../model/json.js'
import type { KubeObject } from '../model/object.js'
import { conditionText, findCondition, findTrue, statusConditions } from './conditions.js'
import { generationMessage } from './status-fields.js'
import type { Health } from './types.js'
import { judged } from './types.js'

/**
 * Health of a kind without a built-in rule, by the kstatus conventions of
 * `kubernetes-sigs/cli-utils` `pkg/kstatus/status/generic.go` (sync-semantics §6.6). Argo CD calls
 * such objects Healthy on sight; wavesync waits for operators that follow the conventions, so a
 * wave does not run ahead of a custom resource that is still reconciling (§11 #9, argo-cd#14442).
 */
export function genericHealth(object: KubeObject): Health {
  // kstatus compares only when both numbers exist: without observedGeneration the controller
  // gives no way to tell a stale status from a fresh one.
  const observed = getNumber(object, ['status', 'observedGeneration'])
  const generation = getNumber(object, ['metadata', 'generation'])
  if (observed !== undefined && generation !== undefined && observed !== generation) {
    return judged('Progressing', generationMessage(object))
  }
  const conditions = statusConditions(object)
  // Stalled is searched for first: kstatus takes whichever of Stalled/Reconciling comes first in
  // the list, which would let list order decide between failing and waiting.
  const stalled = findTrue(conditions, 'Stalled')
  if (stalled) return judged('Degraded', conditionText(stalled, 'Stalled'))
  const reconciling = findTrue(conditions, 'Reconciling')
  if (reconciling) return judged('Progressing', `Reconciling: ${conditionText(reconciling, 'in progress')}`)
  const ready = findCondition(conditions, 'Ready')
  if (ready?.status === 'True') return judged('Healthy', conditionText(ready, 'Ready'))
  // Ready=False is not a failure: it only fails by the object timeout (§12.1).
  if (ready)
    return judged(
      'Progressing',
      `Waiting for Ready: ${conditionText(ready, `Ready is ${ready.status || 'unset'}`)}`
    )
  return noConventions(object)
}

/** Item 5: nothing to judge by, so the object counts as healthy once observed after the write. */
export function noConventions(object: KubeObject): Health {
  return {
    status: 'Healthy',
    message: `${object.kind} has no status conventions; healthy once observed`,
    conventions: false
  }
}
