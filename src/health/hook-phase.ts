import { getString } from '../model/json.js'
import type { KubeObject } from '../model/object.js'
import { splitApiVersion } from '../model/object.js'
import { statusConditions } from './conditions.js'
import { resourceHealth } from './health.js'
import { jobFailure } from './job.js'
import type { Termination } from './pod.js'
import { containerStates } from './pod.js'
import { taskStateFromHealth } from './task-state.js'
import type { Health } from './types.js'

/** Where a hook stands (sync-semantics §5.4); the message names the failure reason when Failed. */
export type HookOutcome = { state: 'Running' | 'Succeeded' | 'Failed'; message: string }

/**
 * Whether a hook object has completed (sync-semantics §5.4). The per-kind rules of the §5.4 table
 * are the health rules read through the hook column of §6.7: Job `Complete=True`/`Failed=True`
 * (a suspended Job keeps running until its timeout), Pod by restart policy, Workflow by phase, any
 * other kind by its health — where "no status conventions" succeeds at once as "<name> created".
 *
 * Failure messages start with "Failed (<reason>)" — exit code, OOMKilled, the Job condition's
 * reason — so the report names the cause before the captured logs are read.
 */
export function hookOutcome(object: KubeObject): HookOutcome {
  // A hook is never judged with ignore-restart-policy: a Never/OnFailure hook Pod must finish.
  const health = resourceHealth(object, { hook: true })
  const state = taskStateFromHealth(health, 'hook')
  if (state === 'Failed') return { state, message: failureMessage(object, health) }
  if (state === 'Succeeded' && !health.conventions) {
    return { state, message: `${object.metadata.name ?? object.kind} created` }
  }
  return { state, message: health.message }
}

/** Kinds whose failure reason is read from their own status rather than the health message. */
const FAILURE_REASONS: ReadonlyMap<string, (object: KubeObject) => string | undefined> = new Map([
  ['batch/Job', jobFailureMessage],
  ['/Pod', podFailureMessage],
  ['argoproj.io/Workflow', workflowFailureMessage]
])

function failureMessage(object: KubeObject, health: Health): string {
  const { group } = splitApiVersion(object.apiVersion)
  const specific = FAILURE_REASONS.get(`${group}/${object.kind}`)?.(object)
  if (specific !== undefined) return specific
  return failed(health.status === 'Unknown' ? 'health Unknown' : undefined, health.message)
}

/** "Failed (<reason>): <detail>", leaving out what is empty. */
function failed(reason: string | undefined, detail: string): string {
  return `Failed${reason ? ` (${reason})` : ''}${detail ? `: ${detail}` : ''}`
}

/** The `Failed=True` condition's reason and message: "Failed (BackoffLimitExceeded): Job has reached...". */
function jobFailureMessage(object: KubeObject): string | undefined {
  const condition = jobFailure(statusConditions(object))
  return condition ? failed(condition.reason, condition.message) : undefined
}

/**
 * The first container that ended badly, init containers first: its current termination, else
 * (restartPolicy Always, crash-looping) its last one. Otherwise the Pod's own reason (Evicted,
 * DeadlineExceeded) and message.
 */
function podFailureMessage(object: KubeObject): string | undefined {
  const containers = containerStates(object)
  for (const field of ['terminated', 'lastTerminated'] as const) {
    for (const container of containers) {
      const ended = container[field]
      if (!ended || !endedBadly(ended)) continue
      const reason = ended.reason === 'OOMKilled' ? 'OOMKilled' : `exit code ${ended.exitCode}`
      return failed(reason, `container "${container.name}"${ended.message ? `: ${ended.message}` : ''}`)
    }
  }
  const reason = getString(object, ['status', 'reason'])
  return reason ? failed(reason, getString(object, ['status', 'message']) ?? '') : undefined
}

function endedBadly(ended: Termination): boolean {
  return ended.exitCode !== 0 || ended.reason === 'OOMKilled'
}

/** Phase Failed needs no reason; Error and unexpected phases are named. */
function workflowFailureMessage(object: KubeObject): string {
  const phase = getString(object, ['status', 'phase']) ?? ''
  const message = getString(object, ['status', 'message']) ?? ''
  if (phase === 'Failed') return failed(undefined, message || 'Workflow failed')
  return failed(phase === 'Error' ? 'Error' : `phase ${phase || 'unset'}`, message)
}
