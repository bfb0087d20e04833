// Numeric fields read as gitops-engine's typed Go structs read them: absent or mistyped is zero.
import { getNumber } from '../model/json.js'
import type { KubeObject } from '../model/object.js'

/**
 * A numeric status or spec field, or the fallback when absent or mistyped. Kubernetes omits zero
 * counters from JSON, so an absent `status.readyReplicas` means 0 (Go's zero value upstream).
 */
export function count(object: KubeObject, path: readonly string[], fallback = 0): number {
  return getNumber(object, path) ?? fallback
}

/** `metadata.generation`, 0 when absent (the Go zero value gitops-engine compares with). */
export function generationOf(object: KubeObject): number {
  return count(object, ['metadata', 'generation'])
}

/**
 * The message for a controller that has not yet seen the latest spec: any status it shows still
 * describes the previous generation, so nothing else can be judged (kubectl `rollout status`).
 */
export function generationMessage(object: KubeObject): string {
  const observed = getNumber(object, ['status', 'observedGeneration'])
  const seen = observed === undefined ? 'none observed yet' : `observed ${observed}`
  return `Waiting for the ${object.kind} controller to observe generation ${generationOf(object)} (${seen})`
}
