import { progressPrinter } from '../cli/progress.js'
import { ManifestError, UsageError, errorMessage } from '../model/errors.js'
import type { Issue } from '../model/issue.js'
import { formatIssue } from '../model/issue.js'
import type { Report } from '../report/model.js'
import { headShaFor } from '../report/head-sha.js'
import { startPayload } from '../report/render-check-run.js'
import { runOperation } from '../sync/atomic.js'
import type { OperationResult } from '../sync/operation.js'
import { initialState } from '../sync/state.js'
import { buildReport } from '../report/model.js'
import type { ActionInputs } from './inputs.js'
import { parseInputs } from './inputs.js'
import type { ActionDeps } from './ports.js'
import { publishResults } from './publish.js'
import { STATE } from './state.js'

/**
 * The action's main step: parse inputs, mask credentials, run the sync, publish the results.
 * Each fact post needs is saved as soon as it exists (architecture §3c), so a killed main leaves
 * post what it needs. One top-level catch: every failure ends as a clear message.
 */
export async function runMain(deps: ActionDeps): Promise<void> {
  const { runner } = deps
  runner.saveState(STATE.phase, 'main')
  let inputs: ActionInputs
  try {
    inputs = parseInputs(runner.read, runner.context)
  } catch (error) {
    runner.saveState(STATE.mainFinished, 'true')
    return fail(deps, error)
  }
  // The webhook URL is a credential (platform.md §10); the token is masked by the runner already.
  if (inputs.publish.slackWebhookUrl) runner.setSecret(inputs.publish.slackWebhookUrl)
  const connected = connect(deps, inputs)
  if (connected instanceof Error) {
    runner.saveState(STATE.mainFinished, 'true')
    return fail(deps, connected)
  }
  const { cluster } = connected
  const headSha = headShaFor(runner.event.name, runner.event.payload, runner.context.sha)
  const checkRunId = await startCheckRun(deps, inputs, headSha)
  try {
    const print = progressPrinter(line => runner.info(line), deps.clock.now)
    const hooks: string[] = []
    runner.saveState(
      STATE.target,
      JSON.stringify({
        app: inputs.sync.app,
        inventoryNamespace: inputs.sync.inventoryNamespace,
        holder: inputs.sync.holder
      })
    )
    const startedAt = deps.clock.now()
    const result = await runOperation(inputs.sync, {
      cluster,
      clock: deps.clock,
      source: deps.source,
      emit: print,
      signal: deps.signal,
      // SIGTERM follows SIGINT after 7.5 s (platform.md §8); post finishes what is left.
      terminationBudgetMs: 5000,
      beforeCreate: async task => {
        hooks.push(JSON.stringify({ ...task.key, version: task.version }))
        runner.saveState(STATE.hooks, `[${hooks.join(',')}]`)
      }
    }).catch((error: unknown) => errorResult(inputs, error, startedAt, deps.clock.now()))
    await publishResults(deps, inputs, { report: result.report, issues: result.issues, checkRunId, headSha })
    if (result.exitCode !== 0) runner.setFailed(failureLine(result.report, result.issues))
  } finally {
    runner.saveState(STATE.mainFinished, 'true')
    await cluster.close()
  }
}

function connect(deps: ActionDeps, inputs: ActionInputs): ReturnType<ActionDeps['connect']> | Error {
  try {
    const connected = deps.connect(inputs.kubeconfig)
    // Credential fields only, never the whole kubeconfig (platform.md §7).
    connected.secrets.forEach(secret => deps.runner.setSecret(secret))
    connected.warnings.forEach(warning => deps.runner.warning(warning))
    return connected
  } catch (error) {
    return error instanceof Error ? error : new Error(String(error))
  }
}

/** Creates the check run `in_progress` and saves its id at once (post completes it if main dies). */
async function startCheckRun(
  deps: ActionDeps,
  inputs: ActionInputs,
  headSha: string
): Promise<number | null | undefined> {
  const name = inputs.publish.checkRunName
  if (!name) return undefined
  const { context } = deps.runner
  try {
    const runUrl = `${context.serverUrl}/${context.repository}/actions/runs/${context.runId}`
    const id = await deps
      .github(inputs.publish.token)
      .createCheckRun(startPayload(name, headSha, runUrl, `${context.runId}-${context.runAttempt}`))
    deps.runner.saveState(STATE.checkRunId, String(id))
    return id
  } catch (error) {
    deps.runner.warning(
      `check run not created (${errorMessage(error)}); the results are in the job summary and annotations`
    )
    // null: tried and refused (a fork's read-only token); publishing does not try again (warn once).
    return null
  }
}

/** Invalid input: every problem is an error annotation (file and line where there is one), then the step fails. */
async function fail(deps: ActionDeps, error: unknown): Promise<void> {
  if (error instanceof ManifestError) {
    for (const issue of error.issues)
      deps.runner.error(issue.message, { file: issue.file, startLine: issue.line })
  }
  const message =
    error instanceof UsageError || error instanceof ManifestError
      ? error.message
      : `unexpected error: ${errorMessage(error)}`
  deps.runner.setOutput('result', 'invalid')
  deps.runner.setFailed(message)
}

function failureLine(report: Report | undefined, issues: readonly Issue[]): string {
  if (report) return `${report.app}: ${report.phase}: ${report.message.split('\n')[0] ?? ''}`
  const errors = issues.filter(issue => issue.severity === 'error')
  return `${errors.length} invalid manifest problem(s); nothing was applied. First: ${errors[0] ? formatIssue(errors[0]) : 'see the annotations'}`
}

/**
 * A wavesync or cluster error not tied to a task (sync-semantics §4.10 `Error`): reported and
 * published like any outcome, so the check run completes and the summary says what happened.
 */
function errorResult(
  inputs: ActionInputs,
  error: unknown,
  startedAt: number,
  finishedAt: number
): OperationResult {
  const report = buildReport({
    app: inputs.sync.app,
    operation: {
      type:
        inputs.sync.operation === 'install' || inputs.sync.operation === 'upgrade'
          ? 'sync'
          : inputs.sync.operation
    },
    revision: null,
    sourceRevision: inputs.sync.revision,
    namespace: inputs.sync.namespace,
    phase: 'Error',
    message: errorMessage(error),
    dryRun: inputs.sync.dryRun,
    startedAt,
    finishedAt,
    state: initialState([]),
    skipped: [],
    warnings: [],
    notes: [],
    waveDelayMs: 0
  })
  return { exitCode: 1, report, issues: [] }
}
