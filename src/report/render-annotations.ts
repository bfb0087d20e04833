// Annotations ranked so the most useful fit the runner's per-step limits (platform.md §3).
// Pure: the action passes the result to core.error/warning/notice.
import type { Issue } from '../model/issue.js'
import { compareIssues } from '../model/issue.js'
import { formatKey } from '../model/key.js'
import { ANNOTATIONS_PER_STEP } from './budget.js'
import { oneLine } from './escape.js'
import type { Report, TaskReport } from './model.js'
import {
  endingHook,
  failureFocus,
  firstFailurePerWave,
  interruptedTasks,
  isPseudoFile,
  isTimeout,
  lastLogLine,
  notStarted,
  outcomeOf,
  remarksOf,
  taskKey,
  taskLabel,
  taskWhy
} from './render-facts.js'

/** One annotation as `core.error|warning|notice(message, props)` takes it. */
export interface Annotation {
  level: 'error' | 'warning' | 'notice'
  message: string
  title?: string
  /** Repo-relative, forward slashes; absent for problems with no file (rendered Helm output, the inventory). */
  file?: string
  startLine?: number
  endLine?: number
}

/** What the annotations are made from: the report when the operation ran, and the plan's issues. */
export interface AnnotationInput {
  report?: Report | undefined
  issues: readonly Issue[]
}

/**
 * Every annotation in rank order, without the per-step cap (the check run takes them all):
 * (1) validation errors, each offending line; (2) the hook whose failure ended the operation,
 * with its reason and last log line; (3) the first failing task of each wave, in wave order;
 * (4) a timeout naming what it waited for (a cancellation as a notice); (5) warnings, then
 * notices. Repeats are dropped.
 */
export function allAnnotations(input: AnnotationInput): Annotation[] {
  const { report, issues } = input
  const ranked = [...validationErrors(issues), ...(report ? operationAnnotations(report) : [])]
  if (report && outcomeOf(report, issues) === 'failed' && ranked.length === 0)
    ranked.push({ level: 'error', title: 'Operation failed', message: report.message })
  for (const remark of remarksOf(report, issues)) ranked.push(at(remark.severity, remark.message, remark))
  return dedupe(ranked)
}

/**
 * The annotations for `core.*`: {@link allAnnotations} capped per level at the runner's 10
 * per step; when a level has more, its first 9 are kept and the 10th says how many more
 * problems the job summary holds.
 */
export function rankAnnotations(input: AnnotationInput): Annotation[] {
  const all = allAnnotations(input)
  return (['error', 'warning', 'notice'] as const).flatMap(level =>
    capped(all.filter(a => a.level === level))
  )
}

const OVERFLOW_NOUN = { error: 'problems', warning: 'warnings', notice: 'notices' } as const

function capped(annotations: Annotation[]): Annotation[] {
  const first = annotations[0]
  if (!first || annotations.length <= ANNOTATIONS_PER_STEP) return annotations
  const keep = ANNOTATIONS_PER_STEP - 1
  const more = annotations.length - keep
  return [
    ...annotations.slice(0, keep),
    {
      level: first.level,
      title: 'wavesync',
      message: `${more} more ${OVERFLOW_NOUN[first.level]} in the job summary`
    }
  ]
}

function validationErrors(issues: readonly Issue[]): Annotation[] {
  return issues
    .filter(issue => issue.severity === 'error')
    .sort(compareIssues)
    .map(issue => {
      const key = issue.key && issue.key.name !== '' ? ` (${formatKey(issue.key)})` : ''
      return at('error', issue.message, { file: issue.file, line: issue.line }, `Invalid manifest${key}`)
    })
}

function operationAnnotations(report: Report): Annotation[] {
  const hook = endingHook(report)
  const annotations = hook ? [hookAnnotation(hook)] : []
  for (const task of firstFailurePerWave(report)) {
    if (task === hook) continue
    annotations.push(
      at(
        'error',
        withLastLog(task, taskWhy(task)),
        source(task),
        `${task.phase} wave ${task.wave}: ${taskLabel(task)} failed`
      )
    )
  }
  const stop = terminationAnnotation(report)
  if (stop) annotations.push(stop)
  return annotations
}

function hookAnnotation(hook: TaskReport): Annotation {
  return at(
    'error',
    withLastLog(hook, taskWhy(hook)),
    source(hook),
    `${hook.phase} hook ${taskKey(hook)} failed`
  )
}

/** A timeout is an error naming what it waited for; a cancellation, a notice saying where it struck. */
function terminationAnnotation(report: Report): Annotation | undefined {
  if (report.phase !== 'Terminated') return undefined
  const waiting = interruptedTasks(report)
  const never = notStarted(report).length
  const parts = [
    waiting.length > 0
      ? `still waiting for ${waiting.map(t => `${taskLabel(t)} (${t.phase} wave ${t.wave})`).join(', ')}`
      : 'nothing was running',
    ...(never > 0 ? [`${never} task(s) not started`] : [])
  ]
  const focus = waiting[0] ?? failureFocus(report)
  const where = focus ? source(focus) : {}
  return isTimeout(report)
    ? at('error', parts.join('; '), where, oneLine(report.message))
    : at('notice', parts.join('; '), where, 'Operation cancelled')
}

function withLastLog(task: TaskReport, why: string): string {
  const last = lastLogLine(task)
  return last === undefined ? why : `${why}\nLast log line: ${last}`
}

function source(task: TaskReport): { file?: string; line?: number } {
  return task.source ? { file: task.source.file, line: task.source.line } : {}
}

function at(
  level: Annotation['level'],
  message: string,
  where: { file?: string; line?: number },
  title?: string
): Annotation {
  const annotation: Annotation = { level, message }
  if (title !== undefined) annotation.title = title
  if (where.file === undefined || isPseudoFile(where.file)) return annotation
  annotation.file = where.file
  if (where.line !== undefined && where.line > 0) {
    annotation.startLine = where.line
    annotation.endLine = where.line
  }
  return annotation
}

function dedupe(annotations: Annotation[]): Annotation[] {
  const seen = new Set<string>()
  return annotations.filter(a => {
    const id = [a.level, a.file ?? '', a.startLine ?? 0, a.title ?? '', a.message].join('\u0000')
    if (seen.has(id)) return false
    seen.add(id)
    return true
  })
}
