import { errorMessage } from '../model/errors.js'
import type { Issue } from '../model/issue.js'
import type { Report } from '../report/model.js'
import { rankAnnotations } from '../report/render-annotations.js'
import { checkRunPayloads } from '../report/render-check-run.js'
import { actionOutputs } from '../report/render-outputs.js'
import { slackPayload } from '../report/render-slack.js'
import { renderSummary } from '../report/render-summary.js'
import type { ActionInputs } from './inputs.js'
import type { ActionDeps } from './ports.js'
import { publishPreview } from './preview.js'

export interface Results {
  report: Report | undefined
  issues: readonly Issue[]
  /** The check run main started; null when creating it was refused (then no second attempt). */
  checkRunId: number | null | undefined
  headSha: string
}

/**
 * Publishes one operation's results everywhere GitHub shows them: files and outputs first (later
 * steps depend on them), then annotations, the job summary, the check run and Slack. Every
 * publisher fails softly: a warning, never a changed outcome (architecture §2, report/).
 */
export async function publishResults(
  deps: ActionDeps,
  inputs: ActionInputs,
  results: Results
): Promise<void> {
  const { runner } = deps
  const { report, issues } = results
  const runUrl = inputs.sync.runUrl
  const outputs = actionOutputs(report, issues)
  const app = inputs.sync.app
  await soft(deps, 'report file', async () => {
    if (report)
      outputs['report'] = await runner.writeFile(
        `wavesync-report-${app}.json`,
        JSON.stringify(report, null, 2) + '\n'
      )
    const payload = slackPayload({ report, issues, runUrl, repository: runner.context.repository })
    outputs['slack-payload-path'] = await runner.writeFile(
      `wavesync-slack-${app}.json`,
      JSON.stringify(payload) + '\n'
    )
  })
  for (const [name, value] of Object.entries(outputs)) runner.setOutput(name, value)
  for (const annotation of rankAnnotations({ report, issues })) {
    const { level, message, ...props } = annotation
    runner[level](message, props)
  }
  await soft(deps, 'job summary', async () =>
    runner.writeSummary(renderSummary({ report, issues, runUrl }).markdown)
  )
  await soft(deps, 'check run', async () => completeCheckRun(deps, inputs, results))
  await soft(deps, 'preview comment and deployment', async () =>
    publishPreview(deps, inputs, report, results.headSha)
  )
  if (inputs.publish.slackWebhookUrl && outputs['result'] !== 'succeeded') {
    const url = inputs.publish.slackWebhookUrl
    await soft(deps, 'Slack message', async () =>
      deps.postSlack(url, slackPayload({ report, issues, runUrl, repository: runner.context.repository }))
    )
  }
}

async function completeCheckRun(deps: ActionDeps, inputs: ActionInputs, results: Results): Promise<void> {
  const name = inputs.publish.checkRunName
  if (!name || results.checkRunId === null) return
  const context = deps.runner.context
  const payloads = checkRunPayloads({
    name,
    headSha: results.headSha,
    report: results.report,
    issues: results.issues,
    detailsUrl: inputs.sync.runUrl,
    externalId: `${context.runId}-${context.runAttempt}`
  })
  const github = deps.github(inputs.publish.token)
  const id = results.checkRunId ?? (await github.createCheckRun(payloads.create))
  if (results.checkRunId !== undefined) await github.updateCheckRun(id, payloads.complete)
  for (const update of payloads.updates) await github.updateCheckRun(id, update)
}

async function soft(deps: ActionDeps, what: string, work: () => Promise<unknown>): Promise<void> {
  try {
    await work()
  } catch (error) {
    deps.runner.warning(`${what} not published: ${errorMessage(error)}`)
  }
}
