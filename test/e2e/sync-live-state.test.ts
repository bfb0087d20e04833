// Desired objects judged against the real cluster once the dry run passed (sync-semantics §2.5
// ApplyOutOfSyncOnly and FailOnSharedResource, §7.1 adoption, §8.4): the shipped CLI bundle, run
// through test/support/fault-proxy.ts (without faults) so every request it sends can be counted.
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, jest, test } from '@jest/globals'
import type { Report } from '../../src/report/model.js'
import { FaultProxy } from '../support/fault-proxy.js'
import type { CliRun } from './support/cli.js'
import { runWavesync } from './support/cli.js'
import { KUBECONFIG, ROOT } from './support/cluster.js'
import { exists, freshNamespace, kubeClients } from './support/kube.js'

jest.setTimeout(240_000)
const { core } = kubeClients()
const TRACKING = 'wavesync.dev/tracking-id'
const scratch = mkdtempSync(path.join(os.tmpdir(), 'wavesync-live-'))
// wavesync reads manifests only inside its workspace (the repository): they are written to a
// temporary folder under the e2e fixtures for the duration of this file, passed by relative path.
const work = mkdtempSync(path.join(ROOT, 'test/fixtures/e2e', 'live-state-'))
const relative = (dir: string): string => path.relative(ROOT, dir)
let proxy: FaultProxy
let kubeconfig: string

beforeAll(async () => {
  proxy = await FaultProxy.start(KUBECONFIG)
  kubeconfig = proxy.writeKubeconfig(KUBECONFIG, path.join(scratch, 'proxy.kubeconfig'))
})
afterAll(async () => {
  await proxy.close()
  rmSync(scratch, { recursive: true, force: true })
  rmSync(work, { recursive: true, force: true })
})

async function sync(dir: string, app: string, options: string, extra: string[] = []): Promise<CliRun> {
  const args = [
    'sync',
    '--manifests',
    relative(dir),
    '--app',
    app,
    '--namespace',
    app,
    '--kubeconfig',
    kubeconfig
  ]
  return runWavesync([...args, '--sync-options', options, '--object-timeout', '2m', ...extra])
}

function reportOf(run: CliRun): Report {
  if (!run.report) throw new Error(`no report; exit ${run.code}\n${run.stderr.slice(-2000)}`)
  return run.report
}

/** The real (not dry-run) server-side applies of the application's own objects after request `from`. */
function appliesSince(from: number, namespace: string): string[] {
  return proxy.requests
    .filter(r => r.seq > from && r.method === 'PATCH' && !r.dryRun && r.query.get('force') === 'true')
    .filter(r => r.resource !== 'secrets' && r.resource !== 'leases' && r.resource !== 'jobs')
    .filter(r => r.namespace === namespace || r.resource === 'namespaces')
    .map(r => `${r.resource}/${r.name}`)
    .sort()
}

const lastSeq = (): number => proxy.requests[proxy.requests.length - 1]?.seq ?? 0

describe('seed 001 with ApplyOutOfSyncOnly=true, as its Application sets it', () => {
  const app = 'e2e-oos'
  const dir = path.join(work, 'seed-001')
  const options = 'CreateNamespace=true,ApplyOutOfSyncOnly=true'
  /** The seed's manifests in this test's namespace; `frontendImage` changes one Deployment. */
  function writeManifests(frontendImage?: string): void {
    mkdirSync(dir, { recursive: true })
    const source = path.join(ROOT, 'examples/sync-hook-wave')
    for (const file of readdirSync(source)) {
      let text = readFileSync(path.join(source, file), 'utf8').replaceAll(
        'namespace: team-a',
        `namespace: ${app}`
      )
      if (frontendImage) text = text.replace(/(image: \S*frontend):\S+/, `$1:${frontendImage}`)
      writeFileSync(path.join(dir, file), text)
    }
  }
  let first: Report

  beforeAll(async () => {
    await freshNamespace(core, app)
    writeManifests()
    const from = lastSeq()
    first = reportOf(await sync(dir, app, options))
    expect(first.phase).toBe('Succeeded')
    // Nothing existed: every resource was written.
    expect(appliesSince(from, app)).toEqual([
      'deployments/backend',
      'deployments/frontend',
      'deployments/postgresql',
      'deployments/webhook',
      `namespaces/${app}`,
      'services/backend',
      'services/frontend',
      'services/postgresql',
      'services/webhook'
    ])
  })

  test('a second sync sends no apply for unchanged resources; they are reported unchanged, healthy, in every wave; hooks run again', async () => {
    const from = lastSeq()
    const before = await core.readNamespacedService({ name: 'backend', namespace: app })
    const run = await sync(dir, app, options)
    const report = reportOf(run)
    expect(report.phase).toBe('Succeeded')
    expect(appliesSince(from, app)).toEqual([])
    const resources = report.tasks.filter(t => t.type === 'resource')
    expect(resources.map(t => `${t.kind}/${t.name} ${t.state} ${t.result}`)).toEqual(
      first.tasks.filter(t => t.type === 'resource').map(t => `${t.kind}/${t.name} Succeeded Synced`)
    )
    // Live progress says so; the report's message then turns to the health verdict, as for a write.
    expect(run.stderr).toContain('service/backend unchanged')
    // Hooks are never skipped: each one was created again (POST) in this sync.
    const hooks = report.tasks.filter(t => t.hook).map(t => t.name)
    expect(hooks.length).toBeGreaterThan(0)
    const created = proxy.requests.filter(r => r.seq > from && r.method === 'POST' && !r.dryRun)
    for (const hook of hooks) expect(created.map(r => r.name)).toContain(hook)
    expect(report.steps.map(s => `${s.phase} ${s.wave}`)).toEqual(
      first.steps.map(s => `${s.phase} ${s.wave}`)
    )
    const after = await core.readNamespacedService({ name: 'backend', namespace: app })
    expect(after.metadata?.resourceVersion).toBe(before.metadata?.resourceVersion)
  })

  test('a changed Deployment is the only object written; it is configured and awaited', async () => {
    writeManifests('v0.0.4')
    const from = lastSeq()
    const report = reportOf(await sync(dir, app, options))
    expect(report.phase).toBe('Succeeded')
    expect(appliesSince(from, app)).toEqual(['deployments/frontend'])
    expect(report.tasks.find(t => t.kind === 'Deployment' && t.name === 'frontend')).toMatchObject({
      state: 'Succeeded',
      result: 'Synced'
    })
    const live = await kubeClients()
      .config.makeApiClient((await import('@kubernetes/client-node')).AppsV1Api)
      .readNamespacedDeployment({ name: 'frontend', namespace: app })
    expect(live.spec?.template.spec?.containers[0]?.image).toMatch(/frontend:v0\.0\.4$/)
  })

  test('dry-run: true after a change reports what each task would do and writes nothing', async () => {
    writeManifests('v0.0.5')
    const from = lastSeq()
    const report = reportOf(await sync(dir, app, options, ['--dry-run']))
    expect(report.phase).toBe('Succeeded')
    expect(
      proxy.requests.filter(
        r => r.seq > from && !r.dryRun && ['PATCH', 'POST', 'PUT', 'DELETE'].includes(r.method)
      )
    ).toEqual([])
    const would = (kind: string, name: string): string | undefined =>
      report.tasks.find(t => t.kind === kind && t.name === name)?.wouldBe
    expect(would('Deployment', 'frontend')).toBe('configured')
    expect(would('Deployment', 'backend')).toBe('unchanged')
    expect(would('Namespace', app)).toBe('unchanged')
    expect(report.tasks.every(t => t.state === 'pending' && t.result === null)).toBe(true)
  })
})

describe('shared resources and adoption (§7.1, FailOnSharedResource)', () => {
  const ns = 'e2e-shared'
  const dir = path.join(work, 'shared')
  const configMap = (name: string): string =>
    `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n  namespace: ${ns}\ndata:\n  owner: ${name}\n`
  /** Syncs application `app` (its manifests in `dir/<app>`) into the shared namespace. */
  const syncInto = (app: string, ...extra: string[]): Promise<CliRun> =>
    runWavesync([
      'sync',
      '--manifests',
      relative(path.join(dir, app)),
      '--app',
      app,
      '--namespace',
      ns,
      '--kubeconfig',
      kubeconfig,
      ...extra
    ])

  beforeAll(async () => {
    await freshNamespace(core, ns)
    await core.createNamespace({ body: { metadata: { name: ns } } })
    // Made by hand (kubectl create): no tracking id.
    await core.createNamespacedConfigMap({
      namespace: ns,
      body: { metadata: { name: 'by-hand' }, data: { x: '1' } }
    })
    mkdirSync(path.join(dir, 'billing'), { recursive: true })
    mkdirSync(path.join(dir, 'shop'), { recursive: true })
    writeFileSync(path.join(dir, 'billing/app.yaml'), configMap('common'))
    writeFileSync(
      path.join(dir, 'shop/app.yaml'),
      [configMap('common'), configMap('by-hand'), configMap('own')].join('---\n')
    )
    const billing = await syncInto('billing')
    expect(billing.code).toBe(0)
  })

  const trackedBy = async (name: string): Promise<string | undefined> =>
    (await core.readNamespacedConfigMap({ name, namespace: ns })).metadata?.annotations?.[TRACKING]

  test('FailOnSharedResource=true: fails before any write, naming the other application; no lock, no record', async () => {
    const from = lastSeq()
    const run = await syncInto('shop', '--sync-options', 'FailOnSharedResource=true')
    const report = reportOf(run)
    expect(run.code).toBe(1)
    expect(report.phase).toBe('Failed')
    expect(report.message).toBe(
      'one or more objects are tracked by another application (FailOnSharedResource=true)'
    )
    expect(report.tasks.find(t => t.name === 'common')).toMatchObject({
      state: 'Failed',
      result: 'SyncFailed'
    })
    expect(report.tasks.find(t => t.name === 'common')?.message).toContain('application billing')
    expect(
      proxy.requests.filter(
        r => r.seq > from && !r.dryRun && ['PATCH', 'POST', 'PUT', 'DELETE'].includes(r.method)
      )
    ).toEqual([])
    expect(await exists(() => core.readNamespacedConfigMap({ name: 'own', namespace: ns }))).toBe(false)
    expect(await trackedBy('common')).toBe(`billing:/ConfigMap:${ns}/common`)
  })

  test('by default: a warning, the shared object taken over, the hand-made one adopted (a note)', async () => {
    const run = await syncInto('shop')
    const report = reportOf(run)
    expect(run.code).toBe(0)
    expect(report.warnings).toContain(
      `/ConfigMap ${ns}/common is tracked by application billing: taken over by this sync (FailOnSharedResource=true would fail instead)`
    )
    expect(report.notes).toContain(
      'adopted 1 object(s) that existed without a tracking id: ConfigMap by-hand'
    )
    expect(await trackedBy('common')).toBe(`shop:/ConfigMap:${ns}/common`)
    expect(await trackedBy('by-hand')).toBe(`shop:/ConfigMap:${ns}/by-hand`)
  })
})
