import type { KubeObject } from '../model/object.js'
import type { Condition } from './conditions.js'
import { conditionText, findTrue, statusConditions } from './conditions.js'
import { count } from './status-fields.js'
import type { Health } from './types.js'
import { judged } from './types.js'

/**
 * Health of a `batch/v1` Job (sync-semantics §6.2): Failed=True → Degraded, Complete=True →
 * Healthy, Suspended=True → Suspended, else Progressing.
 *
 * Only conditions with status "True" count (§11 #10): Argo CD ≥ 3.3 treats *any* `Suspended`
 * condition as completion, so a resumed Job (Suspended=False) looks Healthy while it runs. The
 * interim `FailureTarget` and `SuccessCriteriaMet` conditions (Kubernetes ≥ 1.31) are ignored:
 * the terminal `Failed`/`Complete` follow once the pods are gone (§12.10).
 */
export function jobHealth(object: KubeObject): Health {
  const conditions = statusConditions(object)
  const failed = jobFailure(conditions)
  if (failed) return judged('Degraded', conditionText(failed, 'Job failed'))
  if (findTrue(conditions, 'Complete')) {
    return judged('Healthy', `Job complete: ${count(object, ['status', 'succeeded'])} succeeded`)
  }
  const suspended = findTrue(conditions, 'Suspended')
  if (suspended) return judged('Suspended', conditionText(suspended, 'Job is suspended'))
  return judged('Progressing', `Waiting for the Job to complete: ${podCounts(object)}`)
}

/** The Job's `Failed=True` condition; its reason (BackoffLimitExceeded, DeadlineExceeded...) names the cause. */
export function jobFailure(conditions: readonly Condition[]): Condition | undefined {
  return findTrue(conditions, 'Failed')
}

function podCounts(object: KubeObject): string {
  const active = count(object, ['status', 'active'])
  const succeeded = count(object, ['status', 'succeeded'])
  const failed = count(object, ['status', 'failed'])
  return `${active} active, ${succeeded} succeeded, ${failed} failed`
}
