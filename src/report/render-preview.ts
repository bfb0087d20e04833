import { escapeHtml } from './escape.js'
import type { Report } from './model.js'

/** Marks the one comment wavesync keeps on a pull request per application (found and edited). */
export function previewMarker(app: string): string {
  return `<!-- wavesync-preview:${app} -->`
}

export interface PreviewCommentInput {
  app: string
  namespace: string
  report?: Report | undefined
  url?: string | undefined
  runUrl?: string | undefined
  /** The pull request closed: the preview was torn down. */
  closed: boolean
}

/** The sticky comment: the preview's state, its URL, the revision and a link to the run. */
export function previewComment(input: PreviewCommentInput): string {
  const { report } = input
  const state = input.closed
    ? report?.phase === 'Succeeded'
      ? '🧹 torn down'
      : '⚠️ teardown failed'
    : report?.phase === 'Succeeded'
      ? '✅ deployed'
      : `❌ ${escapeHtml(report?.phase.toLowerCase() ?? 'failed')}`
  const lines = [
    previewMarker(input.app),
    `### wavesync preview: ${escapeHtml(input.app)} — ${state}`,
    '',
    `| | |`,
    `|---|---|`,
    `| Namespace | \`${escapeHtml(input.namespace)}\` |`
  ]
  if (input.url && !input.closed) lines.push(`| URL | ${escapeHtml(input.url)} |`)
  if (report) {
    lines.push(`| Revision | ${report.revision ?? '—'} (${escapeHtml(report.sourceRevision.slice(0, 7))}) |`)
    lines.push(`| Result | ${escapeHtml(report.message.split('\n')[0] ?? '')} |`)
  }
  if (input.runUrl) lines.push(`| Run | [details](${input.runUrl}) |`)
  return lines.join('\n') + '\n'
}
