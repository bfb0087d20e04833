import { expect, test } from '@jest/globals'
import { PLAN_USAGE } from '../../../src/cli/plan-command.js'
import type { PlanJson } from '../../../src/plan/render.js'
import { cli } from '../../support/cli-io.js'
import { repoText } from '../../support/fixtures.js'

function json(out: string): PlanJson {
  return JSON.parse(out) as PlanJson
}

const TASK_FIELDS = [
  'phase',
  'wave',
  'type',
  'hook',
  'group',
  'version',
  'kind',
  'namespace',
  'name',
  'generateName',
  'hookFamily',
  'hookTypes',
  'trigger',
  'deletePolicies',
  'syncOptions',
  'removal',
  'pulledUpFor',
  'source'
]

// wavesync plan --format json (docs/plan-format.md)

test('examples/todo: exit 0, tasks in execution order', async () => {
  const run = await cli(['plan', '--manifests', 'examples/todo', '--format', 'json'])
  expect(run.err).toBe('')
  expect(run.code).toBe(0)
  const plan = json(run.out)
  expect([plan.app, plan.operation, plan.mode, plan.namespace, plan.revision]).toEqual([
    'todo',
    'sync',
    'install',
    'todo',
    'local'
  ])
  expect(
    plan.tasks.map(t => `${t.phase} ${t.wave} ${t.type} ${t.group}/${t.kind} ${t.namespace}/${t.name}`)
  ).toEqual([
    'Sync 0 resource /Namespace /todo',
    'Sync 0 resource /Service todo/postgresql',
    'Sync 0 resource apps/Deployment todo/postgresql',
    'Sync 1 resource batch/Job todo/todo-table',
    'Sync 2 resource /Service todo/todo-gitops',
    'Sync 2 resource apps/Deployment todo/todo-gitops',
    'PostSync 0 hook batch/Job todo/todo-insert'
  ])
  expect([plan.skipped, plan.errors, plan.warnings]).toEqual([[], [], []])
  expect(run.out.endsWith('}\n')).toBe(true)
})

test('the task contract: every field, in order, for a resource and a hook', async () => {
  const plan = json((await cli(['plan', '--manifests', 'examples/todo', '--format', 'json'])).out)
  for (const task of plan.tasks) expect(Object.keys(task)).toEqual(TASK_FIELDS)
  expect(plan.tasks[3]).toEqual({
    phase: 'Sync',
    wave: 1,
    type: 'resource',
    hook: false,
    group: 'batch',
    version: 'v1',
    kind: 'Job',
    namespace: 'todo',
    name: 'todo-table',
    generateName: null,
    hookFamily: null,
    hookTypes: [],
    trigger: null,
    deletePolicies: [],
    syncOptions: {},
    removal: null,
    pulledUpFor: null,
    source: { file: 'examples/todo/todo-table.yaml', line: 3 }
  })
  expect(plan.tasks[6]).toEqual({
    phase: 'PostSync',
    wave: 0,
    type: 'hook',
    hook: true,
    group: 'batch',
    version: 'v1',
    kind: 'Job',
    namespace: 'todo',
    name: 'todo-insert',
    generateName: null,
    hookFamily: 'argo',
    hookTypes: ['PostSync'],
    trigger: 'PostSync',
    deletePolicies: ['HookSucceeded'],
    syncOptions: {},
    removal: null,
    pulledUpFor: null,
    source: { file: 'examples/todo/todo-insert.yaml', line: 3 }
  })
})

test('generateName hooks: named from --revision and the clock; skipped hooks listed with their source', async () => {
  const run = await cli([
    'plan',
    '--manifests',
    'examples/argo-hooks',
    '--format',
    'json',
    '--revision',
    '3f9c2ab8d1e4'
  ])
  expect(run.code).toBe(0)
  const plan = json(run.out)
  expect(plan.tasks.filter(t => t.hook).map(t => [t.phase, t.name, t.generateName])).toEqual([
    ['PreSync', 'cache-warmup-3f9c2ab-presync-1732190000', 'cache-warmup-'],
    ['PreSync', 'schema-migrate-3f9c2ab-presync-1732190000', 'schema-migrate-'],
    ['PostSync', 'cache-warmup-3f9c2ab-postsync-1732190000', 'cache-warmup-'],
    ['PostSync', 'integration-test-3f9c2ab-postsync-1732190000', 'integration-test-'],
    ['PostSync', 'app-slack-notification-3f9c2ab-postsync-1732190000', 'app-slack-notification-'],
    ['SyncFail', 'app-slack-notification-fail-3f9c2ab-syncfail-1732190000', 'app-slack-notification-fail-']
  ])
  expect(plan.skipped).toEqual([
    {
      resource: 'batch/Job argo-hooks/cleanup-*',
      reason: 'PostDelete hooks do not run in a sync (install)',
      source: { file: 'examples/argo-hooks/post-delete.yaml', line: 2 }
    }
  ])
})

test.each([
  // $GITHUB_SHA is the default revision; --started-at overrides the clock.
  [
    ['--started-at', '1700000000'],
    { GITHUB_SHA: 'abcdef1234567890' },
    'schema-migrate-abcdef1-presync-1700000000'
  ],
  // --revision wins over $GITHUB_SHA.
  [
    ['--revision', 'feedbeef99'],
    { GITHUB_SHA: 'abcdef1234567890' },
    'schema-migrate-feedbee-presync-1732190000'
  ]
])('plan %j with env %j → hook %s', async (args, env, name) => {
  const run = await cli(
    ['plan', '--manifests', 'examples/argo-hooks/schema-migrate.yaml', '--format', 'json', ...args],
    env
  )
  expect(run.code).toBe(0)
  expect(json(run.out).tasks.map(t => t.name)).toEqual([name])
})

test('--operation, --app, --namespace, --sync-options and --skip-hooks reach the plan', async () => {
  const run = await cli([
    'plan',
    '--manifests',
    'examples/sync-hook-wave',
    '--format',
    'json',
    '--operation',
    'upgrade',
    '--app',
    'shop',
    '--namespace',
    'team-a',
    '--sync-options',
    'CreateNamespace=true',
    '--skip-hooks',
    'PostSync'
  ])
  expect(run.code).toBe(0)
  const plan = json(run.out)
  expect([plan.app, plan.operation, plan.mode, plan.namespace]).toEqual(['shop', 'sync', 'upgrade', 'team-a'])
  expect(plan.tasks[0]).toMatchObject({
    phase: 'PreSync',
    wave: 0,
    kind: 'Namespace',
    name: 'team-a',
    source: null
  })
  expect(plan.tasks.filter(t => t.phase === 'PostSync')).toEqual([])
  expect(plan.skipped.map(s => `${s.resource}: ${s.reason}`)).toEqual([
    'batch/Job team-a/restore-data: PostSync hook skipped (skip-hooks PostSync)',
    'batch/Job team-a/slack-info: PostSync hook skipped (skip-hooks PostSync)'
  ])
})

test('a folder with three broken files: exit 2, all three errors with file and line, no tasks', async () => {
  const run = await cli(['plan', '--manifests', 'test/fixtures/bad', '--format', 'json'])
  expect(run.code).toBe(2)
  expect(run.err).toBe('')
  const plan = json(run.out)
  expect(plan.tasks).toEqual([])
  expect(plan.errors).toEqual([
    {
      file: 'test/fixtures/bad/a-syntax.yaml',
      line: 5,
      message: 'invalid YAML: tab characters must not be used in indentation',
      resource: null
    },
    { file: 'test/fixtures/bad/b-no-kind.yaml', line: 2, message: 'missing kind', resource: null },
    {
      file: 'test/fixtures/bad/c-duplicate-key.yaml',
      line: 5,
      message: 'invalid YAML: duplicated mapping key',
      resource: null
    }
  ])
})

test('annotation errors carry the resource; warnings and notices are listed apart with their severity', async () => {
  const run = await cli(['plan', '--manifests', 'test/fixtures/cli/annotations.yaml', '--format', 'json'])
  expect(run.code).toBe(2)
  const plan = json(run.out)
  expect(plan.errors).toEqual([
    {
      file: 'test/fixtures/cli/annotations.yaml',
      line: 7,
      message:
        "unknown hook type 'presync' (values are case-sensitive: PreSync); valid: PreSync, Sync, PostSync, SyncFail, Skip, PreDelete, PostDelete",
      resource: 'batch/Job cli/migrate'
    },
    {
      file: 'test/fixtures/cli/annotations.yaml',
      line: 8,
      message:
        'annotation argocd.argoproj.io/sync-wave: \'1.5\' is not an integer (write a whole number such as "-1" or "5", within 32 bits)',
      resource: 'batch/Job cli/migrate'
    }
  ])
  expect(plan.warnings).toEqual([
    {
      file: 'test/fixtures/cli/annotations.yaml',
      line: 17,
      message: 'annotation argocd.argoproj.io/compare-options is not used by wavesync',
      resource: '/ConfigMap cli/settings',
      severity: 'notice'
    },
    {
      file: 'test/fixtures/cli/annotations.yaml',
      line: 19,
      message:
        'data.enabled: plain \'yes\' is the string "yes" here (YAML 1.2) but a boolean for kubectl (YAML 1.1); quote it or write true/false',
      resource: null,
      severity: 'warning'
    }
  ])
})

// wavesync plan (text)

test('the text plan equals the golden plan of the same example', async () => {
  const run = await cli([
    'plan',
    'examples/sync-hook-wave',
    '--namespace',
    'team-a',
    '--sync-options',
    'CreateNamespace=true',
    '--revision',
    '3f9c2ab8d1e4',
    '--started-at',
    '1732190000'
  ])
  expect(run.code).toBe(0)
  expect(run.out).toBe(repoText('test/fixtures/plans/sync-hook-wave/sync.txt'))
})

test('a folder with three broken files: exit 2 and each error on its own line', async () => {
  const run = await cli(['plan', '--manifests', 'test/fixtures/bad'])
  expect(run.code).toBe(2)
  expect(run.out).toBe(
    [
      'Plan for bad: sync (install) into namespace bad, revision local',
      '',
      '3 error(s); nothing would be applied:',
      '  test/fixtures/bad/a-syntax.yaml:5: error: invalid YAML: tab characters must not be used in indentation',
      '  test/fixtures/bad/b-no-kind.yaml:2: error: missing kind',
      '  test/fixtures/bad/c-duplicate-key.yaml:5: error: invalid YAML: duplicated mapping key',
      ''
    ].join('\n')
  )
})

test.each([
  // The app defaults to the first pattern's folder, made a DNS label.
  [['examples/todo/*.yaml'], 'Plan for todo: sync (install) into namespace todo, revision local'],
  [['examples/todo/namespace.yaml'], 'Plan for todo: sync (install) into namespace todo, revision local'],
  [
    ['test/fixtures/manifests/object.json'],
    'Plan for manifests: sync (install) into namespace manifests, revision local'
  ],
  [
    ['examples/sherpack-myapp', '--operation', 'delete'],
    'Plan for sherpack-myapp: delete into namespace sherpack-myapp, revision local'
  ],
  [
    ['examples/sherpack-myapp', '--operation', 'sync'],
    'Plan for sherpack-myapp: sync (install) into namespace sherpack-myapp, revision local'
  ],
  [
    ['examples/sherpack-myapp', '--operation', 'rollback', '--app', 'My_App'],
    'Plan for My_App: rollback into namespace My_App, revision local'
  ]
])('plan %j → header %s', async (args, header) => {
  const run = await cli(['plan', ...args])
  expect(run.code).toBe(0)
  expect(run.out.split('\n')[0]).toBe(header)
})

// wavesync plan: invalid command lines exit 2 with a clear message

test.each([
  [['--format', 'xml'], "wavesync: --format must be text or json, not 'xml'\n"],
  [
    ['--operation', 'deploy'],
    "wavesync: --operation must be one of sync, install, upgrade, rollback, delete, test, not 'deploy'\n"
  ],
  [
    ['--operation', 'Sync'],
    "wavesync: --operation must be one of sync, install, upgrade, rollback, delete, test, not 'Sync'\n"
  ],
  [
    ['--sync-options', 'Prune=False'],
    'wavesync: sync option Prune=False: value must be one of Prune=false, Prune=confirm (case-sensitive)\n'
  ],
  [
    ['--skip-hooks', 'presync'],
    "wavesync: skip-hooks: unknown entry 'presync'; valid: PreSync, Sync, PostSync, SyncFail, PreDelete, PostDelete, pre-install, post-install, pre-upgrade, post-upgrade, pre-rollback, post-rollback, pre-delete, post-delete, test, test-success, during-install, during-upgrade\n"
  ],
  [['--started-at', 'yesterday'], "wavesync: --started-at must be Unix seconds, not 'yesterday'\n"],
  [['--started-at=-5'], "wavesync: --started-at must be Unix seconds, not '-5'\n"]
])('plan --manifests examples/todo %j', async (args, err) => {
  const run = await cli(['plan', '--manifests', 'examples/todo', ...args])
  expect(run).toEqual({ code: 2, out: '', err })
})

test('plan without manifests', async () => {
  expect(await cli(['plan'])).toEqual({
    code: 2,
    out: '',
    err: 'wavesync: plan needs --manifests <path>...\n'
  })
})

test('an unknown flag: the parser’s message, then the plan usage', async () => {
  const run = await cli(['plan', '--manifests', 'examples/todo', '--frobnicate'])
  expect(run.code).toBe(2)
  expect(run.out).toBe('')
  expect(run.err.startsWith("wavesync: Unknown option '--frobnicate'.")).toBe(true)
  expect(run.err.endsWith(`\n\n${PLAN_USAGE}`)).toBe(true)
})

test('a flag without its value', async () => {
  const run = await cli(['plan', '--manifests'])
  expect(run.code).toBe(2)
  expect(run.err.startsWith("wavesync: Option '--manifests <value>' argument missing\n")).toBe(true)
})

test('manifests that do not exist: exit 2 with the error in the plan', async () => {
  const run = await cli(['plan', '--manifests', 'nope'])
  expect(run.code).toBe(2)
  expect(run.out).toContain("  nope:1: error: 'nope' does not exist\n")
})

test('test with no-hooks is an error (sync-semantics §5.8)', async () => {
  const run = await cli([
    'plan',
    '--manifests',
    'examples/sherpack-myapp',
    '--operation',
    'test',
    '--no-hooks'
  ])
  expect(run.code).toBe(2)
})

test('--help wins over everything else: the plan usage, exit 0', async () => {
  expect(await cli(['plan', '--manifests', 'nope', '--format', 'xml', '--help'])).toEqual({
    code: 0,
    out: PLAN_USAGE,
    err: ''
  })
})
