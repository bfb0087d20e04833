import type { Clock } from '../clock.js'
import { isTransient } from '../cluster/errors.js'
import { ClusterError } from '../model/errors.js'

/** Waits between attempts: about 30 s in all. */
const WAITS = [1000, 2000, 4000, 8000, 15000]

/**
 * Runs `work` again while it fails transiently (429, 5xx, no answer), waiting 1, 2, 4, 8 and 15 s:
 * for the requests that keep an operation's own record exact (its read-back after an ambiguous
 * create, its final status), which must outlast a short API outage, since a record left `pending-*`
 * is the stuck state to avoid (sync-semantics §7.2). The adapter has retried each request already
 * (§4.2); this outlasts an outage longer than its few seconds. Other errors, and the last, are thrown.
 * No signal: a cancel does not cut it short, keeping the record exact is part of finishing (§4.9.4).
 */
export async function outlastOutage<T>(work: () => Promise<T>, clock: Clock): Promise<T> {
  for (const wait of WAITS) {
    try {
      return await work()
    } catch (error) {
      if (!(error instanceof ClusterError) || !isTransient(error)) throw error
      await clock.sleep(wait)
    }
  }
  return work()
}
