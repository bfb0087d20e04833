import type { KubeObject } from '../model/object.js'
import type { Task } from '../model/task.js'
import type { Phase } from '../model/vocabulary.js'

/** Task states (sync-semantics §4.10): pending is the absence of a state. */
export type TaskState = 'pending' | 'Running' | 'Succeeded' | 'Failed' | 'Error'

/** Result codes: Argo CD's, plus wavesync's for deletions and hooks that did not run. */
export type ResultCode =
  'Synced' | 'SyncFailed' | 'Pruned' | 'PruneSkipped' | 'Deleted' | 'DeleteSkipped' | 'Skipped'

/**
 * What a task would do, as its dry run says (sync-semantics §8.4); set only by `dry-run: true`
 * operations, whose tasks never start. `skipped`: nothing would be done (a prune that is not
 * allowed) or the dry run itself was skipped (§8.2); the message says which.
 */
export type WouldBe = 'created' | 'configured' | 'unchanged' | 'recreated' | 'pruned' | 'deleted' | 'skipped'

/** What a failed hook left behind, captured before any deletion (sync-semantics §5.4). */
export interface Diagnostics {
  exitCode?: number
  reason?: string
  conditions: string[]
  events: string[]
  logTail: string[]
  pod?: string
  container?: string
  /**
   * Each part that could not be read, with the server's reason (`events unavailable: events is
   * forbidden: …`): without it, empty `events` or `logTail` would read as "there were none".
   */
  unavailable: string[]
}

/** The parts of the diagnostics read from the cluster, as `unavailable` names them. */
export type DiagnosticsPart = 'events' | 'pods' | 'logs'

/** The run of one task: what wavesync did and what it observed. */
export interface TaskRun {
  state: TaskState
  result: ResultCode | undefined
  message: string
  startedAt: number | undefined
  finishedAt: number | undefined
  /** For hooks: the uid the create returned; only that object can complete the hook. */
  uid: string | undefined
  /** The live object's last judged copy (after the write). */
  lastSeen: KubeObject | undefined
  /** True once the last observation was terminal: a vanished object then keeps that state (§5.7). */
  terminalSeen: boolean
  /** Per-object deadline (ms since epoch) for the current wait. */
  deadline: number | undefined
  /** Diagnostics of a failed hook. */
  diagnostics: Diagnostics | undefined
  /** The hook's finalizer has been removed (its terminal status is recorded). */
  finalized: boolean
  /** A policy deletion was issued for this hook. */
  deleted: boolean
  /** `dry-run: true`: what the task would do (it stays pending). */
  wouldBe?: WouldBe
  /** The GET confirming a vanished object failed: when to ask again (§4.3.2). */
  confirmRetry?: ConfirmRetry | undefined
}

/**
 * A GET that should have confirmed a vanished object failed (§4.3.2): when to ask again, how many
 * GETs failed in a row, and the last error (with the resource key) for the timeout message.
 */
export interface ConfirmRetry {
  at: number
  failures: number
  error: string
}

export type OperationPhase = 'Running' | 'Terminating' | 'Failed' | 'Error' | 'Succeeded'

/** Why the operation is failing, once it is (sync-semantics §4.6). */
export interface Failure {
  /** `apply`: a write, prune or delete error; `task`: a task turned Failed/Error. */
  kind: 'apply' | 'task'
}

/** The whole engine state between ticks. Only `reduce` and the loop replace it. */
export interface EngineState {
  tasks: readonly Task[]
  runs: ReadonlyMap<string, TaskRun>
  mode: 'normal' | 'failing' | 'done'
  failure: Failure | undefined
  /** Phases whose helm/sherpack phase-end deletions were issued (§5.6). */
  phasesClosed: ReadonlySet<Phase>
  /** Steps started so far, to apply `wave-delay` between steps and to report. */
  stepsStarted: number
  outcome: { phase: OperationPhase; message: string } | undefined
}

/** Side effects the step function asks for; the executor performs them and reports results. */
export type Action =
  | { type: 'write-step'; taskIds: string[] }
  | { type: 'skip-tasks'; taskIds: string[] }
  | { type: 'finish-hook'; taskId: string; capture: boolean; deleteNow: boolean }
  | { type: 'confirm-missing'; taskId: string }
  | { type: 'delete-hooks'; taskIds: string[]; why: string }
  | { type: 'sleep'; ms: number }

/** A change to one task's run, reported by the executor or decided by the step function. */
export interface RunUpdate {
  taskId: string
  run: Partial<TaskRun>
}

/** Progress the CLI and the action render; one event per transition. */
export type ProgressEvent =
  | { type: 'operation-started'; tasks: { id: string; label: string; phase: Phase; wave: number }[] }
  | { type: 'step-started'; phase: Phase; wave: number; tasks: string[] }
  | { type: 'task'; taskId: string; state: TaskState; result: ResultCode | undefined; message: string }
  | { type: 'waiting'; message: string }
  | { type: 'operation-finished'; phase: OperationPhase; message: string }
