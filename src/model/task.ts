import type { SyncOptions } from '../plan/annotations/sync-options.js'
import type { ResourceKey } from './key.js'
import { keyId } from './key.js'
import type { KubeObject } from './object.js'
import type { SourceRef } from './source.js'
import type { DeletePolicy, HookFamily, Phase } from './vocabulary.js'

/** A desired object applied as a resource, a hook run in a phase, an obsolete object pruned, or a deletion. */
export type TaskType = 'resource' | 'hook' | 'prune' | 'delete'

/** How a hook takes part in its phase. */
export interface HookInfo {
  family: HookFamily
  /** The hook annotation's values as written (Argo types or Helm/Sherpack events). */
  types: string[]
  /** What put the hook in this task's phase: the Argo type or the Helm/Sherpack event. */
  trigger: string
  /** Effective policies: union over families, default `BeforeHookCreation`. */
  deletePolicies: DeletePolicy[]
  /** Pod logs to print on these outcomes (`helm.sh/hook-output-log-policy`). */
  logPolicy: ('hook-succeeded' | 'hook-failed')[]
}

/** For prune and delete tasks: what will happen, decided when planning (sync-semantics §7.4, §10.2). */
export interface Removal {
  uid: string | undefined
  /** `skip`: reported as PruneSkipped/DeleteSkipped with `reason`, no call is made. */
  action: 'remove' | 'skip'
  reason: string | undefined
}

/** One unit of work on one object in one phase (sync-semantics §1). */
export interface Task {
  /** Unique within a plan: phase + identity. */
  id: string
  type: TaskType
  phase: Phase
  wave: number
  key: ResourceKey
  version: string
  /** The object to write (resources and hooks): final name and namespace set, never mutated. */
  object: KubeObject | undefined
  source: SourceRef | undefined
  generateName: string | undefined
  hook: HookInfo | undefined
  syncOptions: SyncOptions
  timeoutMs: number | undefined
  /** `resource-policy: keep`. */
  keep: boolean
  removal: Removal | undefined
  /** Set when a Namespace or CRD was moved before the first task needing it (sync-semantics §3.3). */
  pulledUpFor: string | undefined
  /** The destination namespace created because of CreateNamespace=true. */
  createdNamespace: boolean
}

/** What every task must say; the rest defaults to "none" (no object, source, hook, options, removal). */
export type TaskFields = Pick<Task, 'type' | 'phase' | 'wave' | 'key' | 'version'> & Partial<Omit<Task, 'id'>>

/** A task with its id (phase + identity) and every optional part defaulted. */
export function newTask(fields: TaskFields): Task {
  const { key } = fields
  return {
    id: `${fields.phase}:${keyId(key)}`,
    object: undefined,
    source: undefined,
    generateName: undefined,
    hook: undefined,
    syncOptions: {},
    timeoutMs: undefined,
    keep: false,
    removal: undefined,
    pulledUpFor: undefined,
    createdNamespace: false,
    ...fields
  }
}
