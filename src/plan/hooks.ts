import type { HookEvent, OperationKind, Phase } from '../model/vocabulary.js'
import type { HookSpec } from './annotations/directives.js'

/** A phase a hook runs in during an operation, with what put it there. */
export interface HookPhase {
  phase: Phase
  trigger: string
}

/** Helm/Sherpack events per operation (sync-semantics §9.2); `sync` depends on its mode. */
const EVENT_PHASES: Readonly<Record<string, Partial<Record<HookEvent, Phase>>>> = {
  install: { 'pre-install': 'PreSync', 'during-install': 'Sync', 'post-install': 'PostSync' },
  upgrade: { 'pre-upgrade': 'PreSync', 'during-upgrade': 'Sync', 'post-upgrade': 'PostSync' },
  rollback: { 'pre-rollback': 'PreSync', 'post-rollback': 'PostSync' },
  delete: { 'pre-delete': 'PreDelete', 'post-delete': 'PostDelete' },
  test: { test: 'Test', 'test-success': 'Test' }
}

/** Argo hook types per operation: sync phases for syncs and rollbacks, delete phases for deletes. */
const ARGO_PHASES: Readonly<Record<string, readonly Phase[]>> = {
  sync: ['PreSync', 'Sync', 'PostSync', 'SyncFail'],
  rollback: ['PreSync', 'Sync', 'PostSync', 'SyncFail'],
  delete: ['PreDelete', 'PostDelete'],
  test: []
}

/** The phases a hook runs in for this operation; empty when it takes no part (reported Skipped). */
export function hookPhases(spec: HookSpec, operation: OperationKind): HookPhase[] {
  if (spec.family === 'argo') {
    const phases = ARGO_PHASES[operation.type] ?? []
    return spec.types
      .filter(type => (phases as readonly string[]).includes(type))
      .map(type => ({ phase: type as Phase, trigger: type }))
  }
  const table = EVENT_PHASES[operation.type === 'sync' ? (operation.mode ?? 'install') : operation.type] ?? {}
  const seen = new Set<Phase>()
  const result: HookPhase[] = []
  for (const event of spec.events) {
    const phase = table[event]
    if (phase && !seen.has(phase)) {
      seen.add(phase)
      result.push({ phase, trigger: event })
    }
  }
  return result
}

/**
 * The name of a `generateName` hook (sync-semantics §5.2): the prefix, then the lower-cased
 * `<rev>-<phase>-<t>`. Deterministic within an attempt, so dry run, create and observation agree;
 * a new attempt (new start time) gets new names, so an earlier attempt's hooks are kept as evidence.
 */
export function generatedHookName(
  generateName: string,
  revision: string,
  phase: Phase,
  startedAt: number
): string {
  const rev = revision.length >= 8 ? revision.slice(0, 7) : revision
  return generateName + `${rev}-${phase}-${Math.floor(startedAt)}`.toLowerCase()
}
