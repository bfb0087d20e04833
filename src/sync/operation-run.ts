// What the stages of one operation past validation share (sync-semantics §4.1.5–4.1.8): the outside
// world, the plan, the engine's deps and the report's remarks.
import { Observer } from '../cluster/observer.js'
import type { InventoryStore } from '../inventory/store.js'
import { formatIssue } from '../model/issue.js'
import type { Plan } from '../plan/plan.js'
import type { Prepared } from './prepare.js'
import type { ExecDeps } from './execute.js'
import type { SyncSettings } from './settings.js'
import { propagationOf } from './settings.js'
import type { OperationDeps } from './operation.js'

/** What a run is started with: fixed for its whole length. */
interface RunBasis {
  settings: SyncSettings
  deps: OperationDeps
  startedAt: number
  store: InventoryStore
  /** Plans the operation against the history as it is now (prepare.ts). */
  prepare: () => Promise<Prepared>
}

/** One operation past validation: what every later stage needs, and what the report is built from. */
export interface OperationRun extends Readonly<RunBasis> {
  readonly observer: Observer
  /** What the step machine needs; the dry run adds the objects ApplyOutOfSyncOnly leaves alone. */
  exec: ExecDeps
  /** Planning's result: made again under the lock when another operation moved the history meanwhile. */
  prepared: Prepared
  /** The plan being run: `prepared.plan`, or the last retry's (its own generated hook names, §4.11). */
  plan: Plan
  /** The report's warnings and notes; each stage adds its own, none of them fails the run. */
  readonly warnings: string[]
  readonly notes: string[]
}

/** The run's observer and engine deps; planning's warnings are the report's first. */
export function startRun(basis: RunBasis, prepared: Prepared): OperationRun {
  const { settings, deps } = basis
  const observer = new Observer(deps.cluster, deps.clock, {
    pollIntervalMs: settings.pollIntervalMs,
    maxBackoffMs: 2000
  })
  return {
    ...basis,
    observer,
    exec: execDeps(settings, deps, observer),
    prepared,
    plan: prepared.plan,
    warnings: prepared.issues.filter(i => i.severity !== 'error').map(formatIssue),
    notes: []
  }
}

function execDeps(settings: SyncSettings, deps: OperationDeps, observer: Observer): ExecDeps {
  return {
    cluster: deps.cluster,
    observer,
    clock: deps.clock,
    signal: deps.signal,
    emit: deps.emit,
    ...(deps.beforeCreate ? { beforeCreate: deps.beforeCreate } : {}),
    settings: {
      app: settings.app,
      parallelism: settings.parallelism,
      objectTimeoutMs: settings.objectTimeoutMs,
      propagation: propagationOf(settings.syncOptions),
      appOptions: settings.syncOptions
    }
  }
}
