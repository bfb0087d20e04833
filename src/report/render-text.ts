import type { Report, TaskReport } from './model.js'
import { resultText } from './render-facts.js'

/** The report as a person reads it in a terminal: outcome, then each step's tasks, then failure details. */
export function reportText(report: Report): string {
  const lines = [
    `${report.phase === 'Succeeded' ? '✓' : '✗'} ${report.app}: ${report.operation}${report.mode ? ` (${report.mode})` : ''} ${report.phase}${report.dryRun ? ' (dry run)' : ''} in ${(report.durationMs / 1000).toFixed(1)}s${report.revision !== null ? `, revision ${report.revision}` : ''}`,
    `  ${report.message.split('\n').join('\n  ')}`
  ]
  const width = Math.max(0, ...report.tasks.map(t => label(t).length))
  const results = Math.max(13, ...report.tasks.map(t => result(t).length))
  let step = ''
  for (const task of report.tasks) {
    const id = `${task.phase} wave ${task.wave}`
    if (id !== step) lines.push('', `${id}${gapNote(report, task)}`)
    step = id
    lines.push(
      `  ${label(task).padEnd(width)}  ${result(task).padEnd(results)} ${task.state === 'pending' ? '' : task.state.padEnd(9)} ${oneLine(task.message)}`.trimEnd()
    )
  }
  for (const task of report.tasks.filter(t => t.logTail !== undefined || t.exitCode !== undefined))
    lines.push(...details(task))
  if (report.skipped.length > 0)
    lines.push('', 'Not run in this operation:', ...report.skipped.map(s => `  ${s.resource}: ${s.reason}`))
  if (report.warnings.length > 0) lines.push('', 'Warnings:', ...report.warnings.map(w => `  ${w}`))
  if (report.notes.length > 0) lines.push('', 'Notes:', ...report.notes.map(n => `  ${n}`))
  return lines.join('\n') + '\n'
}

function result(task: TaskReport): string {
  return resultText(task) ?? (task.state === 'pending' ? 'not run' : task.state)
}

function label(task: TaskReport): string {
  const where = task.namespace ? `${task.namespace}/${task.name}` : task.name
  return `${task.hook ? 'hook ' : task.type === 'prune' ? 'prune ' : ''}${task.group}/${task.kind} ${where}`
}

function gapNote(report: Report, task: TaskReport): string {
  const step = report.steps.find(s => s.phase === task.phase && s.wave === task.wave)
  return step?.gapMs !== null && step?.gapMs !== undefined
    ? `  (started ${step.gapMs} ms after the previous step passed its gate)`
    : ''
}

function details(task: TaskReport): string[] {
  const lines = [
    '',
    `${task.hook ? 'Hook' : 'Resource'} ${task.kind} ${task.name}: ${task.state}${task.reason ? ` (${task.reason})` : ''}`
  ]
  if (task.exitCode !== undefined) lines.push(`  exit code: ${task.exitCode}`)
  for (const event of task.events ?? []) lines.push(`  event: ${event}`)
  if (task.logTail && task.logTail.length > 0)
    lines.push('  last log lines:', ...task.logTail.map(l => `    | ${l}`))
  // Said, so missing events or log lines are never taken for none.
  for (const missing of task.unavailable ?? []) lines.push(`  ${missing}`)
  return lines
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ⏎ ')
}
