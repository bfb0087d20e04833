// Small builders for GitHub-flavoured Markdown with HTML, each escaping what it is given, so the
// summary's sections never hand-assemble table syntax. Pure.
import { escapeTableCell } from './escape.js'
import type { Report, TaskReport } from './model.js'
import { isFailure, isInterrupted } from './render-facts.js'

/** Already-escaped HTML/Markdown, as opposed to raw text (which every builder escapes). */
export interface Html {
  html: string
}

/** Marks a string as already escaped. */
export const html = (text: string): Html => ({ html: text })

/** Raw text escaped for a cell, or escaped HTML passed through. */
export function cell(value: string | Html): string {
  return typeof value === 'string' ? escapeTableCell(value) : value.html
}

/** Text in `<code>`, escaped (never a backtick span, which the text could close). */
export function code(text: string): Html {
  return html(`<code>${escapeTableCell(text)}</code>`)
}

/** Joins cells (raw or escaped) into one escaped value. */
export function join(parts: readonly (string | Html)[], separator = ''): Html {
  return html(parts.map(cell).join(separator))
}

/** A Markdown table; every cell escaped, so `|` and newlines in values cannot break it. */
export function mdTable(header: readonly string[], rows: readonly (readonly (string | Html)[])[]): string {
  const line = (cells: readonly (string | Html)[]): string => `| ${cells.map(cell).join(' | ')} |`
  return [line(header), `|${header.map(() => '---').join('|')}|`, ...rows.map(line)].join('\n')
}

/**
 * A two-column HTML table of facts (label, value), all on consecutive lines: one HTML block, in
 * which a blank line can never occur because values go through escapeTableCell.
 */
export function factsTable(rows: readonly (readonly [string, string | Html])[]): string {
  // Labels never wrap: a no-break space between their words.
  const body = rows.map(
    ([label, value]) =>
      `<tr><th align="left">${cell(label.replace(/ /g, '\u00a0'))}</th><td>${cell(value)}</td></tr>`
  )
  return ['<table>', ...body, '</table>'].join('\n')
}

/** The state of a task as an emoji a person can scan down a column. */
export function taskIcon(report: Report, task: TaskReport): string {
  if (isInterrupted(report, task)) return '⏹️'
  if (isFailure(report, task)) return '❌'
  if (task.state === 'pending') return '⚪'
  if (task.result === 'PruneSkipped' || task.result === 'DeleteSkipped' || task.result === 'Skipped')
    return '⏭️'
  return task.state === 'Succeeded' ? '✅' : '⏳'
}

/** `deploy/app.yaml:12`, or undefined for tasks with no manifest (prunes, the namespace). */
export function sourceText(task: TaskReport): string | undefined {
  return task.source ? `${task.source.file}:${task.source.line}` : undefined
}

/** `1,234` for counts people read. */
export function count(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',')
}

/** `1 task`, `3 tasks`. */
export function plural(n: number, noun: string): string {
  return `${count(n)} ${noun}${n === 1 ? '' : 's'}`
}

/** The line under a list or table cut short by the budget; none when everything is shown. */
export function overflow(total: number, shown: number): string[] {
  return total > shown
    ? [`…and ${count(total - shown)} more, left out to keep the summary within its size limit.`]
    : []
}
