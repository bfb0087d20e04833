/** Phases of sync and rollback operations, in execution order (sync-semantics §3.1). */
export const SYNC_PHASES = ['PreSync', 'Sync', 'PostSync', 'SyncFail'] as const
/** Phases of the delete operation, in execution order. */
export const DELETE_PHASES = ['PreDelete', 'Delete', 'PostDelete', 'NamespaceCleanup'] as const
/** The test operation's only phase. */
export const TEST_PHASES = ['Test'] as const

export type SyncPhase = (typeof SYNC_PHASES)[number]
export type DeletePhase = (typeof DELETE_PHASES)[number]
export type Phase = SyncPhase | DeletePhase | 'Test'

/** Rank of a phase in the sort key: only phases of one operation ever meet, so one table serves. */
export const PHASE_RANK: Readonly<Record<Phase, number>> = {
  PreSync: 0,
  Sync: 1,
  PostSync: 2,
  SyncFail: 3,
  PreDelete: 0,
  Delete: 1,
  PostDelete: 2,
  NamespaceCleanup: 3,
  Test: 0
}

/** Values of `argocd.argoproj.io/hook`, exactly as Argo CD spells them (case-sensitive). */
export const ARGO_HOOK_TYPES = [
  'PreSync',
  'Sync',
  'PostSync',
  'SyncFail',
  'Skip',
  'PreDelete',
  'PostDelete'
] as const
export type ArgoHookType = (typeof ARGO_HOOK_TYPES)[number]

/** Helm hook events; Sherpack adds the two `during-*` events. */
export const HELM_HOOK_EVENTS = [
  'pre-install',
  'post-install',
  'pre-upgrade',
  'post-upgrade',
  'pre-rollback',
  'post-rollback',
  'pre-delete',
  'post-delete',
  'test',
  'test-success'
] as const
export const SHERPACK_HOOK_EVENTS = [...HELM_HOOK_EVENTS, 'during-install', 'during-upgrade'] as const
export type HookEvent = (typeof SHERPACK_HOOK_EVENTS)[number]

/** The annotation family that decided a hook's phases (sync-semantics §2.8). */
export type HookFamily = 'argo' | 'helm' | 'sherpack'

export const DELETE_POLICIES = ['HookSucceeded', 'HookFailed', 'BeforeHookCreation'] as const
export type DeletePolicy = (typeof DELETE_POLICIES)[number]

/** What an operation does; `sync` runs as install or upgrade (sync-semantics §9.1). */
export type OperationType = 'sync' | 'rollback' | 'delete' | 'test'
export type SyncMode = 'install' | 'upgrade'

/** An operation as the planner needs it: its type, and for syncs the release mode. */
export interface OperationKind {
  type: OperationType
  mode?: SyncMode
}

/** Names accepted on the command line and in the action's `operation` input. */
export const OPERATION_NAMES = ['sync', 'install', 'upgrade', 'rollback', 'delete', 'test'] as const
export type OperationName = (typeof OPERATION_NAMES)[number]

/** `install`/`upgrade` are syncs with a fixed mode; `sync` alone lets history decide. */
export function operationKind(name: OperationName, hasDeployedRevision: boolean): OperationKind {
  if (name === 'install' || name === 'upgrade') return { type: 'sync', mode: name }
  if (name === 'sync') return { type: 'sync', mode: hasDeployedRevision ? 'upgrade' : 'install' }
  return { type: name }
}
