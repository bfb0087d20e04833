// What every renderer asks of a report: the outcome, what ended the operation, the failures per
// wave, what a timeout left waiting. One place, so the summary, annotations, check run, Slack
// and outputs never disagree. Pure.
import type { Issue } from '../model/issue.js'
import { hasErrors } from '../model/issue.js'
import type { Report, StepReport, TaskReport } from './model.js'

/** The operation's outcome as the action's `result` output spells it (platform.md §10). */
export type Outcome = 'succeeded' | 'failed' | 'cancelled' | 'timed-out' | 'invalid'

/**
 * The outcome: `invalid` when nothing was written (no report, or error issues before any task
 * started); `timed-out` for the overall timeout; `cancelled` for any other termination.
 */
export function outcomeOf(report: Report | undefined, issues: readonly Issue[]): Outcome {
  if (!report) return 'invalid'
  if (hasErrors(issues) && report.tasks.every(t => t.startedAt === null)) return 'invalid'
  if (report.phase === 'Succeeded') return 'succeeded'
  if (report.phase === 'Terminated') return isTimeout(report) ? 'timed-out' : 'cancelled'
  return 'failed'
}

/** True when the overall timeout ended the operation (sync-semantics §4.9). */
export function isTimeout(report: Report): boolean {
  return report.phase === 'Terminated' && report.message.startsWith('operation timed out')
}

/** A task the termination stopped: still running, or failed only because it was terminated. */
export function isInterrupted(report: Report, task: TaskReport): boolean {
  return (
    task.state === 'Running' ||
    (report.phase === 'Terminated' && task.state !== 'Succeeded' && task.message === 'Terminated')
  )
}

/** A task that failed on its own (its write, its health, its hook), not by termination. */
export function isFailure(report: Report, task: TaskReport): boolean {
  if (isInterrupted(report, task)) return false
  return task.state === 'Failed' || task.state === 'Error' || task.result === 'SyncFailed'
}

/** The key in the project's one format: `batch/Job shop/migrate`, `/Namespace shop`. */
export function taskKey(task: TaskReport): string {
  const where = task.namespace === '' ? task.name : `${task.namespace}/${task.name}`
  return `${task.group}/${task.kind} ${where}`
}

/** `hook batch/Job shop/migrate`, `prune /Service shop/old`, or the key for resources. */
export function taskLabel(task: TaskReport): string {
  const prefix = task.hook
    ? 'hook '
    : task.type === 'prune'
      ? 'prune '
      : task.type === 'delete'
        ? 'delete '
        : ''
  return `${prefix}${taskKey(task)}`
}

/** Why a task failed, on one line: `exit code 3 — Failed (BackoffLimitExceeded): …`. */
export function taskWhy(task: TaskReport): string {
  const message = task.message.trim()
  const reason = task.reason?.trim() ?? ''
  if (reason === '' || message.includes(reason)) return message || reason || task.state
  return message === '' ? reason : `${reason} — ${message}`
}

/** The last non-blank log line of a hook, if it left any. */
export function lastLogLine(task: TaskReport): string | undefined {
  return [...(task.logTail ?? [])].reverse().find(line => line.trim() !== '')
}

/**
 * True when the hook's log lines could not be read (its pods or its logs were unavailable): an
 * empty log tail then says nothing about what the container printed.
 */
export function logsUnread(task: TaskReport): boolean {
  return (task.unavailable ?? []).some(line => /^(pods|logs) unavailable:/.test(line))
}

const ERROR_LINE = /\b(error|fatal|panic|exception|traceback)\b/i

/**
 * The lines of a log tail worth a glance: the last `n` non-blank lines, preceded by the last line
 * that looks like an error (`ERROR`, `fatal`, `panic` …) when it is earlier, with `…` between.
 */
export function logHighlights(task: TaskReport, n = 3): string[] {
  const lines = (task.logTail ?? [])
    .map(line => line.replace(/[\r\n]+/g, ' '))
    .filter(line => line.trim() !== '')
  const tail = lines.slice(-n)
  const earlier = lines.slice(0, -n)
  const error = [...earlier].reverse().find(line => ERROR_LINE.test(line))
  return error === undefined || tail.some(line => ERROR_LINE.test(line)) ? tail : [error, '…', ...tail]
}

/** The hook whose failure ended the operation: the first failed hook outside SyncFail. */
export function endingHook(report: Report): TaskReport | undefined {
  return report.tasks.find(t => t.hook && t.phase !== 'SyncFail' && isFailure(report, t))
}

/** What ended the operation: that hook, else the first failed task outside SyncFail, else any. */
export function failureFocus(report: Report): TaskReport | undefined {
  return (
    endingHook(report) ??
    report.tasks.find(t => t.phase !== 'SyncFail' && isFailure(report, t)) ??
    report.tasks.find(t => isFailure(report, t))
  )
}

/** The first failed task of each step (phase, wave), in execution order. */
export function firstFailurePerWave(report: Report): TaskReport[] {
  const seen = new Set<string>()
  const firsts: TaskReport[] = []
  for (const task of report.tasks) {
    const step = `${task.phase} ${task.wave}`
    if (seen.has(step) || !isFailure(report, task)) continue
    seen.add(step)
    firsts.push(task)
  }
  return firsts
}

/** Tasks a termination interrupted (what a timeout was waiting for). */
export function interruptedTasks(report: Report): TaskReport[] {
  return report.tasks.filter(t => isInterrupted(report, t))
}

/**
 * A task's result as people read it: its result code; in a dry-run report, what it would do
 * (`would be created`, `would stay unchanged`), never a code that suggests it ran.
 */
export function resultText(task: TaskReport): string | undefined {
  if (task.result !== null) return task.result
  if (task.wouldBe === undefined) return undefined
  if (task.wouldBe === 'unchanged') return 'would stay unchanged'
  return task.wouldBe === 'skipped' ? 'skipped' : `would be ${task.wouldBe}`
}

/** Tasks never started. */
export function notStarted(report: Report): TaskReport[] {
  return report.tasks.filter(t => t.state === 'pending')
}

/** The phase a person should look at: the failure's, else where a termination struck. */
export function failedPhase(report: Report): string | undefined {
  return (failureFocus(report) ?? interruptedTasks(report)[0])?.phase
}

/** `sync (install)`, `delete`. */
export function operationLabel(report: Report): string {
  return report.mode ? `${report.operation} (${report.mode})` : report.operation
}

/** A duration for people: `40 ms`, `2.0 s`, `3 m 05 s`, `1 h 02 m`. */
export function formatMs(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`
  const s = Math.round(ms / 1000)
  if (s < 3600) return `${Math.floor(s / 60)} m ${String(s % 60).padStart(2, '0')} s`
  return `${Math.floor(s / 3600)} h ${String(Math.floor(s / 60) % 60).padStart(2, '0')} m`
}

/** Milliseconds between two report timestamps, when both are known. */
export function spanMs(from: string | null, to: string | null): number | undefined {
  if (from === null || to === null) return undefined
  const ms = Date.parse(to) - Date.parse(from)
  return Number.isNaN(ms) ? undefined : Math.max(0, ms)
}

/** One step and its tasks, in execution order. */
export interface StepTasks {
  phase: string
  wave: number
  step: StepReport | undefined
  tasks: TaskReport[]
}

/** Tasks grouped by step (phase, wave) in execution order, each with its timings. */
export function stepsOf(report: Report): StepTasks[] {
  const steps: StepTasks[] = []
  for (const task of report.tasks) {
    const last = steps[steps.length - 1]
    if (last && last.phase === task.phase && last.wave === task.wave) last.tasks.push(task)
    else steps.push({ phase: task.phase, wave: task.wave, step: undefined, tasks: [task] })
  }
  for (const entry of steps)
    entry.step = report.steps.find(s => s.phase === entry.phase && s.wave === entry.wave)
  return steps
}

/** A pseudo-file such as `(inventory)` or `(manifests)`: a problem with no file to point at. */
export function isPseudoFile(file: string): boolean {
  return file === '' || (file.startsWith('(') && file.endsWith(')'))
}

/** A warning or notice with its location when known. */
export interface Remark {
  severity: 'warning' | 'notice'
  message: string
  file?: string
  line?: number
}

const FORMATTED_ISSUE = /^(.+?):(\d+): (warning|notice): (.*)$/s

/**
 * Warnings and notices from the issues and the report, without repeats: the report carries
 * issue warnings as `file:line: warning: message [key]` lines (formatIssue), read back here.
 */
export function remarksOf(report: Report | undefined, issues: readonly Issue[]): Remark[] {
  const remarks: Remark[] = []
  const seen = new Set<string>()
  const add = (remark: Remark): void => {
    const id = `${remark.severity}\u0000${remark.file ?? ''}\u0000${remark.line ?? 0}\u0000${remark.message}`
    if (seen.has(id)) return
    seen.add(id)
    remarks.push(remark)
  }
  for (const issue of issues)
    if (issue.severity !== 'error') add(located(issue.severity, issue.message, issue.file, issue.line))
  for (const warning of report?.warnings ?? []) {
    const match = FORMATTED_ISSUE.exec(warning)
    const [, file, line, severity, message] = match ?? []
    if (file && line && message && (severity === 'warning' || severity === 'notice'))
      add(located(severity, message.replace(/ \[[^\]]*\]$/, ''), file, Number(line)))
    else add({ severity: 'warning', message: warning })
  }
  return remarks
}

function located(severity: Remark['severity'], message: string, file: string, line: number): Remark {
  const remark: Remark = { severity, message }
  if (!isPseudoFile(file)) remark.file = file
  if (!isPseudoFile(file) && line > 0) remark.line = line
  return remark
}
