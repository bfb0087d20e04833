import { IGNORE_RESTART_POLICY } from '../model/tracking.js'
import { getArray, getNumber, getPath, getString, isRecord } from '../model/json.js'
import type { KubeObject } from '../model/object.js'
import { findTrue, statusConditions } from './conditions.js'
import type { Health, HealthOptions } from './types.js'
import { judged } from './types.js'

/** Argo CD ≥ 3.3: judge a non-hook Pod as restartPolicy Always whatever its spec says (§6.2). */
export { IGNORE_RESTART_POLICY }

/** How a container ended, from `state.terminated` or `lastState.terminated`. */
export interface Termination {
  exitCode: number
  reason: string
  message: string
}

/** A container status narrowed to what health reads; `init` marks init containers. */
export interface ContainerState {
  name: string
  init: boolean
  waiting?: { reason: string; message: string }
  terminated?: Termination
  lastTerminated?: Termination
}

/**
 * Health of a `v1` Pod (sync-semantics §6.2, gitops-engine `health_pod.go`): crash-looping
 * long-running Pods are Degraded; otherwise the phase decides, and a Running Pod is Healthy only
 * when it runs forever (restartPolicy Always) and is Ready — finite Pods are still working.
 */
export function podHealth(object: KubeObject, options: HealthOptions = {}): Health {
  const always = restartPolicy(object, options) === 'Always'
  const containers = containerStates(object)
  // Only for restartPolicy Always: a hook Pod whose image is still missing may yet run, and
  // failing it early would let it run after the sync ended (upstream comment in health_pod.go).
  const stuck = always ? waitingErrors(containers) : []
  if (stuck.length > 0) return judged('Degraded', stuck.join('; '))
  const phase = getString(object, ['status', 'phase'])
  const message = getString(object, ['status', 'message']) ?? ''
  switch (phase) {
    case 'Pending':
      return judged('Progressing', message || pendingMessage(containers))
    case 'Succeeded':
      return judged('Healthy', message || 'Pod succeeded')
    case 'Failed':
      return judged('Degraded', message || failedMessage(containers))
    case 'Running':
      return always
        ? runningHealth(object, containers)
        : judged('Progressing', message || 'Waiting for the pod to complete')
    default:
      return judged('Unknown', message || (phase ? `Pod reports phase ${phase}` : 'Pod reports no phase'))
  }
}

/** The restart policy the Pod is judged by; the API server defaults an absent one to Always. */
function restartPolicy(object: KubeObject, options: HealthOptions): string {
  const ignore = getString(object, ['metadata', 'annotations', IGNORE_RESTART_POLICY]) === 'true'
  if (ignore && options.hook !== true) return 'Always'
  return getString(object, ['spec', 'restartPolicy']) ?? 'Always'
}

/**
 * The Pod's container statuses, init containers first (the order failure messages search in).
 * Malformed entries are skipped.
 */
export function containerStates(object: KubeObject): ContainerState[] {
  const read = (field: string, init: boolean): ContainerState[] =>
    getArray(object, ['status', field])
      .filter(isRecord)
      .map(status => containerState(status, init))
  return [...read('initContainerStatuses', true), ...read('containerStatuses', false)]
}

function containerState(status: Record<string, unknown>, init: boolean): ContainerState {
  const state: ContainerState = { name: getString(status, ['name']) ?? '', init }
  const waiting = getPath(status, ['state', 'waiting'])
  if (isRecord(waiting)) {
    state.waiting = {
      reason: getString(waiting, ['reason']) ?? '',
      message: getString(waiting, ['message']) ?? ''
    }
  }
  const terminated = termination(getPath(status, ['state', 'terminated']))
  if (terminated) state.terminated = terminated
  const lastTerminated = termination(getPath(status, ['lastState', 'terminated']))
  if (lastTerminated) state.lastTerminated = lastTerminated
  return state
}

function termination(value: unknown): Termination | undefined {
  if (!isRecord(value)) return undefined
  return {
    exitCode: getNumber(value, ['exitCode']) ?? 0,
    reason: getString(value, ['reason']) ?? '',
    message: getString(value, ['message']) ?? ''
  }
}

/** Waiting reasons that mean "broken", not "busy": ErrImagePull, CreateContainerConfigError, CrashLoopBackOff... */
function waitingErrors(containers: readonly ContainerState[]): string[] {
  return containers
    .filter(container => !container.init && isErrorReason(container.waiting?.reason ?? ''))
    .map(container => describeWaiting(container))
}

function isErrorReason(reason: string): boolean {
  return reason.startsWith('Err') || reason.endsWith('Error') || reason.endsWith('BackOff')
}

function describeWaiting(container: ContainerState): string {
  const reason = container.waiting?.reason ?? ''
  const message = container.waiting?.message ?? ''
  return `container "${container.name}" ${reason}${message ? `: ${message}` : ''}`
}

function pendingMessage(containers: readonly ContainerState[]): string {
  const waiting = containers.filter(container => container.waiting?.reason)
  if (waiting.length === 0) return 'Waiting for the pod to be scheduled and started'
  return `Waiting for the pod to start: ${waiting.map(describeWaiting).join('; ')}`
}

/** Why a Failed Pod failed: the first terminated container's message, OOMKilled or exit code. */
function failedMessage(containers: readonly ContainerState[]): string {
  for (const container of containers) {
    const ended = container.terminated
    if (!ended) continue
    if (ended.message) return ended.message
    if (ended.reason === 'OOMKilled') return `container "${container.name}" was OOMKilled`
    if (ended.exitCode !== 0) return `container "${container.name}" failed with exit code ${ended.exitCode}`
  }
  return 'Pod failed'
}

/** A Running Pod with restartPolicy Always: Ready, crash-restarted, or still starting. */
function runningHealth(object: KubeObject, containers: readonly ContainerState[]): Health {
  if (findTrue(statusConditions(object), 'Ready')) return judged('Healthy', 'Pod is running and ready')
  const restarted = containers.find(container => !container.init && container.lastTerminated)
  if (restarted?.lastTerminated) {
    const { exitCode, reason } = restarted.lastTerminated
    const why = reason ? `${reason}, exit code ${exitCode}` : `exit code ${exitCode}`
    return judged('Degraded', `container "${restarted.name}" restarted (${why}) and the pod is not ready`)
  }
  return judged('Progressing', 'Waiting for the pod to become ready')
}
