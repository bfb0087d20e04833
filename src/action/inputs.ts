import type { KubeConfigSource } from '../cluster/kubeconfig.js'
import { UsageError } from '../model/errors.js'
import { parseSyncOptions } from '../plan/annotations/sync-options.js'
import { parseDuration } from '../plan/annotations/values.js'
import { skipHooksProblems } from '../plan/hook-filter.js'
import type { SyncSettings } from '../sync/settings.js'
import type { Guardrails } from '../plan/guardrails.js'
import { DEFAULTS } from '../sync/settings.js'
import type { RetryPolicy } from '../sync/retry.js'
import { readRetryPolicy } from '../sync/retry.js'
import type { SyncOptions } from '../plan/annotations/sync-options.js'
import { namespaceMetadata } from '../plan/namespace-metadata.js'

/** What the action publishes besides the sync itself; every publisher is optional and soft-failing. */
/** PR previews (issue 6): a namespace per pull request, torn down when it closes. */
export interface PreviewSettings {
  number: number
  /** The preview's URL (the `preview-url` input with {number} and {namespace} filled in), if any. */
  url: string | undefined
  /** The GitHub deployment environment (`preview-pr-<number>` by default). */
  environment: string
  /** Keep one comment on the pull request up to date. */
  comment: boolean
}

export interface PublishSettings {
  token: string
  preview: PreviewSettings | undefined
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
  /** GITHUB_REF, recorded with each revision. */
  ref?: string
  /** The pull request of a pull_request / pull_request_target event (or the pr-number input). */
  pullRequest: { number: number; action: string; headSha: string } | undefined
}

/** Reads one input as the toolkit does: `INPUT_<NAME>`, trimmed, '' when absent. */
export type ReadInput = (name: string) => string

const OPERATIONS = ['sync', 'install', 'upgrade', 'rollback', 'delete', 'test'] as const
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
  const publish = {
    ...publishSettings(read, sync.app, problems, bool),
    preview: previewSettings(read, context, sync.namespace, bool)
  }
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
  const preview = bool('preview', false)
  const pr = context.pullRequest
  if (preview && !pr) problems.push('input preview needs a pull_request event (or the pr-number input)')
  // A preview's pull request closing means: tear it down.
  const operation = read('operation') || (preview && pr?.action === 'closed' ? 'delete' : 'sync')
  if (!OPERATIONS.some(name => name === operation))
    problems.push(`input operation must be one of ${OPERATIONS.join(', ')}, not '${operation}'`)
  const manifests = lines(read('manifests'))
  if (manifests.length === 0 && ['sync', 'install', 'upgrade'].includes(operation)) {
    problems.push('input manifests is required: paths, folders or globs, one per line')
  }
  const app = read('app')
  if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(app) || app.length > 53)
    problems.push(`input app must be a DNS-1123 label of at most 53 characters, not '${app}'`)
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
  const namespace = read('namespace') || (preview && pr ? `pr-${pr.number}` : app)
  const operationId = `${context.runId}-${context.runAttempt}`
  // A preview namespace is the preview's own: created by the sync, deleted with it.
  const syncOptions = preview ? { CreateNamespace: 'true', ...options.options } : options.options
  return {
    app,
    namespace,
    inventoryNamespace: read('inventory-namespace') || namespace,
    manifests,
    operation: OPERATIONS.find(name => name === operation) ?? 'sync',
    ...releaseInputs(read, problems, bool),
    guardrails: guardrailInputs(read, preview),
    ...namespaceMetadataInputs(read, syncOptions, problems),
    prune: bool('prune', false),
    confirmPrune: bool('confirm-prune', false),
    allowEmpty: bool('allow-empty', false),
    dryRun: bool('dry-run', false),
    wait: bool('wait', true),
    retry: retryInputs(read, problems, duration),
    timeoutMs: duration('timeout', DEFAULTS.timeoutMs),
    objectTimeoutMs: duration('object-timeout', DEFAULTS.objectTimeoutMs),
    waveDelayMs: duration('wave-delay', DEFAULTS.waveDelayMs),
    parallelism,
    pollIntervalMs: DEFAULTS.pollIntervalMs,
    lockWaitMs: duration('lock-timeout', DEFAULTS.lockWaitMs),
    historyMax: DEFAULTS.historyMax,
    syncOptions,
    skipHooks,
    noHooks: bool('no-hooks', false),
    revision: read('revision') || context.sha,
    operationId,
    holder: `${context.repository}/${operationId}@${context.host}`,
    runUrl: `${context.serverUrl}/${context.repository}/actions/runs/${context.runId}`,
    ...(context.ref ? { ref: context.ref } : {}),
    actor: context.actor
  }
}

/** namespace-labels, namespace-annotations: only for the namespace CreateNamespace=true creates. */
function namespaceMetadataInputs(
  read: ReadInput,
  options: SyncOptions,
  problems: string[]
): Pick<SyncSettings, 'namespaceMetadata'> {
  // Annotation values may hold commas: one per line. Label values cannot.
  const parsed = namespaceMetadata(list(read('namespace-labels')), lines(read('namespace-annotations')))
  problems.push(...parsed.problems.map(p => `input namespace-labels/namespace-annotations: ${p}`))
  if (parsed.metadata && options['CreateNamespace'] !== 'true')
    problems.push(
      'inputs namespace-labels and namespace-annotations need CreateNamespace=true in sync-options'
    )
  return parsed.metadata ? { namespaceMetadata: parsed.metadata } : {}
}

/** retry-limit, retry-backoff, retry-factor, retry-max-backoff (§4.11). */
function retryInputs(read: ReadInput, problems: string[], duration: Duration): RetryPolicy {
  const number = (name: string, fallback: number): number =>
    read(name) === '' ? fallback : Number(read(name))
  const retry = readRetryPolicy(number, duration, name => `input ${name}`)
  problems.push(...retry.problems)
  return retry.policy
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

/**
 * allowed-namespaces and allowed-cluster-kinds (issue 8). Unset: no limit; `none`: no cluster-scoped
 * kind at all. A preview's default is its own Namespace only: a pull request cannot create a
 * ClusterRoleBinding unless the workflow allows it.
 */
export function guardrailInputs(read: ReadInput, preview: boolean): Guardrails {
  const namespaces = list(read('allowed-namespaces'))
  const raw = read('allowed-cluster-kinds')
  const kinds = raw === 'none' ? [] : list(raw)
  const clusterKinds = raw === '' ? (preview ? ['/Namespace'] : undefined) : kinds
  return { namespaces: namespaces.length > 0 ? namespaces : undefined, clusterKinds }
}

/** rollback-to, keep-history, confirm-delete, atomic. */
function releaseInputs(
  read: ReadInput,
  problems: string[],
  bool: Bool
): Pick<SyncSettings, 'rollbackTo' | 'keepHistory' | 'confirmDelete' | 'atomic'> {
  const raw = read('rollback-to')
  const to = raw === '' ? undefined : Number(raw)
  if (to !== undefined && (!Number.isInteger(to) || to < 1))
    problems.push(`input rollback-to must be a revision number, not '${raw}'`)
  return {
    ...(to !== undefined ? { rollbackTo: to } : {}),
    keepHistory: bool('keep-history', false),
    confirmDelete: bool('confirm-delete', false),
    atomic: bool('atomic', false)
  }
}

function previewSettings(
  read: ReadInput,
  context: RunContext,
  namespace: string,
  bool: Bool
): PreviewSettings | undefined {
  const pr = context.pullRequest
  if (!bool('preview', false) || !pr) return undefined
  const template = read('preview-url')
  const url =
    template === ''
      ? undefined
      : template.replaceAll('{number}', String(pr.number)).replaceAll('{namespace}', namespace)
  return {
    number: pr.number,
    url,
    environment: read('preview-environment') || `preview-pr-${pr.number}`,
    comment: bool('preview-comment', true)
  }
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
    preview: undefined,
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
