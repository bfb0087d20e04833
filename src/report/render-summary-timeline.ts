// The job summary's timeline: each phase and wave in execution order as a table of its tasks
// (or, when the budget is tight, one row per wave), then prunes, skipped hooks, warnings and
// notes. Pure.
import type { Issue } from '../model/issue.js'
import { clip, escapeMarkdown, escapeTableCell } from './escape.js'
import type { Report, TaskReport } from './model.js'
import type { StepTasks } from './render-facts.js'
import { formatMs, isFailure, remarksOf, resultText, spanMs, stepsOf, taskKey } from './render-facts.js'
import { code, count, join, mdTable, overflow, plural, taskIcon } from './render-markdown.js'

const CELL_LIMIT = 1000

/** The timeline: per-wave tables when `waves`, else a one-row-per-wave overview. */
export function renderTimeline(report: Report, waves: boolean, rows: number): string | undefined {
  const steps = stepsOf(report)
  if (steps.length === 0) return undefined
  const gaps = gapLine(steps)
  const body = waves ? waveSections(report, steps) : [stepOverview(report, steps, rows)]
  return ['### 🕒 Timeline', ...(gaps ? [gaps] : []), ...body].join('\n\n')
}

function gapLine(steps: readonly StepTasks[]): string | undefined {
  const gaps = steps.map(s => s.step?.gapMs).filter((g): g is number => g !== null && g !== undefined)
  if (gaps.length === 0) return undefined
  const max = Math.max(...gaps)
  const mean = gaps.reduce((a, b) => a + b, 0) / gaps.length
  return `Each wave started ${formatMs(mean)} on average (at most ${formatMs(max)}) after the previous one passed its health gate.`
}

function waveSections(report: Report, steps: readonly StepTasks[]): string[] {
  const sections: string[] = []
  let phase = ''
  for (const step of steps) {
    if (step.phase !== phase) sections.push(`#### ${escapeMarkdown(step.phase)}`)
    phase = step.phase
    sections.push(waveCaption(step), waveTable(report, step.tasks))
  }
  return sections
}

function waveCaption(step: StepTasks): string {
  const took = spanMs(step.step?.firstWriteAt ?? null, step.step?.completedAt ?? null)
  const gap = step.step?.gapMs
  const parts = [
    `**Wave ${step.wave}**`,
    plural(step.tasks.length, 'task'),
    ...(took !== undefined
      ? [formatMs(took)]
      : step.tasks.every(t => t.state === 'pending')
        ? ['not started']
        : []),
    ...(gap !== null && gap !== undefined
      ? [`started ${formatMs(gap)} after the previous wave passed its gate`]
      : [])
  ]
  return parts.join(' · ')
}

function waveTable(report: Report, tasks: readonly TaskReport[]): string {
  return mdTable(
    ['', 'Task', 'Result', 'State', 'Duration', 'Message'],
    tasks.map(t => {
      const took = spanMs(t.startedAt, t.finishedAt)
      return [
        taskIcon(report, t),
        join([t.hook ? 'hook ' : t.type === 'resource' ? '' : `${t.type} `, code(taskKey(t))]),
        resultText(t) ?? '—',
        t.state === 'pending' ? 'not run' : t.state,
        took === undefined ? '—' : formatMs(took),
        clip(t.message, CELL_LIMIT)
      ]
    })
  )
}

function stepOverview(report: Report, steps: readonly StepTasks[], rows: number): string {
  const table = mdTable(
    ['Step', 'Tasks', '✅', '❌', 'Not run', 'Duration', 'Gap'],
    steps.slice(0, rows).map(s => {
      const took = spanMs(s.step?.firstWriteAt ?? null, s.step?.completedAt ?? null)
      const gap = s.step?.gapMs
      return [
        `${s.phase}\u00a0·\u00a0${s.wave}`,
        count(s.tasks.length),
        count(s.tasks.filter(t => t.state === 'Succeeded').length),
        count(s.tasks.filter(t => isFailure(report, t)).length),
        count(s.tasks.filter(t => t.state === 'pending').length),
        took === undefined ? '—' : formatMs(took),
        gap === null || gap === undefined ? '—' : formatMs(gap)
      ]
    })
  )
  const more = steps.length > rows ? [`…and ${count(steps.length - rows)} more waves.`] : []
  return [table, ...more].join('\n\n')
}

/** Prunes, hooks not run in this operation, warnings and notes; each section only when non-empty. */
export function renderExtras(
  report: Report | undefined,
  issues: readonly Issue[],
  rows: number
): string | undefined {
  const sections = [
    ...(report ? [prunes(report, rows), skipped(report, rows)] : []),
    warnings(report, issues, rows),
    ...(report ? [notes(report, rows)] : [])
  ].filter((s): s is string => s !== undefined)
  return sections.length > 0 ? sections.join('\n\n') : undefined
}

function prunes(report: Report, rows: number): string | undefined {
  const pruned = report.tasks.filter(t => t.type === 'prune')
  if (pruned.length === 0) return undefined
  const table = mdTable(
    ['', 'Object', 'Result', 'Message'],
    pruned
      .slice(0, rows)
      .map(t => [
        taskIcon(report, t),
        code(taskKey(t)),
        resultText(t) ?? 'not run',
        clip(t.message, CELL_LIMIT)
      ])
  )
  return [`### ✂️ Prunes (${count(pruned.length)})`, table, ...overflow(pruned.length, rows)].join('\n\n')
}

function skipped(report: Report, rows: number): string | undefined {
  if (report.skipped.length === 0) return undefined
  const items = report.skipped
    .slice(0, rows)
    .map(s => `- ${code(s.resource).html}: ${escapeTableCell(clip(s.reason, CELL_LIMIT))}`)
  return [
    '### ⏭️ Not run in this operation',
    items.join('\n'),
    ...overflow(report.skipped.length, rows)
  ].join('\n\n')
}

function warnings(report: Report | undefined, issues: readonly Issue[], rows: number): string | undefined {
  const remarks = remarksOf(report, issues)
  if (remarks.length === 0) return undefined
  const items = remarks.slice(0, rows).map(r => {
    const where = r.file ? `${code(r.line ? `${r.file}:${r.line}` : r.file).html} ` : ''
    return `- ${r.severity === 'warning' ? '⚠️' : 'ℹ️'} ${where}${escapeTableCell(clip(r.message, CELL_LIMIT))}`
  })
  return [
    `### ⚠️ Warnings and notices (${count(remarks.length)})`,
    items.join('\n'),
    ...overflow(remarks.length, rows)
  ].join('\n\n')
}

function notes(report: Report, rows: number): string | undefined {
  if (report.notes.length === 0) return undefined
  const items = report.notes.slice(0, rows).map(n => `- ${escapeTableCell(clip(n, CELL_LIMIT))}`)
  return ['### 📝 Notes', items.join('\n'), ...overflow(report.notes.length, rows)].join('\n\n')
}
