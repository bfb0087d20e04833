import { describe, expect, test } from '@jest/globals'
import { HOOK_FINALIZER } from '../../../src/health/health.js'
import type { ResourceKey } from '../../../src/model/key.js'
import type { InventoryRecord } from '../../../src/inventory/record.js'
import { InventoryStore } from '../../../src/inventory/store.js'
import type { OperationResult } from '../../../src/sync/operation.js'
import type { SyncSettings } from '../../../src/sync/settings.js'
import { EPOCH, settle } from '../../support/fake-clock.js'
import type { RequestMatch, RequestRecord } from '../../support/fake-cluster.js'
import { inventoryRecord } from '../../support/inventory-builders.js'
import { repoText } from '../../support/fixtures.js'
import type { OperationHandle } from '../../support/scenario.js'
import {
  Scenario,
  configMapManifest,
  crdManifest,
  deploymentManifest,
  jobHookManifest,
  manifestFiles
} from '../../support/scenario.js'
import { NS } from '../../support/sync-builders.js'

// Whole sync operations (sync-semantics §4.1) over the in-memory API server, time driven by the
// fake clock: the order of writes in the request log, the cluster's resulting state, the report
// and the inventory records.

const TODO = ['namespace.yaml', 'postgresql.yaml', 'todo-table.yaml', 'todo-gitops.yaml', 'todo-insert.yaml']
const todoFiles = (): Record<string, string> =>
  Object.fromEntries(TODO.map(file => [`app/${file}`, repoText(`examples/todo/${file}`)]))

/** The non-dry-run writes and controller actions, as `verb Kind/name`, in the order they happened. */
function timeline(requests: readonly RequestRecord[]): string[] {
  const writes = new Set(['apply', 'create', 'replace', 'delete', 'patch'])
  return requests
    .filter(
      r =>
        (writes.has(r.verb) && !r.dryRun && r.status < 300) ||
        (r.verb === 'controller' && r.detail !== 'create')
    )
    .map(r =>
      r.verb === 'controller' ? `[${r.detail}] ${r.kind}/${r.name}` : `${r.verb} ${r.kind}/${r.name}`
    )
}

describe('the todo example (examples/todo)', () => {
  test('namespace first, waves gated on health, PostSync after Sync is healthy, HookSucceeded deletes the hook', async () => {
    const s = new Scenario(['default'])
    s.healthyControllers()
    const result = await s.sync(todoFiles(), { namespace: 'todo', inventoryNamespace: 'todo' })

    expect(result.report?.message).toBe('successfully synced (all tasks run)')
    expect(result.exitCode).toBe(0)
    const inventory = 'wavesync.v1.shop.v1'
    expect(timeline(s.cluster.requests)).toEqual([
      'apply Namespace/todo',
      'create Lease/wavesync.shop',
      `create Secret/${inventory}`,
      'apply Service/postgresql',
      'apply Deployment/postgresql',
      '[deployment available] Deployment/postgresql',
      'apply Job/todo-table',
      '[pod succeeded] Pod/' +
        s.cluster.all('Pod').find(p => p.metadata.labels?.['job-name'] === 'todo-table')?.metadata.name,
      '[job complete] Job/todo-table',
      'apply Service/todo-gitops',
      'apply Deployment/todo-gitops',
      '[deployment available] Deployment/todo-gitops',
      'create Job/todo-insert',
      expect.stringMatching(/^\[pod succeeded\] Pod\/todo-insert-/),
      '[job complete] Job/todo-insert',
      'patch Job/todo-insert',
      'delete Job/todo-insert',
      `apply Secret/${inventory}`,
      'delete Lease/wavesync.shop'
    ])
    expect(s.cluster.find('Job', 'todo-insert')).toBeUndefined()
    expect(s.cluster.find('Job', 'todo-table')).toBeDefined()
    // Nothing left running: every watch closed, no timer pending (the Lease renewal stopped).
    expect(s.cluster.openWatches).toBe(0)
    expect(s.clock.pendingTimers).toBe(0)
    const records = await s.records('shop', 'todo')
    expect(records.map(r => [r.revision, r.status])).toEqual([[1, 'deployed']])
    expect(result.report?.tasks.map(t => `${t.phase} ${t.wave} ${t.kind}/${t.name} ${t.state}`)).toEqual([
      'Sync 0 Namespace/todo Succeeded',
      'Sync 0 Service/postgresql Succeeded',
      'Sync 0 Deployment/postgresql Succeeded',
      'Sync 1 Job/todo-table Succeeded',
      'Sync 2 Service/todo-gitops Succeeded',
      'Sync 2 Deployment/todo-gitops Succeeded',
      'PostSync 0 Job/todo-insert Succeeded'
    ])
  })
})

const WEB = (wave?: number): object => deploymentManifest('web', wave === undefined ? {} : { wave })
const nonDryWrites = (s: Scenario, from = 0): RequestRecord[] => s.cluster.writes().filter(r => r.seq >= from)
const firstWrite = (s: Scenario, kind: string, name: string, from = 0): RequestRecord | undefined =>
  nonDryWrites(s, from).find(r => r.kind === kind && r.name === name)
const controllerAt = (s: Scenario, detail: string, name: string): RequestRecord | undefined =>
  s.cluster.requests.find(r => r.verb === 'controller' && r.detail === detail && r.name === name)
const hookFinalizers = (s: Scenario): string[] =>
  s.cluster
    .all()
    .filter(o => o.metadata.finalizers?.includes(HOOK_FINALIZER))
    .map(o => `${o.kind}/${o.metadata.name ?? ''}`)

describe('the inventory namespace, created just before the lock (§4.1.6)', () => {
  test('its creation failing fails the operation with the server message: no Lease, no record', async () => {
    const s = new Scenario(['default'])
    s.healthyControllers()
    s.cluster.inject({
      verb: 'apply',
      kind: 'Namespace',
      name: 'todo',
      dryRun: false,
      status: 403,
      message: 'namespaces is forbidden'
    })
    const result = await s.sync(todoFiles(), { namespace: 'todo', inventoryNamespace: 'todo' })

    expect(result.exitCode).toBe(1)
    expect(result.report).toMatchObject({
      phase: 'Failed',
      message: 'one or more objects failed to apply, reason: apply /Namespace todo: namespaces is forbidden'
    })
    expect(result.report?.tasks.find(t => t.kind === 'Namespace')).toMatchObject({
      state: 'Failed',
      result: 'SyncFailed',
      message: 'apply /Namespace todo: namespaces is forbidden'
    })
    expect(s.cluster.requests.filter(r => r.kind === 'Lease')).toEqual([])
    expect(s.cluster.writes().map(r => `${r.verb} ${r.kind}/${r.name}`)).toEqual([])
  })
})

describe('reads before the first write', () => {
  test('every served collection is listed and watched while the dry run runs, not after it', async () => {
    const s = new Scenario()
    s.healthyControllers()
    const result = await s.sync(manifestFiles(configMapManifest('web-config'), WEB(1)))
    expect(result.exitCode).toBe(0)
    const lease = s.cluster.indexOf({ verb: 'create', kind: 'Lease' })
    const lastDryRun = s.cluster.requests.map(r => r.dryRun).lastIndexOf(true)
    const before = (verb: 'list' | 'watch', kind: string): boolean => {
      const at = s.cluster.indexOf({ verb, kind })
      return at >= 0 && at < lastDryRun
    }
    // Wave 1's Deployment too: its list is not left for the step that writes it.
    for (const kind of ['ConfigMap', 'Deployment'])
      expect({ kind, list: before('list', kind), watch: before('watch', kind) }).toEqual({
        kind,
        list: true,
        watch: true
      })
    expect(lease).toBeGreaterThan(lastDryRun)
  })
})

describe('waves gate on health (§4.5)', () => {
  test('the next wave’s first write goes out only after the previous wave is healthy, in the same tick', async () => {
    const s = new Scenario()
    s.whenCreatedAfter('Deployment', 'db', 45_000, () => s.cluster.makeDeploymentAvailable('db'))
    s.healthyControllers(['db'])
    const result = await s.sync(
      manifestFiles(deploymentManifest('db'), WEB(1), configMapManifest('web-config', { wave: 1 }))
    )

    expect(result.exitCode).toBe(0)
    const healthy = controllerAt(s, 'deployment available', 'db')
    const wave1 = nonDryWrites(s).filter(r => r.name === 'web' || r.name === 'web-config')
    expect(healthy?.at).toBe(EPOCH + 45_000)
    expect(wave1.map(r => `${r.verb} ${r.kind}/${r.name}`)).toEqual([
      'apply ConfigMap/web-config',
      'apply Deployment/web'
    ])
    for (const write of wave1) {
      expect(write.seq).toBeGreaterThan(healthy?.seq ?? Infinity)
      // Event-driven: no polling interval between the gate passing and the next wave (§3b).
      expect(write.at).toBe(healthy?.at)
    }
    expect(result.report?.steps.map(step => [step.phase, step.wave, step.gapMs])).toEqual([
      ['Sync', 0, null],
      ['Sync', 1, 0]
    ])
  })
})

describe('a failing PreSync hook (§4.6, §4.7, §5.4, §5.6)', () => {
  const log = Array.from({ length: 60 }, (_, i) => `line ${i + 1}`).join('\n') + '\n'
  async function run(): Promise<{ s: Scenario; result: OperationResult }> {
    const s = new Scenario()
    s.whenCreated('Job', 'migrate', () => s.cluster.failJob('migrate', { exitCode: 3, log }))
    s.healthyControllers(['migrate'])
    const result = await s.sync(
      manifestFiles(
        jobHookManifest('migrate', { hook: 'PreSync', policy: 'HookFailed' }),
        WEB(),
        jobHookManifest('notify', { hook: 'PostSync' }),
        jobHookManifest('alert', { hook: 'SyncFail', policy: 'HookSucceeded' })
      )
    )
    return { s, result }
  }

  test('fails with the hook’s reason; later phases are never written; exit code 1; record failed', async () => {
    const { s, result } = await run()
    expect(result.exitCode).toBe(1)
    expect(result.report?.phase).toBe('Failed')
    expect(result.report?.message).toBe(
      'one or more synchronization tasks completed unsuccessfully, reason: Failed (BackoffLimitExceeded): Job has reached the specified backoff limit'
    )
    expect(firstWrite(s, 'Deployment', 'web')).toBeUndefined()
    expect(firstWrite(s, 'Job', 'notify')).toBeUndefined()
    expect((await s.records()).map(r => [r.revision, r.status])).toEqual([[1, 'failed']])
  })

  test('the report carries the exit code, the reason, the events and the last 50 log lines', async () => {
    const { result } = await run()
    const migrate = result.report?.tasks.find(t => t.name === 'migrate')
    expect(migrate).toMatchObject({ state: 'Failed', exitCode: 3, reason: 'exit code 3' })
    expect(migrate?.logTail).toHaveLength(50)
    expect(migrate?.logTail?.[0]).toBe('line 11')
    expect(migrate?.logTail?.[49]).toBe('line 60')
    expect(migrate?.events).toContain(
      'Warning BackoffLimitExceeded: Job has reached the specified backoff limit'
    )
    expect(migrate?.conditions).toContain(
      'Failed=True BackoffLimitExceeded: Job has reached the specified backoff limit'
    )
  })
})

describe('a failing PreSync hook: SyncFail and delete policies (§4.7, §5.6)', () => {
  const log = Array.from({ length: 60 }, (_, i) => `line ${i + 1}`).join('\n') + '\n'
  async function run(): Promise<{ s: Scenario; result: OperationResult }> {
    const s = new Scenario()
    s.whenCreated('Job', 'migrate', () => s.cluster.failJob('migrate', { exitCode: 3, log }))
    s.healthyControllers(['migrate'])
    const result = await s.sync(
      manifestFiles(
        jobHookManifest('migrate', { hook: 'PreSync', policy: 'HookFailed' }),
        WEB(),
        jobHookManifest('notify', { hook: 'PostSync' }),
        jobHookManifest('alert', { hook: 'SyncFail', policy: 'HookSucceeded' })
      )
    )
    return { s, result }
  }

  test('SyncFail runs; HookFailed deletes the failed hook after SyncFail; the SyncFail hook’s HookSucceeded by its own outcome', async () => {
    const { s, result } = await run()
    expect(result.report?.tasks.find(t => t.name === 'alert')).toMatchObject({
      phase: 'SyncFail',
      state: 'Succeeded'
    })
    const alertDone = controllerAt(s, 'job complete', 'alert')
    const logsRead = s.cluster.indexOf({ verb: 'logs' })
    const migrateDeleted = nonDryWrites(s).find(r => r.verb === 'delete' && r.name === 'migrate')
    expect(logsRead).toBeLessThan(migrateDeleted?.seq ?? -1)
    expect(migrateDeleted?.seq).toBeGreaterThan(alertDone?.seq ?? Infinity)
    expect(s.cluster.find('Job', 'migrate')).toBeUndefined()
    expect(s.cluster.find('Job', 'alert')).toBeUndefined()
    expect(hookFinalizers(s)).toEqual([])
  })
})

describe('dry run (§8)', () => {
  test('a dry-run failure writes nothing: cluster unchanged, no Lease, no inventory record', async () => {
    const s = new Scenario()
    s.cluster.inject({
      verb: 'apply',
      kind: 'Deployment',
      name: 'web',
      dryRun: true,
      status: 422,
      message: 'admission webhook "policy.example.com" denied the request: image tag latest is not allowed'
    })
    const before = s.cluster.all()
    const result = await s.sync(
      manifestFiles(configMapManifest('config'), WEB(), jobHookManifest('migrate', { hook: 'PreSync' }))
    )

    expect(result.exitCode).toBe(1)
    expect(result.report?.message).toBe('one or more objects failed to apply (dry run)')
    expect(s.cluster.all()).toEqual(before)
    expect(s.cluster.writes()).toEqual([])
    expect(s.cluster.all('Lease')).toEqual([])
    expect(s.cluster.all('Secret')).toEqual([])
    const web = result.report?.tasks.find(t => t.name === 'web')
    expect(web).toMatchObject({ result: 'SyncFailed', state: 'Failed' })
    expect(web?.message).toContain(
      'admission webhook "policy.example.com" denied the request: image tag latest is not allowed'
    )
    expect(result.report?.tasks.find(t => t.name === 'config')).toMatchObject({
      result: null,
      state: 'pending'
    })
    // Every task was dry-run with the request it would make: apply for resources, create for hooks.
    expect(
      s.cluster
        .writes({ dryRun: true })
        .map(r => `${r.verb} ${r.kind}/${r.name}`)
        .sort()
    ).toEqual(['apply ConfigMap/config', 'create Job/migrate'])
  })

  test('dry-run: true stops after the dry run, writing nothing', async () => {
    const s = new Scenario()
    const result = await s.sync(manifestFiles(configMapManifest('config'), WEB()), { dryRun: true })
    expect(result.exitCode).toBe(0)
    expect(s.cluster.writes()).toEqual([])
    expect(s.cluster.writes({ dryRun: true })).toHaveLength(2)
  })
})

describe('pruning off by default (§7.4.1)', () => {
  const v1 = (oldAnnotations: Record<string, string> = {}): Record<string, string> =>
    manifestFiles(configMapManifest('keep'), configMapManifest('old', { annotations: oldAnnotations }))
  const v2 = manifestFiles(configMapManifest('keep'))
  async function twoSyncs(
    second: Partial<SyncSettings>,
    oldAnnotations?: Record<string, string>,
    secondFiles = v2
  ): Promise<{ s: Scenario; result: OperationResult; from: number; oldUid: string }> {
    const s = new Scenario()
    s.healthyControllers()
    expect((await s.sync(v1(oldAnnotations))).exitCode).toBe(0)
    const oldUid = s.cluster.mustFind('ConfigMap', 'old').metadata.uid ?? ''
    const from = s.cluster.requests.length
    await s.clock.advance(60_000)
    const result = await s.sync(secondFiles, { operationId: 'run-2', ...second })
    return { s, result, from, oldUid }
  }

  test('prune off (default): the obsolete object is reported PruneSkipped and kept, and retained in the record', async () => {
    const { s, result, from } = await twoSyncs({})
    expect(result.exitCode).toBe(0)
    expect(result.report?.tasks.find(t => t.name === 'old')).toMatchObject({
      type: 'prune',
      result: 'PruneSkipped',
      message: 'ignored (requires pruning)'
    })
    expect(s.cluster.find('ConfigMap', 'old')).toBeDefined()
    expect(nonDryWrites(s, from).filter(r => r.name === 'old')).toEqual([])
    const records = await s.records()
    expect(records.map(r => [r.revision, r.status])).toEqual([
      [1, 'superseded'],
      [2, 'deployed']
    ])
    expect(records[1]?.retained.map(o => [o.name, o.reason])).toEqual([['old', 'ignored (requires pruning)']])
  })
})

describe('pruning on, and Prune=false (§7.4)', () => {
  const v1 = (oldAnnotations: Record<string, string> = {}): Record<string, string> =>
    manifestFiles(configMapManifest('keep'), configMapManifest('old', { annotations: oldAnnotations }))
  const v2 = manifestFiles(configMapManifest('keep'))
  async function twoSyncs(
    second: Partial<SyncSettings>,
    oldAnnotations?: Record<string, string>,
    secondFiles = v2
  ): Promise<{ s: Scenario; result: OperationResult; from: number; oldUid: string }> {
    const s = new Scenario()
    s.healthyControllers()
    expect((await s.sync(v1(oldAnnotations))).exitCode).toBe(0)
    const oldUid = s.cluster.mustFind('ConfigMap', 'old').metadata.uid ?? ''
    const from = s.cluster.requests.length
    await s.clock.advance(60_000)
    const result = await s.sync(secondFiles, { operationId: 'run-2', ...second })
    return { s, result, from, oldUid }
  }

  test('prune on: deleted with a uid precondition, reported Pruned, gone from the record', async () => {
    const { s, result, from, oldUid } = await twoSyncs({ prune: true })
    expect(result.exitCode).toBe(0)
    expect(result.report?.tasks.find(t => t.name === 'old')).toMatchObject({
      result: 'Pruned',
      state: 'Succeeded',
      message: 'pruned'
    })
    expect(s.cluster.find('ConfigMap', 'old')).toBeUndefined()
    expect(nonDryWrites(s, from).find(r => r.name === 'old')).toMatchObject({
      verb: 'delete',
      detail: `Foreground uid=${oldUid}`
    })
    expect((await s.records())[1]?.retained).toEqual([])
  })

  test('Prune=false on the live object: PruneSkipped "ignored (no prune)", kept', async () => {
    const { s, result, from } = await twoSyncs(
      { prune: true },
      { 'argocd.argoproj.io/sync-options': 'Prune=false' }
    )
    expect(result.report?.tasks.find(t => t.name === 'old')).toMatchObject({
      result: 'PruneSkipped',
      message: 'ignored (no prune)'
    })
    expect(s.cluster.find('ConfigMap', 'old')).toBeDefined()
    expect(nonDryWrites(s, from).filter(r => r.name === 'old')).toEqual([])
  })
})

describe('prune waves and PruneLast (§3.5)', () => {
  const v1 = (oldAnnotations: Record<string, string> = {}): Record<string, string> =>
    manifestFiles(configMapManifest('keep'), configMapManifest('old', { annotations: oldAnnotations }))
  const v2 = manifestFiles(configMapManifest('keep'))
  async function twoSyncs(
    second: Partial<SyncSettings>,
    oldAnnotations?: Record<string, string>,
    secondFiles = v2
  ): Promise<{ s: Scenario; result: OperationResult; from: number; oldUid: string }> {
    const s = new Scenario()
    s.healthyControllers()
    expect((await s.sync(v1(oldAnnotations))).exitCode).toBe(0)
    const oldUid = s.cluster.mustFind('ConfigMap', 'old').metadata.uid ?? ''
    const from = s.cluster.requests.length
    await s.clock.advance(60_000)
    const result = await s.sync(secondFiles, { operationId: 'run-2', ...second })
    return { s, result, from, oldUid }
  }

  test('without PruneLast the prune runs in its own (reversed) wave, before later waves', async () => {
    const { s, from } = await twoSyncs({ prune: true }, {}, manifestFiles(configMapManifest('keep'), WEB(1)))
    const deleted = firstWrite(s, 'ConfigMap', 'old', from)
    expect(deleted?.seq).toBeLessThan(firstWrite(s, 'Deployment', 'web', from)?.seq ?? -1)
  })

  test('PruneLast=true: the prune runs after every Sync wave is healthy, before PostSync', async () => {
    const s = new Scenario()
    s.whenCreatedAfter('Deployment', 'web', 30_000, () => s.cluster.makeDeploymentAvailable('web'))
    s.healthyControllers(['web'])
    await s.sync(v1({ 'argocd.argoproj.io/sync-options': 'PruneLast=true' }))
    const from = s.cluster.requests.length
    const result = await s.sync(
      manifestFiles(configMapManifest('keep'), WEB(1), jobHookManifest('after', { hook: 'PostSync' })),
      { prune: true, operationId: 'run-2' }
    )
    expect(result.exitCode).toBe(0)
    const pruned = firstWrite(s, 'ConfigMap', 'old', from)
    expect(pruned?.verb).toBe('delete')
    expect(pruned?.seq).toBeGreaterThan(controllerAt(s, 'deployment available', 'web')?.seq ?? Infinity)
    expect(pruned?.seq).toBeLessThan(firstWrite(s, 'Job', 'after', from)?.seq ?? -1)
    expect(result.report?.tasks.find(t => t.name === 'old')).toMatchObject({
      phase: 'Sync',
      wave: 2,
      result: 'Pruned'
    })
  })
})

describe('hook naming and re-creation (§5.2, §5.3, §4.4.3)', () => {
  test('BeforeHookCreation: a named hook is deleted, confirmed gone and re-created in the same step', async () => {
    const s = new Scenario()
    s.healthyControllers()
    const manifests = manifestFiles(
      jobHookManifest('migrate', { hook: 'PreSync' }),
      configMapManifest('config')
    )
    await s.sync(manifests)
    const firstUid = s.cluster.mustFind('Job', 'migrate').metadata.uid
    const from = s.cluster.requests.length
    await s.clock.advance(60_000)
    const result = await s.sync(manifests, { operationId: 'run-2' })

    expect(result.exitCode).toBe(0)
    const engineWrites = nonDryWrites(s, from).map(r => `${r.verb} ${r.kind}/${r.name}`)
    const step = engineWrites.slice(engineWrites.indexOf('delete Job/migrate'))
    expect(step.slice(0, 2)).toEqual(['delete Job/migrate', 'create Job/migrate'])
    expect(engineWrites.indexOf('apply ConfigMap/config')).toBeGreaterThan(
      engineWrites.indexOf('create Job/migrate')
    )
    const second = s.cluster.mustFind('Job', 'migrate')
    expect(second.metadata.uid).not.toBe(firstUid)
    expect(result.report?.tasks.find(t => t.name === 'migrate')).toMatchObject({
      state: 'Succeeded',
      result: 'Synced'
    })
  })

  test('generateName hooks get a new name on every sync, so both runs stay as evidence', async () => {
    const s = new Scenario()
    s.healthyControllers()
    const manifests = manifestFiles(
      configMapManifest('config'),
      jobHookManifest('smoke', { hook: 'PostSync', generateName: 'smoke-' })
    )
    const first = await s.sync(manifests)
    await s.clock.advance(90_000)
    const second = await s.sync(manifests, { operationId: 'run-2' })
    const names = [first, second].map(r => r.report?.tasks.find(t => t.kind === 'Job')?.name)
    const seconds = [first, second].map(r => Math.floor(Date.parse(r.report?.startedAt ?? '') / 1000))
    expect(names).toEqual(seconds.map(t => `smoke-4e1c9a7-postsync-${t}`))
    expect(names[0]).not.toBe(names[1])
    expect(s.cluster.all('Job').map(j => j.metadata.name)).toEqual(names)
  })
})

describe('overall timeout (§4.8)', () => {
  const manifests = manifestFiles(
    jobHookManifest('pre', { hook: 'PreSync' }),
    WEB(),
    jobHookManifest('seed', { hook: 'Sync' }),
    jobHookManifest('notify', { hook: 'PostSync' }),
    jobHookManifest('alert', { hook: 'SyncFail' })
  )

  test('the overall timeout terminates: report Terminated "operation timed out after 1m", no SyncFail, record failed, Lease released', async () => {
    const s = new Scenario()
    s.whenCreated('Job', 'seed', () => s.cluster.startJob('seed'))
    s.healthyControllers(['web', 'seed'])
    const result = await s.sync(manifests, { timeoutMs: 60_000 })

    expect(result.exitCode).toBe(1)
    expect(result.report).toMatchObject({ phase: 'Terminated', message: 'operation timed out after 1m' })
    expect(s.clock.now()).toBe(EPOCH + 60_000)
    expect(s.cluster.find('Job', 'alert')).toBeUndefined()
    expect(s.cluster.find('Job', 'notify')).toBeUndefined()
    expect(s.cluster.find('Job', 'seed')).toBeUndefined()
    expect(s.cluster.find('Deployment', 'web')).toBeDefined()
    expect(hookFinalizers(s)).toEqual([])
    expect(s.cluster.all('Lease')).toEqual([])
    expect((await s.records()).map(r => r.status)).toEqual(['failed'])
    expect(result.report?.tasks.find(t => t.name === 'seed')).toMatchObject({
      state: 'Failed',
      message: 'Terminated'
    })
  })
})

describe('cancellation (§4.9)', () => {
  const manifests = manifestFiles(
    jobHookManifest('pre', { hook: 'PreSync' }),
    WEB(),
    jobHookManifest('seed', { hook: 'Sync' }),
    jobHookManifest('notify', { hook: 'PostSync' }),
    jobHookManifest('alert', { hook: 'SyncFail' })
  )

  test('cancel mid-wave: report Terminated, running hook deleted, no finalizer left on any hook, record failed', async () => {
    const s = new Scenario()
    s.whenCreated('Job', 'seed', () => s.cluster.startJob('seed'))
    s.healthyControllers(['web', 'seed'])
    const op = s.start(manifests)
    await s.until(
      () =>
        s.cluster.find('Job', 'seed')?.status !== undefined &&
        s.cluster.find('Deployment', 'web') !== undefined
    )
    await s.clock.advance(5_000)
    op.abort.abort()
    const result = await s.finish(op)

    expect(result.exitCode).toBe(1)
    expect(result.report).toMatchObject({ phase: 'Terminated', message: 'Operation terminated' })
    expect(hookFinalizers(s)).toEqual([])
    expect(s.cluster.find('Job', 'seed')).toBeUndefined()
    expect(s.cluster.find('Job', 'pre')).toBeDefined()
    expect(s.cluster.find('Job', 'alert')).toBeUndefined()
    expect(s.cluster.all('Lease')).toEqual([])
    expect((await s.records()).map(r => r.status)).toEqual(['failed'])
  })

  /**
   * Cancels once hook `seed` is created but before the answer to its create is back, after
   * `meanwhile` (say, a fault for the reads that follow) has been set up.
   */
  async function cancelInSeedCreate(
    meanwhile: (s: Scenario) => void = () => undefined
  ): Promise<{ s: Scenario; result: OperationResult }> {
    const s = new Scenario()
    s.healthyControllers(['web', 'seed'])
    const gate = s.cluster.gate({ verb: 'create', kind: 'Job', name: 'seed', dryRun: false, when: 'after' })
    const op = s.start(manifests)
    await s.until(() => s.cluster.find('Job', 'seed') !== undefined)
    await gate.reached
    meanwhile(s)
    op.abort.abort()
    gate.release()
    return { s, result: await s.finish(op) }
  }

  test('cancel while a hook’s create is in flight: the hook it created still loses its finalizer (§4.9.1, §5.5.3)', async () => {
    const { s, result } = await cancelInSeedCreate()

    expect(result.report?.phase).toBe('Terminated')
    expect(hookFinalizers(s)).toEqual([])
  })

  test('a hook cut short in its create that then cannot be read: termination had errors, naming it', async () => {
    const { result } = await cancelInSeedCreate(s =>
      s.cluster.inject({ verb: 'get', kind: 'Job', name: 'seed', status: 403, message: 'get is forbidden' })
    )

    expect(result.report).toMatchObject({
      phase: 'Error',
      message: 'Operation termination had errors: get batch/Job shop/seed: get is forbidden'
    })
  })
})

// A collection whose first list hangs (a slow or stuck API server) must not hold a cancelled
// operation: every wait for a list also ends on the operation's signal (observer.ts `track`).
describe('cancellation while a collection is still being listed (§4.9)', () => {
  const WIDGETS_CRD = crdManifest({ kind: 'Widget' })
  const widget = { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'blue' } }
  const serviceAccount = { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'old' } }
  /** Where the operation is known to wait for the held list. */
  type Waiting = (s: Scenario, op: OperationHandle) => boolean
  const dryRunDone: Waiting = s =>
    s.cluster.requests.some(r => r.verb === 'apply' && r.dryRun && r.kind === 'ConfigMap')
  const inStep: Waiting = (_s, op) => op.events.some(e => e.type === 'step-started')
  /** Prepares the cluster; returns the files the cancelled operation syncs. */
  type Before = (s: Scenario) => Promise<Record<string, string>>

  // kind: the collection whose list is held; name: its object in the operation.
  test.each<{ where: string; kind: string; name: string; before: Before; waiting: Waiting; dry?: boolean }>([
    {
      where: 'the dry run’s live check (live-check)',
      kind: 'ConfigMap',
      name: 'keep',
      before: async () => manifestFiles(configMapManifest('keep')),
      waiting: dryRunDone
    },
    {
      where: 'a dry run (`dry-run: true`) predicting a Namespace’s removal (preflight)',
      kind: 'ConfigMap',
      name: 'keep',
      before: async s => {
        const ns = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'extra' } }
        expect((await s.sync(manifestFiles(configMapManifest('keep'), ns))).exitCode).toBe(0)
        return manifestFiles(configMapManifest('keep'))
      },
      waiting: dryRunDone,
      dry: true
    },
    {
      where: 'a step, before its prunes (write-step)',
      kind: 'ServiceAccount',
      name: 'old',
      before: async s => {
        expect((await s.sync(manifestFiles(configMapManifest('keep'), serviceAccount))).exitCode).toBe(0)
        return manifestFiles(configMapManifest('keep'))
      },
      waiting: inStep
    },
    {
      where: 'a step, before a custom resource batch (write-step)',
      kind: 'Widget',
      name: 'blue',
      before: async s => {
        s.whenCreated('CustomResourceDefinition', '*', crd => s.cluster.establishCrd(crd.metadata.name ?? ''))
        return manifestFiles(WIDGETS_CRD, widget)
      },
      waiting: inStep
    }
  ])('in $where: Terminated without waiting for the list', async ({ kind, name, before, waiting, dry }) => {
    const s = new Scenario()
    s.healthyControllers()
    const files = await before(s)
    const from = s.cluster.requests.length
    const gate = s.cluster.gate({ verb: 'list', kind })
    let held = false
    void gate.reached.then(() => (held = true))
    const op = s.start(files, { prune: true, operationId: 'run-2', dryRun: dry === true })
    await s.until(() => held && waiting(s, op))
    await settle()
    expect(op.done).toBe(false) // waiting for the held list
    op.abort.abort()
    const result = await s.finish(op)

    expect(result.report).toMatchObject({ phase: 'Terminated', message: 'Operation terminated' })
    const answered = s.cluster.requests.filter(r => r.seq >= from && r.verb === 'list' && r.kind === kind)
    expect(answered).toEqual([])
    expect(nonDryWrites(s, from).filter(r => r.kind === kind)).toEqual([])
    // Not started, rather than failed by requests sent with the aborted signal.
    const runs = result.report?.tasks.filter(t => t.kind === kind).map(t => `${t.name} ${t.state}`)
    expect(runs).toEqual([`${name} pending`])
    expect(s.cluster.openWatches).toBe(0)
  })
})

describe('the Lease serialises operations (§7.2)', () => {
  const manifests = manifestFiles(configMapManifest('config'), WEB())
  const A = { operationId: 'run-a', holder: 'acme/shop run A' }
  const B = { operationId: 'run-b', holder: 'acme/shop run B' }
  function scenario(webDelayMs: number): Scenario {
    const s = new Scenario()
    s.whenCreatedAfter('Deployment', 'web', webDelayMs, () => s.cluster.makeDeploymentAvailable('web'))
    return s
  }

  test('started together: the second waits for the Lease, then proceeds as the next revision', async () => {
    const s = scenario(30_000)
    const a = s.start(manifests, A)
    const b = s.start(manifests, B)
    const [ra, rb] = [await s.finish(a), await s.finish(b)]
    expect([ra.exitCode, rb.exitCode]).toEqual([0, 0])
    expect([ra.report?.revision, rb.report?.revision]).toEqual([1, 2])
    expect((await s.records()).map(r => [r.revision, r.status])).toEqual([
      [1, 'superseded'],
      [2, 'deployed']
    ])
  })

  test('started while the first is mid-wave: waits, then proceeds; the first’s record is not touched', async () => {
    const s = scenario(30_000)
    const a = s.start(manifests, A)
    await s.until(() => s.cluster.find('Deployment', 'web') !== undefined)
    const b = s.start(manifests, B)
    const ra = await s.finish(a)
    const released = s.cluster.requests.find(r => r.verb === 'delete' && r.kind === 'Lease')
    const rb = await s.finish(b)
    expect([ra.exitCode, rb.exitCode]).toEqual([0, 0])
    const bWrites = s.cluster.writes().filter(r => r.seq > (released?.seq ?? Infinity))
    expect(bWrites.length).toBeGreaterThan(0)
    expect((await s.records()).map(r => [r.revision, r.status, r.operation.id])).toEqual([
      [1, 'superseded', 'run-a'],
      [2, 'deployed', 'run-b']
    ])
  })
})

describe('lock-wait (§7.2)', () => {
  const manifests = manifestFiles(configMapManifest('config'), WEB())
  const A = { operationId: 'run-a', holder: 'acme/shop run A' }
  const B = { operationId: 'run-b', holder: 'acme/shop run B' }
  function scenario(webDelayMs: number): Scenario {
    const s = new Scenario()
    s.whenCreatedAfter('Deployment', 'web', webDelayMs, () => s.cluster.makeDeploymentAvailable('web'))
    return s
  }

  test('the second gives up after lock-wait: "another operation is in progress (held by …)", nothing written', async () => {
    const s = scenario(60_000)
    const a = s.start(manifests, A)
    await s.until(() => s.cluster.find('Deployment', 'web') !== undefined)
    const from = s.cluster.requests.length
    const b = s.start(manifests, { ...B, lockWaitMs: 5_000 })
    const rb = await s.finish(b)
    expect(rb.exitCode).toBe(1)
    expect(rb.report?.message).toBe('another operation is in progress (held by acme/shop run A)')
    expect(s.clock.now()).toBeLessThan(EPOCH + 60_000)
    expect(s.cluster.writes().filter(r => r.seq >= from && r.kind !== 'Lease')).toEqual([])
    const ra = await s.finish(a)
    expect(ra.exitCode).toBe(0)
    expect((await s.records()).map(r => [r.revision, r.status])).toEqual([[1, 'deployed']])
  })
})

describe('releasing the lock (§7.2)', () => {
  test('a release that fails is a warning with the server message and the Lease’s expiry; the sync still succeeded', async () => {
    const s = new Scenario()
    s.healthyControllers()
    const forbidden = { kind: 'Lease', status: 403, message: 'leases "wavesync.shop" is forbidden' }
    s.cluster.inject({ verb: 'delete', ...forbidden, times: Infinity })
    const result = await s.sync(manifestFiles(configMapManifest('config')))

    expect(result.exitCode).toBe(0)
    expect(result.report?.warnings).toContain(
      'the lock was not released (delete coordination.k8s.io/Lease shop/wavesync.shop: leases "wavesync.shop" is forbidden); it expires 30 s after its last renewal, then the next operation takes it over'
    )
    expect(s.cluster.all('Lease')).toHaveLength(1)
  })
})

describe('a cancel while waiting for the lock (§4.9, §4.10)', () => {
  test('is a termination: "Operation terminated", nothing written, the holder’s Lease untouched', async () => {
    const s = new Scenario()
    s.whenCreatedAfter('Deployment', 'web', 60_000, () => s.cluster.makeDeploymentAvailable('web'))
    const manifests = manifestFiles(configMapManifest('config'), WEB())
    const a = s.start(manifests, { operationId: 'run-a', holder: 'acme/shop run A' })
    await s.until(() => s.cluster.find('Deployment', 'web') !== undefined)
    const from = s.cluster.requests.length
    const b = s.start(manifests, { operationId: 'run-b', holder: 'acme/shop run B' })
    await s.until(() => s.cluster.requests.some(r => r.seq >= from && r.verb === 'get' && r.kind === 'Lease'))
    await s.clock.advance(3_000)
    b.abort.abort()
    const rb = await s.finish(b)

    expect(rb.exitCode).toBe(1)
    expect(rb.report).toMatchObject({ phase: 'Terminated', message: 'Operation terminated' })
    expect(s.cluster.writes().filter(r => r.seq >= from)).toEqual([])
    expect(s.cluster.mustFind('Lease', 'wavesync.shop', NS)).toMatchObject({
      spec: { holderIdentity: 'acme/shop run A' }
    })
    expect((await s.finish(a)).exitCode).toBe(0)
    expect((await s.records()).map(r => [r.revision, r.status])).toEqual([[1, 'deployed']])
  })

  test('cut short while its Lease create is in flight: the Lease the server made anyway is given back', async () => {
    const s = new Scenario()
    const gate = s.cluster.gate({ verb: 'create', kind: 'Lease', when: 'after' })
    const op = s.start(manifestFiles(configMapManifest('config')))
    await gate.reached
    op.abort.abort()
    gate.release()
    const result = await s.finish(op)

    expect(result.report).toMatchObject({ phase: 'Terminated', message: 'Operation terminated' })
    expect(s.cluster.all('Lease')).toEqual([])
    expect(s.cluster.find('ConfigMap', 'config')).toBeUndefined()
  })
})

// Between the lock and the first step every request carries the operation's signal: a cancel there
// aborts the one in flight, and the run ends as any cancel before the steps does (§4.9), never with
// that abort escaping as an error. Nothing is written after it but the Lease's release.
describe('a cancel before the lock (§4.1.2–4.1.6, §4.9)', () => {
  const writes = (s: Scenario): RequestRecord[] =>
    s.cluster.requests.filter(r => !['get', 'list', 'watch', 'controller'].includes(r.verb) && !r.dryRun)

  test('while the history is read for the plan: no report, one issue saying so, nothing written', async () => {
    const s = new Scenario()
    const reading = s.cluster.gate({ verb: 'list', kind: 'Secret' })
    const op = s.start(manifestFiles(configMapManifest('config')))
    await reading.reached
    op.abort.abort()
    reading.release()
    const result = await s.finish(op)
    expect(op.error).toBeUndefined()
    expect(result).toEqual({
      exitCode: 1,
      report: undefined,
      issues: [
        {
          severity: 'error',
          file: '(operation)',
          line: 0,
          message: 'Operation terminated while reading the cluster for the plan; nothing was written'
        }
      ]
    })
    expect(writes(s)).toEqual([])
  })

  test('while CreateNamespace creates the inventory namespace: Terminated, no Lease, no record', async () => {
    const s = new Scenario(['default'])
    const creating = s.cluster.gate({ verb: 'apply', kind: 'Namespace', dryRun: false })
    const op = s.start(manifestFiles(configMapManifest('config')), {
      syncOptions: { CreateNamespace: 'true' }
    })
    await creating.reached
    op.abort.abort()
    creating.release()
    const result = await s.finish(op)
    expect(result.report?.phase).toBe('Terminated')
    expect(result.report?.message).toBe('Operation terminated')
    // The namespace's apply was cut short; nothing else was sent.
    expect(writes(s).filter(w => w.kind !== 'Namespace')).toEqual([])
    expect(s.cluster.all('Lease')).toEqual([])
    expect(s.cluster.all('Secret')).toEqual([])
  })
})

describe('a cancel under the lock, before the first step (§4.1.6, §4.9)', () => {
  const extra = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'extra' } }
  const manifests = manifestFiles(configMapManifest('config'), extra)
  const migrate = { group: 'batch', kind: 'Job', namespace: NS, name: 'migrate' }

  /** Holds the operation's request matching `hold` (after `skip` such requests went through) and cancels it there. */
  async function cancelAt(
    s: Scenario,
    hold: RequestMatch,
    options: { skip?: number; moved?: boolean; overrides?: Partial<SyncSettings> } = {}
  ): Promise<{ result: OperationResult; from: number }> {
    const locking = s.cluster.gate({ verb: 'create', kind: 'Lease' })
    const op = s.start(manifests, { operationId: 'run-2', ...options.overrides })
    await locking.reached
    // Another run finished revision 1 while this one waited for the lock: the plan is made again.
    if (options.moved)
      await new InventoryStore(s.cluster, 'shop', NS).create(
        { ...crashedRecord(), status: 'deployed' },
        s.clock
      )
    for (let i = 0; i < (options.skip ?? 0); i++) s.cluster.gate(hold).release()
    const held = s.cluster.gate(hold)
    let holding = false
    void held.reached.then(() => (holding = true))
    locking.release()
    await s.until(() => holding)
    const from = s.cluster.requests.length
    op.abort.abort()
    return { result: await s.finish(op), from }
  }

  const writesAfter = (s: Scenario, from: number): string[] =>
    nonDryWrites(s, from).map(r => `${r.verb} ${r.kind}/${r.name}`)

  test.each<{ where: string; hold: RequestMatch; skip?: number; moved?: boolean }>([
    { where: 'the history read again (historyMoved)', hold: { verb: 'list', kind: 'Secret' } },
    {
      where: 're-planning, the history read (prepare)',
      hold: { verb: 'list', kind: 'Secret' },
      skip: 1,
      moved: true
    },
    {
      where: 're-planning, the previous inventory read (prepare)',
      hold: { verb: 'get', kind: 'ConfigMap', name: 'config' },
      moved: true
    },
    {
      where: 'the dry run after a re-plan',
      hold: { verb: 'get', kind: 'Namespace', name: 'extra' },
      moved: true
    }
  ])('in $where: Terminated, nothing written, the Lease released', async ({ hold, skip, moved }) => {
    const s = new Scenario()
    const { result, from } = await cancelAt(s, hold, { ...(skip ? { skip } : {}), moved: moved === true })

    expect(result.exitCode).toBe(1)
    expect(result.report).toMatchObject({
      phase: 'Terminated',
      message: 'Operation terminated',
      revision: null
    })
    expect(writesAfter(s, from)).toEqual(['delete Lease/wavesync.shop'])
    expect(s.cluster.all('Lease')).toEqual([])
    expect((await s.records()).map(r => [r.revision, r.status])).toEqual(moved ? [[1, 'deployed']] : [])
  })

  test('in the repair of a crashed run’s hooks: Terminated; the finalizer left to the next operation, and said so', async () => {
    const s = new Scenario()
    await crashedWithHook(s, migrate)
    seedFinalizedMigrate(s)
    const { result, from } = await cancelAt(s, { verb: 'get', kind: 'Job', name: 'migrate' })

    expect(result.report).toMatchObject({
      phase: 'Terminated',
      message: 'Operation terminated',
      revision: null
    })
    expect(result.report?.warnings).toContain(
      'the operation was cancelled before it removed the hook finalizer revision 1 may have left on batch/Job shop/migrate; the next operation removes it'
    )
    expect(result.report?.warnings.join('\n')).not.toContain('was not removed')
    expect(writesAfter(s, from)).toEqual(['delete Lease/wavesync.shop'])
    expect(hookFinalizers(s)).toEqual(['Job/migrate'])
    // Marked failed before the cancel; no revision 2.
    expect((await s.records()).map(r => [r.revision, r.status])).toEqual([[1, 'failed']])
  })

  test('a test operation cancelled in that repair: its tested record is not written', async () => {
    const s = new Scenario()
    s.healthyControllers()
    const first = await s.sync(
      manifestFiles(
        configMapManifest('config'),
        jobHookManifest('migrate', { hook: 'PreSync' }),
        jobHookManifest('smoke', { hook: 'test', helm: true })
      )
    )
    expect(first.exitCode).toBe(0)
    const { result, from } = await cancelAt(
      s,
      { verb: 'get', kind: 'Job', name: 'migrate' },
      { overrides: { operation: 'test' } }
    )

    expect(result.report).toMatchObject({ phase: 'Terminated', message: 'Operation terminated' })
    expect(writesAfter(s, from)).toEqual(['delete Lease/wavesync.shop'])
    expect(s.cluster.find('Job', 'smoke')).toBeUndefined()
  })
  test('a test operation whose lock is lost in that repair: Error, its tested record is not written', async () => {
    const s = new Scenario()
    s.healthyControllers()
    const files = manifestFiles(
      configMapManifest('config'),
      jobHookManifest('migrate', { hook: 'PreSync' }),
      jobHookManifest('smoke', { hook: 'test', helm: true })
    )
    expect((await s.sync(files)).exitCode).toBe(0)
    const recorded = await s.records()
    const locking = s.cluster.gate({ verb: 'create', kind: 'Lease' })
    const op = s.start(files, { operation: 'test', operationId: 'run-2' })
    await locking.reached
    const repairing = s.cluster.gate({ verb: 'get', kind: 'Job', name: 'migrate' })
    let holding = false
    void repairing.reached.then(() => (holding = true))
    locking.release()
    await s.until(() => holding)
    // Another run takes the Lease over while the repair waits; the next renewal finds it.
    const lease = s.cluster.mustFind('Lease', 'wavesync.shop', NS)
    const renewTime = new Date(s.clock.now()).toISOString().replace('Z', '000Z')
    await s.cluster.replace(
      { ...lease, spec: { ...(lease['spec'] as object), holderIdentity: 'acme/shop run B', renewTime } },
      {}
    )
    const takenAt = s.cluster.requests.length
    await s.clock.advance(11_000)
    repairing.release()
    const result = await s.finish(op)

    expect(result.report).toMatchObject({
      phase: 'Error',
      message:
        'Operation stopped: lost the lock (coordination.k8s.io/Lease shop/wavesync.shop): it is held by acme/shop run B now'
    })
    expect(s.cluster.find('Job', 'smoke')).toBeUndefined()
    // Nothing written after the takeover: not the tested record, not the other run's Lease.
    expect(s.cluster.writes().filter(r => r.seq >= takenAt)).toEqual([])
    expect(await s.records()).toEqual(recorded)
  })
})

// Made again under the lock from another history, the plan is checked as the first one was: it may
// no longer be valid, and the run must not write from it (§4.1.2, §4.1.6).
describe('a plan made again under the lock that is no longer valid (§4.1.2, §4.1.6)', () => {
  const NOT_VALID = 'one or more synchronization tasks are not valid'
  const config = configMapManifest('config')
  const history = async (s: Scenario): Promise<string[]> =>
    (await s.records()).map(r => `${r.revision} ${r.status} ${r.operation.id}`)

  /**
   * Starts an operation planned from the history, and while it waits for the Lease lets another
   * operation move that history (`meanwhile`); returns its result and where the log stood then.
   */
  async function movedWhileLocking(
    s: Scenario,
    overrides: Partial<SyncSettings>,
    meanwhile: (store: InventoryStore) => Promise<void>
  ): Promise<{ result: OperationResult; from: number; before: string[] }> {
    const locking = s.cluster.gate({ verb: 'create', kind: 'Lease' })
    const op = s.start({}, { operationId: 'run-late', ...overrides })
    await locking.reached
    await meanwhile(new InventoryStore(s.cluster, 'shop', NS))
    const before = await history(s)
    const from = s.cluster.requests.length
    locking.release()
    return { result: await s.finish(op), from, before }
  }

  /** Fails as the first plan would have, nothing written under the lock, the lock given back. */
  async function expectRefused(
    s: Scenario,
    run: { result: OperationResult; from: number; before: string[] },
    issue: string
  ): Promise<void> {
    const { result, from, before } = run
    expect(result.exitCode).toBe(1)
    expect(result.report).toMatchObject({ phase: 'Failed', message: NOT_VALID, revision: null })
    expect(
      result.issues.filter(i => i.severity === 'error').map(i => `${i.file}:${i.line}: ${i.message}`)
    ).toEqual([issue])
    expect(nonDryWrites(s, from).map(r => `${r.verb} ${r.kind}/${r.name}`)).toEqual([
      'create Lease/wavesync.shop',
      'delete Lease/wavesync.shop'
    ])
    expect(s.cluster.all('Lease')).toEqual([])
    expect(await history(s)).toEqual(before)
  }

  test('a rollback whose target revision the history limit trimmed meanwhile: Failed, nothing deleted', async () => {
    const s = new Scenario()
    s.healthyControllers()
    expect((await s.sync(manifestFiles(config), { operationId: 'run-1' })).exitCode).toBe(0)
    expect((await s.sync(manifestFiles(config, WEB()), { operationId: 'run-2' })).exitCode).toBe(0)
    const run = await movedWhileLocking(s, { operation: 'rollback', rollbackTo: 1 }, async store => {
      // Another sync recorded revision 3 and, keeping two revisions, trimmed revision 1.
      const [first, second] = (await store.history()).records
      if (!first || !second) throw new Error('two revisions expected')
      await store.update({ ...second, status: 'superseded' })
      await store.create(
        { ...second, revision: 3, status: 'deployed', operation: { ...second.operation, id: 'run-3' } },
        s.clock
      )
      await store.trim([first, { ...second, status: 'superseded' }, { revision: 3, status: 'deployed' }], 2)
    })

    await expectRefused(s, run, '(inventory shop):0: shop has no revision 1 to roll back to')
    expect(run.before).toEqual(['2 superseded run-2', '3 deployed run-3'])
    expect(s.cluster.find('Deployment', 'web')).toBeDefined()
    expect(s.cluster.find('ConfigMap', 'config')).toBeDefined()
  })

  test('a delete whose latest record, made meanwhile, has a hook of a kind no longer served: Failed, nothing deleted', async () => {
    const s = new Scenario()
    s.healthyControllers()
    expect((await s.sync(manifestFiles(config), { operationId: 'run-1' })).exitCode).toBe(0)
    const announce = {
      apiVersion: 'example.com/v1',
      kind: 'Gadget',
      metadata: { name: 'announce', namespace: NS, annotations: { 'argocd.argoproj.io/hook': 'PreDelete' } },
      spec: { size: 1 }
    }
    const run = await movedWhileLocking(s, { operation: 'delete' }, async store => {
      // Another sync recorded revision 2 with a PreDelete hook of kind Gadget, whose CRD was
      // uninstalled since: the server serves the kind at no version.
      const [first] = (await store.history()).records
      if (!first) throw new Error('revision 1 expected')
      await store.update({ ...first, status: 'superseded' })
      await store.create(
        {
          ...first,
          revision: 2,
          status: 'deployed',
          operation: { ...first.operation, id: 'run-2' },
          manifests: [...first.manifests, announce]
        },
        s.clock
      )
    })

    await expectRefused(
      s,
      run,
      '(revision 2):2: PreDelete hook example.com/Gadget shop/announce: the server no longer serves example.com/v1 Gadget at any version (its CRD or API was removed), so the hook cannot be created; reinstall the CRD first, or leave the hook out (no-hooks, or skip-hooks PreDelete)'
    )
    expect(run.before).toEqual(['1 superseded run-1', '2 deployed run-2'])
    expect(s.cluster.find('ConfigMap', 'config')).toBeDefined()
  })
})

describe('a crashed run’s Lease and pending record (§7.2)', () => {
  const manifests = manifestFiles(configMapManifest('config'), WEB())
  function scenario(webDelayMs: number): Scenario {
    const s = new Scenario()
    s.whenCreatedAfter('Deployment', 'web', webDelayMs, () => s.cluster.makeDeploymentAvailable('web'))
    return s
  }

  test('a Lease left by a crashed run is taken over once expired, and its pending record is marked failed', async () => {
    const s = scenario(0)
    const renewed = new Date(EPOCH - 5_000).toISOString().replace('Z', '000Z')
    s.cluster.seed({
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: { name: 'wavesync.shop', namespace: NS },
      spec: {
        holderIdentity: 'acme/shop run 0 (crashed)',
        leaseDurationSeconds: 30,
        acquireTime: renewed,
        renewTime: renewed
      }
    })
    await new InventoryStore(s.cluster, 'shop', NS).create(crashedRecord(), s.clock)
    const result = await s.sync(manifests)

    expect(result.exitCode).toBe(0)
    const records = await s.records()
    expect(records.map(r => [r.revision, r.status])).toEqual([
      [1, 'failed'],
      [2, 'deployed']
    ])
    expect(records[0]?.operation.message).toBe(
      'abandoned: the operation that started this revision did not finish'
    )
    expect(result.report?.warnings).toContain(
      'revision 1 was left pending-install by an operation that did not finish; marked failed'
    )
    // The dead run's Lease expired 25 s after the start; nothing was applied before.
    expect(firstWrite(s, 'ConfigMap', 'config')?.at).toBeGreaterThanOrEqual(EPOCH + 25_000)
  })
})

describe('a lock lost while the operation runs (§7.2)', () => {
  const manifests = manifestFiles(
    WEB(),
    jobHookManifest('seed', { hook: 'Sync' }),
    configMapManifest('later', { wave: 1 })
  )

  test('taken over by another run: Error naming the new holder, no later write, hooks settled, record failed, its Lease left to it', async () => {
    const s = new Scenario()
    s.whenCreated('Job', 'seed', () => s.cluster.startJob('seed'))
    s.healthyControllers(['web', 'seed'])
    const op = s.start(manifests)
    await s.until(() => s.cluster.find('Job', 'seed')?.status !== undefined)
    const lease = s.cluster.mustFind('Lease', 'wavesync.shop', NS)
    const renewTime = new Date(s.clock.now()).toISOString().replace('Z', '000Z')
    await s.cluster.replace(
      { ...lease, spec: { ...(lease['spec'] as object), holderIdentity: 'acme/shop run B', renewTime } },
      {}
    )
    const takenAt = s.cluster.requests.length
    const result = await s.finish(op)

    expect(result.exitCode).toBe(1)
    expect(result.report).toMatchObject({
      phase: 'Error',
      message:
        'Operation stopped: lost the lock (coordination.k8s.io/Lease shop/wavesync.shop): it is held by acme/shop run B now'
    })
    expect(s.cluster.find('ConfigMap', 'later')).toBeUndefined()
    // Only the termination's own cleanup and the record's final status are written after the loss.
    expect(
      s.cluster
        .writes()
        .filter(r => r.seq >= takenAt)
        .map(r => `${r.verb} ${r.kind}/${r.name}`)
    ).toEqual(['patch Job/seed', 'delete Job/seed', 'apply Secret/wavesync.v1.shop.v1'])
    expect(hookFinalizers(s)).toEqual([])
    expect((await s.records()).map(r => r.status)).toEqual(['failed'])
    expect(s.cluster.mustFind('Lease', 'wavesync.shop', NS)).toMatchObject({
      spec: { holderIdentity: 'acme/shop run B' }
    })
  })
})

describe('repairing a crashed run’s leftovers (§5.5.2, §7.2)', () => {
  test('a repair that fails is reported as it happened: the record not marked failed, the finalizer not removed', async () => {
    const s = new Scenario()
    s.healthyControllers()
    await crashedWithHook(s, { group: 'batch', kind: 'Job', namespace: NS, name: 'migrate' })
    seedFinalizedMigrate(s)
    const forbidden = (verb: 'apply' | 'patch', name: string) =>
      s.cluster.inject({ verb, name, status: 403, message: `${verb} is forbidden` })
    forbidden('apply', 'wavesync.v1.shop.v1')
    forbidden('patch', 'migrate')
    const result = await s.sync(manifestFiles(configMapManifest('config')))

    expect(result.report?.warnings).toEqual(
      expect.arrayContaining([
        'revision 1 was left pending-install by an operation that did not finish; it could not be marked failed: apply /Secret shop/wavesync.v1.shop.v1: apply is forbidden',
        'batch/Job shop/migrate: the hook finalizer left by revision 1 was not removed (patch batch/Job shop/migrate: patch is forbidden)'
      ])
    )
    expect(result.report?.warnings.join('\n')).not.toContain('did not finish; marked failed')
    expect(hookFinalizers(s)).toEqual(['Job/migrate'])
  })

  /** Revision 1, left pending by a killed run, lists completed hook Gadget `probe` at example.com/v1. */
  function gadgetHookRecorded(s: Scenario): Promise<void> {
    return crashedWithHook(s, { group: 'example.com', kind: 'Gadget', namespace: NS, name: 'probe' })
  }
  const finalizerWarnings = (result: OperationResult): string[] =>
    result.report?.warnings.filter(w => w.includes('finalizer')) ?? []

  test('a hook whose recorded version was retired loses the finalizer at the version served now', async () => {
    const s = new Scenario()
    s.cluster.seed(crdManifest({ kind: 'Gadget', versions: { v1: false, v2: true }, established: true }))
    await gadgetHookRecorded(s)
    s.cluster.seed({
      apiVersion: 'example.com/v2',
      kind: 'Gadget',
      metadata: { name: 'probe', namespace: NS, finalizers: [HOOK_FINALIZER] }
    })
    const result = await s.sync(manifestFiles(configMapManifest('config')))

    expect(result.exitCode).toBe(0)
    expect(finalizerWarnings(result)).toEqual([])
    expect(hookFinalizers(s)).toEqual([])
    expect(s.cluster.find('Gadget', 'probe')).toBeDefined()
  })

  test('a hook whose kind is served at no version any more: no object to repair, nothing to warn of', async () => {
    const s = new Scenario()
    await gadgetHookRecorded(s)
    const result = await s.sync(manifestFiles(configMapManifest('config')))

    expect(result.exitCode).toBe(0)
    expect(finalizerWarnings(result)).toEqual([])
    expect(s.cluster.requests.filter(r => r.kind === 'Gadget')).toEqual([])
  })
})

describe('the run’s own record is never left pending (§7.2)', () => {
  const manifests = manifestFiles(configMapManifest('config'))
  const record = 'wavesync.v1.shop.v1'

  test('a create whose answer was lost, and whose read-back fails at first: known to be ours, closed deployed', async () => {
    const s = new Scenario()
    s.cluster.inject({ verb: 'create', name: record, status: 504, message: 'proxy timeout', when: 'after' })
    s.cluster.inject({ verb: 'get', name: record, status: 503, message: 'etcd down' })
    const result = await s.sync(manifests)

    expect(result.report).toMatchObject({ phase: 'Succeeded', revision: 1 })
    expect((await s.records()).map(r => [r.revision, r.status])).toEqual([[1, 'deployed']])
  })

  test('a cancel while the record’s create is in flight: the record it made is closed failed', async () => {
    const s = new Scenario()
    const gate = s.cluster.gate({ verb: 'create', name: record, when: 'after' })
    const op = s.start(manifests)
    await gate.reached
    op.abort.abort()
    gate.release()
    const result = await s.finish(op)

    expect(result.report).toMatchObject({ phase: 'Terminated', message: 'Operation terminated' })
    expect((await s.records()).map(r => [r.revision, r.status])).toEqual([[1, 'failed']])
    expect(s.cluster.find('ConfigMap', 'config')).toBeUndefined()
  })

  test('its final status cannot be written: Error naming the record; the previous deployed one is kept', async () => {
    const s = new Scenario()
    expect((await s.sync(manifests)).exitCode).toBe(0)
    s.cluster.inject({
      verb: 'apply',
      name: 'wavesync.v1.shop.v2',
      status: 403,
      message: 'secrets is forbidden',
      times: Infinity
    })
    const result = await s.sync(manifests, { operationId: 'run-2' })

    expect(result.exitCode).toBe(1)
    expect(result.report).toMatchObject({
      phase: 'Error',
      message:
        'successfully synced (all tasks run); the inventory record shop/wavesync.v1.shop.v2 is left pending-upgrade: its final status (deployed) was not written (apply /Secret shop/wavesync.v1.shop.v2: secrets is forbidden); the next operation marks it failed'
    })
    expect((await s.records()).map(r => [r.revision, r.status])).toEqual([
      [1, 'deployed'],
      [2, 'pending-upgrade']
    ])
  })
})

describe('objects that vanish while awaited (§4.3.2, §5.7.2)', () => {
  test('a resource deleted by someone while Running fails as Error "Resource … is missing"', async () => {
    const s = new Scenario()
    s.whenCreated('Deployment', 'web', () => s.cluster.forceDelete('Deployment', 'web'))
    const result = await s.sync(manifestFiles(WEB()))
    expect(result.report?.tasks.find(t => t.name === 'web')).toMatchObject({
      result: 'SyncFailed',
      state: 'Error',
      message: 'Resource apps/Deployment/web is missing, it might have been deleted'
    })
  })

  test('…and the operation fails as a task failure: "one or more synchronization tasks completed unsuccessfully"', async () => {
    const s = new Scenario()
    s.whenCreated('Deployment', 'web', () => s.cluster.forceDelete('Deployment', 'web'))
    const result = await s.sync(manifestFiles(WEB()))
    expect(result.report?.message).toBe(
      'one or more synchronization tasks completed unsuccessfully, reason: Resource apps/Deployment/web is missing, it might have been deleted'
    )
  })

  test('a hook deleted by its TTL controller right after completing: its final status is recorded, then it goes (§5.7.1)', async () => {
    const s = new Scenario()
    s.whenCreated('Job', 'migrate', () => {
      s.cluster.completeJob('migrate')
      s.cluster.deleteAsUser('Job', 'migrate')
    })
    s.healthyControllers(['migrate'])
    const result = await s.sync(
      manifestFiles(jobHookManifest('migrate', { hook: 'PreSync' }), configMapManifest('config'))
    )
    expect(result.exitCode).toBe(0)
    expect(result.report?.tasks.find(t => t.name === 'migrate')).toMatchObject({
      state: 'Succeeded',
      message: 'Job complete: 1 succeeded'
    })
    expect(s.cluster.find('Job', 'migrate')).toBeUndefined()
  })
})

describe('tracking ids and inventory records (§7.1, §7.2)', () => {
  test('every object written carries the tracking id; hooks are created with our finalizer', async () => {
    const s = new Scenario(['default'])
    s.healthyControllers()
    await s.sync(todoFiles(), { namespace: 'todo', inventoryNamespace: 'todo' })
    const tracked = s.cluster
      .all()
      .filter(o => o.metadata.annotations?.['wavesync.dev/tracking-id'] !== undefined)
      .map(
        o =>
          `${o.kind}/${o.metadata.name ?? ''} ${String(o.metadata.annotations?.['wavesync.dev/tracking-id'])}`
      )
    expect(tracked).toEqual([
      'Namespace/todo shop:/Namespace:/todo',
      'Service/postgresql shop:/Service:todo/postgresql',
      'Service/todo-gitops shop:/Service:todo/todo-gitops',
      'Deployment/postgresql shop:apps/Deployment:todo/postgresql',
      'Deployment/todo-gitops shop:apps/Deployment:todo/todo-gitops',
      'Job/todo-table shop:batch/Job:todo/todo-table'
    ])
  })

  test('inventory records: labels per revision; history trimmed to history-max, never the deployed one', async () => {
    const s = new Scenario()
    s.healthyControllers()
    for (const run of ['run-1', 'run-2', 'run-3']) {
      await s.sync(manifestFiles(configMapManifest('config', { data: { run } })), {
        operationId: run,
        historyMax: 2
      })
      await s.clock.advance(60_000)
    }
    expect((await s.records()).map(r => [r.revision, r.status, r.operation.id])).toEqual([
      [2, 'superseded', 'run-2'],
      [3, 'deployed', 'run-3']
    ])
    expect(s.cluster.mustFind('Secret', 'wavesync.v1.shop.v3').metadata.labels).toEqual({
      'app.kubernetes.io/managed-by': 'wavesync',
      'wavesync.dev/application': 'shop',
      'wavesync.dev/revision': '3',
      'wavesync.dev/status': 'deployed',
      'wavesync.dev/operation': 'sync'
    })
  })
})

describe('prune errors (§4.4.2)', () => {
  test('a prune error fails its step before the step’s writes (§4.4.2)', async () => {
    const s = new Scenario()
    s.healthyControllers()
    await s.sync(manifestFiles(configMapManifest('keep'), configMapManifest('old')))
    const from = s.cluster.requests.length
    s.cluster.inject({
      verb: 'delete',
      kind: 'ConfigMap',
      name: 'old',
      dryRun: false,
      status: 403,
      message: 'configmaps "old" is forbidden: User "ci" cannot delete resource "configmaps"'
    })
    const result = await s.sync(manifestFiles(configMapManifest('keep', { data: { v: '2' } })), {
      prune: true,
      operationId: 'run-2'
    })
    expect(result.report?.message).toBe(
      'one or more objects failed to apply, reason: delete /ConfigMap shop/old: configmaps "old" is forbidden: User "ci" cannot delete resource "configmaps"'
    )
    expect(nonDryWrites(s, from).filter(r => r.kind === 'ConfigMap')).toEqual([])
  })
})

describe('prunes of re-created objects (§7.4.4)', () => {
  test('a pruned object re-created meanwhile under the same name is neither deleted nor waited for (§7.4.4)', async () => {
    const s = new Scenario()
    s.healthyControllers()
    await s.sync(manifestFiles(configMapManifest('keep'), configMapManifest('old')))
    const gate = s.cluster.gate({ verb: 'delete', kind: 'ConfigMap', name: 'old', dryRun: false })
    let held = false
    void gate.reached.then(() => (held = true))
    const op = s.start(manifestFiles(configMapManifest('keep')), { prune: true, operationId: 'run-2' })
    await s.until(() => held)
    // Someone deletes and re-creates `old` after the plan and the dry run, just before the prune.
    s.cluster.forceDelete('ConfigMap', 'old')
    s.cluster.seed({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'old', namespace: NS },
      data: { mine: 'yes' }
    })
    const replacement = (): string | undefined => s.cluster.find('ConfigMap', 'old')?.metadata.uid
    const theirs = replacement()
    gate.release()
    const result = await s.finish(op)
    expect(replacement()).toBe(theirs)
    expect(result.report?.tasks.find(t => t.name === 'old')).toMatchObject({
      result: 'Pruned',
      state: 'Succeeded'
    })
    expect(result.exitCode).toBe(0)
  })
})

describe('BeforeHookCreation conflicts and wait: false (§4.4.3, §4.5.3)', () => {
  test('BeforeHookCreation: another object appearing under the hook’s name meanwhile is a conflict, not adopted (§4.4.3)', async () => {
    const s = new Scenario()
    const old = s.cluster.seed({
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name: 'migrate', namespace: NS, finalizers: ['example.com/cleanup'] },
      spec: {
        template: {
          spec: { restartPolicy: 'Never', containers: [{ name: 'main', image: 'someone/else:1' }] }
        }
      }
    })[0]
    void s.clock.sleep(5_000).then(() => {
      // While wavesync waits for the old Job to go, someone else creates their own `migrate`.
      s.cluster.removeFinalizers('Job', 'migrate')
      // Same spec as ours (say, `kubectl apply` of the same file), so nothing but the uid tells them apart.
      const theirs = jobHookManifest('migrate', { hook: 'PreSync' })
      s.cluster.seed({
        ...theirs,
        metadata: { name: 'migrate', namespace: NS },
        status: { succeeded: 1, conditions: [{ type: 'Complete', status: 'True' }] }
      })
    })
    s.healthyControllers(['migrate'])
    const result = await s.sync(
      manifestFiles(jobHookManifest('migrate', { hook: 'PreSync' }), configMapManifest('config'))
    )
    expect(old?.metadata.uid).toBeDefined()
    expect(result.report?.tasks.find(t => t.name === 'migrate')).toMatchObject({
      result: 'SyncFailed',
      state: 'Failed'
    })
    expect(result.exitCode).toBe(1)
  })

  test('wait: false: a last step without hooks ends Succeeded right after its writes', async () => {
    const s = new Scenario()
    const result = await s.sync(manifestFiles(configMapManifest('config'), WEB(1)), { wait: false })
    expect(result.report?.message).toBe('successfully synced (all tasks run)')
    expect(s.clock.now()).toBe(EPOCH)
    expect(result.report?.tasks.find(t => t.name === 'web')?.state).toBe('Running')
  })
})

describe('wave-delay and release modes (§4.3.7, §9.1)', () => {
  test('wave-delay sleeps between steps, not before the first', async () => {
    const s = new Scenario()
    s.healthyControllers()
    await s.sync(
      manifestFiles(
        configMapManifest('a'),
        configMapManifest('b', { wave: 1 }),
        configMapManifest('c', { wave: 2 })
      ),
      { waveDelayMs: 3_000 }
    )
    expect(['a', 'b', 'c'].map(name => (firstWrite(s, 'ConfigMap', name)?.at ?? 0) - EPOCH)).toEqual([
      0, 3_000, 6_000
    ])
  })

  test('helm hooks follow the release mode: pre-install on the first sync, pre-upgrade afterwards (§9.1)', async () => {
    const s = new Scenario()
    s.healthyControllers()
    const manifests = manifestFiles(
      jobHookManifest('install-only', { hook: 'pre-install', policy: 'hook-succeeded', helm: true }),
      jobHookManifest('upgrade-only', { hook: 'pre-upgrade', policy: 'hook-succeeded', helm: true }),
      configMapManifest('config')
    )
    const first = await s.sync(manifests)
    const second = await s.sync(manifests, { operationId: 'run-2' })
    expect([first.report?.mode, second.report?.mode]).toEqual(['install', 'upgrade'])
    expect(first.report?.tasks.map(t => t.name)).toEqual(['install-only', 'config'])
    expect(second.report?.tasks.map(t => t.name)).toEqual(['upgrade-only', 'config'])
    expect(s.cluster.all('Job')).toEqual([])
  })
})

/** The crashed run's PreSync hook Job `migrate`, still carrying our finalizer. */
function seedFinalizedMigrate(s: Scenario): void {
  s.cluster.seed({
    ...jobHookManifest('migrate', { hook: 'PreSync' }),
    metadata: { name: 'migrate', namespace: NS, finalizers: [HOOK_FINALIZER] }
  })
}

/** The crashed run's record stored, listing one completed PreSync hook recorded at v1. */
async function crashedWithHook(s: Scenario, key: ResourceKey): Promise<void> {
  const hook = {
    key,
    version: 'v1',
    family: 'argo' as const,
    phase: 'PreSync' as const,
    trigger: 'PreSync',
    state: 'Succeeded' as const,
    message: 'done'
  }
  await new InventoryStore(s.cluster, 'shop', NS).create({ ...crashedRecord(), hooks: [hook] }, s.clock)
}

/** What a run killed after creating its record leaves: revision 1, still pending. */
function crashedRecord(): InventoryRecord {
  return inventoryRecord({
    operation: { id: 'run-0', startedAt: new Date(EPOCH - 60_000).toISOString() },
    objects: [
      {
        group: '',
        kind: 'ConfigMap',
        namespace: NS,
        name: 'config',
        version: 'v1',
        wave: 0,
        createdNamespace: false
      }
    ]
  })
}
