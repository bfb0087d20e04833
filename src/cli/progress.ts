import type { ProgressEvent } from '../sync/types.js'

const MARK: Readonly<Record<string, string>> = { Running: '…', Succeeded: '✓', Failed: '✗', Error: '✗' }

/**
 * Live progress a person can follow: one line per step and per task transition, each with the
 * time since the operation started. Waiting messages are printed once per change.
 */
export function progressPrinter(
  write: (line: string) => void,
  now: () => number
): (event: ProgressEvent) => void {
  const labels = new Map<string, string>()
  let start = now()
  let width = 0
  let lastWaiting = ''
  const stamp = (): string => `${((now() - start) / 1000).toFixed(1).padStart(6)}s`
  return event => {
    switch (event.type) {
      case 'operation-started':
        start = now()
        for (const task of event.tasks) labels.set(task.id, task.label)
        width = Math.max(0, ...event.tasks.map(t => t.label.length))
        write(`${stamp()}  ${event.tasks.length} tasks planned`)
        break
      case 'step-started':
        write(
          `${stamp()}  ▸ ${event.phase} wave ${event.wave} · ${event.tasks.length} task${event.tasks.length === 1 ? '' : 's'}`
        )
        break
      case 'task': {
        const label = (labels.get(event.taskId) ?? event.taskId).padEnd(width)
        write(
          `${stamp()}    ${MARK[event.state] ?? ' '} ${label}  ${(event.result ?? event.state).padEnd(12)} ${event.message}`.trimEnd()
        )
        break
      }
      case 'waiting':
        if (event.message !== lastWaiting) write(`${stamp()}    ${event.message}`)
        lastWaiting = event.message
        break
      case 'operation-finished':
        write(`${stamp()}  ${event.phase === 'Succeeded' ? '✓' : '✗'} ${event.phase}: ${event.message}`)
        break
    }
  }
}
