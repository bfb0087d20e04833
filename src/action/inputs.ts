import type { KubeConfigSource } from '../cluster/kubeconfig.js'
import { UsageError } from '../model/errors.js'
import { parseSyncOptions } from '../plan/annotations/sync-options.js'
import { parseDuration } from '../plan/annotations/values.js'
import { skipHooksProblems } from '../plan/hook-filter.js'
import type { SyncSettings } from '../sync/settings.js'
import { DEFAULTS } from '../sync/settings.js'

/** What the action publishes besides the sync itself; every publisher is optional and soft-failing. */
export interface PublishSettings {
  token: string
  /** Undefined: no check run (the job's own check already carries the annotations). */
  checkRunName: string | undefined
  slackWebhookUrl: string | undefined
}

export interface ActionInputs {
  sync: SyncSettings
  kubeconfig: KubeConfigSource
  publish: PublishSettings
}

/** The runner's context the inputs default from (GITHUB_* variables). */
export interface RunContext {
  sha: string
  repository: string
  runId: string
  runAttempt: string
  serverUrl: string
  actor: string
  host: string
  kubeconfigEnv: string | undefined
}

/** Reads one input as the toolkit does: `INPUT_<NAME>`, trimmed, '' when absent. */
export type ReadInput = (name: string) => string

const TRUE = ['true', 'True', 'TRUE']
const FALSE = ['false', 'False', 'FALSE']

/**
 * Parses and validates every input before anything touches the cluster (platform.md §2), and
 * reports all problems at once. Pure: a function of the inputs and the run context.
 */
export function parseInputs(read: ReadInput, context: RunContext): ActionInputs {
  const problems: string[] = []
  const bool = (name: string, fallback: boolean): boolean => {
    const raw = read(name)
    if (raw === '') return fallback
    if (TRUE.includes(raw)) return true
    if (FALSE.includes(raw)) return false
    problems.push(`input ${name}: '${raw}' is not a boolean (true or false)`)
    return fallback
  }
  const duration = (name: string, fallback: number): number => {
    const raw = read(name)
    if (raw === '') return fallback
    const ms = raw === '0' ? 0 : parseDuration(raw)
    if (ms === undefined) problems.push(`input ${name}: '${raw}' is not a duration such as 90s, 5m or 1h30m`)
    return ms ?? fallback
  }
  const sync = syncSettings(read, context, problems, bool, duration)
  const kubeconfig = kubeconfigSource(read, context, problems)
  const publish = publishSettings(read, sync.app, problems, bool)
  if (problems.length > 0) throw new UsageError(problems.join('\n'))
  return { sync, kubeconfig, publish }
}

type Bool = (name: string, fallback: boolean) => boolean
type Duration = (name: string, fallback: number) => number

function syncSettings(
  read: ReadInput,
  context: RunContext,
  problems: string[],
  bool: Bool,
  duration: Duration
): SyncSettings {
  // One per line: a glob may hold commas (`k8s/{a,b}/*.yaml`).
  const manifests = lines(read('manifests'))
  if (manifests.length === 0)
    problems.push('input manifests is required: paths, folders or globs, one per line')
  const app = read('app')
  if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(app) || app.length > 53)
    problems.push(`input app must be a DNS-1123 label of at most 53 characters, not '${app}'`)
  const operation = read('operation') || 'sync'
  if (operation !== 'sync' && operation !== 'install' && operation !== 'upgrade') {
    const later = ['rollback', 'delete', 'test'].includes(operation)
      ? ' (rollback, delete and test are not available in this version)'
      : ''
    problems.push(`input operation must be sync, install or upgrade, not '${operation}'${later}`)
  }
  const parallelism = read('parallelism') === '' ? DEFAULTS.parallelism : Number(read('parallelism'))
  if (!Number.isInteger(parallelism) || parallelism < 1 || parallelism > 100)
    problems.push('input parallelism must be a whole number from 1 to 100')
  const options = read('sync-options')
    ? parseSyncOptions(list(read('sync-options')), 'app')
    : { options: {}, problems: [] }
  const skipHooks = list(read('skip-hooks'))
  problems.push(
    ...options.problems.map(p => `input sync-options: ${p}`),
    ...skipHooksProblems(skipHooks).map(p => `input ${p}`)
  )
  const namespace = read('namespace') || app
  const operationId = `${context.runId}-${context.runAttempt}`
  return {
    app,
    namespace,
    inventoryNamespace: read('inventory-namespace') || namespace,
    manifests,
    operation: operation === 'install' || operation === 'upgrade' ? operation : 'sync',
    prune: bool('prune', false),
    confirmPrune: bool('confirm-prune', false),
    allowEmpty: bool('allow-empty', false),
    dryRun: bool('dry-run', false),
    wait: bool('wait', true),
    timeoutMs: duration('timeout', DEFAULTS.timeoutMs),
    objectTimeoutMs: duration('object-timeout', DEFAULTS.objectTimeoutMs),
    waveDelayMs: duration('wave-delay', DEFAULTS.waveDelayMs),
    parallelism,
    pollIntervalMs: DEFAULTS.pollIntervalMs,
    lockWaitMs: duration('lock-timeout', DEFAULTS.lockWaitMs),
    historyMax: DEFAULTS.historyMax,
    syncOptions: options.options,
    skipHooks,
    noHooks: bool('no-hooks', false),
    revision: read('revision') || context.sha,
    operationId,
    holder: `${context.repository}/${operationId}@${context.host}`,
    runUrl: `${context.serverUrl}/${context.repository}/actions/runs/${context.runId}`,
    actor: context.actor
  }
}

/** The kubeconfig input (raw or base64), else KUBECONFIG from an earlier step, else in-cluster credentials. */
function kubeconfigSource(read: ReadInput, context: RunContext, problems: string[]): KubeConfigSource {
  const text = read('kubeconfig')
  if (text !== '') return { kind: 'text', text }
  if (context.kubeconfigEnv) return { kind: 'env' }
  if (read('in-cluster') === 'true') return { kind: 'in-cluster' }
  problems.push(
    'input kubeconfig is empty and KUBECONFIG is not set: pass a kubeconfig (raw or base64), let an earlier step set KUBECONFIG, or set in-cluster: true'
  )
  return { kind: 'env' }
}

function publishSettings(read: ReadInput, app: string, problems: string[], bool: Bool): PublishSettings {
  const checkRun = bool('check-run', false)
  const slack = read('slack-webhook-url')
  if (
    slack !== '' &&
    !/^https:\/\/\S+$/.test(slack) &&
    !/^http:\/\/(127\.0\.0\.1|localhost)(:\d+)?\//.test(slack)
  ) {
    problems.push('input slack-webhook-url must be an https:// URL')
  }
  return {
    token: read('token'),
    checkRunName: checkRun ? read('check-run-name') || `wavesync / ${app}` : undefined,
    slackWebhookUrl: slack === '' ? undefined : slack
  }
}

/** Splits a multi-line or comma-separated input into trimmed, non-empty items. */
export function list(raw: string): string[] {
  return raw
    .split(/[\n,]/)
    .map(item => item.trim())
    .filter(item => item !== '')
}

/** Splits a multi-line input into trimmed, non-empty lines. */
export function lines(raw: string): string[] {
  return raw
    .split('\n')
    .map(item => item.trim())
    .filter(item => item !== '')
}
