import type { Issue } from '../model/issue.js'
import { issueAt } from '../model/issue.js'
import { annotationLine } from '../model/manifest.js'
import type { Manifest } from '../model/manifest.js'
import type { SyncOptions } from './annotations/sync-options.js'
import { ARGO } from './annotations/keys.js'

/**
 * Sync options wavesync accepts but does not act on yet, and the one it refuses: each said out
 * loud, never silently ignored. ServerSideApply=false asks for client-side apply (sync-semantics
 * §12.3, open): refused, since server-side apply is what wavesync does.
 */
const NOT_YET: Readonly<Record<string, { value: string; effect: string }>> = {}

const REFUSED =
  'ServerSideApply=false (client-side apply) is not supported: wavesync always uses server-side apply; remove the option'

/** Problems with application-level options (the sync-options input). */
export function appOptionIssues(options: SyncOptions): Issue[] {
  const issues: Issue[] = []
  const at = { file: '(sync-options)', line: 0 }
  if (options['ServerSideApply'] === 'false') issues.push({ severity: 'error', ...at, message: REFUSED })
  for (const [key, { value, effect }] of Object.entries(NOT_YET)) {
    if (options[key] === value)
      issues.push({
        severity: 'warning',
        ...at,
        message: `${key}=${value} is accepted but not implemented yet: ${effect}`
      })
  }
  return issues
}

/** The same for one object's argocd.argoproj.io/sync-options. */
export function objectOptionIssues(manifest: Manifest, options: SyncOptions): Issue[] {
  const line = annotationLine(manifest, ARGO.syncOptions)
  return appOptionIssues(options).map(issue =>
    issueAt(issue.severity, manifest.source, issue.message, { line })
  )
}
