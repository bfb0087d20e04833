import type { Issue } from '../model/issue.js'
import { issueAt } from '../model/issue.js'
import type { ResourceKey } from '../model/key.js'
import { formatKey, keyId } from '../model/key.js'
import type { Manifest } from '../model/manifest.js'
import { fieldLine } from '../model/manifest.js'
import type { KubeObject } from '../model/object.js'
import { cloneObject, splitApiVersion } from '../model/object.js'
import type { Task } from '../model/task.js'
import type { DeletePolicy, OperationKind, Phase } from '../model/vocabulary.js'
import type { Directives } from './annotations/directives.js'
import { hookPhases, generatedHookName } from './hooks.js'
import { nameProblem } from './names.js'
import type { ScopeResolver } from './scope.js'

/** What building tasks needs to know besides the manifest itself. */
export interface TaskContext {
  operation: OperationKind
  namespace: string
  revision: string
  startedAt: number
  scope: ScopeResolver
  /** Hooks left out by `no-hooks`/`skip-hooks`: returns the reason, or undefined to run it. */
  hookFilter: (family: string, trigger: string) => string | undefined
  issues: Issue[]
}

/** A hook that exists in the manifests but does not run in this operation, and why. */
export interface SkippedHook {
  key: ResourceKey
  source: Manifest['source']
  reason: string
}

export interface ManifestTasks {
  tasks: Task[]
  skipped: SkippedHook[]
  /** The object's identity after namespace defaulting: desired, so never pruned, whatever its tasks. */
  identity: ResourceKey
}

/** The tasks one manifest yields for the operation: none (Skip, other operation), one, or one per hook phase. */
export function tasksForManifest(
  manifest: Manifest,
  directives: Directives,
  ctx: TaskContext
): ManifestTasks {
  const object = placeInNamespace(manifest, ctx)
  const key = identity(object)
  if (directives.skip) return { tasks: [], skipped: [], identity: key }
  if (!directives.hook) {
    const tasks = resourceTasks(manifest, object, directives, ctx)
    checkNames(manifest, tasks, ctx)
    return { tasks, skipped: [], identity: key }
  }
  const hook = directives.hook
  const types = hook.family === 'argo' ? hook.types : hook.events
  const phases = hookPhases(hook, ctx.operation)
  const skipped: SkippedHook[] = []
  const tasks: Task[] = []
  if (phases.length === 0) {
    skipped.push({
      key: identity(object),
      source: manifest.source,
      reason: `${types.join(',')} hooks do not run in ${describeOperation(ctx.operation)}`
    })
  }
  for (const { phase, trigger } of phases) {
    const filtered = ctx.hookFilter(hook.family, trigger)
    if (filtered) {
      skipped.push({ key: identity(object), source: manifest.source, reason: `${trigger} hook ${filtered}` })
      continue
    }
    const named = nameHook(object, phase, ctx)
    const policies: DeletePolicy[] =
      directives.deletePolicies.length > 0 ? directives.deletePolicies : ['BeforeHookCreation']
    tasks.push({
      ...baseTask(manifest, named, directives, phase),
      type: 'hook',
      hook: {
        family: hook.family,
        types: [...types],
        trigger,
        deletePolicies: policies,
        logPolicy: directives.logPolicy
      }
    })
  }
  checkNames(manifest, tasks, ctx)
  return { tasks, skipped, identity: key }
}

/** Name rules, once per distinct name, at the line of the name (or generateName) field (§5.2.3). */
function checkNames(manifest: Manifest, tasks: readonly Task[], ctx: TaskContext): void {
  const field = manifest.object.metadata.name !== undefined ? 'name' : 'generateName'
  for (const name of new Set(tasks.map(task => task.key.name))) {
    const task = tasks.find(t => t.key.name === name)
    const problem = task ? nameProblem(task.key.kind, name) : undefined
    if (task && problem)
      ctx.issues.push(
        issueAt('error', manifest.source, problem, {
          line: fieldLine(manifest, ['metadata', field]),
          key: task.key
        })
      )
  }
}

function resourceTasks(
  manifest: Manifest,
  object: KubeObject,
  directives: Directives,
  ctx: TaskContext
): Task[] {
  const type = ctx.operation.type
  if (type === 'test') return []
  if (object.metadata.generateName !== undefined && object.metadata.name === undefined) {
    ctx.issues.push(
      issueAt(
        'error',
        manifest.source,
        'metadata.generateName is only allowed on hooks: a resource is applied by name; set metadata.name',
        {
          line: fieldLine(manifest, ['metadata', 'generateName']),
          key: identity(object)
        }
      )
    )
    return []
  }
  const phase: Phase = type === 'delete' ? 'Delete' : 'Sync'
  return [
    { ...baseTask(manifest, object, directives, phase), type: type === 'delete' ? 'delete' : 'resource' }
  ]
}

function baseTask(manifest: Manifest, object: KubeObject, directives: Directives, phase: Phase): Task {
  const key = identity(object)
  return {
    id: `${phase}:${keyId(key)}`,
    type: 'resource',
    phase,
    wave: directives.wave,
    key,
    version: splitApiVersion(object.apiVersion).version,
    object,
    source: manifest.source,
    generateName: manifest.object.metadata.generateName,
    hook: undefined,
    syncOptions: directives.syncOptions,
    timeoutMs: directives.timeoutMs,
    keep: directives.keep,
    removal: undefined,
    pulledUpFor: undefined,
    createdNamespace: false
  }
}

/** Namespaced objects without a namespace get the destination; cluster-scoped ones lose theirs, with a warning. */
function placeInNamespace(manifest: Manifest, ctx: TaskContext): KubeObject {
  const object = cloneObject(manifest.object)
  const { group } = splitApiVersion(object.apiVersion)
  const scope = ctx.scope(group, object.kind)
  if (scope === 'Cluster' && object.metadata.namespace !== undefined) {
    ctx.issues.push(
      issueAt(
        'warning',
        manifest.source,
        `metadata.namespace '${object.metadata.namespace}' is ignored: ${object.kind} is cluster-scoped`,
        {
          line: fieldLine(manifest, ['metadata', 'namespace'])
        }
      )
    )
    delete object.metadata.namespace
  } else if (scope !== 'Cluster' && object.metadata.namespace === undefined) {
    object.metadata.namespace = ctx.namespace
  }
  return object
}

/** Gives a `generateName` hook its computed name for this phase (sync-semantics §5.2). */
function nameHook(object: KubeObject, phase: Phase, ctx: TaskContext): KubeObject {
  const { name, generateName } = object.metadata
  if (name !== undefined || generateName === undefined) return object
  const named = cloneObject(object)
  named.metadata.name = generatedHookName(generateName, ctx.revision, phase, ctx.startedAt)
  delete named.metadata.generateName
  return named
}

function identity(object: KubeObject): ResourceKey {
  const { name, generateName, namespace } = object.metadata
  return {
    group: splitApiVersion(object.apiVersion).group,
    kind: object.kind,
    namespace: namespace ?? '',
    name: name ?? `${generateName ?? ''}*`
  }
}

function describeOperation(operation: OperationKind): string {
  return operation.type === 'sync' ? `a sync (${operation.mode ?? 'install'})` : `a ${operation.type}`
}

/** `apps/Deployment ns/web` of a task, for messages. */
export function taskLabel(task: Task): string {
  return formatKey(task.key)
}
