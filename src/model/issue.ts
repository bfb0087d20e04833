import type { ResourceKey } from './key.js'
import { formatKey } from './key.js'
import type { SourceRef } from './source.js'

export type Severity = 'error' | 'warning' | 'notice'

/**
 * A problem found while reading or planning manifests. Errors stop the operation before any
 * cluster write; warnings and notices are reported and the run goes on.
 */
export interface Issue {
  severity: Severity
  message: string
  file: string
  line: number
  docIndex?: number
  key?: ResourceKey
}

/** Builds an issue located at a manifest source, optionally at a more precise line. */
export function issueAt(
  severity: Severity,
  source: SourceRef,
  message: string,
  extra: { line?: number; key?: ResourceKey } = {}
): Issue {
  const issue: Issue = {
    severity,
    message,
    file: source.file,
    line: extra.line ?? source.line,
    docIndex: source.docIndex
  }
  if (extra.key) issue.key = extra.key
  return issue
}

/** `file:line: message (key)`, one line, as printed by the CLI. */
export function formatIssue(issue: Issue): string {
  const where = issue.key && issue.key.name !== '' ? ` [${formatKey(issue.key)}]` : ''
  return `${issue.file}:${issue.line}: ${issue.severity}: ${issue.message}${where}`
}

/** Orders issues by file, line, then message, so every listing is stable. */
export function compareIssues(a: Issue, b: Issue): number {
  if (a.file !== b.file) return a.file < b.file ? -1 : 1
  if (a.line !== b.line) return a.line - b.line
  return a.message < b.message ? -1 : a.message > b.message ? 1 : 0
}

export function hasErrors(issues: readonly Issue[]): boolean {
  return issues.some(issue => issue.severity === 'error')
}
