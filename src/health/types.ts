/**
 * Health of a live object (sync-semantics §6). `Missing` is not a health status here: it only
 * describes absent objects, which the sync loop handles before asking for health (§6.1).
 */
export type HealthStatus = 'Healthy' | 'Suspended' | 'Progressing' | 'Degraded' | 'Unknown'

/** The verdict of a health rule: a status and a message saying what the object is (or we are) waiting for. */
export interface Health {
  status: HealthStatus
  message: string
  /**
   * False when neither a built-in rule nor a status convention applies to this object (generic
   * rule item 5, §6.6): it is healthy on sight once observed after the write. Hook completion
   * reports such objects as "<name> created" (§5.4), so callers must be able to tell them apart.
   */
  conventions: boolean
}

/** How the object takes part in the operation; changes the Pod rule only (§6.2). */
export interface HealthOptions {
  /** The object is a hook: `argocd.argoproj.io/ignore-restart-policy` is not honoured. */
  hook?: boolean
}

/** A verdict reached by a rule (every built-in rule and every kstatus convention). */
export function judged(status: HealthStatus, message: string): Health {
  return { status, message, conventions: true }
}
