import { describe, expect, test } from '@jest/globals'
import type { KubeObject } from '../../../src/model/object.js'
import type { OperationResult } from '../../../src/sync/operation.js'
import { SHARED_FAILED } from '../../../src/sync/preflight.js'
import { reportText } from '../../../src/report/render-text.js'
import type { RequestRecord } from '../../support/fake-cluster.js'
import {
  Scenario,
  configMapManifest,
  deploymentManifest,
  jobHookManifest,
  manifestFiles
} from '../../support/scenario.js'

// Desired objects judged against their live copies once the dry run passed (sync-semantics §2.5
// ApplyOutOfSyncOnly and FailOnSharedResource, §7.1, §8.4, §11 #14), over the in-memory API server.

const TRACKING = 'wavesync.dev/tracking-id'
const OUT_OF_SYNC_ONLY = { syncOptions: { ApplyOutOfSyncOnly: 'true' } }
/** Real (not dry-run) writes of the application's objects since `from`, as `verb Kind/name`. */
const writesSince = (s: Scenario, from: number): string[] =>
  s.cluster
    .writes()
    .filter(r => r.seq >= from && r.kind !== 'Lease' && r.kind !== 'Secret')
    .map(r => `${r.verb} ${r.kind}/${r.name}`)
const taskLine = (result: OperationResult, name: string): string | undefined => {
  const task = result.report?.tasks.find(t => t.name === name)
  return task && `${task.state} ${task.result ?? '-'} ${task.message}`
}
const config = (data: string): KubeObject => configMapManifest('config', { data: { v: data } })

/** A first sync of `objects`, then `second` is run from a fresh request-log position. */
async function resync(
  first: readonly object[],
  second: readonly object[],
  settings: Parameters<Scenario['sync']>[1] = OUT_OF_SYNC_ONLY
): Promise<{ s: Scenario; result: OperationResult; from: number }> {
  const s = new Scenario()
  s.healthyControllers()
  expect((await s.sync(manifestFiles(...first))).exitCode).toBe(0)
  await s.clock.advance(60_000)
  const from = s.cluster.requests.length
  const result = await s.sync(manifestFiles(...second), { operationId: 'run-2', ...settings })
  return { s, result, from }
}

describe('ApplyOutOfSyncOnly=true (§2.5)', () => {
  const web = deploymentManifest('web')

  test('only what changed is written; unchanged resources are Synced "unchanged" without a request', async () => {
    const { s, result, from } = await resync(
      [config('1'), configMapManifest('other'), web],
      [config('2'), configMapManifest('other'), web]
    )
    expect(result.exitCode).toBe(0)
    expect(writesSince(s, from)).toEqual(['apply ConfigMap/config'])
    expect(taskLine(result, 'other')).toBe('Succeeded Synced configmap/other unchanged')
    expect(taskLine(result, 'config')).toBe('Succeeded Synced configmap/config configured')
    expect(result.report?.tasks.find(t => t.name === 'web')).toMatchObject({
      state: 'Succeeded',
      result: 'Synced'
    })
    expect(s.cluster.mustFind('ConfigMap', 'config')['data']).toEqual({ v: '2' })
    expect(result.report?.warnings.join('\n')).not.toMatch(/not implemented/)
  })

  test('without the option every resource is written, unchanged or not', async () => {
    const { s, from } = await resync([config('1'), web], [config('1'), web], {})
    expect(writesSince(s, from)).toEqual(['apply ConfigMap/config', 'apply Deployment/web'])
  })

  test('hooks are never skipped and prunes still happen', async () => {
    const migrate = jobHookManifest('migrate', { hook: 'PreSync' })
    const { s, result, from } = await resync(
      [migrate, config('1'), configMapManifest('old')],
      [migrate, config('1')],
      { ...OUT_OF_SYNC_ONLY, prune: true }
    )
    expect(result.exitCode).toBe(0)
    // BeforeHookCreation (the default) deletes the earlier run's hook and creates it again.
    expect(writesSince(s, from)).toEqual([
      'delete Job/migrate',
      'create Job/migrate',
      'patch Job/migrate',
      'delete ConfigMap/old'
    ])
    expect(taskLine(result, 'config')).toBe('Succeeded Synced configmap/config unchanged')
  })

  test('an unchanged but unhealthy resource still gates the next wave (§11 #14)', async () => {
    const db = deploymentManifest('db')
    const s = new Scenario()
    s.healthyControllers()
    await s.sync(manifestFiles(db, configMapManifest('web-config', { wave: 1, data: { v: '1' } })))
    s.cluster.makeDeploymentProgressing('db')
    const from = s.cluster.requests.length
    const op = s.start(manifestFiles(db, configMapManifest('web-config', { wave: 1, data: { v: '2' } })), {
      operationId: 'run-2',
      ...OUT_OF_SYNC_ONLY
    })
    await s.until(() => op.events.some(e => e.type === 'waiting' && e.message.includes('/Deployment/db')))
    await s.clock.advance(60_000)
    expect(writesSince(s, from)).toEqual([])
    const available = s.cluster.makeDeploymentAvailable('db')
    const result = await s.finish(op)
    expect(result.exitCode).toBe(0)
    expect(writesSince(s, from)).toEqual(['apply ConfigMap/web-config'])
    const write = s.cluster.writes().find(r => r.seq >= from && r.name === 'web-config')
    expect(write?.seq).toBeGreaterThan(controllerSeq(s, 'deployment available', available))
  })

  test('an unchanged resource that stays unhealthy times out like a written one', async () => {
    const db = deploymentManifest('db', { annotations: { 'wavesync.dev/timeout': '2m' } })
    const s = new Scenario()
    s.healthyControllers()
    await s.sync(manifestFiles(db))
    s.cluster.makeDeploymentProgressing('db')
    const result = await s.sync(manifestFiles(db), { operationId: 'run-2', ...OUT_OF_SYNC_ONLY })
    expect(result.exitCode).toBe(1)
    expect(result.report?.tasks.find(t => t.name === 'db')?.message).toMatch(
      /^timed out after 2m waiting for/
    )
  })

  test('an object changed by someone after the dry run is written when its wave comes', async () => {
    const db = deploymentManifest('db')
    const later = configMapManifest('later', { wave: 1, data: { v: '1' } })
    const s = new Scenario()
    s.healthyControllers()
    await s.sync(manifestFiles(db, later))
    s.cluster.makeDeploymentProgressing('db')
    const from = s.cluster.requests.length
    const op = s.start(manifestFiles(db, later), { operationId: 'run-2', ...OUT_OF_SYNC_ONLY })
    await s.until(() => op.events.some(e => e.type === 'waiting'))
    s.cluster.update('ConfigMap', 'later', undefined, 'someone edits', o => (o['data'] = { v: 'edited' }))
    s.cluster.makeDeploymentAvailable('db')
    const result = await s.finish(op)
    expect(result.exitCode).toBe(0)
    expect(writesSince(s, from)).toEqual(['apply ConfigMap/later'])
    expect(s.cluster.mustFind('ConfigMap', 'later')['data']).toEqual({ v: '1' })
  })
})

describe('dry-run: true reports what each task would do (§8.4)', () => {
  test('created, configured, unchanged, recreated, pruned and skipped; nothing is written', async () => {
    const migrate = jobHookManifest('migrate', { hook: 'PreSync' })
    const extra = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'extra' } }
    const { s, result, from } = await resync(
      [migrate, config('1'), configMapManifest('same'), configMapManifest('old')],
      [
        migrate,
        config('2'),
        configMapManifest('same'),
        configMapManifest('fresh'),
        extra,
        configMapManifest('inside', { namespace: 'extra' })
      ],
      { dryRun: true, prune: true }
    )
    expect(result.exitCode).toBe(0)
    expect(result.report?.message).toBe('dry run passed: nothing was written')
    expect(writesSince(s, from)).toEqual([])
    expect(
      result.report?.tasks.map(t => `${t.name}: ${t.state} ${String(t.result)} ${t.wouldBe} | ${t.message}`)
    ).toEqual([
      'migrate: pending null recreated | job/migrate recreated (dry run: BeforeHookCreation deletes the existing one first)',
      'extra: pending null created | namespace/extra created (dry run)',
      'config: pending null configured | configmap/config configured (dry run)',
      'fresh: pending null created | configmap/fresh created (dry run)',
      'inside: pending null skipped | dry run skipped: namespace extra is created by this operation',
      'old: pending null pruned | pruned (dry run)',
      'same: pending null unchanged | configmap/same unchanged (dry run)'
    ])
    const text = reportText(result.report ?? fail())
    expect(text).toMatch(/\/ConfigMap shop\/fresh +would be created +configmap\/fresh created \(dry run\)/)
    expect(text).toMatch(
      /\/ConfigMap shop\/same +would stay unchanged +configmap\/same unchanged \(dry run\)/
    )
  })

  test('pruning off: the obsolete object would be skipped, with the reason', async () => {
    const { result } = await resync([config('1'), configMapManifest('old')], [config('1')], { dryRun: true })
    expect(result.report?.tasks.find(t => t.name === 'old')).toMatchObject({
      state: 'pending',
      result: null,
      wouldBe: 'skipped',
      message: 'ignored (requires pruning)'
    })
  })
})

describe('shared resources and adoption (§7.1, FailOnSharedResource)', () => {
  /** The namespace holds `config`, tracked by the billing application, and `loose`, tracked by none. */
  function withForeignObjects(): Scenario {
    const s = new Scenario()
    s.cluster.seed(
      {
        ...configMapManifest('config', { namespace: 'shop' }),
        metadata: {
          name: 'config',
          namespace: 'shop',
          annotations: { [TRACKING]: 'billing:/ConfigMap:shop/config' }
        }
      },
      configMapManifest('loose', { namespace: 'shop' })
    )
    return s
  }
  const manifests = manifestFiles(
    configMapManifest('config'),
    configMapManifest('loose'),
    configMapManifest('mine')
  )

  test('by default: a warning names the other application, and the object is taken over', async () => {
    const s = withForeignObjects()
    const result = await s.sync(manifests)
    expect(result.exitCode).toBe(0)
    expect(result.report?.warnings).toContain(
      '/ConfigMap shop/config is tracked by application billing: taken over by this sync (FailOnSharedResource=true would fail instead)'
    )
    expect(result.report?.notes).toContain(
      'adopted 1 object(s) that existed without a tracking id: ConfigMap loose'
    )
    for (const name of ['config', 'loose'])
      expect(s.cluster.mustFind('ConfigMap', name).metadata.annotations?.[TRACKING]).toBe(
        `shop:/ConfigMap:shop/${name}`
      )
  })

  test('FailOnSharedResource=true: the operation fails before any write, naming the other application', async () => {
    const s = withForeignObjects()
    const before = s.cluster.all()
    const result = await s.sync(manifests, { syncOptions: { FailOnSharedResource: 'true' } })
    expect(result.exitCode).toBe(1)
    expect(result.report?.phase).toBe('Failed')
    expect(result.report?.message).toBe(SHARED_FAILED)
    expect(taskLine(result, 'config')).toBe(
      'Failed SyncFailed shared resource: tracked by application billing, and FailOnSharedResource=true forbids taking it over'
    )
    expect(taskLine(result, 'mine')).toBe('pending - ')
    // Nothing written: not the objects, not the Lease, not the inventory record.
    expect(s.cluster.writes()).toEqual([])
    expect(s.cluster.all()).toEqual(before)
  })

  test('FailOnSharedResource=true passes when only untracked objects are taken over', async () => {
    const s = new Scenario()
    s.cluster.seed(configMapManifest('loose', { namespace: 'shop' }))
    const result = await s.sync(manifestFiles(configMapManifest('loose')), {
      syncOptions: { FailOnSharedResource: 'true' }
    })
    expect(result.exitCode).toBe(0)
    expect(result.report?.notes).toContain(
      'adopted 1 object(s) that existed without a tracking id: ConfigMap loose'
    )
  })

  test('with ApplyOutOfSyncOnly, an adopted object of identical content is still written: it gets the tracking id', async () => {
    const s = new Scenario()
    s.cluster.seed(configMapManifest('loose', { namespace: 'shop' }))
    const from = s.cluster.requests.length
    const result = await s.sync(manifestFiles(configMapManifest('loose')), OUT_OF_SYNC_ONLY)
    expect(result.exitCode).toBe(0)
    expect(writesSince(s, from)).toEqual(['apply ConfigMap/loose'])
    expect(s.cluster.mustFind('ConfigMap', 'loose').metadata.annotations?.[TRACKING]).toBe(
      'shop:/ConfigMap:shop/loose'
    )
  })

  test('the CreateNamespace namespace is not a shared resource: two applications may sync into one namespace', async () => {
    const s = new Scenario(['default'])
    const options = {
      namespace: 'team',
      inventoryNamespace: 'team',
      syncOptions: { CreateNamespace: 'true' }
    }
    expect((await s.sync(manifestFiles(configMapManifest('a')), { ...options, app: 'first' })).exitCode).toBe(
      0
    )
    const result = await s.sync(manifestFiles(configMapManifest('b')), {
      ...options,
      app: 'second',
      operationId: 'run-2',
      syncOptions: { CreateNamespace: 'true', FailOnSharedResource: 'true' }
    })
    expect(result.exitCode).toBe(0)
    expect(result.report?.notes).toContain(
      'namespace team (CreateNamespace=true) is also tracked by application first; this sync records itself on it'
    )
  })
})

function controllerSeq(s: Scenario, detail: string, object: KubeObject): number {
  const found: RequestRecord | undefined = s.cluster.requests.find(
    r => r.verb === 'controller' && r.detail === detail && r.name === object.metadata.name
  )
  return found?.seq ?? Infinity
}

function fail(): never {
  throw new Error('no report')
}
