import { describe, expect, test } from '@jest/globals'
import { HOOK_FINALIZER } from '../../../src/health/health.js'
import type { KubeObject } from '../../../src/model/object.js'
import { EPOCH, settle } from '../../support/fake-clock.js'
import type { RequestRecord } from '../../support/fake-cluster.js'
import {
  Scenario,
  configMapManifest,
  crdManifest,
  deploymentManifest,
  jobHookManifest,
  manifestFiles
} from '../../support/scenario.js'
import { NS } from '../../support/sync-builders.js'

// The loop, the executor and the observer against the in-memory API server (sync-semantics §4.2,
// §4.4, §5.3–§5.6): what one step sends, in which order, and how the engine follows the cluster's
// answers and watch events.

const writesFrom = (s: Scenario, from = 0): string[] =>
  s.cluster
    .writes()
    .filter(r => r.seq >= from)
    .map(r => `${r.verb} ${r.kind}/${r.name}`)
const requestsFrom = (s: Scenario, from: number, pick: (r: RequestRecord) => boolean): RequestRecord[] =>
  s.cluster.requests.filter(r => r.seq >= from && pick(r))
const hookFinalizers = (s: Scenario): string[] =>
  s.cluster
    .all()
    .filter(o => o.metadata.finalizers?.includes(HOOK_FINALIZER))
    .map(o => `${o.kind}/${o.metadata.name ?? ''}`)

/** A Job left behind by an earlier operation: completed, maybe terminating, maybe still carrying our finalizer. */
function leftoverJob(
  name: string,
  extra: { finalizers?: string[]; deletionTimestamp?: string } = {}
): KubeObject {
  const hook = jobHookManifest(name, { hook: 'PreSync' })
  return {
    ...hook,
    metadata: { ...hook.metadata, namespace: NS, ...extra },
    status: { succeeded: 1, conditions: [{ type: 'Complete', status: 'True' }] }
  }
}

describe('watch events (§4.2, architecture §3b)', () => {
  test('a dropped watch resumes from its resourceVersion: a change made meanwhile is not lost', async () => {
    const s = new Scenario()
    s.whenCreated('Deployment', 'web', () => {
      s.cluster.dropWatches()
      s.cluster.makeDeploymentAvailable('web')
    })
    const result = await s.sync(
      manifestFiles(deploymentManifest('web'), configMapManifest('after', { wave: 1 }))
    )
    expect(result.exitCode).toBe(0)
    // Seen through the resumed watch at once, not by a later poll.
    expect(requestsFrom(s, 0, r => r.name === 'after' && r.verb === 'apply' && !r.dryRun)[0]?.at).toBe(EPOCH)
  })

  test('a watch answered 410 Gone re-lists and carries on', async () => {
    const s = new Scenario()
    s.whenCreated('Deployment', 'web', () => {
      s.cluster.expireWatches()
      s.cluster.makeDeploymentAvailable('web')
    })
    const result = await s.sync(
      manifestFiles(deploymentManifest('web'), configMapManifest('after', { wave: 1 }))
    )
    expect(result.exitCode).toBe(0)
    const lists = requestsFrom(s, 0, r => r.verb === 'list' && r.kind === 'Deployment')
    expect(lists).toHaveLength(2)
    // A 410 is paced like any failed watch (observer.test.ts): the re-list, and with it the news
    // that web is available, comes after the shortest pause (0.2 s), not in a hot loop.
    expect(lists[1]?.at).toBe(EPOCH + 200)
    expect(requestsFrom(s, 0, r => r.name === 'after' && r.verb === 'apply' && !r.dryRun)[0]?.at).toBe(
      EPOCH + 200
    )
  })

  test('a late watch event of the deleted predecessor does not fail the re-created hook (§4.2, §4.4.3)', async () => {
    const s = new Scenario()
    s.healthyControllers(['migrate'])
    const manifests = manifestFiles(
      jobHookManifest('migrate', { hook: 'PreSync' }),
      configMapManifest('config')
    )
    const first = s.start(manifests)
    await s.until(() => s.cluster.find('Job', 'migrate') !== undefined)
    s.cluster.completeJob('migrate')
    expect((await s.finish(first)).exitCode).toBe(0)

    await s.clock.advance(60_000)
    const from = s.cluster.requests.length
    s.cluster.holdWatchEvents()
    const second = s.start(manifests, { operationId: 'run-2' })
    await s.until(
      () => requestsFrom(s, from, r => r.verb === 'create' && r.name === 'migrate' && !r.dryRun).length > 0
    )
    // The watch stream lags: the predecessor's events (foreground deletion: MODIFIED, then
    // DELETED) and the new hook's ADDED arrive one at a time after the create returned.
    while (s.cluster.queuedWatchEvents > 0) {
      s.cluster.releaseWatchEvents(1)
      await settle()
    }
    s.cluster.resumeWatchEvents()
    s.cluster.completeJob('migrate')
    const result = await s.finish(second)
    expect(result.report?.tasks.find(t => t.name === 'migrate')).toMatchObject({ state: 'Succeeded' })
    expect(result.exitCode).toBe(0)
  })
})

describe('polling when watching is not possible (§4.2)', () => {
  test('a collection that may not be listed or watched is polled every poll-interval', async () => {
    const s = new Scenario()
    s.cluster.inject({
      verb: 'list',
      kind: 'Deployment',
      status: 403,
      message: 'deployments.apps is forbidden: User "ci" cannot list resource "deployments"',
      times: Infinity
    })
    s.whenCreatedAfter('Deployment', 'web', 10_000, () => s.cluster.makeDeploymentAvailable('web'))
    const result = await s.sync(
      manifestFiles(deploymentManifest('web'), configMapManifest('after', { wave: 1 }))
    )
    expect(result.report?.message).toBe('successfully synced (all tasks run)')
    const next = requestsFrom(s, 0, r => r.name === 'after' && r.verb === 'apply' && !r.dryRun)[0]
    expect(next?.at).toBeGreaterThanOrEqual(EPOCH + 10_000)
    expect(next?.at).toBeLessThanOrEqual(EPOCH + 12_000)
  })
})

describe('inside a step: stale hook finalizers (§4.4.1)', () => {
  test('a leftover hook still carrying our finalizer loses it first, then BeforeHookCreation re-creates it', async () => {
    const s = new Scenario()
    s.cluster.seed(leftoverJob('migrate', { finalizers: [HOOK_FINALIZER] }))
    s.healthyControllers()
    const from = s.cluster.requests.length
    const result = await s.sync(
      manifestFiles(jobHookManifest('migrate', { hook: 'PreSync' }), configMapManifest('config'))
    )
    expect(result.exitCode).toBe(0)
    expect(writesFrom(s, from)).toEqual([
      'create Lease/wavesync.shop',
      'create Secret/wavesync.v1.shop.v1',
      'patch Job/migrate',
      'delete Job/migrate',
      'create Job/migrate',
      'patch Job/migrate',
      'apply ConfigMap/config',
      'apply Secret/wavesync.v1.shop.v1',
      'delete Lease/wavesync.shop'
    ])
    expect(hookFinalizers(s)).toEqual([])
  })
})

describe('inside a step: terminating leftovers and BeforeHookCreation waits (§4.4.1, §4.4.3)', () => {
  test('a leftover hook already terminating is not deleted again: the hook waits for it, then is created (whatever its policy)', async () => {
    const s = new Scenario()
    s.cluster.seed(
      leftoverJob('migrate', {
        finalizers: ['example.com/cleanup'],
        deletionTimestamp: '2024-11-21T11:59:00Z'
      })
    )
    s.healthyControllers()
    let freed = 0
    void s.clock.sleep(20_000).then(() => {
      freed = s.clock.now()
      s.cluster.removeFinalizers('Job', 'migrate')
    })
    const result = await s.sync(
      manifestFiles(
        jobHookManifest('migrate', { hook: 'PreSync', policy: 'HookFailed' }),
        configMapManifest('config')
      )
    )
    expect(result.exitCode).toBe(0)
    expect(writesFrom(s).filter(w => w.endsWith('Job/migrate'))).toEqual([
      'create Job/migrate',
      'patch Job/migrate'
    ])
    const created = requestsFrom(s, 0, r => r.verb === 'create' && r.name === 'migrate' && !r.dryRun)[0]
    expect(freed).toBe(EPOCH + 20_000)
    expect(created?.at).toBe(freed)
  })

  test('BeforeHookCreation whose old object never goes away fails the hook after the object timeout', async () => {
    const s = new Scenario()
    s.cluster.seed(leftoverJob('migrate', { finalizers: ['example.com/stuck'] }))
    s.healthyControllers()
    const result = await s.sync(
      manifestFiles(jobHookManifest('migrate', { hook: 'PreSync' }), configMapManifest('config')),
      { objectTimeoutMs: 30_000 }
    )
    expect(result.exitCode).toBe(1)
    expect(result.report?.tasks.find(t => t.name === 'migrate')).toMatchObject({
      state: 'Failed',
      message: 'timed out after 30s waiting for deletion of the previous Job migrate'
    })
    expect(result.report?.tasks.find(t => t.name === 'config')?.state).toBe('pending')
  })
})

describe('inside a step: existing hooks without BeforeHookCreation (§5.3.3)', () => {
  test('a named argo hook without BeforeHookCreation that already completed is not run again (§5.3.3)', async () => {
    const s = new Scenario()
    s.healthyControllers()
    const manifests = manifestFiles(
      jobHookManifest('once', { hook: 'PreSync', policy: 'HookFailed' }),
      configMapManifest('config')
    )
    await s.sync(manifests)
    const before = s.cluster.mustFind('Job', 'once')
    const pods = s.cluster.all('Pod').length
    const from = s.cluster.requests.length
    const result = await s.sync(manifests, { operationId: 'run-2' })
    expect(result.exitCode).toBe(0)
    expect(s.cluster.mustFind('Job', 'once').metadata.uid).toBe(before.metadata.uid)
    expect(s.cluster.all('Pod')).toHaveLength(pods)
    // create → AlreadyExists, apply over it (re-adding our finalizer), its Complete status decides at once, finalizer off.
    expect(
      requestsFrom(s, from, r => r.name === 'once' && !r.dryRun && r.verb !== 'get').map(
        r => `${r.verb} ${r.status}`
      )
    ).toEqual(['create 409', 'apply 200', 'patch 200'])
    expect(result.report?.tasks.find(t => t.name === 'once')).toMatchObject({
      state: 'Succeeded',
      message: 'Job complete: 1 succeeded'
    })
  })

  test('a helm hook that exists without before-hook-creation fails the dry run (§5.3.3)', async () => {
    const s = new Scenario()
    s.healthyControllers()
    const manifests = manifestFiles(
      jobHookManifest('setup', { hook: 'pre-install,pre-upgrade', policy: 'hook-failed', helm: true }),
      configMapManifest('config')
    )
    expect((await s.sync(manifests)).exitCode).toBe(0)
    const result = await s.sync(manifests, { operationId: 'run-2' })
    expect(result.report?.message).toBe('one or more objects failed to apply (dry run)')
    expect(result.report?.tasks.find(t => t.name === 'setup')?.message).toBe(
      'hook object setup already exists and has no before-hook-creation policy'
    )
  })
})

describe('inside a step: kind batches (§4.4.4)', () => {
  test('a failed write does not stop the later kind batches of its step; the next step never starts', async () => {
    const s = new Scenario()
    s.healthyControllers()
    s.cluster.inject({
      verb: 'apply',
      kind: 'ConfigMap',
      name: 'config',
      dryRun: false,
      status: 422,
      message: 'ConfigMap "config" is invalid: data[bad key]: Invalid value'
    })
    const result = await s.sync(
      manifestFiles(
        configMapManifest('config'),
        deploymentManifest('web'),
        jobHookManifest('after', { hook: 'PostSync' })
      )
    )
    expect(writesFrom(s)).toContain('apply Deployment/web')
    expect(writesFrom(s)).not.toContain('create Job/after')
    expect(result.report?.message).toBe(
      'one or more objects failed to apply, reason: apply /ConfigMap shop/config: ConfigMap "config" is invalid: data[bad key]: Invalid value'
    )
  })
})

describe('inside a step: CRDs before their custom resources (§4.4.4)', () => {
  test('a CRD batch waits for Established and refreshes discovery before its custom resources, without delaying the CRD', async () => {
    const s = new Scenario()
    s.whenCreatedAfter('CustomResourceDefinition', 'widgets.example.com', 10_000, () =>
      s.cluster.establishCrd('widgets.example.com')
    )
    const crd = crdManifest({ kind: 'Widget' })
    const widget = {
      apiVersion: 'example.com/v1',
      kind: 'Widget',
      metadata: { name: 'blue' },
      spec: { colour: 'blue' }
    }
    const result = await s.sync(manifestFiles(crd, widget))
    expect(result.exitCode).toBe(0)
    const established = s.cluster.indexOf({ verb: 'controller', detail: 'crd established' })
    const applied = s.cluster.indexOf({ verb: 'apply', kind: 'Widget', dryRun: false })
    expect(applied).toBeGreaterThan(established)
    // The step's first write is the CRD, at once: following the Widget collection, which cannot
    // be listed before the CRD exists, must not hold it back (nor give up watching it for good).
    expect(
      s.cluster.requests[
        s.cluster.indexOf({ verb: 'apply', kind: 'CustomResourceDefinition', dryRun: false })
      ]?.at
    ).toBe(EPOCH)
    expect(s.cluster.requests[applied]?.at).toBe(EPOCH + 10_000)
    expect(s.cluster.discoveryInvalidations).toBeGreaterThan(0)
    expect(
      result.report?.notes.some(n =>
        /^dry run skipped for 1 object\(s\) \(the kind is not served yet.*: Widget blue$/.test(n)
      )
    ).toBe(true)
  })
})

describe('inside a step: Force and immutable fields (§2.5, §8.2)', () => {
  test('Force=true on an immutable field: dry run passes as "will be recreated", then delete, wait, create', async () => {
    const s = new Scenario()
    s.healthyControllers()
    const job = (image: string): object => ({
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name: 'report', annotations: { 'argocd.argoproj.io/sync-options': 'Force=true' } },
      spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'main', image }] } } }
    })
    await s.sync(manifestFiles(job('example/report:1')))
    const firstUid = s.cluster.mustFind('Job', 'report').metadata.uid
    const from = s.cluster.requests.length
    const result = await s.sync(manifestFiles(job('example/report:2')), { operationId: 'run-2' })
    expect(result.exitCode).toBe(0)
    const engine = requestsFrom(
      s,
      from,
      r => r.name === 'report' && r.verb !== 'get' && r.verb !== 'controller' && !r.dryRun
    )
    expect(engine.map(r => `${r.verb} ${r.status}`)).toEqual(['apply 422', 'delete 200', 'create 200'])
    expect(s.cluster.mustFind('Job', 'report').metadata.uid).not.toBe(firstUid)
    expect(result.report?.warnings).toContain('Job report: will be recreated (Force=true)')
  })

  test('without Force an immutable field fails the dry run with the server’s message', async () => {
    const s = new Scenario()
    s.healthyControllers()
    const job = (image: string): object => ({
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name: 'report' },
      spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'main', image }] } } }
    })
    await s.sync(manifestFiles(job('example/report:1')))
    const result = await s.sync(manifestFiles(job('example/report:2')), { operationId: 'run-2' })
    expect(result.report?.message).toBe('one or more objects failed to apply (dry run)')
    expect(result.report?.tasks[0]?.message).toContain('field is immutable')
  })
})

describe('helm HookFailed in the loop (§5.6)', () => {
  test('HookFailed: the failed hook is deleted right after its diagnostics were read', async () => {
    const s = new Scenario()
    s.whenCreated('Job', 'setup', () => s.cluster.failJob('setup', { exitCode: 2, log: 'boom\n' }))
    const result = await s.sync(
      manifestFiles(
        jobHookManifest('setup', { hook: 'pre-install', policy: 'hook-failed', helm: true }),
        configMapManifest('config')
      )
    )
    expect(result.exitCode).toBe(1)
    const logs = s.cluster.indexOf({ verb: 'logs' })
    const deleted = s.cluster.indexOf({ verb: 'delete', kind: 'Job', name: 'setup', dryRun: false })
    expect(logs).toBeGreaterThan(-1)
    expect(deleted).toBeGreaterThan(logs)
    expect(result.report?.tasks.find(t => t.name === 'setup')).toMatchObject({
      exitCode: 2,
      logTail: ['boom']
    })
    expect(s.cluster.find('Job', 'setup')).toBeUndefined()
  })
})

describe('helm HookSucceeded in the loop (§5.6)', () => {
  test('HookSucceeded: deleted when the phase completed, before the next phase, last created first', async () => {
    const s = new Scenario()
    s.healthyControllers()
    const settings = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: {
        name: 'setup-settings',
        annotations: { 'helm.sh/hook': 'pre-install', 'helm.sh/hook-delete-policy': 'hook-succeeded' }
      },
      data: { mode: 'fast' }
    }
    const result = await s.sync(
      manifestFiles(
        settings,
        jobHookManifest('setup', { hook: 'pre-install', policy: 'hook-succeeded', helm: true }),
        configMapManifest('config')
      )
    )
    expect(result.exitCode).toBe(0)
    const order = writesFrom(s).filter(w => w.startsWith('delete') || w === 'apply ConfigMap/config')
    expect(order).toEqual([
      'delete Job/setup',
      'delete ConfigMap/setup-settings',
      'apply ConfigMap/config',
      'delete Lease/wavesync.shop'
    ])
  })
})

describe('failed writes the server did perform (§5.5.3)', () => {
  test('a hook whose create answer was lost still ends without our finalizer', async () => {
    const s = new Scenario()
    s.cluster.inject({
      verb: 'create',
      kind: 'Job',
      name: 'migrate',
      dryRun: false,
      when: 'after',
      status: 504,
      message: 'Timeout: request did not complete within the allotted timeout'
    })
    const result = await s.sync(
      manifestFiles(jobHookManifest('migrate', { hook: 'PreSync' }), configMapManifest('config'))
    )
    expect(result.exitCode).toBe(1)
    expect(hookFinalizers(s)).toEqual([])
  })
})
