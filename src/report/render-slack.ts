// The Slack message (platform.md §10): Block Kit with a `text` fallback, the same payload for the
// built-in webhook and for slackapi/slack-github-action's `payload-file-path`. Pure.
import type { Issue } from '../model/issue.js'
import { compareIssues, formatIssue } from '../model/issue.js'
import { clip, escapeMrkdwn, oneLine } from './escape.js'
import type { Report } from './model.js'
import type { Outcome } from './render-facts.js'
import {
  endingHook,
  failedPhase,
  failureFocus,
  lastLogLine,
  operationLabel,
  outcomeOf,
  taskKey,
  taskWhy
} from './render-facts.js'

/** A Block Kit text object. */
export interface SlackText {
  type: 'mrkdwn' | 'plain_text'
  text: string
  emoji?: boolean
}

/** The blocks this payload uses. */
export type SlackBlock =
  | { type: 'header'; text: SlackText }
  | { type: 'section'; text?: SlackText; fields?: SlackText[] }
  | { type: 'context'; elements: SlackText[] }
  | { type: 'actions'; elements: { type: 'button'; text: SlackText; url: string }[] }

/** An incoming-webhook / chat.postMessage payload. */
export interface SlackPayload {
  /** The notification text and the fallback where blocks are not shown (mrkdwn, escaped). */
  text: string
  blocks: SlackBlock[]
}

/** What the message is rendered from. */
export interface SlackInput {
  report?: Report | undefined
  issues: readonly Issue[]
  runUrl?: string | undefined
  /** `owner/name`, shown in the context line. */
  repository?: string | undefined
}

const ICON: Readonly<Record<Outcome, string>> = {
  succeeded: ':white_check_mark:',
  failed: ':x:',
  invalid: ':x:',
  cancelled: ':stop_button:',
  'timed-out': ':stopwatch:'
}

// Block Kit limits: header 150 characters, section text 3,000, field 2,000, button URL 3,000.
const HEADER_LIMIT = 150
const FIELD_LIMIT = 300
const SECTION_LIMIT = 2900

/**
 * The message: a header (outcome, app, operation), fields (application, operation, failed phase,
 * failed hook), why with the last log line, a context line (repository, revision) and a button
 * to the run. Every cluster or user string is escaped for mrkdwn (`& < >`).
 */
export function slackPayload(input: SlackInput): SlackPayload {
  const outcome = outcomeOf(input.report, input.issues)
  const headline = headlineOf(input.report, outcome)
  const blocks: SlackBlock[] = [
    { type: 'header', text: { type: 'plain_text', text: clip(headline, HEADER_LIMIT), emoji: true } }
  ]
  if (input.report) blocks.push({ type: 'section', fields: fields(input.report) })
  const why = whyText(input.report, input.issues)
  if (why) blocks.push({ type: 'section', text: mrkdwn(clip(why, SECTION_LIMIT)) })
  const context = contextText(input)
  if (context) blocks.push({ type: 'context', elements: [mrkdwn(context)] })
  // Slack rejects the whole message for a malformed button URL: http(s) only.
  if (input.runUrl && /^https?:\/\//i.test(input.runUrl))
    blocks.push({ type: 'actions', elements: [button(input.runUrl)] })
  return {
    text: clip(
      `${ICON[outcome]} ${escapeMrkdwn(oneLine(headline))}${fallbackWhy(input.report)}`,
      SECTION_LIMIT
    ),
    blocks
  }
}

function headlineOf(report: Report | undefined, outcome: Outcome): string {
  if (!report) return 'wavesync: invalid manifests, nothing was applied'
  const verb = {
    succeeded: 'succeeded',
    failed: 'failed',
    invalid: 'was invalid',
    cancelled: 'was cancelled',
    'timed-out': 'timed out'
  }[outcome]
  return `${report.app}: ${operationLabel(report)}${report.dryRun ? ' dry run' : ''} ${verb}`
}

function fields(report: Report): SlackText[] {
  const hook = endingHook(report)
  const phase = report.phase === 'Succeeded' ? undefined : failedPhase(report)
  const items: [string, string][] = [
    ['Application', report.app],
    ['Operation', `${operationLabel(report)} in ${report.namespace}`],
    ...(phase ? ([['Failed phase', phase]] as [string, string][]) : []),
    ...(hook ? ([['Failed hook', `${hook.phase}/${hook.name}`]] as [string, string][]) : [])
  ]
  return items.map(([label, value]) =>
    mrkdwn(`*${label}*\n${escapeMrkdwn(clip(oneLine(value), FIELD_LIMIT))}`)
  )
}

function whyText(report: Report | undefined, issues: readonly Issue[]): string | undefined {
  if (!report) {
    const errors = issues.filter(i => i.severity === 'error').sort(compareIssues)
    const lines = errors.slice(0, 5).map(i => `• ${escapeMrkdwn(oneLine(formatIssue(i)))}`)
    const more = errors.length > 5 ? [`…and ${errors.length - 5} more`] : []
    return ['*Problems*', ...lines, ...more].join('\n')
  }
  const focus = failureFocus(report)
  if (!focus) return report.phase === 'Succeeded' ? undefined : `*Why*\n${escapeMrkdwn(report.message)}`
  const last = lastLogLine(focus)
  return [
    `*What failed*\n${escapeMrkdwn(`${focus.phase} wave ${focus.wave}: ${focus.hook ? 'hook ' : ''}${taskKey(focus)}`)}`,
    `*Why*\n${escapeMrkdwn(oneLine(taskWhy(focus)))}`,
    ...(last === undefined ? [] : [`*Last log line*\n${codeBlock(clip(last, 1000))}`])
  ].join('\n')
}

function fallbackWhy(report: Report | undefined): string {
  const focus = report ? failureFocus(report) : undefined
  return focus ? ` (${escapeMrkdwn(oneLine(`${focus.phase} ${focus.name}: ${taskWhy(focus)}`))})` : ''
}

function contextText(input: SlackInput): string | undefined {
  const parts = [
    ...(input.repository ? [escapeMrkdwn(input.repository)] : []),
    ...(input.report?.revision !== null && input.report?.revision !== undefined
      ? [`revision ${input.report.revision}`]
      : []),
    ...(input.report ? [`source ${escapeMrkdwn(input.report.sourceRevision.slice(0, 12))}`] : [])
  ]
  return parts.length > 0 ? parts.join(' · ') : undefined
}

function button(url: string): { type: 'button'; text: SlackText; url: string } {
  return {
    type: 'button',
    text: { type: 'plain_text', text: 'Open the workflow run', emoji: true },
    url: clip(url, 3000)
  }
}

function mrkdwn(text: string): SlackText {
  return { type: 'mrkdwn', text }
}

/** A mrkdwn code block; a zero-width space after each backtick inside keeps ``` from closing it. */
function codeBlock(text: string): string {
  return `\`\`\`${escapeMrkdwn(text).replace(/`/g, '`\u200b')}\`\`\``
}
