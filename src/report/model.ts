import { formatKey } from '../model/key.js'
import type { Task } from '../model/task.js'
import type { OperationKind, Phase } from '../model/vocabulary.js'
import type { SkippedHook } from '../plan/tasks.js'
import { runOf } from '../sync/state.js'
import type { EngineState, ResultCode, TaskState, WouldBe } from '../sync/types.js'

/** One task in the report (docs/report-format.md), in execution order. */
export interface TaskReport {
  phase: Phase
  wave: number
  type: Task['type']
  group: string
  version: string
  kind: string
  namespace: string
  name: string
  hook: boolean
  hookPhase: string | null
  hookFamily: string | null
  result: ResultCode | null
  state: TaskState
  message: string
  startedAt: string | null
  finishedAt: string | null
  source: { file: string; line: number } | null
  /** Dry-run reports only: what the task would do (`created`, `configured`, `pruned` …); it stays pending. */
  wouldBe?: WouldBe
  exitCode?: number
  reason?: string
  logTail?: string[]
  events?: string[]
  conditions?: string[]
  /** The diagnostics that could not be read, with why: `logs unavailable: pods "x" is forbidden …`. */
  unavailable?: string[]
}

/** One step (phase, wave): when its first write went out, when it passed its gate, and the gap before it. */
export interface StepReport {
  phase: Phase
  wave: number
  tasks: number
  firstWriteAt: string | null
  completedAt: string | null
  /** From the previous step passing its gate to this step's first write, in ms (minus wave-delay). */
  gapMs: number | null
}

export type ReportPhase = 'Succeeded' | 'Failed' | 'Error' | 'Terminated'

export interface Report {
  app: string
  operation: string
  mode: string | null
  /** The inventory revision this operation recorded, when it got that far. */
  revision: number | null
  /** Rollback: the revision returned to; test: the revision tested; else null (absent in older reports). */
  targetRevision?: number | null
  sourceRevision: string
  namespace: string
  phase: ReportPhase
  message: string
  dryRun: boolean
  startedAt: string
  finishedAt: string
  durationMs: number
  tasks: TaskReport[]
  steps: StepReport[]
  skipped: { resource: string; reason: string }[]
  warnings: string[]
  /** What happened that is worth knowing but is not a problem (dry runs skipped, per §8.2). */
  notes: string[]
}

export interface ReportInput {
  app: string
  operation: OperationKind
  revision: number | null
  targetRevision?: number | null
  sourceRevision: string
  namespace: string
  phase: ReportPhase
  message: string
  dryRun: boolean
  startedAt: number
  finishedAt: number
  state: EngineState
  skipped: readonly SkippedHook[]
  warnings: readonly string[]
  notes: readonly string[]
  waveDelayMs: number
}

const iso = (ms: number | undefined): string | null => (ms === undefined ? null : new Date(ms).toISOString())

/** Builds the report from the plan's tasks and their runs. Pure. */
export function buildReport(input: ReportInput): Report {
  return {
    app: input.app,
    operation: input.operation.type,
    mode: input.operation.mode ?? null,
    revision: input.revision,
    targetRevision: input.targetRevision ?? null,
    sourceRevision: input.sourceRevision,
    namespace: input.namespace,
    phase: input.phase,
    message: input.message,
    dryRun: input.dryRun,
    startedAt: iso(input.startedAt) ?? '',
    finishedAt: iso(input.finishedAt) ?? '',
    durationMs: input.finishedAt - input.startedAt,
    tasks: input.state.tasks.map(task => taskReport(task, input.state)),
    steps: stepReports(input.state, input.waveDelayMs),
    skipped: input.skipped.map(s => ({ resource: formatKey(s.key), reason: s.reason })),
    warnings: [...input.warnings],
    notes: [...input.notes]
  }
}

function taskReport(task: Task, state: EngineState): TaskReport {
  const run = runOf(state, task)
  const report: TaskReport = {
    phase: task.phase,
    wave: task.wave,
    type: task.type,
    group: task.key.group,
    version: task.version,
    kind: task.key.kind,
    namespace: task.key.namespace,
    name: task.key.name,
    hook: task.type === 'hook',
    hookPhase: task.hook?.trigger ?? null,
    hookFamily: task.hook?.family ?? null,
    result: run.result ?? null,
    state: run.state,
    message: run.message,
    startedAt: iso(run.startedAt),
    finishedAt: iso(run.finishedAt),
    source: task.source ? { file: task.source.file, line: task.source.line } : null
  }
  if (run.wouldBe !== undefined) report.wouldBe = run.wouldBe
  const d = run.diagnostics
  if (d) {
    if (d.exitCode !== undefined) report.exitCode = d.exitCode
    if (d.reason !== undefined) report.reason = d.reason
    report.logTail = d.logTail
    report.events = d.events
    report.conditions = d.conditions
    // Absent when every part was read: its absence means nothing is missing.
    if (d.unavailable.length > 0) report.unavailable = d.unavailable
  }
  return report
}

/** Steps in execution order with their timings; the gap measures event-driven wave-to-wave latency. */
export function stepReports(state: EngineState, waveDelayMs: number): StepReport[] {
  const steps = new Map<string, Task[]>()
  for (const task of state.tasks) {
    const id = `${task.phase} ${task.wave}`
    const step = steps.get(id)
    if (step) step.push(task)
    else steps.set(id, [task])
  }
  const reports: StepReport[] = []
  let previousDone: number | undefined
  for (const tasks of steps.values()) {
    const first = tasks[0]
    if (!first) continue
    const starts = tasks.map(t => runOf(state, t).startedAt).filter((t): t is number => t !== undefined)
    const ends = tasks.map(t => runOf(state, t).finishedAt).filter((t): t is number => t !== undefined)
    const start = starts.length > 0 ? Math.min(...starts) : undefined
    const done = ends.length === tasks.length && ends.length > 0 ? Math.max(...ends) : undefined
    const gap =
      start !== undefined && previousDone !== undefined
        ? Math.max(0, start - previousDone - waveDelayMs)
        : undefined
    reports.push({
      phase: first.phase,
      wave: first.wave,
      tasks: tasks.length,
      firstWriteAt: iso(start),
      completedAt: iso(done),
      gapMs: gap ?? null
    })
    if (done !== undefined) previousDone = done
  }
  return reports
}
