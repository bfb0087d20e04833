// Issue 6 acceptance on the real control plane: the release lifecycle (install, upgrade, test,
// rollback, delete, atomic, skip-hooks, a crashed operation), run through the shipped bundle and
// checked in its JSON report, in `wavesync status` and in the cluster through client-node.
import { spawnSync } from 'node:child_process'
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, jest, test } from '@jest/globals'
import type { V1Job } from '@kubernetes/client-node'
import { ApiextensionsV1Api, AppsV1Api, CoordinationV1Api } from '@kubernetes/client-node'
import type { Report, TaskReport } from '../../src/report/model.js'
import type { CliRun } from './support/cli.js'
import { runWavesync } from './support/cli.js'
import { KUBECONFIG, ROOT } from './support/cluster.js'
import { exists, freshNamespace, kubeClients } from './support/kube.js'

jest.setTimeout(240_000)
const { core, batch, config } = kubeClients()
const apps = config.makeApiClient(AppsV1Api)
const leases = config.makeApiClient(CoordinationV1Api)
const crds = config.makeApiClient(ApiextensionsV1Api)

const FIXTURES = 'test/fixtures/e2e/releases'
const FINALIZER = 'wavesync.dev/hook-finalizer'
/** One application per scenario; the application name is also its namespace. */
const APP = {
  life: 'e2e-rel-life',
  failhook: 'e2e-rel-failhook',
  skip: 'e2e-rel-skip',
  rollback: 'e2e-rel-rollback',
  atomic: 'e2e-rel-atomic',
  atomicInstall: 'e2e-rel-atomic-in',
  del: 'e2e-rel-delete',
  keep: 'e2e-rel-keep',
  hist: 'e2e-rel-hist',
  crash: 'e2e-rel-crash'
} as const

const fixture = (name: string): string => `${FIXTURES}/${name}`

/** `wavesync sync` of an application into its own namespace, created on demand. */
function sync(manifests: string, app: string, ...extra: string[]): Promise<CliRun> {
  return runWavesync([
    'sync',
    '--manifests',
    manifests,
    '--app',
    app,
    '--sync-options',
    'CreateNamespace=true',
    ...extra
  ])
}

/** `wavesync rollback|delete|test`: no manifests, they come from the history. */
function release(command: 'rollback' | 'delete' | 'test', app: string, ...extra: string[]): Promise<CliRun> {
  return runWavesync([command, '--app', app, ...extra])
}

/** `wavesync status --app <app>` (it takes no --report, so it is run here directly). */
function status(app: string): string {
  const run = spawnSync(process.execPath, [path.join(ROOT, 'dist/cli.js'), 'status', '--app', app], {
    cwd: ROOT,
    env: { ...process.env, KUBECONFIG },
    encoding: 'utf8'
  })
  if (run.status !== 0) throw new Error(`wavesync status exited ${String(run.status)}: ${run.stderr}`)
  return run.stdout
}

/** The history table of `status`, as "<revision> <status> <operation>" rows, newest first. */
function historyRows(text: string): string[] {
  return text
    .split('\n')
    .map(line => /^(\d+)\s+(\S+)\s+(sync \((?:install|upgrade)\)|rollback|delete)(?:\s|$)/.exec(line))
    .flatMap(m => (m ? [`${m[1] ?? ''} ${m[2] ?? ''} ${m[3] ?? ''}`] : []))
}

/** The hook lines of `status` ("Hooks of revision N:" then one indented line per hook). */
function hookLines(text: string): string[] {
  const lines = text.split('\n')
  const start = lines.findIndex(line => line.startsWith('Hooks of revision '))
  if (start < 0) throw new Error(`no hooks section in:\n${text}`)
  return lines
    .slice(start + 1)
    .filter(line => line.startsWith('  '))
    .map(line => line.trim())
}

/** The inventory records in the cluster as "<revision> <status> <operation>", oldest first. */
async function records(namespace: string, app: string): Promise<string[]> {
  const secrets = await core.listNamespacedSecret({
    namespace,
    labelSelector: `wavesync.dev/application=${app}`
  })
  return secrets.items
    .map(s => s.metadata?.labels ?? {})
    .map(
      l =>
        `${l['wavesync.dev/revision'] ?? '?'} ${l['wavesync.dev/status'] ?? '?'} ${l['wavesync.dev/operation'] ?? '?'}`
    )
    .sort((a, b) => parseInt(a, 10) - parseInt(b, 10))
}

function reportOf(run: CliRun): Report {
  if (!run.report) throw new Error(`no report (exit ${String(run.code)}):\n${run.stderr}\n${run.stdout}`)
  return run.report
}

function task(report: Report, name: string, kind?: string): TaskReport {
  const found = report.tasks.find(t => t.name === name && (kind === undefined || t.kind === kind))
  if (!found)
    throw new Error(`no task ${kind ?? ''} ${name} among ${report.tasks.map(t => t.name).join(', ')}`)
  return found
}

/** Every hook task as "<phase> <wave> <name> <hookPhase> <family> <state>", in report (execution) order. */
function hookRuns(report: Report): string[] {
  return report.tasks
    .filter(t => t.hook)
    .map(t => `${t.phase} ${t.wave} ${t.name} ${t.hookPhase ?? '-'} ${t.hookFamily ?? '-'} ${t.state}`)
}

function skippedLines(report: Report): string[] {
  return report.skipped.map(s => `${s.resource}: ${s.reason}`)
}

function at(iso: string | null): number {
  if (iso === null) throw new Error('a task that should have run has no timestamp')
  return Date.parse(iso)
}

/** `first` finished (was observed complete or gone) before `then` started. */
function expectBefore(first: TaskReport, then: TaskReport): void {
  const order = `${first.kind}/${first.name} finished before ${then.kind}/${then.name} started`
  expect({
    order,
    finished: first.finishedAt,
    started: then.startedAt,
    ok: at(first.finishedAt) <= at(then.startedAt)
  }).toMatchObject({ order, ok: true })
}

const readJob = (namespace: string, name: string): Promise<V1Job> =>
  batch.readNamespacedJob({ name, namespace })
const jobExists = (namespace: string, name: string): Promise<boolean> =>
  exists(() => readJob(namespace, name))
const complete = (job: V1Job): boolean =>
  job.status?.conditions?.some(c => c.type === 'Complete' && c.status === 'True') ?? false
const configMapData = async (namespace: string, name: string): Promise<Record<string, string> | undefined> =>
  (await core.readNamespacedConfigMap({ name, namespace })).data
const configMapExists = (namespace: string, name: string): Promise<boolean> =>
  exists(() => core.readNamespacedConfigMap({ name, namespace }))
const namespaceExists = (name: string): Promise<boolean> => exists(() => core.readNamespace({ name }))

async function jobsWithOurFinalizer(namespace: string): Promise<string[]> {
  const jobs = await batch.listNamespacedJob({ namespace })
  return jobs.items
    .filter(j => (j.metadata?.finalizers ?? []).includes(FINALIZER))
    .map(j => j.metadata?.name ?? '')
}

/**
 * Takes wavesync's finalizer off every Job of a namespace: one left by a killed run (see the
 * crashed-operation tests) would otherwise hold the namespace's deletion forever.
 */
async function stripOurFinalizers(namespace: string): Promise<void> {
  const jobs = await batch.listNamespacedJob({ namespace }).catch(() => undefined)
  for (const job of jobs?.items ?? []) {
    const name = job.metadata?.name ?? ''
    for (let attempt = 0; attempt < 5; attempt++) {
      const live = await readJob(namespace, name).catch(() => undefined)
      const finalizers = live?.metadata?.finalizers ?? []
      if (!live?.metadata || !finalizers.includes(FINALIZER)) break
      live.metadata.finalizers = finalizers.filter(f => f !== FINALIZER)
      const replaced = await batch.replaceNamespacedJob({ name, namespace, body: live }).then(
        () => true,
        () => false
      )
      if (replaced) break
    }
  }
}

/** Deletes a namespace of this file and waits until it is gone, so each scenario starts clean. */
async function cleanNamespace(namespace: string): Promise<void> {
  await stripOurFinalizers(namespace)
  await freshNamespace(core, namespace, 90_000)
}

let crash: Promise<CrashOutcome> | undefined

beforeAll(async () => {
  await Promise.all(Object.values(APP).map(cleanNamespace))
  // The crashed-operation scenario spends ~30 s waiting for a dead run's Lease to expire: it runs
  // alongside the other scenarios (each has its own application and namespace) and its tests, at
  // the end of this file, await it.
  crash = crashScenario()
  crash.catch(() => undefined)
}, 120_000)

afterAll(async () => {
  await crash?.catch(() => undefined)
  // Leave nothing that would block a later deletion of the crash scenario's namespace.
  await stripOurFinalizers(APP.crash)
}, 120_000)

describe('install, then upgrade: Helm and Sherpack hooks follow the release lifecycle (§9.1, §9.2)', () => {
  const app = APP.life
  let installMigrateUid: string | undefined
  let dbSchemaUid: string | undefined

  test('the install runs pre-install and post-install hooks only, and records revision 1', async () => {
    const run = await sync(fixture('lifecycle-v1'), app)
    const report = reportOf(run)
    expect(run.code).toBe(0)
    expect(report).toMatchObject({ operation: 'sync', mode: 'install', revision: 1, phase: 'Succeeded' })
    expect(hookRuns(report)).toEqual([
      'PreSync -5 install-migrate pre-install helm Succeeded',
      'PreSync 0 db-schema pre-install helm Succeeded',
      'PostSync 0 install-notify post-install sherpack Succeeded'
    ])
    expect(skippedLines(report).sort()).toEqual([
      `batch/Job ${app}/smoke: test hooks do not run in a sync (install)`,
      `batch/Job ${app}/upgrade-migrate: pre-upgrade hooks do not run in a sync (install)`,
      `batch/Job ${app}/upgrade-notify: post-upgrade hooks do not run in a sync (install)`
    ])
    // Weight -5 before weight 0; every pre-install hook before the resources; post-install after them.
    expectBefore(task(report, 'install-migrate'), task(report, 'db-schema'))
    for (const resource of [task(report, 'settings'), task(report, 'web', 'Deployment')]) {
      expectBefore(task(report, 'db-schema'), resource)
      expectBefore(resource, task(report, 'install-notify'))
    }
    for (const name of ['install-migrate', 'db-schema', 'install-notify'])
      expect({ name, complete: complete(await readJob(app, name)) }).toEqual({ name, complete: true })
    for (const name of ['upgrade-migrate', 'upgrade-notify', 'smoke'])
      expect({ name, exists: await jobExists(app, name) }).toEqual({ name, exists: false })
    expect(await configMapData(app, 'settings')).toEqual({ version: '1' })
    expect(await records(app, app)).toEqual(['1 deployed sync'])
    installMigrateUid = (await readJob(app, 'install-migrate')).metadata?.uid
    dbSchemaUid = (await readJob(app, 'db-schema')).metadata?.uid
  })

  test('test runs only the test hooks of the deployed revision, and adds no revision', async () => {
    const run = await release('test', app)
    const report = reportOf(run)
    expect(run.code).toBe(0)
    expect(report).toMatchObject({ operation: 'test', revision: 1, phase: 'Succeeded' })
    expect(report.tasks.map(t => `${t.phase} ${t.name} ${t.hookPhase ?? '-'} ${t.state}`)).toEqual([
      'Test smoke test Succeeded'
    ])
    expect(complete(await readJob(app, 'smoke'))).toBe(true)
    expect(await records(app, app)).toEqual(['1 deployed sync'])
  })

  test('the upgrade runs pre-upgrade and post-upgrade hooks only, and records revision 2', async () => {
    const run = await sync(fixture('lifecycle-v2'), app)
    const report = reportOf(run)
    expect(run.code).toBe(0)
    expect(report).toMatchObject({ operation: 'sync', mode: 'upgrade', revision: 2, phase: 'Succeeded' })
    expect(hookRuns(report)).toEqual([
      'PreSync 0 db-schema pre-upgrade helm Succeeded',
      'PreSync 0 upgrade-migrate pre-upgrade sherpack Succeeded',
      'PostSync 0 upgrade-notify post-upgrade helm Succeeded'
    ])
    expect(skippedLines(report).sort()).toEqual([
      `batch/Job ${app}/contract: test hooks do not run in a sync (upgrade)`,
      `batch/Job ${app}/install-migrate: pre-install hooks do not run in a sync (upgrade)`,
      `batch/Job ${app}/install-notify: post-install hooks do not run in a sync (upgrade)`,
      `batch/Job ${app}/smoke: test hooks do not run in a sync (upgrade)`
    ])
    for (const resource of [task(report, 'settings'), task(report, 'web', 'Deployment')]) {
      expectBefore(task(report, 'db-schema'), resource)
      expectBefore(task(report, 'upgrade-migrate'), resource)
      expectBefore(resource, task(report, 'upgrade-notify'))
    }
    // The pre-install hook did not run again (same object); the hook on both events did (re-created).
    expect((await readJob(app, 'install-migrate')).metadata?.uid).toBe(installMigrateUid)
    expect((await readJob(app, 'db-schema')).metadata?.uid).not.toBe(dbSchemaUid)
    for (const name of ['upgrade-migrate', 'upgrade-notify'])
      expect({ name, complete: complete(await readJob(app, name)) }).toEqual({ name, complete: true })
    expect(await configMapData(app, 'settings')).toEqual({ version: '2' })
    expect(await records(app, app)).toEqual(['1 superseded sync', '2 deployed sync'])
  })

  test('status: revision 2 deployed, 1 superseded, and the last operation’s hooks one per line', () => {
    const text = status(app)
    expect(historyRows(text)).toEqual(['2 deployed sync (upgrade)', '1 superseded sync (install)'])
    expect(text).toContain('Hooks of revision 2:')
    expect(hookLines(text)).toEqual([
      'pre-upgrade/db-schema: Succeeded',
      'pre-upgrade/upgrade-migrate: Succeeded',
      'post-upgrade/upgrade-notify: Succeeded'
    ])
  })

  test('a failing test hook: exit 1, its exit code and log tail in the report, the record’s hooks updated', async () => {
    const run = await release('test', app)
    const report = reportOf(run)
    expect(run.code).toBe(1)
    expect(report).toMatchObject({ operation: 'test', revision: 2, phase: 'Failed' })
    expect(report.tasks.map(t => `${t.phase} ${t.name} ${t.hookPhase ?? '-'} ${t.state}`)).toEqual([
      'Test contract test Failed',
      'Test smoke test Succeeded'
    ])
    const contract = task(report, 'contract')
    expect(contract.exitCode).toBe(1)
    expect(contract.logTail).toEqual(['contract check: GET /api/orders', 'expected 200, got 503'])
    expect(run.stdout).toContain('expected 200, got 503')
    // No new revision; revision 2's hooks now include the test results.
    expect(await records(app, app)).toEqual(['1 superseded sync', '2 deployed sync'])
    const text = status(app)
    expect(historyRows(text)).toEqual(['2 deployed sync (upgrade)', '1 superseded sync (install)'])
    expect(hookLines(text).sort()).toEqual(
      [
        'pre-upgrade/db-schema: Succeeded',
        'pre-upgrade/upgrade-migrate: Succeeded',
        'post-upgrade/upgrade-notify: Succeeded',
        'test/contract: Failed (exit code 1)',
        'test/smoke: Succeeded'
      ].sort()
    )
  })
})

describe('a failing post-install hook (§9.6)', () => {
  const app = APP.failhook

  test('fails the install: revision 1 failed, status shows post-install/notify: Failed (exit code 1)', async () => {
    const run = await sync(fixture('failing-post-install'), app)
    const report = reportOf(run)
    expect(run.code).toBe(1)
    expect(report).toMatchObject({ operation: 'sync', mode: 'install', revision: 1, phase: 'Failed' })
    expect(hookRuns(report)).toEqual([
      'PreSync 0 prepare pre-install helm Succeeded',
      'PostSync 0 notify post-install helm Failed'
    ])
    const notify = task(report, 'notify')
    expect(notify.exitCode).toBe(1)
    expect(notify.logTail).toContain('webhook returned 500')
    expect(await records(app, app)).toEqual(['1 failed sync'])
    const text = status(app)
    expect(historyRows(text)).toEqual(['1 failed sync (install)'])
    expect(hookLines(text)).toEqual([
      'pre-install/prepare: Succeeded',
      'post-install/notify: Failed (exit code 1)'
    ])
  })

  test('with only a failed revision, the next sync is an install again: pre-install hooks re-run (§9.1)', async () => {
    const run = await sync(fixture('failing-post-install'), app, '--skip-hooks', 'post-install')
    const report = reportOf(run)
    expect(run.code).toBe(0)
    expect(report).toMatchObject({ operation: 'sync', mode: 'install', revision: 2, phase: 'Succeeded' })
    expect(hookRuns(report)).toEqual(['PreSync 0 prepare pre-install helm Succeeded'])
    expect(skippedLines(report)).toEqual([
      `batch/Job ${app}/notify: post-install hook skipped (skip-hooks post-install)`
    ])
    expect(historyRows(status(app))).toEqual(['2 deployed sync (install)', '1 failed sync (install)'])
  })
})

describe('no-hooks and skip-hooks (§5.8, §9.7)', () => {
  const app = APP.skip

  test('--no-hooks runs no hook at all, and reports every one skipped', async () => {
    const run = await sync(fixture('skip-hooks'), app, '--no-hooks')
    const report = reportOf(run)
    expect(run.code).toBe(0)
    expect(report).toMatchObject({ mode: 'install', revision: 1, phase: 'Succeeded' })
    expect(report.tasks.filter(t => t.hook)).toEqual([])
    expect(skippedLines(report).sort()).toEqual([
      `batch/Job ${app}/argo-postsync: PostSync hook skipped (no-hooks)`,
      `batch/Job ${app}/argo-presync: PreSync hook skipped (no-hooks)`,
      `batch/Job ${app}/helm-post-install: post-install hook skipped (no-hooks)`,
      `batch/Job ${app}/helm-post-upgrade: post-upgrade hooks do not run in a sync (install)`,
      `batch/Job ${app}/helm-pre-upgrade: pre-upgrade hooks do not run in a sync (install)`,
      `batch/Job ${app}/sherpack-pre-install: pre-install hook skipped (no-hooks)`
    ])
    expect((await batch.listNamespacedJob({ namespace: app })).items).toEqual([])
    expect(await configMapData(app, 'settings')).toEqual({ version: '1' })
  })

  test('--skip-hooks pre-upgrade,PostSync leaves out exactly those (by family), the rest runs', async () => {
    const run = await sync(fixture('skip-hooks'), app, '--skip-hooks', 'pre-upgrade,PostSync')
    const report = reportOf(run)
    expect(run.code).toBe(0)
    expect(report).toMatchObject({ mode: 'upgrade', revision: 2, phase: 'Succeeded' })
    // PostSync names Argo PostSync hooks only: the Helm post-upgrade hook (also PostSync) still runs.
    expect(hookRuns(report)).toEqual([
      'PreSync 0 argo-presync PreSync argo Succeeded',
      'PostSync 0 helm-post-upgrade post-upgrade helm Succeeded'
    ])
    expect(skippedLines(report).sort()).toEqual([
      `batch/Job ${app}/argo-postsync: PostSync hook skipped (skip-hooks PostSync)`,
      `batch/Job ${app}/helm-post-install: post-install hooks do not run in a sync (upgrade)`,
      `batch/Job ${app}/helm-pre-upgrade: pre-upgrade hook skipped (skip-hooks pre-upgrade)`,
      `batch/Job ${app}/sherpack-pre-install: pre-install hooks do not run in a sync (upgrade)`
    ])
    const jobs = (await batch.listNamespacedJob({ namespace: app })).items.map(j => j.metadata?.name).sort()
    expect(jobs).toEqual(['argo-presync', 'helm-post-upgrade'])
    expect(hookLines(status(app))).toEqual([
      'PreSync/argo-presync: Succeeded',
      'post-upgrade/helm-post-upgrade: Succeeded'
    ])
  })
})

describe('rollback re-applies an earlier revision from the history (§9.9)', () => {
  const app = APP.rollback
  // The working tree: one folder whose content changes between operations, as a checkout would.
  // wavesync reads manifests only inside its workspace (the repository), so it lives in the
  // fixtures folder for the duration of this describe block, under a relative path.
  let absolute = ''
  let tree = ''
  beforeAll(() => {
    absolute = mkdtempSync(path.join(ROOT, FIXTURES, 'worktree-'))
    tree = path.relative(ROOT, absolute)
  })
  const checkout = (name: string) =>
    copyFileSync(path.join(ROOT, fixture(name), 'app.yaml'), path.join(absolute, 'app.yaml'))
  afterAll(() => rmSync(absolute, { recursive: true, force: true }))

  test('v1, v2, then rollback (previous deployed): v1’s objects and rollback hooks as revision 3', async () => {
    checkout('rollback-v1')
    expect((await sync(tree, app)).code).toBe(0)
    checkout('rollback-v2')
    const v2 = await sync(tree, app)
    expect(v2.code).toBe(0)
    expect(await configMapData(app, 'settings')).toEqual({ color: 'green' })
    expect(await configMapExists(app, 'extra')).toBe(true)
    // The working tree now holds something else entirely: a rollback must not read it.
    checkout('rollback-decoy')
    const run = await release('rollback', app, '--manifests', tree)
    const report = reportOf(run)
    expect(run.code).toBe(0)
    expect(report).toMatchObject({ operation: 'rollback', revision: 3, phase: 'Succeeded' })
    expect(hookRuns(report)).toEqual([
      'PreSync 0 argo-presync-v1 PreSync argo Succeeded',
      'PreSync 0 pre-rollback-v1 pre-rollback helm Succeeded',
      'PostSync 0 post-rollback-v1 post-rollback sherpack Succeeded'
    ])
    expect(skippedLines(report).sort()).toEqual([
      `batch/Job ${app}/pre-install-v1: pre-install hooks do not run in a rollback`,
      `batch/Job ${app}/pre-upgrade-v1: pre-upgrade hooks do not run in a rollback`
    ])
    const settings = task(report, 'settings')
    expect(settings.source?.file).toBe('(revision 1)')
    expectBefore(task(report, 'pre-rollback-v1'), settings)
    expectBefore(settings, task(report, 'post-rollback-v1'))
    // Prune is off: v2's extra object is reported, not deleted.
    expect(task(report, 'extra')).toMatchObject({ type: 'prune', result: 'PruneSkipped' })
    expect(await configMapData(app, 'settings')).toEqual({ color: 'blue' })
    expect(await configMapExists(app, 'extra')).toBe(true)
    expect(await configMapExists(app, 'decoy')).toBe(false)
    expect(await jobExists(app, 'pre-rollback-v2')).toBe(false)
    expect(complete(await readJob(app, 'post-rollback-v1'))).toBe(true)
    expect(await records(app, app)).toEqual(['1 superseded sync', '2 superseded sync', '3 deployed rollback'])
    const text = status(app)
    expect(historyRows(text)).toEqual([
      '3 deployed rollback',
      '2 superseded sync (upgrade)',
      '1 superseded sync (install)'
    ])
    expect(hookLines(text)).toEqual([
      'PreSync/argo-presync-v1: Succeeded',
      'pre-rollback/pre-rollback-v1: Succeeded',
      'post-rollback/post-rollback-v1: Succeeded'
    ])
  })

  test('rollback --to 2, then --to 1 --prune with no working tree at all', async () => {
    rmSync(absolute, { recursive: true, force: true })
    const toTwo = await release('rollback', app, '--to', '2', '--manifests', tree)
    const two = reportOf(toTwo)
    expect(toTwo.code).toBe(0)
    expect(two).toMatchObject({ operation: 'rollback', revision: 4, phase: 'Succeeded' })
    // The hooks come from the target revision's manifests.
    expect(hookRuns(two).map(line => line.split(' ')[2])).toEqual([
      'argo-presync-v2',
      'pre-rollback-v2',
      'post-rollback-v2'
    ])
    expect(await configMapData(app, 'settings')).toEqual({ color: 'green' })

    const toOne = await release('rollback', app, '--to', '1', '--prune', '--manifests', tree)
    const one = reportOf(toOne)
    expect(toOne.code).toBe(0)
    expect(one).toMatchObject({ operation: 'rollback', revision: 5, phase: 'Succeeded' })
    expect(task(one, 'extra')).toMatchObject({ type: 'prune', result: 'Pruned', state: 'Succeeded' })
    expect(await configMapData(app, 'settings')).toEqual({ color: 'blue' })
    expect(await configMapExists(app, 'extra')).toBe(false)
    expect(historyRows(status(app))).toEqual([
      '5 deployed rollback',
      '4 superseded rollback',
      '3 superseded rollback',
      '2 superseded sync (upgrade)',
      '1 superseded sync (install)'
    ])
  })
})

describe('atomic (§9.8)', () => {
  const app = APP.atomic
  const messages: string[] = []

  test('a failed upgrade (Deployment never ready) rolls back to the last deployed revision', async () => {
    expect((await sync(fixture('atomic-v1'), app)).code).toBe(0)
    const run = await sync(fixture('atomic-v2'), app, '--atomic')
    const report = reportOf(run)
    messages.push(report.message)
    expect(run.code).toBe(1)
    expect(report).toMatchObject({ operation: 'sync', mode: 'upgrade', revision: 2, phase: 'Failed' })
    expect(task(report, 'web', 'Deployment')).toMatchObject({ state: 'Failed' })
    // v1's objects again: the ConfigMap's content, the Deployment's template, healthy.
    expect(await configMapData(app, 'settings')).toEqual({ version: '1' })
    const web = await apps.readNamespacedDeployment({ name: 'web', namespace: app })
    expect(web.spec?.template.metadata?.annotations?.['sim.wavesync.dev/never-ready']).toBeUndefined()
    expect(web.status?.observedGeneration).toBe(web.metadata?.generation)
    expect(web.status?.availableReplicas).toBe(1)
    expect(web.status?.updatedReplicas).toBe(1)
    // The rollback ran revision 1's rollback hook, not the failed revision's.
    expect(complete(await readJob(app, 'rollback-notify-v1'))).toBe(true)
    expect(await jobExists(app, 'rollback-notify-v2')).toBe(false)
    expect(await records(app, app)).toEqual(['1 superseded sync', '2 failed sync', '3 deployed rollback'])
    // The failure names the per-object limit (wavesync.dev/timeout: 4s, §4.8).
    expect(task(report, 'web', 'Deployment').message).toMatch(/^timed out after 4s waiting for /)
  })

  test('a failed pre-upgrade hook (exit code 1) rolls back to the newest deployed revision', async () => {
    const run = await sync(fixture('atomic-v3'), app, '--atomic')
    const report = reportOf(run)
    messages.push(report.message)
    expect(run.code).toBe(1)
    expect(report).toMatchObject({ operation: 'sync', mode: 'upgrade', revision: 4, phase: 'Failed' })
    const migrate = task(report, 'migrate-v3')
    expect(migrate).toMatchObject({ hookPhase: 'pre-upgrade', state: 'Failed', exitCode: 1 })
    expect(migrate.logTail).toContain('migration 0042 failed')
    expect(task(report, 'settings').state).toBe('pending')
    expect(await configMapData(app, 'settings')).toEqual({ version: '1' })
    expect(await records(app, app)).toEqual([
      '1 superseded sync',
      '2 failed sync',
      '3 superseded rollback',
      '4 failed sync',
      '5 deployed rollback'
    ])
  })

  test('the failed run says "sync failed; rolled back to revision M", M the revision rolled back to', () => {
    expect(messages).toHaveLength(2)
    expect(messages[0]).toMatch(/^sync failed; rolled back to revision 1\n/)
    expect(messages[1]).toMatch(/^sync failed; rolled back to revision 3\n/)
  })

  test('a failed install is uninstalled: exit 1, "sync failed; uninstalled", its namespace gone', async () => {
    const installApp = APP.atomicInstall
    const run = await sync(fixture('failing-post-install'), installApp, '--atomic')
    const report = reportOf(run)
    expect(run.code).toBe(1)
    expect(report).toMatchObject({ operation: 'sync', mode: 'install', revision: 1, phase: 'Failed' })
    expect(report.message).toMatch(/^sync failed; uninstalled\n/)
    expect(task(report, 'notify')).toMatchObject({ state: 'Failed', exitCode: 1 })
    expect(await namespaceExists(installApp)).toBe(false)
  })
})

describe('delete: PreDelete, reverse order, PostDelete, namespace last (§10)', () => {
  test('every phase in order; the CRD kept; the CreateNamespace namespace deleted last and gone', async () => {
    const app = APP.del
    expect((await sync(fixture('delete-app'), app)).code).toBe(0)
    const run = await release('delete', app)
    const report = reportOf(run)
    expect(run.code).toBe(0)
    expect(report).toMatchObject({ operation: 'delete', phase: 'Succeeded' })
    expect(
      report.tasks.map(t => `${t.phase} ${t.wave} ${t.kind}/${t.name} ${t.result ?? '-'} ${t.state}`)
    ).toEqual([
      'PreDelete 0 Job/argo-predelete Synced Succeeded',
      'PreDelete 0 Job/helm-predelete Synced Succeeded',
      'Delete 3 ConfigMap/late Deleted Succeeded',
      'Delete 0 Deployment/web Deleted Succeeded',
      'Delete 0 Service/web Deleted Succeeded',
      'Delete 0 CustomResourceDefinition/previewgadgets.e2e-rel.wavesync.dev DeleteSkipped Succeeded',
      'Delete 0 ConfigMap/config Deleted Succeeded',
      'Delete -1 ConfigMap/early Deleted Succeeded',
      'PostDelete 0 Job/argo-postdelete Synced Succeeded',
      'PostDelete 0 Job/helm-postdelete Synced Succeeded',
      `NamespaceCleanup 0 Namespace/${app} Deleted Succeeded`
    ])
    expect(hookRuns(report).map(line => line.split(' ').slice(2, 5).join(' '))).toEqual([
      'argo-predelete PreDelete argo',
      'helm-predelete pre-delete helm',
      'argo-postdelete PostDelete argo',
      'helm-postdelete post-delete helm'
    ])
    const of = (phase: string) => report.tasks.filter(t => t.phase === phase && t.result !== 'DeleteSkipped')
    const deletes = of('Delete')
    const byKey = (kind: string, name: string) => task(report, name, kind)
    // PreDelete hooks complete before the first deletion.
    for (const hook of of('PreDelete')) for (const d of deletes) expectBefore(hook, d)
    // Highest wave first, each wave gone before the next; within wave 0 reverse kind order.
    for (const d of deletes.filter(t => t.wave === 0)) {
      expectBefore(byKey('ConfigMap', 'late'), d)
      expectBefore(d, byKey('ConfigMap', 'early'))
    }
    const wave0 = ['Deployment', 'Service', 'ConfigMap'].map(kind =>
      at(deletes.find(t => t.wave === 0 && t.kind === kind)?.startedAt ?? null)
    )
    expect([...wave0].sort((a, b) => a - b)).toEqual(wave0)
    // PostDelete hooks start only once every object is gone; the namespace goes after them.
    for (const hook of of('PostDelete')) for (const d of deletes) expectBefore(d, hook)
    for (const hook of of('PostDelete')) expectBefore(hook, byKey('Namespace', app))
    expect(byKey('CustomResourceDefinition', 'previewgadgets.e2e-rel.wavesync.dev').message).toBe('CRD kept')
    // The namespace is gone when the command returns; the CRD is still there.
    expect(await namespaceExists(app)).toBe(false)
    const crd = await crds.readCustomResourceDefinition({ name: 'previewgadgets.e2e-rel.wavesync.dev' })
    expect(crd.metadata?.deletionTimestamp).toBeUndefined()
    await crds.deleteCustomResourceDefinition({ name: 'previewgadgets.e2e-rel.wavesync.dev' })
  })

  test('Delete=false keeps the object and its namespace; hook delete policies honoured; history removed', async () => {
    const app = APP.keep
    expect((await sync(fixture('delete-keep'), app)).code).toBe(0)
    const run = await release('delete', app)
    const report = reportOf(run)
    expect(run.code).toBe(0)
    expect(task(report, 'keeper')).toMatchObject({
      result: 'DeleteSkipped',
      message: 'ignored (Delete=false)'
    })
    expect(task(report, 'doomed')).toMatchObject({ result: 'Deleted', state: 'Succeeded' })
    const namespaceTask = task(report, app, 'Namespace')
    expect(namespaceTask).toMatchObject({ phase: 'NamespaceCleanup', result: 'DeleteSkipped' })
    expect(namespaceTask.message).toMatch(/^namespace kept/)
    const namespace = await core.readNamespace({ name: app })
    expect(namespace.metadata?.deletionTimestamp).toBeUndefined()
    expect(await configMapData(app, 'keeper')).toEqual({ keep: 'me' })
    expect(await configMapExists(app, 'doomed')).toBe(false)
    // Delete hooks after a successful delete: hook-succeeded/HookSucceeded go; HookFailed and the
    // default (before-hook-creation) stay; none keeps our finalizer.
    const jobs = (await batch.listNamespacedJob({ namespace: app })).items.map(j => j.metadata?.name).sort()
    expect(jobs).toEqual(['post-default', 'post-failed-policy'])
    expect(await jobsWithOurFinalizer(app)).toEqual([])
    // A successful delete removes the history.
    expect(await records(app, app)).toEqual([])
    expect(status(app)).toMatch(/no revisions/)
  })

  test('--keep-history keeps the records, the last one uninstalled', async () => {
    const app = APP.hist
    await core.createNamespace({ body: { metadata: { name: app } } })
    const install = await runWavesync(['sync', '--manifests', fixture('delete-history'), '--app', app])
    expect(install.code).toBe(0)
    const run = await release('delete', app, '--keep-history')
    const report = reportOf(run)
    expect(run.code).toBe(0)
    expect(report).toMatchObject({ operation: 'delete', revision: 2, phase: 'Succeeded' })
    expect(await configMapExists(app, 'settings')).toBe(false)
    // Not created by wavesync: the namespace stays, with the records.
    expect(report.tasks.some(t => t.kind === 'Namespace')).toBe(false)
    expect(await namespaceExists(app)).toBe(true)
    const rows = historyRows(status(app))
    expect(rows[0]).toBe('2 uninstalled delete')
    expect(rows).toHaveLength(2)
  })

  test('after a delete that kept the history, the next sync is an install again (§9.1 "or deleted")', async () => {
    const app = APP.hist
    const run = await runWavesync(['sync', '--manifests', fixture('delete-history'), '--app', app])
    const report = reportOf(run)
    expect(run.code).toBe(0)
    expect({ mode: report.mode, revision: report.revision }).toEqual({ mode: 'install', revision: 3 })
    expect(hookRuns(report)).toEqual(['PreSync 0 create-db pre-install helm Succeeded'])
  })
})

/** What the crashed-operation scenario observed, for the tests below. */
interface CrashOutcome {
  /** The killed run, and what the cluster showed right after the kill. */
  killed: CliRun
  killedAt: number
  leaseHolder: string | undefined
  leaseRenewedAt: number
  leaseSeconds: number | undefined
  recordsAfterKill: string[]
  oldHook: V1Job
  generatedHook: V1Job | undefined
  /** The next sync. */
  recovery: CliRun
  recoveryStartedAt: number
  recoveryFinishedAt: number
}

/**
 * Starts a sync whose PreSync hooks run long, SIGKILLs the CLI while they run (a crash: no
 * cleanup), records what the dead run left, then runs the next sync and records its outcome.
 */
async function crashScenario(): Promise<CrashOutcome> {
  const app = APP.crash
  let killedAt = 0
  const killed = await runWavesync(
    ['sync', '--manifests', fixture('crash-v1'), '--app', app, '--sync-options', 'CreateNamespace=true'],
    {
      onStderr: (text, kill) => {
        if (
          killedAt === 0 &&
          /job\/long-migration created/.test(text) &&
          /job\/audit-\S+ created/.test(text)
        ) {
          killedAt = Date.now()
          kill('SIGKILL')
        }
      }
    }
  )
  const lease = await leases.readNamespacedLease({ name: `wavesync.${app}`, namespace: app })
  const jobs = await batch.listNamespacedJob({ namespace: app })
  const outcome = {
    killed,
    killedAt,
    leaseHolder: lease.spec?.holderIdentity,
    leaseRenewedAt: new Date(lease.spec?.renewTime ?? 0).getTime(),
    leaseSeconds: lease.spec?.leaseDurationSeconds,
    recordsAfterKill: await records(app, app),
    oldHook: await readJob(app, 'long-migration'),
    generatedHook: jobs.items.find(j => j.metadata?.name?.startsWith('audit-'))
  }
  const recoveryStartedAt = Date.now()
  const recovery = await sync(fixture('crash-v2'), app)
  return { ...outcome, recovery, recoveryStartedAt, recoveryFinishedAt: Date.now() }
}

describe('a crashed operation is detected and recovered from (§7.2, §5.5)', () => {
  const app = APP.crash
  const outcome = async (): Promise<CrashOutcome> => {
    if (!crash) throw new Error('the crash scenario did not start')
    return crash
  }

  test('the killed run left revision 1 pending, its Lease held and our finalizer on its running hooks', async () => {
    const o = await outcome()
    expect(o.killedAt).toBeGreaterThan(0)
    expect(o.killed.code).toBeNull()
    expect(o.recordsAfterKill).toEqual(['1 pending-install sync'])
    expect(o.leaseHolder).toBeTruthy()
    expect(o.leaseSeconds).toBe(30)
    expect(o.oldHook.metadata?.finalizers).toContain(FINALIZER)
    expect(o.generatedHook?.metadata?.finalizers).toContain(FINALIZER)
  })

  test('the next sync takes the Lease over once it expired (30 s after its last renewal), not before', async () => {
    const o = await outcome()
    const report = reportOf(o.recovery)
    const expiry = o.leaseRenewedAt + 30_000
    const firstWrite = at(report.steps[0]?.firstWriteAt ?? null)
    // It started while the dead run's Lease was still valid, and waited for it.
    expect(o.recoveryStartedAt).toBeLessThan(expiry)
    expect(firstWrite).toBeGreaterThanOrEqual(expiry)
    expect(firstWrite - expiry).toBeLessThanOrEqual(5_000)
    // Measured: from the kill to the first write of the next run.
    expect(firstWrite - o.killedAt).toBeLessThanOrEqual(35_000)
  })

  test('it reports the abandoned revision, marks it failed, and succeeds as revision 2', async () => {
    const o = await outcome()
    const report = reportOf(o.recovery)
    expect(o.recovery.code).toBe(0)
    expect(report).toMatchObject({ operation: 'sync', mode: 'install', revision: 2, phase: 'Succeeded' })
    expect(report.warnings).toContainEqual(
      expect.stringMatching(/^revision 1 was left pending-install .*marked failed/)
    )
    expect(await records(app, app)).toEqual(['1 failed sync', '2 deployed sync'])
    const text = status(app)
    expect(historyRows(text)).toEqual(['2 deployed sync (install)', '1 failed sync (install)'])
    expect(text).toMatch(/^1\s+failed\s+.*abandoned/m)
    expect(await configMapData(app, 'settings')).toEqual({ version: '2' })
    // The lock is released at the end.
    expect(await exists(() => leases.readNamespacedLease({ name: `wavesync.${app}`, namespace: app }))).toBe(
      false
    )
  })

  test('the old named hook lost our finalizer and was replaced by the new run’s', async () => {
    const o = await outcome()
    const now = await readJob(app, 'long-migration')
    expect(now.metadata?.uid).not.toBe(o.oldHook.metadata?.uid)
    expect(complete(now)).toBe(true)
    expect(now.metadata?.finalizers ?? []).not.toContain(FINALIZER)
  })

  test('no hook the killed run created keeps our finalizer once the next run is done (§5.5.2–3)', async () => {
    const o = await outcome()
    const name = o.generatedHook?.metadata?.name ?? ''
    const audit = await readJob(app, name)
    // The killed run's generated hook completed while nobody watched it; it is not re-run (new name).
    expect(complete(audit)).toBe(true)
    expect(await jobsWithOurFinalizer(app)).toEqual([])
  })
})
