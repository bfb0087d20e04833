// Check-run request bodies (platform.md §5), typed after GitHub's REST description of
// `checks/create` (POST /repos/{owner}/{repo}/check-runs) and `checks/update` (PATCH
// …/check-runs/{id}). Pure: the action sends them, tolerating failure.
import type { Issue } from '../model/issue.js'
import { CHECK_RUN_ANNOTATIONS_PER_REQUEST, CHECK_RUN_TEXT_LIMIT, fitChars } from './budget.js'
import { clip, oneLine } from './escape.js'
import type { Report } from './model.js'
import type { Annotation } from './render-annotations.js'
import { allAnnotations } from './render-annotations.js'
import type { Outcome } from './render-facts.js'
import { failureFocus, operationLabel, outcomeOf, taskKey, taskWhy } from './render-facts.js'
import { renderSummaryParts } from './render-summary.js'

/** `conclusion` values GitHub accepts (`stale` is GitHub's own). */
export type CheckConclusion =
  'success' | 'failure' | 'neutral' | 'cancelled' | 'skipped' | 'timed_out' | 'action_required'

/** One item of `output.annotations`. */
export interface CheckAnnotation {
  path: string
  start_line: number
  end_line: number
  annotation_level: 'notice' | 'warning' | 'failure'
  message: string
  title?: string
}

/** `output`: `title` and `summary` are required whenever it is sent; each text ≤ 65,535 characters. */
export interface CheckOutput {
  title: string
  summary: string
  text?: string
  annotations?: CheckAnnotation[]
}

/** Body of `checks/create`. */
export interface CheckRunCreate {
  name: string
  head_sha: string
  status: 'in_progress' | 'completed'
  conclusion?: CheckConclusion
  completed_at?: string
  details_url?: string
  external_id?: string
  output?: CheckOutput
}

/** Body of `checks/update` (no `head_sha`: a run's commit is fixed at creation). */
export interface CheckRunUpdate {
  status?: 'completed'
  conclusion?: CheckConclusion
  completed_at?: string
  details_url?: string
  external_id?: string
  output?: CheckOutput
}

/** What the completion is rendered from. */
export interface CheckRunInput {
  name: string
  headSha: string
  report?: Report | undefined
  issues: readonly Issue[]
  detailsUrl?: string | undefined
  externalId?: string | undefined
  /** The post step completes a run main left open: the job was cancelled. */
  cancelled?: boolean | undefined
}

/**
 * The bodies completing a check run. `create` is a whole `checks/create` (status completed) for
 * when no run was started; `complete` is the `checks/update` that completes the run created by
 * {@link startPayload}. `updates` carry every annotation, 50 per request (updates append); send
 * them after `create` or `complete`, in order. Annotations without a file are left out (the API
 * needs a path); they are in the summary.
 */
export function checkRunPayloads(input: CheckRunInput): {
  create: CheckRunCreate
  complete: CheckRunUpdate
  updates: CheckRunUpdate[]
} {
  const output = checkOutput(input)
  const completion: CheckRunUpdate = {
    status: 'completed',
    conclusion: conclusionOf(input),
    ...extras(input)
  }
  if (input.report?.finishedAt) completion.completed_at = input.report.finishedAt
  const batches = batch(allAnnotations(input).flatMap(toCheckAnnotation))
  return {
    create: { name: input.name, head_sha: input.headSha, status: 'completed', ...completion, output },
    complete: { ...completion, output },
    updates: batches.map(annotations => ({
      output: { title: output.title, summary: output.summary, annotations }
    }))
  }
}

/** The `checks/create` body of the run at start: `in_progress`, completed later by `complete`. */
export function startPayload(
  name: string,
  headSha: string,
  detailsUrl?: string,
  externalId?: string
): CheckRunCreate {
  return { name, head_sha: headSha, status: 'in_progress', ...extras({ detailsUrl, externalId }) }
}

const CONCLUSION: Readonly<Record<Outcome, CheckConclusion>> = {
  succeeded: 'success',
  failed: 'failure',
  invalid: 'failure',
  cancelled: 'cancelled',
  'timed-out': 'timed_out'
}

/**
 * Succeeded (dry runs too) → success; Failed, Error and invalid manifests → failure; the overall
 * timeout → timed_out; any other termination, or a cancelled job with no report → cancelled.
 */
export function conclusionOf(input: Pick<CheckRunInput, 'report' | 'issues' | 'cancelled'>): CheckConclusion {
  if (input.cancelled && (!input.report || input.report.phase !== 'Succeeded')) return 'cancelled'
  return CONCLUSION[outcomeOf(input.report, input.issues)]
}

function extras(input: { detailsUrl?: string | undefined; externalId?: string | undefined }): {
  details_url?: string
  external_id?: string
} {
  return {
    ...(input.detailsUrl ? { details_url: input.detailsUrl } : {}),
    ...(input.externalId ? { external_id: input.externalId } : {})
  }
}

const VERB: Readonly<Record<Outcome, string>> = {
  succeeded: 'succeeded',
  failed: 'failed',
  invalid: 'stopped by invalid manifests',
  cancelled: 'cancelled',
  'timed-out': 'timed out'
}

const CUT_NOTE =
  "✂️ Cut at the check run's 65,535-character limit; the job summary and the JSON report have the rest."

function checkOutput(input: CheckRunInput): CheckOutput {
  const parts = renderSummaryParts({ report: input.report, issues: input.issues, budgetBytes: 60_000 })
  const output: CheckOutput = {
    title: clip(titleOf(input), 1000),
    summary: fitChars(parts.head, CHECK_RUN_TEXT_LIMIT, CUT_NOTE)
  }
  if (parts.body !== '') output.text = fitChars(parts.body, CHECK_RUN_TEXT_LIMIT, CUT_NOTE)
  return output
}

/** One line: the outcome and, on failure, what failed. */
function titleOf(input: CheckRunInput): string {
  const { report, issues } = input
  if (!report) {
    if (input.cancelled) return 'Cancelled before a report was written'
    const errors = issues.filter(i => i.severity === 'error').length
    return `Invalid manifests: ${errors} error${errors === 1 ? '' : 's'}, nothing was applied`
  }
  const verb = input.cancelled && report.phase !== 'Succeeded' ? 'cancelled' : VERB[outcomeOf(report, issues)]
  const head = `${report.app}: ${operationLabel(report)} ${verb}`
  const focus = failureFocus(report)
  if (focus)
    return oneLine(`${head}: ${focus.phase} ${focus.hook ? 'hook ' : ''}${taskKey(focus)}: ${taskWhy(focus)}`)
  return report.phase === 'Succeeded' ? head : oneLine(`${head}: ${report.message}`)
}

function toCheckAnnotation(annotation: Annotation): CheckAnnotation[] {
  if (annotation.file === undefined) return []
  const start = annotation.startLine ?? 1
  const item: CheckAnnotation = {
    path: annotation.file,
    start_line: start,
    end_line: annotation.endLine ?? start,
    annotation_level: annotation.level === 'error' ? 'failure' : annotation.level,
    message: clip(annotation.message, CHECK_RUN_TEXT_LIMIT)
  }
  if (annotation.title !== undefined) item.title = clip(annotation.title, 255)
  return [item]
}

function batch<T>(items: readonly T[]): T[][] {
  const batches: T[][] = []
  for (let i = 0; i < items.length; i += CHECK_RUN_ANNOTATIONS_PER_REQUEST)
    batches.push(items.slice(i, i + CHECK_RUN_ANNOTATIONS_PER_REQUEST))
  return batches
}
