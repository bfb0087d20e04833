import type { Issue } from '../../src/model/issue.js'
import type { ResourceKey } from '../../src/model/key.js'
import { keyId } from '../../src/model/key.js'
import type { KubeObject } from '../../src/model/object.js'
import type { HookInfo, Removal, Task } from '../../src/model/task.js'
import type { DeletePolicy, HookFamily, Phase } from '../../src/model/vocabulary.js'
import type { ManifestSource } from '../../src/manifests/source.js'
import { HOOK_FINALIZER } from '../../src/health/health.js'
import type { Observation } from '../../src/sync/refresh.js'
import { DEFAULTS } from '../../src/sync/settings.js'
import type { SyncSettings } from '../../src/sync/settings.js'
import { PENDING } from '../../src/sync/state.js'
import type { Action, EngineState, TaskRun } from '../../src/sync/types.js'

/** Builders for sync-engine tests: tasks, runs, live objects, observations, settings, sources. */

export const NS = 'shop'

export interface TaskSpec {
  phase?: Phase
  wave?: number
  kind?: string
  group?: string
  version?: string
  namespace?: string
  timeoutMs?: number
}

function baseTask(type: Task['type'], name: string, spec: TaskSpec): Task {
  const key: ResourceKey = {
    group: spec.group ?? '',
    kind: spec.kind ?? 'ConfigMap',
    namespace: spec.namespace ?? NS,
    name
  }
  const phase = spec.phase ?? 'Sync'
  const version = spec.version ?? 'v1'
  const apiVersion = key.group === '' ? version : `${key.group}/${version}`
  return {
    id: `${phase}:${keyId(key)}`,
    type,
    phase,
    wave: spec.wave ?? 0,
    key,
    version,
    object:
      type === 'prune'
        ? undefined
        : { apiVersion, kind: key.kind, metadata: { name, namespace: key.namespace } },
    source: undefined,
    generateName: undefined,
    hook: undefined,
    syncOptions: {},
    timeoutMs: spec.timeoutMs,
    keep: false,
    removal: undefined,
    pulledUpFor: undefined,
    createdNamespace: false
  }
}

/** A resource task (ConfigMap in `shop`, Sync wave 0 unless told otherwise). */
export function resource(name: string, spec: TaskSpec = {}): Task {
  return baseTask('resource', name, spec)
}

/** A Deployment resource task. */
export function deployment(name: string, spec: TaskSpec = {}): Task {
  return resource(name, { kind: 'Deployment', group: 'apps', ...spec })
}

export interface HookSpec extends TaskSpec {
  family?: HookFamily
  policies?: DeletePolicy[]
  logPolicy?: HookInfo['logPolicy']
}

/** A hook task: an argo Job in PreSync with the default BeforeHookCreation policy unless told otherwise. */
export function hook(name: string, spec: HookSpec = {}): Task {
  const phase = spec.phase ?? 'PreSync'
  const task = baseTask('hook', name, { kind: 'Job', group: 'batch', ...spec, phase })
  const family = spec.family ?? 'argo'
  return {
    ...task,
    hook: {
      family,
      types: [phase],
      trigger: family === 'argo' ? phase : phase === 'PreSync' ? 'pre-install' : 'post-install',
      deletePolicies: spec.policies ?? ['BeforeHookCreation'],
      logPolicy: spec.logPolicy ?? []
    }
  }
}

/** A prune task (phase Sync): removes unless `removal.action` says skip. */
export function prune(name: string, spec: TaskSpec & { removal?: Partial<Removal> } = {}): Task {
  const task = baseTask('prune', name, { ...spec, phase: 'Sync' })
  return { ...task, removal: { uid: `uid-${name}`, action: 'remove', reason: undefined, ...spec.removal } }
}

/** A run in the given state; Running runs started at `at` with a 5 minute deadline unless told otherwise. */
export function run(state: TaskRun['state'], overrides: Partial<TaskRun> = {}): TaskRun {
  const at = overrides.startedAt ?? 0
  const base: TaskRun = { ...PENDING, state }
  if (state !== 'pending') Object.assign(base, { result: 'Synced', startedAt: at, uid: undefined })
  if (state === 'Running') base.deadline = at + DEFAULTS.objectTimeoutMs
  if (state === 'Succeeded' || state === 'Failed' || state === 'Error')
    Object.assign(base, { finishedAt: at, terminalSeen: true })
  return { ...base, ...overrides }
}

/** An engine state over these tasks with these runs (by task). */
export function stateOf(
  tasks: readonly Task[],
  runs: readonly (readonly [Task, TaskRun])[] = [],
  extra: Partial<EngineState> = {}
): EngineState {
  return {
    tasks,
    runs: new Map(runs.map(([task, r]) => [task.id, r])),
    mode: 'normal',
    failure: undefined,
    phasesClosed: new Set(),
    stepsStarted: 0,
    outcome: undefined,
    ...extra
  }
}

/** The live object of a task as the API server would show it: uid, resourceVersion, generation. */
export function live(
  task: Task,
  overrides: {
    uid?: string
    status?: Record<string, unknown>
    generation?: number
    deletionTimestamp?: string
    finalizers?: string[]
    spec?: Record<string, unknown>
  } = {}
): KubeObject {
  const object: KubeObject = {
    apiVersion: task.key.group === '' ? task.version : `${task.key.group}/${task.version}`,
    kind: task.key.kind,
    metadata: {
      name: task.key.name,
      uid: overrides.uid ?? `uid-${task.key.name}`,
      resourceVersion: '1',
      generation: overrides.generation ?? 1
    }
  }
  if (task.key.namespace !== '') object.metadata.namespace = task.key.namespace
  if (task.type === 'hook') object.metadata.finalizers = [HOOK_FINALIZER]
  if (overrides.finalizers) object.metadata.finalizers = overrides.finalizers
  if (overrides.deletionTimestamp) object.metadata.deletionTimestamp = overrides.deletionTimestamp
  if (overrides.spec) object['spec'] = overrides.spec
  if (overrides.status) object['status'] = overrides.status
  return object
}

const cond = (type: string, status: string, reason = '', message = ''): Record<string, string> => ({
  type,
  status,
  reason,
  message
})

/** Job statuses as the Job controller writes them. */
export const jobStatus = {
  running: { active: 1 },
  complete: {
    succeeded: 1,
    conditions: [cond('Complete', 'True', 'CompletionsReached', 'Reached expected number of succeeded pods')]
  },
  failed: (reason = 'BackoffLimitExceeded', message = 'Job has reached the specified backoff limit') => ({
    failed: 1,
    conditions: [cond('Failed', 'True', reason, message)]
  })
}

/** Deployment statuses as the Deployment controller writes them (generation 1). */
export const deploymentStatus = {
  progressing: { observedGeneration: 1, replicas: 1, updatedReplicas: 1, availableReplicas: 0 },
  available: {
    observedGeneration: 1,
    replicas: 1,
    updatedReplicas: 1,
    availableReplicas: 1,
    readyReplicas: 1
  },
  degraded: {
    observedGeneration: 1,
    replicas: 1,
    updatedReplicas: 1,
    availableReplicas: 0,
    conditions: [
      cond(
        'Progressing',
        'False',
        'ProgressDeadlineExceeded',
        'ReplicaSet "web-1" has timed out progressing.'
      )
    ]
  }
}

/** What the observer shows, per task; tasks not listed are `unknown`. */
export function observations(
  entries: readonly (readonly [Task, Observation])[]
): (task: Task) => Observation {
  const map = new Map(entries.map(([task, seen]) => [task.id, seen]))
  return task => map.get(task.id) ?? { kind: 'unknown' }
}

export const present = (object: KubeObject): Observation => ({ kind: 'present', object })
export const ABSENT: Observation = { kind: 'absent' }

/** The action types of a decision, in order, for compact assertions. */
export function actionTypes(actions: readonly Action[]): string[] {
  return actions.map(a => a.type)
}

/** Sync settings for tests: app `shop` in namespace `shop`, manifests under `app/`, engine defaults. */
export function syncSettings(overrides: Partial<SyncSettings> = {}): SyncSettings {
  return {
    app: 'shop',
    namespace: NS,
    inventoryNamespace: NS,
    manifests: ['app'],
    operation: 'sync',
    prune: false,
    confirmPrune: false,
    allowEmpty: false,
    dryRun: false,
    wait: true,
    timeoutMs: DEFAULTS.timeoutMs,
    objectTimeoutMs: DEFAULTS.objectTimeoutMs,
    waveDelayMs: 0,
    parallelism: DEFAULTS.parallelism,
    pollIntervalMs: DEFAULTS.pollIntervalMs,
    lockWaitMs: DEFAULTS.lockWaitMs,
    historyMax: DEFAULTS.historyMax,
    syncOptions: {},
    skipHooks: [],
    noHooks: false,
    revision: '4e1c9a7d2b3f5a6c',
    operationId: 'run-1',
    holder: 'acme/shop run 1 attempt 1 (runner-1)',
    ...overrides
  }
}

/**
 * A `ManifestSource` over in-memory files: a pattern names a file, or a folder holding files
 * (`app` matches `app/x.yaml`); files come back sorted, like the filesystem adapter's.
 */
export function memorySource(
  files: Readonly<Record<string, string>>
): ManifestSource & { files: Record<string, string> } {
  const store: Record<string, string> = { ...files }
  return {
    files: store,
    resolve: patterns => {
      const found = new Set<string>()
      const issues: Issue[] = []
      for (const pattern of patterns) {
        const matched = Object.keys(store).filter(
          file => file === pattern || file.startsWith(`${pattern.replace(/\/$/, '')}/`)
        )
        if (matched.length === 0)
          issues.push({ severity: 'error', file: pattern, line: 1, message: 'no manifest files matched' })
        matched.forEach(file => found.add(file))
      }
      return Promise.resolve({ files: [...found].sort(), issues })
    },
    read: file => {
      const text = store[file]
      return text === undefined ? Promise.reject(new Error(`${file} does not exist`)) : Promise.resolve(text)
    }
  }
}
