import { ClusterError, errorMessage } from '../model/errors.js'
import { getArray, getNumber, getString, isRecord } from '../model/json.js'
import type { KubeObject } from '../model/object.js'
import type { Task } from '../model/task.js'
import type { ExecDeps } from './execute.js'
import type { Diagnostics, DiagnosticsPart, TaskRun } from './types.js'

const LOG_LINES = 50
const EVENTS = 20

/**
 * What a finished hook left behind (sync-semantics §5.4): conditions, the last events and, for
 * Pods and Jobs, the failed container's exit code and last log lines. Each part is best effort:
 * what cannot be read is said in `unavailable` (RBAC often forbids events or pods/log to CI
 * credentials), never fatal, never mistaken for "there were none".
 */
export async function captureDiagnostics(task: Task, run: TaskRun, deps: ExecDeps): Promise<Diagnostics> {
  const object = run.lastSeen
  const diagnostics: Diagnostics = {
    conditions: object ? conditionLines(object) : [],
    events: [],
    logTail: [],
    unavailable: []
  }
  if (run.uid) {
    try {
      const events = await deps.cluster.events(task.key.namespace, run.uid, deps.signal)
      diagnostics.events = events.slice(-EVENTS).map(eventLine)
    } catch (error) {
      diagnostics.unavailable.push(unavailableLine('events', error))
    }
  }
  const pod = await podOf(task, object, diagnostics, deps)
  if (pod) await addContainerDetails(pod, diagnostics, deps)
  const jobReason = object && task.key.kind === 'Job' ? failedConditionReason(object) : undefined
  const reason =
    diagnostics.exitCode !== undefined && diagnostics.exitCode !== 0
      ? `exit code ${diagnostics.exitCode}`
      : (diagnostics.reason ?? jobReason)
  if (reason !== undefined) diagnostics.reason = reason
  return diagnostics
}

/**
 * `events unavailable: events is forbidden: User "ci" cannot list …`: the part and the server's
 * own words, without the request prefix (the part already says what was asked).
 */
function unavailableLine(part: DiagnosticsPart, error: unknown): string {
  const why = error instanceof ClusterError ? error.bareMessage : errorMessage(error)
  return `${part} unavailable: ${why.replace(/\s*\n\s*/g, ' ')}`
}

/**
 * The pod whose container tells the story: the hook itself, or the Job's most telling pod. A Job
 * whose pods could not be listed under either label has that said in `unavailable`.
 */
async function podOf(
  task: Task,
  object: KubeObject | undefined,
  diagnostics: Diagnostics,
  deps: ExecDeps
): Promise<KubeObject | undefined> {
  if (task.key.group === '' && task.key.kind === 'Pod') return object
  if (task.key.group !== 'batch' || task.key.kind !== 'Job') return undefined
  const collection = { group: '', version: 'v1', kind: 'Pod', namespace: task.key.namespace }
  let failure: unknown
  for (const label of ['batch.kubernetes.io/job-name', 'job-name']) {
    let items: KubeObject[]
    try {
      items = (
        await deps.cluster.list(collection, {
          labelSelector: `${label}=${task.key.name}`,
          signal: deps.signal
        })
      ).items
    } catch (error) {
      // The fallback label may still find the pods; only the first failure is worth saying.
      failure ??= error
      continue
    }
    if (items.length > 0)
      return items.find(pod => failedContainer(pod) !== undefined) ?? items[items.length - 1]
  }
  if (failure !== undefined) diagnostics.unavailable.push(unavailableLine('pods', failure))
  return undefined
}

async function addContainerDetails(pod: KubeObject, diagnostics: Diagnostics, deps: ExecDeps): Promise<void> {
  const failed = failedContainer(pod) ?? firstContainer(pod)
  if (!failed) return
  const podName = pod.metadata.name ?? ''
  diagnostics.pod = podName
  diagnostics.container = failed.name
  if (failed.exitCode !== undefined) diagnostics.exitCode = failed.exitCode
  if (failed.reason && failed.reason !== 'Error' && failed.reason !== 'Completed')
    diagnostics.reason = failed.reason
  let logs: string
  try {
    logs = await deps.cluster.podLogs(
      pod.metadata.namespace ?? '',
      podName,
      failed.name,
      LOG_LINES,
      deps.signal
    )
  } catch (error) {
    diagnostics.unavailable.push(unavailableLine('logs', error))
    return
  }
  diagnostics.logTail = logs
    .split('\n')
    .filter((line, i, all) => line !== '' || i < all.length - 1)
    .slice(-LOG_LINES)
}

interface ContainerEnd {
  name: string
  exitCode: number | undefined
  reason: string | undefined
}

/** The first terminated container with a non-zero exit code, init containers first. */
function failedContainer(pod: KubeObject): ContainerEnd | undefined {
  return containerEnds(pod).find(end => end.exitCode !== undefined && end.exitCode !== 0)
}

function firstContainer(pod: KubeObject): ContainerEnd | undefined {
  return containerEnds(pod)[0]
}

function containerEnds(pod: KubeObject): ContainerEnd[] {
  const statuses = [
    ...getArray(pod, ['status', 'initContainerStatuses']),
    ...getArray(pod, ['status', 'containerStatuses'])
  ]
  return statuses.filter(isRecord).map(status => {
    const terminated =
      getPathRecord(status, ['state', 'terminated']) ?? getPathRecord(status, ['lastState', 'terminated'])
    return {
      name: getString(status, ['name']) ?? '',
      exitCode: terminated ? getNumber(terminated, ['exitCode']) : undefined,
      reason: terminated ? getString(terminated, ['reason']) : undefined
    }
  })
}

function getPathRecord(value: unknown, path: readonly string[]): Record<string, unknown> | undefined {
  let current: unknown = value
  for (const step of path) current = isRecord(current) ? current[step] : undefined
  return isRecord(current) ? current : undefined
}

function conditionLines(object: KubeObject): string[] {
  return getArray(object, ['status', 'conditions'])
    .filter(isRecord)
    .map(
      c =>
        `${String(c['type'])}=${String(c['status'])}${c['reason'] ? ` ${String(c['reason'])}` : ''}${c['message'] ? `: ${String(c['message'])}` : ''}`
    )
}

function failedConditionReason(job: KubeObject): string | undefined {
  const failed = getArray(job, ['status', 'conditions'])
    .filter(isRecord)
    .find(c => c['type'] === 'Failed' && c['status'] === 'True')
  return failed && typeof failed['reason'] === 'string' ? failed['reason'] : undefined
}

function eventLine(event: KubeObject): string {
  return `${getString(event, ['type']) ?? ''} ${getString(event, ['reason']) ?? ''}: ${getString(event, ['message']) ?? ''}`.trim()
}
