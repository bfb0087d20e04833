import { writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { realClock } from '../clock.js'
import { createCluster } from '../cluster/client-node.js'
import type { KubeConfigSource } from '../cluster/kubeconfig.js'
import { loadKubeConfig } from '../cluster/kubeconfig.js'
import { ClusterError, UsageError } from '../model/errors.js'
import { formatIssue } from '../model/issue.js'
import { fileManifestSource } from '../manifests/source.js'
import { parseSyncOptions } from '../plan/annotations/sync-options.js'
import type { SyncOptions } from '../plan/annotations/sync-options.js'
import { parseDuration } from '../plan/annotations/values.js'
import { skipHooksProblems } from '../plan/hook-filter.js'
import { reportText } from '../report/render-text.js'
import { runOperation } from '../sync/atomic.js'
import type { SyncSettings } from '../sync/settings.js'
import { DEFAULTS } from '../sync/settings.js'
import type { CliIo } from './io.js'
import { EXIT } from './io.js'
import { progressPrinter } from './progress.js'
import { guardrailInputs, list } from '../action/inputs.js'
import type { RetryNumber, RetryPolicy } from '../sync/retry.js'
import { namespaceMetadata } from '../plan/namespace-metadata.js'
import { readRetryPolicy } from '../sync/retry.js'

export const SYNC_USAGE = `Usage: wavesync sync --manifests <path>... --app <name> [options]

Syncs the manifests to the cluster in phases and waves with hooks, and prints the report.

Options:
  --manifests <path>...    files, folders (recursive) or globs; a leading ! excludes
  --app <name>             application name (DNS-1123 label, at most 53 characters)
  --namespace <ns>         destination namespace (default: the application name)
  --inventory-namespace    where inventory records and the lock live (default: --namespace)
  --kubeconfig <path>      kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)
  --operation <op>         sync (install or upgrade, from history) | install | upgrade
  --prune                  delete obsolete objects (default: report them)
  --confirm-prune          also delete objects marked Prune=confirm
  --allow-empty            allow pruning everything when the manifests hold no resources
  --dry-run                stop after the server-side dry run; report what each task would do
  --no-wait                do not gate the last step on health (Argo CD behaviour)
  --timeout <d>            overall limit (default 30m)
  --object-timeout <d>     per-object wait limit (default 5m)
  --wave-delay <d>         pause between steps (default 0)
  --parallelism <n>        writes in flight per kind batch (default 10)
  --sync-options <list>    application sync options, e.g. CreateNamespace=true,PruneLast=true,
                           ApplyOutOfSyncOnly=true (write only what differs from the cluster)
  --namespace-label <k=v>  a label of the namespace CreateNamespace=true creates (repeatable)
  --namespace-annotation <k=v>  an annotation of that namespace (repeatable)
  --skip-hooks <list>      Argo phases or Helm events whose hooks to leave out
  --no-hooks               leave out every hook
  --revision <sha>         source revision (default $GITHUB_SHA, else "local")
  --report <file>          write the JSON report there (docs/report-format.md)
  --atomic                 on failure, roll back an upgrade or uninstall an install (still exit 1)
  --retry-limit <n>        retry a failed sync up to n times (default 0), as Argo CD's syncPolicy.retry
  --retry-backoff <d>      wait before the first retry (default 5s); then times --retry-factor (2),
  --retry-factor <n>       up to --retry-max-backoff (3m)
  --retry-max-backoff <d>
  --allowed-namespaces <l> namespaces objects may live in (a trailing * matches a prefix)
  --allowed-cluster-kinds <l>  cluster-scoped kinds allowed, as group/Kind (/Namespace); none for none

wavesync rollback --app <name> [--to <revision>]   re-sync an earlier revision's stored manifests
wavesync delete   --app <name> [--keep-history] [--confirm-delete] [--delete-manifests repo]
wavesync test     --app <name>                     run the test hooks of the deployed revision
(each also takes --namespace, --kubeconfig, timeouts, --report; no --manifests needed)
`

const OPTIONS = {
  manifests: { type: 'string', multiple: true },
  app: { type: 'string' },
  namespace: { type: 'string' },
  'inventory-namespace': { type: 'string' },
  kubeconfig: { type: 'string' },
  operation: { type: 'string', default: 'sync' },
  prune: { type: 'boolean', default: false },
  'confirm-prune': { type: 'boolean', default: false },
  'allow-empty': { type: 'boolean', default: false },
  'dry-run': { type: 'boolean', default: false },
  'no-wait': { type: 'boolean', default: false },
  timeout: { type: 'string' },
  'object-timeout': { type: 'string' },
  'wave-delay': { type: 'string' },
  parallelism: { type: 'string' },
  'sync-options': { type: 'string' },
  'skip-hooks': { type: 'string' },
  'namespace-label': { type: 'string', multiple: true },
  'namespace-annotation': { type: 'string', multiple: true },
  'no-hooks': { type: 'boolean', default: false },
  revision: { type: 'string' },
  report: { type: 'string' },
  atomic: { type: 'boolean', default: false },
  'retry-limit': { type: 'string' },
  'retry-backoff': { type: 'string' },
  'retry-factor': { type: 'string' },
  'retry-max-backoff': { type: 'string' },
  to: { type: 'string' },
  'keep-history': { type: 'boolean', default: false },
  'confirm-delete': { type: 'boolean', default: false },
  'delete-manifests': { type: 'string' },
  'allowed-namespaces': { type: 'string' },
  'allowed-cluster-kinds': { type: 'string' },
  help: { type: 'boolean', default: false }
} as const

type Values = ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>['values']

type DurationFlag = 'timeout' | 'object-timeout' | 'wave-delay' | 'retry-backoff' | 'retry-max-backoff'

/** The operations this command runs: `sync` and its modes, and the release operations. */
export type CommandOperation = 'sync' | 'rollback' | 'delete' | 'test'

/** `wavesync sync|rollback|delete|test`: exit 0 Succeeded, 1 Failed or Terminated, 2 invalid input (nothing written). */
export async function runSync(
  args: readonly string[],
  io: CliIo,
  signal: AbortSignal,
  command: CommandOperation = 'sync'
): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...args],
    options: OPTIONS,
    allowPositionals: true,
    strict: true
  })
  if (values.help) {
    io.out(SYNC_USAGE)
    return EXIT.ok
  }
  const settings = syncSettings(values, [...(values.manifests ?? []), ...positionals], io, command)
  const loaded = loadKubeConfig(kubeconfigSource(values, io), { env: io.env })
  loaded.warnings.forEach(w => io.err(`warning: ${w}\n`))
  const cluster = createCluster(loaded)
  try {
    const print = progressPrinter(line => io.err(line + '\n'), realClock.now)
    const result = await runOperation(settings, {
      cluster,
      clock: realClock,
      source: fileManifestSource(io.cwd),
      emit: print,
      signal
    }).catch((error: unknown) => {
      // The cluster could not be reached or refused us: a clear message naming it, no stack (§4.10 Error).
      if (!(error instanceof ClusterError)) throw error
      io.err(`wavesync: ${loaded.server}: ${error.message}\n`)
      return undefined
    })
    if (!result) return EXIT.failed
    for (const issue of result.issues) io.err(formatIssue(issue) + '\n')
    if (result.report) {
      io.out('\n' + reportText(result.report))
      if (values.report)
        await writeFile(path.resolve(io.cwd, values.report), JSON.stringify(result.report, null, 2) + '\n')
    }
    return result.exitCode
  } finally {
    await cluster.close()
  }
}

function kubeconfigSource(values: Values, io: CliIo): KubeConfigSource {
  if (values.kubeconfig) return { kind: 'file', path: path.resolve(io.cwd, values.kubeconfig) }
  return io.env['KUBERNETES_SERVICE_HOST'] && !io.env['KUBECONFIG'] ? { kind: 'in-cluster' } : { kind: 'env' }
}

/** Validates every flag before anything touches the cluster; all problems at once. */
function syncSettings(
  values: Values,
  manifests: string[],
  io: CliIo,
  command: CommandOperation
): SyncSettings {
  const problems: string[] = []
  const fromRepo = command === 'sync' || (command === 'delete' && values['delete-manifests'] === 'repo')
  if (fromRepo && manifests.length === 0) problems.push('--manifests <path>... is required')
  const app = values.app ?? ''
  if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(app) || app.length > 53)
    problems.push(`--app must be a DNS-1123 label of at most 53 characters, not '${app}'`)
  const operation = command === 'sync' ? (values.operation ?? 'sync') : command
  if (command === 'sync' && !['sync', 'install', 'upgrade'].includes(operation)) {
    problems.push(`--operation must be sync, install or upgrade, not '${operation}'`)
  }
  if (command === 'test' && values['no-hooks'])
    problems.push('--no-hooks cannot be used with test: a test runs hooks only')
  const duration = (flag: DurationFlag, fallback: number): number => {
    const raw = values[flag]
    if (raw === undefined) return fallback
    const ms = raw === '0' ? 0 : parseDuration(raw)
    if (ms === undefined) problems.push(`--${flag} must be a duration such as 90s, 5m or 1h30m, not '${raw}'`)
    return ms ?? fallback
  }
  const parallelism = values.parallelism === undefined ? DEFAULTS.parallelism : Number(values.parallelism)
  if (!Number.isInteger(parallelism) || parallelism < 1 || parallelism > 100)
    problems.push(`--parallelism must be a whole number from 1 to 100`)
  const options = values['sync-options']
    ? parseSyncOptions(values['sync-options'], 'app')
    : { options: {}, problems: [] }
  const skipHooks = list(values['skip-hooks'] ?? '')
  problems.push(...options.problems, ...skipHooksProblems(skipHooks))
  const settings = {
    timeoutMs: duration('timeout', DEFAULTS.timeoutMs),
    objectTimeoutMs: duration('object-timeout', DEFAULTS.objectTimeoutMs),
    waveDelayMs: duration('wave-delay', DEFAULTS.waveDelayMs)
  }
  const more = {
    retry: retryFlags(values, problems, duration),
    ...namespaceFlags(values, options.options, problems)
  }
  const release = releaseFlags(values, problems)
  if (problems.length > 0) throw new UsageError(problems.join('\n'))
  const namespace = values.namespace ?? app
  const runId = io.env['GITHUB_RUN_ID']
    ? `${io.env['GITHUB_RUN_ID']}-${io.env['GITHUB_RUN_ATTEMPT'] ?? '1'}`
    : `local-${Date.now()}`
  return {
    app,
    namespace,
    inventoryNamespace: values['inventory-namespace'] ?? namespace,
    manifests,
    operation:
      command !== 'sync' ? command : operation === 'install' || operation === 'upgrade' ? operation : 'sync',
    ...release,
    guardrails: guardrailInputs(
      name => values[name === 'allowed-namespaces' ? 'allowed-namespaces' : 'allowed-cluster-kinds'] ?? '',
      false
    ),
    prune: values.prune ?? false,
    confirmPrune: values['confirm-prune'] ?? false,
    allowEmpty: values['allow-empty'] ?? false,
    dryRun: values['dry-run'] ?? false,
    wait: !(values['no-wait'] ?? false),
    ...more,
    ...settings,
    parallelism,
    pollIntervalMs: DEFAULTS.pollIntervalMs,
    lockWaitMs: DEFAULTS.lockWaitMs,
    historyMax: DEFAULTS.historyMax,
    syncOptions: options.options,
    skipHooks,
    noHooks: values['no-hooks'] ?? false,
    revision: values.revision ?? io.env['GITHUB_SHA'] ?? 'local',
    ...(io.env['GITHUB_REF'] ? { ref: io.env['GITHUB_REF'] } : {}),
    operationId: runId,
    holder: `${io.env['GITHUB_REPOSITORY'] ?? 'local'}/${runId}@${os.hostname()}`
  }
}

/** --namespace-label, --namespace-annotation: only for the namespace CreateNamespace=true creates. */
function namespaceFlags(
  values: Values,
  options: SyncOptions,
  problems: string[]
): Pick<SyncSettings, 'namespaceMetadata'> {
  const ns = namespaceMetadata(values['namespace-label'] ?? [], values['namespace-annotation'] ?? [])
  problems.push(...ns.problems.map(p => `--namespace-label/--namespace-annotation: ${p}`))
  if (ns.metadata && options['CreateNamespace'] !== 'true')
    problems.push('--namespace-label and --namespace-annotation need --sync-options CreateNamespace=true')
  return ns.metadata ? { namespaceMetadata: ns.metadata } : {}
}

/** --retry-limit, --retry-backoff, --retry-factor, --retry-max-backoff (§4.11). */
function retryFlags(
  values: Values,
  problems: string[],
  duration: (flag: DurationFlag, fallback: number) => number
): RetryPolicy {
  const number = (flag: RetryNumber, fallback: number): number =>
    values[flag] === undefined ? fallback : Number(values[flag])
  const retry = readRetryPolicy(number, duration, name => `--${name}`)
  problems.push(...retry.problems)
  return retry.policy
}

/** The flags of the release operations (rollback, delete, atomic), validated. */
function releaseFlags(
  values: Values,
  problems: string[]
): Pick<SyncSettings, 'atomic' | 'rollbackTo' | 'keepHistory' | 'confirmDelete' | 'deleteManifests'> {
  const source = values['delete-manifests']
  if (source !== undefined && source !== 'repo' && source !== 'inventory')
    problems.push(`--delete-manifests must be inventory or repo, not '${source}'`)
  const to = values.to === undefined ? undefined : Number(values.to)
  if (to !== undefined && (!Number.isInteger(to) || to < 1))
    problems.push(`--to must be a revision number, not '${values.to}'`)
  return {
    atomic: values.atomic ?? false,
    ...(to !== undefined ? { rollbackTo: to } : {}),
    keepHistory: values['keep-history'] ?? false,
    confirmDelete: values['confirm-delete'] ?? false,
    deleteManifests: source === 'repo' ? 'repo' : 'inventory'
  }
}
