// The top of the job summary, which the budget always keeps: the outcome as a headline, a table of
// facts answering what failed, where and why, and the table of every failure. Pure.
import type { Issue } from '../model/issue.js'
import { compareIssues } from '../model/issue.js'
import { formatKey } from '../model/key.js'
import { clip, escapeHtml, escapeMarkdown, escapeTableCell } from './escape.js'
import type { Report, TaskReport } from './model.js'
import type { Outcome } from './render-facts.js'
import {
  failureFocus,
  formatMs,
  interruptedTasks,
  isFailure,
  isPseudoFile,
  logHighlights,
  notStarted,
  operationLabel,
  outcomeOf,
  remarksOf,
  resultText,
  taskKey,
  taskWhy
} from './render-facts.js'
import type { Html } from './render-markdown.js'
import {
  code,
  count,
  factsTable,
  html,
  join,
  mdTable,
  overflow,
  plural,
  sourceText,
  taskIcon
} from './render-markdown.js'

/** What the head is rendered from (the summary's input, plus the row cap the budget chose). */
export interface HeadInput {
  report?: Report | undefined
  issues: readonly Issue[]
  runUrl?: string | undefined
  title?: string | undefined
  rows: number
}

const ICON: Readonly<Record<Outcome, string>> = {
  succeeded: '✅',
  failed: '❌',
  invalid: '❌',
  cancelled: '⏹️',
  'timed-out': '⏱️'
}

const VERB: Readonly<Record<Outcome, string>> = {
  succeeded: 'succeeded',
  failed: 'failed',
  invalid: 'stopped',
  cancelled: 'cancelled',
  'timed-out': 'timed out'
}

/** Message and value cells are clipped: a hostile 1 MB message must not eat the budget. */
const CELL_LIMIT = 2000

/** The headline, a line of run facts, the table of what failed, where and why, and the failure (or validation) table. */
export function renderHead(input: HeadInput): string {
  const { report } = input
  const outcome = outcomeOf(report, input.issues)
  const errors = input.issues.filter(i => i.severity === 'error')
  const parts = [headline(input, outcome), metaLine(report, errors.length, input.runUrl)]
  if (report) parts.push(factsTable([...failureFacts(report), ...outcomeFacts(report, input.issues)]))
  if (errors.length > 0) parts.push(validationTable(errors, input.rows))
  const table = report && outcome !== 'invalid' ? failureTable(report, input.rows) : undefined
  if (table) parts.push(table)
  return parts.join('\n\n')
}

function headline(input: HeadInput, outcome: Outcome): string {
  const { report, title } = input
  const prefix = title ? `${title}: ` : report ? '' : 'wavesync: '
  const subject = report ? `${report.app}: ${operationLabel(report)} ${report.dryRun ? 'dry run ' : ''}` : ''
  const errors = input.issues.filter(i => i.severity === 'error').length
  if (!report && errors === 0)
    return `## ⏹️ ${escapeMarkdown(clip(`${prefix}stopped before the operation finished`, 300))}`
  const detail =
    outcome === 'invalid'
      ? ` — ${plural(errors, 'invalid manifest error')}, nothing was applied`
      : report
        ? headlineDetail(report, outcome)
        : ''
  return `## ${ICON[outcome]} ${escapeMarkdown(clip(`${prefix}${subject}${VERB[outcome]}${detail}`, 300))}`
}

/** ` — PreSync hook migrate (exit code 3)`: the failure, or where a termination struck. */
function headlineDetail(report: Report, outcome: Outcome): string {
  const focus = failureFocus(report)
  if (outcome === 'failed' && focus) {
    const reason = focus.hook
      ? (focus.reason ?? (focus.exitCode !== undefined ? `exit code ${focus.exitCode}` : undefined))
      : undefined
    const what = focus.hook ? `${focus.phase} hook ${focus.name}` : `${focus.kind} ${focus.name}`
    return ` — ${what} (${reason ?? `${focus.phase} wave ${focus.wave}`})`
  }
  const waiting = interruptedTasks(report)[0]
  if ((outcome === 'cancelled' || outcome === 'timed-out') && waiting)
    return ` — waiting for ${waiting.hook ? 'hook ' : ''}${waiting.kind} ${waiting.name} (${waiting.phase} wave ${waiting.wave})`
  return ''
}

/** Revision, source, namespace, duration, task counts and the run link, on one line. */
function metaLine(report: Report | undefined, errors: number, runUrl: string | undefined): string {
  const run = runUrl ? [link(runUrl, 'workflow run').html] : []
  const why =
    errors > 0
      ? 'Every manifest is validated before the first cluster write, so the cluster was not changed.'
      : 'No report was written: the job was cancelled, or the step stopped before the operation finished. The step log has the details.'
  if (!report) return [why, ...run].join(' · ')
  const started = report.startedAt.replace('T', ' ').replace(/\.\d+Z$/, ' UTC')
  return [
    report.revision === null ? 'No revision recorded' : `Revision **${report.revision}**`,
    `source ${code(report.sourceRevision.slice(0, 12)).html}`,
    `namespace ${code(report.namespace).html}`,
    `**${formatMs(report.durationMs)}** from ${escapeMarkdown(started)}`,
    taskCounts(report),
    ...run
  ].join(' · ')
}

/** What failed, where and why; for a termination, what it stopped. */
function failureFacts(report: Report): [string, string | Html][] {
  const focus = failureFocus(report)
  const rows: [string, string | Html][] = focus ? focusFacts(focus) : []
  const waiting = interruptedTasks(report)
  if (waiting.length > 0) {
    const label = report.phase === 'Terminated' ? 'Stopped while waiting for' : 'Still running'
    rows.push([label, join(listed(waiting.map(t => taskAt(t, true))), '<br>')])
  }
  const syncFail = report.tasks.filter(t => t.phase === 'SyncFail' && t.state !== 'pending')
  if (syncFail.length > 0)
    rows.push([
      'SyncFail hooks',
      join(listed(syncFail.map(t => join([`${taskIcon(report, t)} `, code(t.name)]))), ', ')
    ])
  const never = notStarted(report).length
  if (never > 0 && report.phase !== 'Succeeded') rows.push(['Not started', plural(never, 'task')])
  return rows
}

function focusFacts(focus: TaskReport): [string, string | Html][] {
  const what = focus.hook ? `${focus.phase} hook ` : focus.type === 'resource' ? '' : `${focus.type} `
  const rows: [string, string | Html][] = [
    ['What failed', join([what, code(taskKey(focus))])],
    ['Where', taskAt(focus, false)],
    ['Why', clip(taskWhy(focus), CELL_LIMIT)]
  ]
  const lines = logHighlights(focus)
  if (lines.length > 0) {
    // <samp> wraps where <pre> would scroll sideways (GitHub strips style attributes).
    const text = lines.map(line => `<samp>${escapeTableCell(clip(line, CELL_LIMIT))}</samp>`).join('<br>')
    rows.push([lines.length === 1 ? 'Last log line' : 'Last log lines', html(text)])
  }
  return rows
}

/** `PreSync · wave 0 · deploy/app.yaml:1` (the manifest when there is one), after the key if asked. */
function taskAt(task: TaskReport, withKey: boolean): Html {
  const where = sourceText(task)
  const step = `${withKey ? ' in ' : ''}${task.phase} · wave ${task.wave}`
  return join([...(withKey ? [code(taskKey(task))] : []), step, ...(where ? [' · ', code(where)] : [])])
}

function listed(items: Html[]): Html[] {
  return items.length > 10 ? [...items.slice(0, 10), html(`and ${count(items.length - 10)} more`)] : items
}

/** The operation's message, then counts worth a glance: prunes, hooks not run, warnings. */
function outcomeFacts(report: Report, issues: readonly Issue[]): [string, string | Html][] {
  const rows: [string, string | Html][] = [['Message', clip(report.message, CELL_LIMIT)]]
  const prunes = report.tasks.filter(t => t.type === 'prune')
  const pruned = prunes.filter(t => t.result === 'Pruned' || t.wouldBe === 'pruned').length
  if (prunes.length > 0)
    rows.push([
      'Prunes',
      `${count(pruned)} ${report.dryRun ? 'would be pruned' : 'pruned'} of ${count(prunes.length)} obsolete objects`
    ])
  if (report.skipped.length > 0)
    rows.push(['Not run in this operation', plural(report.skipped.length, 'hook')])
  const remarks = remarksOf(report, issues).length
  if (remarks > 0) rows.push(['Warnings', `${count(remarks)} (listed below)`])
  return rows
}

function taskCounts(report: Report): string {
  if (report.dryRun && report.tasks.some(t => t.wouldBe !== undefined)) return wouldBeCounts(report)
  const counts = new Map<string, number>()
  for (const task of report.tasks) {
    const icon = taskIcon(report, task)
    counts.set(icon, (counts.get(icon) ?? 0) + 1)
  }
  const names: [string, string][] = [
    ['✅', 'succeeded'],
    ['❌', 'failed'],
    ['⏹️', 'interrupted'],
    ['⏳', 'running'],
    ['⏭️', 'skipped'],
    ['⚪', 'not run']
  ]
  const shown = names
    .filter(([icon]) => counts.has(icon))
    .map(([icon, name]) => `${icon} ${count(counts.get(icon) ?? 0)} ${name}`)
  return `${plural(report.tasks.length, 'task')}: ${shown.join(', ')}`
}

/** A passed dry run: `5 tasks (dry run): 2 would be created, 3 would stay unchanged`. */
function wouldBeCounts(report: Report): string {
  const counts = new Map<string, number>()
  for (const task of report.tasks) {
    const text = resultText(task) ?? 'not run'
    counts.set(text, (counts.get(text) ?? 0) + 1)
  }
  const shown = [...counts].map(([text, n]) => `${count(n)} ${text}`)
  return `${plural(report.tasks.length, 'task')} (dry run): ${shown.join(', ')}`
}

/** A link for http(s) URLs only (attributes are not Markdown: HTML escaping is what they need). */
function link(url: string, text: string): Html {
  if (!/^https?:\/\//i.test(url)) return html(escapeMarkdown(text))
  return html(`<a href="${escapeHtml(url)}">${escapeMarkdown(text)}</a>`)
}

/** Every failed task: step, task, why and manifest line. */
function failureTable(report: Report, rows: number): string | undefined {
  const failed = report.tasks.filter(t => isFailure(report, t))
  if (failed.length === 0) return undefined
  const table = mdTable(
    ['', 'Step', 'Task', 'Why', 'Manifest'],
    failed.slice(0, rows).map(t => {
      const where = sourceText(t)
      return [
        taskIcon(report, t),
        `${t.phase}\u00a0·\u00a0${t.wave}`,
        join([t.hook ? 'hook ' : '', code(taskKey(t))]),
        clip(taskWhy(t), CELL_LIMIT),
        where ? code(where) : '—'
      ]
    })
  )
  return [`### ❌ Failures (${count(failed.length)})`, table, ...overflow(failed.length, rows)].join('\n\n')
}

/** The validation errors: every offending line, in file order. */
function validationTable(errors: readonly Issue[], rows: number): string {
  const sorted = [...errors].sort(compareIssues)
  const table = mdTable(
    ['', 'Location', 'Problem', 'Object'],
    sorted
      .slice(0, rows)
      .map(issue => [
        '❌',
        isPseudoFile(issue.file)
          ? issue.file
          : code(issue.line > 0 ? `${issue.file}:${issue.line}` : issue.file),
        clip(issue.message, CELL_LIMIT),
        issue.key && issue.key.name !== '' ? code(formatKey(issue.key)) : '—'
      ])
  )
  const heading = `### ❌ Invalid manifests (${plural(errors.length, 'error')})`
  return [heading, table, ...overflow(errors.length, rows)].join('\n\n')
}
