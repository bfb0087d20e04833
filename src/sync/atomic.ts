import type { OperationDeps, OperationResult } from './operation.js'
import { runSyncOperation } from './operation.js'
import type { SyncSettings } from './settings.js'

/**
 * An operation, and for a failed atomic sync its undoing (sync-semantics §9.8): an install is
 * uninstalled (a delete of what it recorded), an upgrade rolled back to the newest deployed
 * revision. The run still fails (exit 1): "sync failed; rolled back to revision M" or "…;
 * uninstalled". A failing undo is reported as a second failure. Never after a cancel or timeout.
 */
export async function runOperation(settings: SyncSettings, deps: OperationDeps): Promise<OperationResult> {
  const first = await runSyncOperation(settings, deps)
  const report = first.report
  const isSync =
    settings.operation === 'sync' || settings.operation === 'install' || settings.operation === 'upgrade'
  if (!settings.atomic || !isSync || !report || report.phase !== 'Failed' || report.revision === null)
    return first
  const undo = report.mode === 'upgrade' ? 'rollback' : 'delete'
  const second = await runSyncOperation(
    { ...settings, operation: undo, atomic: false, keepHistory: true },
    deps
  )
  const undone = second.report?.phase === 'Succeeded'
  const what =
    undo === 'rollback'
      ? `rolled back to revision ${String(second.report?.targetRevision ?? '?')}`
      : 'uninstalled'
  const message = undone
    ? `sync failed; ${what}`
    : `sync failed; the atomic ${undo} failed too: ${second.report?.message ?? 'no report'}`
  return {
    ...first,
    exitCode: 1,
    report: { ...report, message: `${message}\n${report.message}` },
    issues: [...first.issues, ...second.issues]
  }
}
