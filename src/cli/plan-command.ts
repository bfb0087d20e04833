import path from 'node:path'
import { parseArgs } from 'node:util'
import { UsageError } from '../model/errors.js'
import { compareIssues, hasErrors } from '../model/issue.js'
import type { OperationName } from '../model/vocabulary.js'
import { OPERATION_NAMES, operationKind } from '../model/vocabulary.js'
import { loadManifests } from '../manifests/load.js'
import { fileManifestSource } from '../manifests/source.js'
import { parseSyncOptions } from '../plan/annotations/sync-options.js'
import { skipHooksProblems } from '../plan/hook-filter.js'
import { buildPlan } from '../plan/plan.js'
import { planJson, planText } from '../plan/render.js'
import { offlineScope } from '../plan/scope.js'
import type { CliIo } from './io.js'
import { EXIT } from './io.js'

export const PLAN_USAGE = `Usage: wavesync plan --manifests <path>... [options]

Prints the ordered sync plan of the manifests, without a cluster.

Options:
  --manifests <path>...   files, folders (recursive) or globs; a leading ! excludes
  --operation <op>        sync | install | upgrade | rollback | delete | test (default sync,
                          planned as install: offline there is no release history)
  --format text|json      default text
  --app <name>            application name (default: the first manifest folder's name)
  --namespace <ns>        destination namespace (default: the application name)
  --revision <sha>        source revision for generated hook names (default $GITHUB_SHA, else "local")
  --started-at <seconds>  attempt start, Unix seconds, for generated hook names (default now)
  --sync-options <list>   application sync options, e.g. CreateNamespace=true,PruneLast=true
  --skip-hooks <list>     Argo phases or Helm events whose hooks to leave out
  --no-hooks              leave out every hook
`

const OPTIONS = {
  manifests: { type: 'string', multiple: true },
  operation: { type: 'string', default: 'sync' },
  format: { type: 'string', default: 'text' },
  app: { type: 'string' },
  namespace: { type: 'string' },
  revision: { type: 'string' },
  'started-at': { type: 'string' },
  'sync-options': { type: 'string' },
  'skip-hooks': { type: 'string' },
  'no-hooks': { type: 'boolean', default: false },
  help: { type: 'boolean', default: false }
} as const

/** `wavesync plan`: loads, validates and plans; exit 0 for a valid plan, 2 for invalid input. */
export async function runPlan(args: readonly string[], io: CliIo, now: () => number): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...args],
    options: OPTIONS,
    allowPositionals: true,
    strict: true
  })
  if (values.help) {
    io.out(PLAN_USAGE)
    return EXIT.ok
  }
  const patterns = [...(values.manifests ?? []), ...positionals]
  if (patterns.length === 0) throw new UsageError('plan needs --manifests <path>...')
  const settings = planSettings(values, patterns, io, now)
  const loaded = await loadManifests(fileManifestSource(io.cwd), patterns)
  const plan = buildPlan({ ...settings, manifests: loaded.manifests, scope: offlineScope(loaded.manifests) })
  plan.issues = [...loaded.issues, ...plan.issues].sort(compareIssues)
  const invalid = hasErrors(plan.issues)
  io.out(values.format === 'json' ? JSON.stringify(planJson(plan), null, 2) + '\n' : planText(plan))
  return invalid ? EXIT.invalid : EXIT.ok
}

type Values = ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>['values']

function planSettings(values: Values, patterns: readonly string[], io: CliIo, now: () => number) {
  if (values.format !== 'text' && values.format !== 'json')
    throw new UsageError(`--format must be text or json, not '${values.format}'`)
  const operation = values.operation ?? 'sync'
  if (!(OPERATION_NAMES as readonly string[]).includes(operation)) {
    throw new UsageError(`--operation must be one of ${OPERATION_NAMES.join(', ')}, not '${operation}'`)
  }
  const app = values.app ?? defaultApp(patterns[0] ?? 'app')
  const appOptions = values['sync-options']
    ? parseSyncOptions(values['sync-options'], 'app')
    : { options: {}, problems: [] }
  const skip =
    values['skip-hooks']
      ?.split(',')
      .map(s => s.trim())
      .filter(s => s !== '') ?? []
  const problems = [...appOptions.problems, ...skipHooksProblems(skip)]
  if (operation === 'test' && values['no-hooks'])
    problems.push('--no-hooks cannot be used with --operation test: a test runs hooks only')
  if (problems.length > 0) throw new UsageError(problems.join('\n'))
  const startedAt =
    values['started-at'] === undefined ? Math.floor(now() / 1000) : Number(values['started-at'])
  if (!Number.isSafeInteger(startedAt) || startedAt < 0)
    throw new UsageError(`--started-at must be Unix seconds, not '${values['started-at']}'`)
  return {
    app,
    namespace: values.namespace ?? app,
    operation: operationKind(operation as OperationName, false),
    revision: values.revision ?? io.env['GITHUB_SHA'] ?? 'local',
    startedAt,
    appOptions: appOptions.options,
    hooks: { none: values['no-hooks'] ?? false, skip }
  }
}

/** `examples/todo` → `todo`; `k8s/*.yaml` → `k8s`: a DNS-1123 label from the first path. */
function defaultApp(pattern: string): string {
  const clean = pattern.replace(/^!/, '').split(/[*?{[]/)[0] ?? ''
  const base = path.basename(/\.(ya?ml|json)$/i.test(clean) ? path.dirname(clean) : clean) || 'app'
  return (
    base
      .toLowerCase()
      .replace(/[^a-z0-9-]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 53) || 'app'
  )
}
