import type { InventoryRecord } from '../inventory/record.js'

/**
 * `wavesync status`: the history, newest first, then the last operation's hooks one per line in
 * Sherpack's form `<event-or-phase>/<name>: <State>[ (<reason>)]` (sync-semantics §9.6).
 */
export function statusText(
  app: string,
  records: readonly InventoryRecord[],
  problems: readonly string[]
): string {
  if (records.length === 0) return `${app}: no revisions\n${problems.map(p => `warning: ${p}\n`).join('')}`
  const rows = [...records]
    .reverse()
    .map(r => [
      String(r.revision),
      r.status,
      r.operation.mode ? `${r.operation.type} (${r.operation.mode})` : r.operation.type,
      r.source.commit.slice(0, 12),
      r.operation.startedAt,
      (r.operation.message ?? '').split('\n')[0] ?? ''
    ])
  const header = ['REVISION', 'STATUS', 'OPERATION', 'COMMIT', 'STARTED', 'MESSAGE']
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map(row => (row[i] ?? '').length)))
  const line = (cells: readonly string[]): string =>
    cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd()
  const last = records[records.length - 1]
  const hooks = (last?.hooks ?? []).map(
    h => `  ${h.trigger}/${h.key.name}: ${h.state}${h.reason ? ` (${h.reason})` : ''}`
  )
  return (
    [
      line(header),
      ...rows.map(line),
      '',
      `Hooks of revision ${last?.revision ?? '?'}:`,
      ...(hooks.length > 0 ? hooks : ['  (none)']),
      ...problems.map(p => `warning: ${p}`)
    ].join('\n') + '\n'
  )
}
