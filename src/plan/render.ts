import type { Issue } from '../model/issue.js'
import { formatIssue } from '../model/issue.js'
import { formatKey } from '../model/key.js'
import { formatSource } from '../model/source.js'
import type { Task } from '../model/task.js'
import type { OperationKind } from '../model/vocabulary.js'
import type { Plan } from './plan.js'

/** One task in the JSON plan contract (docs/plan-format.md). Field order is part of the contract. */
export interface TaskJson {
  phase: string
  wave: number
  type: Task['type']
  hook: boolean
  group: string
  version: string
  kind: string
  namespace: string
  name: string
  generateName: string | null
  hookFamily: string | null
  hookTypes: string[]
  trigger: string | null
  deletePolicies: string[]
  syncOptions: Record<string, string>
  removal: { action: string; reason: string | null } | null
  pulledUpFor: string | null
  source: { file: string; line: number } | null
}

export interface IssueJson {
  file: string
  line: number
  message: string
  resource: string | null
}

export interface PlanJson {
  app: string
  operation: string
  mode: string | null
  namespace: string
  revision: string
  tasks: TaskJson[]
  skipped: { resource: string; reason: string; source: { file: string; line: number } }[]
  errors: IssueJson[]
  warnings: (IssueJson & { severity: string })[]
}

export function taskJson(task: Task): TaskJson {
  return {
    phase: task.phase,
    wave: task.wave,
    type: task.type,
    hook: task.type === 'hook',
    group: task.key.group,
    version: task.version,
    kind: task.key.kind,
    namespace: task.key.namespace,
    name: task.key.name,
    generateName: task.generateName ?? null,
    hookFamily: task.hook?.family ?? null,
    hookTypes: task.hook?.types ?? [],
    trigger: task.hook?.trigger ?? null,
    deletePolicies: task.hook?.deletePolicies ?? [],
    syncOptions: { ...task.syncOptions },
    removal: task.removal ? { action: task.removal.action, reason: task.removal.reason ?? null } : null,
    pulledUpFor: task.pulledUpFor ?? null,
    source: task.source ? { file: task.source.file, line: task.source.line } : null
  }
}

function issueJson(issue: Issue): IssueJson {
  return {
    file: issue.file,
    line: issue.line,
    message: issue.message,
    resource: issue.key ? formatKey(issue.key) : null
  }
}

/** The stable JSON form of a plan; with errors, no tasks are listed (nothing would run). */
export function planJson(plan: Plan): PlanJson {
  const errors = plan.issues.filter(issue => issue.severity === 'error')
  return {
    app: plan.app,
    operation: plan.operation.type,
    mode: plan.operation.mode ?? null,
    namespace: plan.namespace,
    revision: plan.revision,
    tasks: errors.length > 0 ? [] : plan.tasks.map(taskJson),
    skipped: plan.skipped.map(s => ({
      resource: formatKey(s.key),
      reason: s.reason,
      source: { file: s.source.file, line: s.source.line }
    })),
    errors: errors.map(issueJson),
    warnings: plan.issues
      .filter(issue => issue.severity !== 'error')
      .map(issue => ({ ...issueJson(issue), severity: issue.severity }))
  }
}

export function describeOperation(operation: OperationKind): string {
  return operation.mode ? `${operation.type} (${operation.mode})` : operation.type
}

/** The plan as a person reads it: grouped by phase and wave, one aligned line per task. */
export function planText(plan: Plan): string {
  const errors = plan.issues.filter(issue => issue.severity === 'error')
  const lines = [
    `Plan for ${plan.app}: ${describeOperation(plan.operation)} into namespace ${plan.namespace}, revision ${plan.revision}`
  ]
  if (errors.length > 0) {
    lines.push(
      '',
      `${errors.length} error(s); nothing would be applied:`,
      ...errors.map(issue => `  ${formatIssue(issue)}`)
    )
  } else {
    lines.push(...taskLines(plan.tasks))
  }
  if (plan.skipped.length > 0) {
    lines.push(
      '',
      'Hooks that do not run:',
      ...plan.skipped.map(s => `  ${formatKey(s.key)}  ${s.reason}  (${formatSource(s.source)})`)
    )
  }
  const others = plan.issues.filter(issue => issue.severity !== 'error')
  if (others.length > 0)
    lines.push('', 'Warnings and notices:', ...others.map(issue => `  ${formatIssue(issue)}`))
  return lines.join('\n') + '\n'
}

function taskLines(tasks: readonly Task[]): string[] {
  if (tasks.length === 0) return ['', 'No tasks.']
  const rows = tasks.map(task => [
    task.type,
    formatKey(task.key),
    detail(task),
    task.source ? formatSource(task.source) : ''
  ])
  const widths = [0, 1, 2].map(col => Math.max(...rows.map(row => (row[col] ?? '').length)))
  const lines: string[] = []
  let phase: string | undefined
  let wave: number | undefined
  tasks.forEach((task, i) => {
    if (task.phase !== phase) {
      lines.push('', task.phase)
      phase = task.phase
      wave = undefined
    }
    if (task.wave !== wave) {
      lines.push(`  wave ${task.wave}`)
      wave = task.wave
    }
    const row = rows[i] ?? []
    lines.push(
      `    ${row.map((cell, col) => (col < 3 ? cell.padEnd(widths[col] ?? 0) : cell)).join('  ')}`.trimEnd()
    )
  })
  return lines
}

function detail(task: Task): string {
  const parts: string[] = []
  if (task.hook) parts.push(`${task.hook.trigger} [${task.hook.deletePolicies.join(',')}]`)
  if (task.removal)
    parts.push(task.removal.action === 'skip' ? `skip: ${task.removal.reason ?? ''}` : 'delete')
  if (task.createdNamespace) parts.push('CreateNamespace')
  if (task.pulledUpFor) parts.push(`pulled up for ${task.pulledUpFor}`)
  return parts.join('; ')
}
