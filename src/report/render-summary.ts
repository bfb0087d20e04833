// The job summary (platform.md §4): the outcome first, then what failed and why, then the
// timeline. Kept under a byte budget by leaving out detail in a fixed order, with a note saying
// what was cut. Pure: the action writes the result with core.summary.
import type { Issue } from '../model/issue.js'
import { SUMMARY_BUDGET_BYTES, utf8Bytes } from './budget.js'
import type { Report } from './model.js'
import { renderHead } from './render-summary-head.js'
import type { HookDetailLevel } from './render-summary-hooks.js'
import { renderHookDetails } from './render-summary-hooks.js'
import { renderExtras, renderTimeline } from './render-summary-timeline.js'

/** What the summary is rendered from. */
export interface SummaryInput {
  /** The operation's report; absent when validation stopped it before any write. */
  report?: Report | undefined
  /** Validation issues (errors stop the operation; warnings and notices are listed). */
  issues: readonly Issue[]
  /** The workflow run's URL, linked from the head. */
  runUrl?: string | undefined
  /** A prefix for the headline, e.g. the check run's name when several targets sync in one job. */
  title?: string | undefined
  /** UTF-8 bytes the Markdown may take; default {@link SUMMARY_BUDGET_BYTES} (900 KiB). */
  budgetBytes?: number | undefined
}

/** The summary's Markdown and whether detail was left out to fit the budget. */
export interface SummaryResult {
  markdown: string
  truncated: boolean
}

/** How much detail one rendering keeps; each level keeps less than the one before. */
interface Level extends HookDetailLevel {
  waves: boolean
  extras: boolean
  rows: number
  /** What this level leaves out, for the note; cumulative with the levels before it. */
  cut?: string
}

const FULL: Level = {
  successLogs: true,
  logLines: Infinity,
  hooks: Infinity,
  waves: true,
  extras: true,
  rows: 500
}

/** Each level leaves out more than the one before, in the order platform.md §4 gives. */
const LEVELS: readonly Level[] = [
  FULL,
  { ...FULL, successLogs: false, cut: 'the logs of hooks that succeeded' },
  { ...FULL, successLogs: false, logLines: 100, cut: 'failed-hook log lines before the last 100' },
  {
    ...FULL,
    successLogs: false,
    logLines: 100,
    waves: false,
    cut: 'the per-wave task tables (one row per wave instead)'
  },
  {
    ...FULL,
    successLogs: false,
    logLines: 20,
    hooks: 10,
    waves: false,
    rows: 200,
    cut: 'hook details after the first 10 hooks and log lines before the last 20'
  },
  {
    ...FULL,
    successLogs: false,
    hooks: 0,
    waves: false,
    extras: false,
    rows: 100,
    cut: 'all hook details, prunes, warnings and notes'
  },
  {
    ...FULL,
    successLogs: false,
    hooks: 0,
    waves: false,
    extras: false,
    rows: 20,
    cut: 'table rows after the first 20'
  },
  {
    ...FULL,
    successLogs: false,
    hooks: 0,
    waves: false,
    extras: false,
    rows: 3,
    cut: 'table rows after the first 3'
  }
]

/**
 * Renders the job summary: headline, facts (what failed, where, why), the failure or validation
 * table, failed-hook details with log tails, the timeline of phases and waves, prunes, skipped
 * hooks, warnings and notes. Every cluster or user string is escaped. When the Markdown would
 * exceed the budget, detail is left out in this order: logs of succeeded hooks, failed-hook logs
 * before their last 100 lines, the per-wave tables, and so on; the head always stays.
 */
export function renderSummary(input: SummaryInput): SummaryResult {
  const budget = input.budgetBytes ?? SUMMARY_BUDGET_BYTES
  let markdown = ''
  for (const [index, level] of LEVELS.entries()) {
    markdown = compose(input, level, cutsUpTo(index))
    if (utf8Bytes(markdown) <= budget) return { markdown, truncated: index > 0 }
  }
  return { markdown: hardCut(markdown, budget), truncated: true }
}

/**
 * The summary in two parts for the check run's `output.summary` and `output.text`: the head,
 * and everything after it, each rendered within `budgetBytes`.
 */
export function renderSummaryParts(input: SummaryInput): { head: string; body: string; truncated: boolean } {
  const budget = input.budgetBytes ?? SUMMARY_BUDGET_BYTES
  const head = LEVELS.map(level => renderHead({ ...input, rows: level.rows })).find(
    h => utf8Bytes(h) <= budget
  )
  for (const [index, level] of LEVELS.entries()) {
    const body = renderBody(input, level, cutsUpTo(index))
    if (utf8Bytes(body) <= budget)
      return {
        head: head ?? hardCut(renderHead({ ...input, rows: 1 }), budget),
        body,
        truncated: index > 0 || !head
      }
  }
  return { head: head ?? '', body: '', truncated: true }
}

function compose(input: SummaryInput, level: Level, cuts: readonly string[]): string {
  const body = renderBody(input, level, cuts)
  return [renderHead({ ...input, rows: level.rows }), ...(body ? [body] : [])].join('\n\n') + '\n'
}

function renderBody(input: SummaryInput, level: Level, cuts: readonly string[]): string {
  const { report } = input
  const sections = [
    ...(cuts.length > 0 ? [cutNote(cuts)] : []),
    report ? renderHookDetails(report, level) : undefined,
    report ? renderTimeline(report, level.waves, level.rows) : undefined,
    level.extras ? renderExtras(report, input.issues, level.rows) : undefined
  ]
  return sections.filter((s): s is string => s !== undefined).join('\n\n')
}

function cutsUpTo(index: number): string[] {
  return LEVELS.slice(1, index + 1)
    .map(level => level.cut)
    .filter((cut): cut is string => cut !== undefined)
}

function cutNote(cuts: readonly string[]): string {
  return `> ✂️ **This summary was shortened** to fit GitHub's size limit. Left out: ${cuts.join('; ')}. The JSON report (output \`report\`) has everything.`
}

/** Last resort, when even the smallest rendering is too big: cut at a line break, say so. */
function hardCut(markdown: string, budget: number): string {
  const note = "\n\n> ✂️ **This summary was cut** at GitHub's size limit; the JSON report has everything.\n"
  const room = budget - utf8Bytes(note)
  if (room <= 0) return ''
  let text = markdown.slice(0, room)
  while (text !== '' && utf8Bytes(text) > room) text = text.slice(0, Math.floor(text.length * 0.9))
  const cut = text.lastIndexOf('\n')
  return `${cut > 0 ? text.slice(0, cut) : text}${note}`
}
