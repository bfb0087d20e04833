// The action's outputs, shaped for `if:` conditions and slackapi/slack-github-action
// (platform.md §2, §10). Pure: the action calls setOutput for each entry.
import type { Issue } from '../model/issue.js'
import { compareIssues, formatIssue } from '../model/issue.js'
import { OUTPUT_MESSAGE_LIMIT } from './budget.js'
import { clip, oneLine } from './escape.js'
import type { Report } from './model.js'
import { endingHook, failedPhase, outcomeOf } from './render-facts.js'

/**
 * The outputs the report decides (`report` and `slack-payload-path` are paths the action fills):
 *
 * | output | value |
 * |---|---|
 * | `result` | `succeeded` (phase Succeeded, dry runs too), `failed` (Failed or Error), `cancelled` (Terminated), `timed-out` (Terminated by the overall timeout), `invalid` (validation errors: nothing was written) |
 * | `revision` | the inventory revision this operation recorded, e.g. `3`; empty when none was |
 * | `failed-phase` | the phase of the task that ended the operation (`PreSync` …), or where a termination struck; else empty |
 * | `failed-hook` | `<phase>/<name>` of the hook whose failure ended the operation (`PreSync/migrate`); else empty |
 * | `message` | the report's message on one line (line breaks → `; `), or the first validation error; at most 300 characters |
 *
 * Every value is a string (outputs are strings) and never a secret (masked values cannot be output).
 */
export function actionOutputs(report: Report | undefined, issues: readonly Issue[]): Record<string, string> {
  const result = outcomeOf(report, issues)
  const hook = report ? endingHook(report) : undefined
  return {
    result,
    revision: report?.revision === null || report?.revision === undefined ? '' : String(report.revision),
    'failed-phase': report && result !== 'succeeded' ? (failedPhase(report) ?? '') : '',
    'failed-hook': hook ? `${hook.phase}/${hook.name}` : '',
    message: clip(oneLine(messageOf(report, issues).replace(/\s*\n\s*/g, '; ')), OUTPUT_MESSAGE_LIMIT)
  }
}

function messageOf(report: Report | undefined, issues: readonly Issue[]): string {
  const errors = issues.filter(issue => issue.severity === 'error').sort(compareIssues)
  const first = errors[0]
  if (first && outcomeOf(report, issues) === 'invalid') {
    const count = `${errors.length} invalid manifest problem${errors.length === 1 ? '' : 's'}, nothing was applied`
    return `${count}; first: ${formatIssue(first)}`
  }
  return report?.message ?? 'no report: the operation stopped before it started'
}
