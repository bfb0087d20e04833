// Hook details in the job summary: exit code, reason, conditions, events and the log tail of each
// failed hook, folded in `<details>` (the one that ended the operation unfolded). Pure.
import { clip, escapeTableCell, preBlock } from './escape.js'
import type { Report, TaskReport } from './model.js'
import { failureFocus, isFailure, logsUnread, taskKey } from './render-facts.js'
import type { Html } from './render-markdown.js'
import { code, count, factsTable, join, sourceText, taskIcon } from './render-markdown.js'

/** How much of the hooks' diagnostics the budget leaves room for. */
export interface HookDetailLevel {
  /** Show the logs of hooks that succeeded (when they left any). */
  successLogs: boolean
  /** Keep at most this many of each hook's last log lines. */
  logLines: number
  /** Show at most this many hooks' details. */
  hooks: number
}

const LINE_LIMIT = 2000

/** The `<details>` blocks, in execution order; undefined when no hook has anything to show. */
export function renderHookDetails(report: Report, level: HookDetailLevel): string | undefined {
  const focus = failureFocus(report)
  const shown = report.tasks.filter(t => hasDetails(report, t, level.successLogs))
  if (shown.length === 0 || level.hooks <= 0) return undefined
  const blocks = shown.slice(0, level.hooks).map(t => hookBlock(report, t, t === focus, level.logLines))
  const more =
    shown.length > level.hooks ? [`…and ${count(shown.length - level.hooks)} more in the JSON report.`] : []
  const failed = shown.some(t => isFailure(report, t))
  return [failed ? '### 🔎 Failed hooks' : '### 🔎 Hook logs', ...blocks, ...more].join('\n\n')
}

function hasDetails(report: Report, task: TaskReport, successLogs: boolean): boolean {
  if (isFailure(report, task))
    return (
      task.exitCode !== undefined ||
      task.logTail !== undefined ||
      (task.events?.length ?? 0) > 0 ||
      (task.unavailable?.length ?? 0) > 0
    )
  // A succeeded hook whose logs were asked for (hook-output-log-policy) but not readable says so.
  return successLogs && ((task.logTail?.length ?? 0) > 0 || logsUnread(task))
}

function hookBlock(report: Report, task: TaskReport, open: boolean, logLines: number): string {
  const kind = task.hook ? `${task.phase} hook ` : `${task.phase} `
  const reason = task.reason ?? (task.exitCode !== undefined ? `exit code ${task.exitCode}` : task.state)
  const summary = `<summary>${taskIcon(report, task)} <b>${escapeTableCell(kind)}${code(taskKey(task)).html}</b> — ${escapeTableCell(reason)}</summary>`
  const parts = [`<details${open ? ' open' : ''}>\n${summary}\n<br>\n\n${factsTable(facts(task))}`]
  const log = logSection(task, logLines)
  if (log) parts.push(log)
  return [...parts, '</details>'].join('\n\n')
}

function facts(task: TaskReport): [string, string | Html][] {
  const where = sourceText(task)
  const rows: [string, string | Html][] = [['Step', `${task.phase} · wave ${task.wave}`]]
  if (where) rows.push(['Manifest', code(where)])
  if (task.exitCode !== undefined) rows.push(['Exit code', String(task.exitCode)])
  if (task.reason && task.reason !== `exit code ${task.exitCode ?? ''}`) rows.push(['Reason', task.reason])
  rows.push(['Message', clip(task.message, LINE_LIMIT)])
  if ((task.conditions?.length ?? 0) > 0) rows.push(['Conditions', lines(task.conditions ?? [])])
  if ((task.events?.length ?? 0) > 0) rows.push(['Events', lines(task.events ?? [])])
  if ((task.unavailable?.length ?? 0) > 0) rows.push(['Not read', lines(task.unavailable ?? [])])
  return rows
}

function lines(items: readonly string[]): Html {
  return join(
    items.slice(-20).map(item => clip(item, LINE_LIMIT)),
    '<br>'
  )
}

function logSection(task: TaskReport, logLines: number): string | undefined {
  const all = task.logTail ?? []
  // Unread logs are said in the facts' "Not read" row; "left no log lines" would then be untrue.
  if (all.length === 0)
    return task.logTail && !logsUnread(task) ? '<i>The container left no log lines.</i>' : undefined
  const kept = all.slice(-logLines).map(line => clip(line, LINE_LIMIT))
  const label =
    kept.length < all.length
      ? `<b>Last ${count(kept.length)} of ${count(all.length)} log lines</b> (the rest are in the JSON report)`
      : `<b>Last ${count(all.length)} log line${all.length === 1 ? '' : 's'}</b>`
  return `${label}\n\n${preBlock(kept)}`
}
