import { getArray, getString, isRecord } from '../model/json.js'
import type { KubeObject } from '../model/object.js'

/** A status condition as health rules read it; absent or mistyped fields read as ''. */
export interface Condition {
  type: string
  status: string
  reason: string
  message: string
}

/**
 * Narrows a list of conditions that came from the API server, an annotation or a fixture.
 * Entries that are not objects or lack a string `type` are skipped rather than trusted: health
 * must never throw on a malformed status (architecture habit 5).
 */
export function toConditions(list: unknown): Condition[] {
  if (!Array.isArray(list)) return []
  const conditions: Condition[] = []
  for (const entry of list) {
    if (!isRecord(entry)) continue
    const type = getString(entry, ['type'])
    if (type === undefined) continue
    conditions.push({
      type,
      status: getString(entry, ['status']) ?? '',
      reason: getString(entry, ['reason']) ?? '',
      message: getString(entry, ['message']) ?? ''
    })
  }
  return conditions
}

/** `status.conditions` of an object, narrowed. */
export function statusConditions(object: KubeObject): Condition[] {
  return toConditions(getArray(object, ['status', 'conditions']))
}

/** The first condition of the given type, as kubectl and gitops-engine look them up. */
export function findCondition(conditions: readonly Condition[], type: string): Condition | undefined {
  return conditions.find(condition => condition.type === type)
}

/** The first condition of the given type whose status is exactly "True". */
export function findTrue(conditions: readonly Condition[], type: string): Condition | undefined {
  return conditions.find(condition => condition.type === type && condition.status === 'True')
}

/** What a condition says: its message, else its reason, else the fallback. */
export function conditionText(condition: Condition, fallback: string): string {
  return condition.message || condition.reason || fallback
}
