import type { Issue } from '../model/issue.js'
import type { NamespaceMetadata } from './namespace-metadata.js'
import { compareIssues, issueAt } from '../model/issue.js'
import { compareKeys, formatKey, keyId } from '../model/key.js'
import type { Manifest } from '../model/manifest.js'
import { formatSource } from '../model/source.js'
import type { Task } from '../model/task.js'
import type { OperationKind } from '../model/vocabulary.js'
import { readDirectives } from './annotations/directives.js'
import type { SyncOptions } from './annotations/sync-options.js'
import { optionValue } from './annotations/sync-options.js'
import { hookFilter } from './hook-filter.js'
import type { Guardrails } from './guardrails.js'
import { guardrailIssues } from './guardrails.js'
import { appOptionIssues, objectOptionIssues } from './unsupported.js'
import { compareTasks } from './order.js'
import type { PreviousInventory, PruneSettings } from './prune.js'
import { arrangePruneWaves, pruneTasks } from './prune.js'
import { pullUpDependencies } from './pull-ups.js'
import type { ScopeResolver } from './scope.js'
import type { SkippedHook } from './tasks.js'
import { tasksForManifest } from './tasks.js'
import { namespaceTasks } from './namespace.js'
import type { DeletionSettings } from './deletion.js'
import { arrangeDeletion } from './deletion.js'
import type { RetiredKinds } from './recorded-kinds.js'
import { settleRetiredKinds } from './recorded-kinds.js'

/** Everything the planner needs; plain data, resolved before planning (no I/O in here). */
export interface PlanInput {
  app: string
  manifests: readonly Manifest[]
  operation: OperationKind
  /** Destination namespace for namespaced objects that name none. */
  namespace: string
  /** Source revision (commit SHA); its first 7 characters go into generated hook names. */
  revision: string
  /** The attempt's start, Unix seconds; part of generated hook names. */
  startedAt: number
  scope: ScopeResolver
  appOptions?: SyncOptions
  hooks?: { none?: boolean; skip?: readonly string[] }
  prune?: PruneSettings & { allowEmpty?: boolean }
  previous?: PreviousInventory
  deletion?: DeletionSettings
  /** Labels and annotations of the CreateNamespace namespace (Argo CD managedNamespaceMetadata). */
  namespaceMetadata?: NamespaceMetadata
  /** What the workflow may touch; checked on every task before anything runs. */
  guardrails?: Guardrails
  /** Manifests from a record (delete, rollback, test): kinds no longer served as recorded. */
  retiredKinds?: RetiredKinds
}

/** The ordered tasks of one operation, the hooks that do not run in it, and every issue found. */
export interface Plan {
  app: string
  operation: OperationKind
  namespace: string
  revision: string
  tasks: Task[]
  skipped: SkippedHook[]
  issues: Issue[]
  /**
   * Tasks from a record that the server cannot take as recorded (recorded-kinds.ts): like an
   * unknown kind in discovery (§4.1.2), they fail the operation before any write; not invalid input.
   */
  unserved: Issue[]
}

/**
 * Builds the plan of sync-semantics §3–§5: tasks from manifests (one vocabulary for Argo CD, Helm
 * and Sherpack annotations), prune tasks from the previous inventory, the total order, and the
 * Namespace/CRD pull-ups. Pure and deterministic: the same input gives the same plan.
 */
export function buildPlan(input: PlanInput): Plan {
  const issues: Issue[] = []
  const appOptions = input.appOptions ?? {}
  const ctx = {
    operation: input.operation,
    namespace: input.namespace,
    revision: input.revision,
    startedAt: input.startedAt,
    scope: input.scope,
    hookFilter: hookFilter(input.hooks ?? {}),
    issues
  }
  const made: Task[] = []
  const skipped: SkippedHook[] = []
  const desired = new Set<string>()
  for (const manifest of input.manifests) {
    const directives = readDirectives(manifest, issues)
    issues.push(...objectOptionIssues(manifest, directives.syncOptions))
    const fromManifest = tasksForManifest(manifest, directives, ctx)
    made.push(...fromManifest.tasks)
    skipped.push(...fromManifest.skipped)
    desired.add(keyId(fromManifest.identity))
  }
  validateTasks(made, issues)
  issues.push(...appOptionIssues(appOptions))
  const settled = settleRetiredKinds(made, input.retiredKinds, appOptions)
  const tasks = settled.tasks
  const resources = tasks.filter(task => task.type === 'resource')
  tasks.push(...namespaceTasks(input, tasks, appOptions))
  tasks.push(...prunes(input, resources, desired, appOptions, issues))
  const arranged = arrangePruneWaves(
    arrangeDeletion(tasks, appOptions, {
      ...input.deletion,
      app: input.app,
      ...(input.previous && input.operation.type === 'delete' ? { live: input.previous.live } : {}),
      ...(input.retiredKinds ? { retired: input.retiredKinds } : {})
    }),
    appOptions
  )
  const ordered = pullUpDependencies(arranged.sort(compareTasks))
  if (input.guardrails) issues.push(...guardrailIssues(ordered, input.guardrails))
  skipped.sort(
    (a, b) => compareKeys(a.key, b.key) || (a.reason < b.reason ? -1 : a.reason > b.reason ? 1 : 0)
  )
  return {
    app: input.app,
    operation: input.operation,
    namespace: input.namespace,
    revision: input.revision,
    tasks: ordered,
    skipped,
    issues: issues.sort(compareIssues),
    unserved: settled.issues.sort(compareIssues)
  }
}

/** Prune tasks against the previous inventory; `desired` holds every manifest's identity (§7.3). */
function prunes(
  input: PlanInput,
  resources: readonly Task[],
  desired: ReadonlySet<string>,
  appOptions: SyncOptions,
  issues: Issue[]
): Task[] {
  if (!input.previous || input.operation.type === 'delete' || input.operation.type === 'test') return []
  const settings = { enabled: input.prune?.enabled ?? false, confirmed: input.prune?.confirmed ?? false }
  if (
    resources.length === 0 &&
    settings.enabled &&
    input.previous.entries.length > 0 &&
    !input.prune?.allowEmpty
  ) {
    issues.push({
      severity: 'error',
      file: '(manifests)',
      line: 0,
      message:
        'the manifests hold no resources but the previous revision has some: pruning would delete everything; set allow-empty to allow it'
    })
  }
  return pruneTasks(input.previous, {
    app: input.app,
    desired,
    desiredNamespaces: new Set(resources.map(task => task.key.namespace).filter(ns => ns !== '')),
    appOptions,
    settings,
    issues
  })
}

/**
 * Name rules, and no two manifests on one object (sync-semantics §5.2.3). A hook listed in several
 * phases yields several tasks from one manifest: that is not a duplicate.
 */
function validateTasks(tasks: readonly Task[], issues: Issue[]): void {
  const seen = new Map<string, Task>()
  for (const task of tasks) {
    const source = task.source
    if (!source) continue
    const id = keyId(task.key)
    const first = seen.get(id)
    if (!first) seen.set(id, task)
    else if (first.source && formatSource(first.source) !== formatSource(source)) {
      const what = first.type === 'hook' && task.type === 'hook' ? 'two hooks resolve to' : 'duplicate object'
      const message = `${what} ${formatKey(task.key)}; also defined at ${formatSource(first.source)}`
      issues.push(issueAt('error', source, message, { key: task.key }))
    }
  }
}

/** True when an option is on for the application. */
export function appOption(appOptions: SyncOptions, key: string): boolean {
  return optionValue(key, {}, appOptions) === 'true'
}
