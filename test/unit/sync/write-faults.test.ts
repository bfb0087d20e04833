import { ClusterError } from '../../../src/model/errors.js'
import { describe, expect, test } from '@jest/globals'
import type { FieldValidation, WriteOptions } from '../../../src/cluster/port.js'
import { mapLimit } from '../../../src/concurrency.js'
import type { KubeObject } from '../../../src/model/object.js'
import type { ConfirmRetry } from '../../../src/sync/types.js'
import { confirmRetryUpdate } from '../../../src/sync/refresh.js'
import { decide } from '../../../src/sync/step.js'
import { removeFinalizer } from '../../../src/sync/removal.js'
import { HOOK_FINALIZER } from '../../../src/health/health.js'
import { EPOCH, settle } from '../../support/fake-clock.js'
import type { FakeCluster } from '../../support/fake-cluster.js'
import {
  Scenario,
  configMapManifest,
  crdManifest,
  deploymentManifest,
  jobHookManifest,
  manifestFiles
} from '../../support/scenario.js'
import {
  ABSENT,
  NS,
  actionTypes,
  deployment,
  deploymentStatus,
  live,
  observations,
  present,
  resource,
  run,
  stateOf
} from '../../support/sync-builders.js'

// Faults inside a step and while awaiting objects (sync-semantics §4.3.2, §4.4, §4.8, §8.1): one
// object's error stays that object's, is reported with its key, and never turns into a hot loop,
// a wait that cannot end well, or work still running after the step returned.

const FIVE_MINUTES = 5 * 60_000
const FORBIDDEN = 'deployments.apps "web" is forbidden: User "ci" cannot get resource "deployments"'

const getsOf = (s: Scenario, kind: string, name: string): number[] =>
  s.cluster.requests.filter(r => r.verb === 'get' && r.kind === kind && r.name === name).map(r => r.at)

/** The time between consecutive requests. */
const gapsOf = (times: readonly number[]): number[] => times.slice(1).map((at, i) => at - (times[i] ?? at))

/** A ConfigMap with these sync options. */
const configWith = (options: string): KubeObject =>
  configMapManifest('config', { annotations: { 'argocd.argoproj.io/sync-options': options } })

describe('a vanished object whose GET fails (§4.3.2, §4.8)', () => {
  /** A Deployment someone force-deletes as soon as it exists, after which GETs of it fail `times` times. */
  function vanishingWeb(times: number): Scenario {
    const s = new Scenario()
    s.whenCreated('Deployment', 'web', () => {
      s.cluster.inject({
        verb: 'get',
        kind: 'Deployment',
        name: 'web',
        status: 403,
        message: FORBIDDEN,
        times
      })
      s.cluster.forceDelete('Deployment', 'web')
    })
    return s
  }

  test('GETs keep failing: retried with backoff, then the object timeout names the error', async () => {
    // 60 failures: without backoff they are spent in no time and NotFound wins.
    const s = vanishingWeb(60)
    const result = await s.sync(manifestFiles(deploymentManifest('web')))
    expect(result.report?.tasks.find(t => t.name === 'web')).toMatchObject({
      state: 'Failed',
      message: `timed out after 5m waiting for confirmation that apps/Deployment/web is missing (get apps/Deployment shop/web: ${FORBIDDEN})`
    })
    const gets = getsOf(s, 'Deployment', 'web')
    // 1 s, 2 s, 4 s … capped at 30 s: a few requests a minute, not a loop hammering the server.
    expect(gets.length).toBeLessThan(20)
    expect(gapsOf(gets).slice(0, 3)).toEqual([1000, 2000, 4000])
    expect(Math.max(...gets)).toBeLessThanOrEqual(EPOCH + FIVE_MINUTES)
  })

  test('GETs fail twice, then NotFound: the error is recorded meanwhile, the verdict is "missing"', async () => {
    const s = vanishingWeb(2)
    const op = s.start(manifestFiles(deploymentManifest('web')))
    await s.until(() => getsOf(s, 'Deployment', 'web').length >= 1)
    await settle()
    expect(
      op.events.some(
        e =>
          e.type === 'task' &&
          e.message ===
            `cannot confirm that apps/Deployment/web is missing: get apps/Deployment shop/web: ${FORBIDDEN}`
      )
    ).toBe(true)
    const result = await s.finish(op)
    expect(result.report?.tasks.find(t => t.name === 'web')).toMatchObject({
      state: 'Error',
      message: 'Resource apps/Deployment/web is missing, it might have been deleted'
    })
    const gets = getsOf(s, 'Deployment', 'web')
    expect(gapsOf(gets)).toEqual([1000, 2000])
  })
})

describe('the step function while a confirming GET backs off (§4.3.2, §4.8)', () => {
  const cm = resource('a')
  const NOW = 60_000
  const retry = (at: number): ConfirmRetry => ({ at, failures: 1, error: 'get /ConfigMap shop/a: boom' })
  const runWith = (at: number, startedAt = NOW - 1000) =>
    run('Running', { startedAt, ...confirmRetryUpdate(cm, retry(at)).run })

  test.each([
    // Before the retry time: nothing to do but wake at it (not at the object's deadline).
    { why: 'retry pending', r: runWith(NOW + 1000), actions: [], wakeAt: NOW + 1000 },
    // The retry time has come: ask the server again.
    { why: 'retry due', r: runWith(NOW), actions: ['confirm-missing'], wakeAt: undefined },
    // Object timeout passed meanwhile: a task failure naming the GET's error, no more GETs.
    { why: 'timed out', r: runWith(NOW + 1000, NOW - FIVE_MINUTES), actions: [], wakeAt: undefined }
  ])('$why', ({ r, actions, wakeAt }) => {
    const decision = decide(stateOf([cm], [[cm, r]]), observations([[cm, ABSENT]]), NOW, {
      wait: true,
      waveDelayMs: 0
    })
    expect(actionTypes(decision.actions)).toEqual(actions)
    if (wakeAt !== undefined) expect(decision.wakeAt).toBe(wakeAt)
  })

  test('timed out: Failed with the error in the message', () => {
    const r = runWith(NOW + 1000, NOW - FIVE_MINUTES)
    const decision = decide(stateOf([cm], [[cm, r]]), observations([[cm, ABSENT]]), NOW, {
      wait: true,
      waveDelayMs: 0
    })
    expect(decision.state.runs.get(cm.id)).toMatchObject({
      state: 'Failed',
      message:
        'timed out after 5m waiting for confirmation that /ConfigMap/a is missing (get /ConfigMap shop/a: boom)'
    })
  })

  test('the object is seen again: the retry is forgotten, so a past retry time never wakes the loop', () => {
    const web = deployment('web')
    const r = run('Running', { startedAt: NOW - 1000, ...confirmRetryUpdate(web, retry(NOW - 500)).run })
    const seen = present(live(web, { status: deploymentStatus.progressing }))
    const decision = decide(stateOf([web], [[web, r]]), observations([[web, seen]]), NOW, {
      wait: true,
      waveDelayMs: 0
    })
    expect(decision.state.runs.get(web.id)?.state).toBe('Running')
    expect(decision.wakeAt).toBe(r.deadline)
  })
})

describe('a CRD whose write failed is not waited for (§4.4.4)', () => {
  test('the server error is reported at once, not replaced by "timed out … established"', async () => {
    const s = new Scenario()
    const message =
      'CustomResourceDefinition.apiextensions.k8s.io "widgets.example.com" is invalid: spec.versions: Required value'
    s.cluster.inject({ verb: 'apply', kind: 'CustomResourceDefinition', dryRun: false, status: 422, message })
    const crd = crdManifest({ kind: 'Widget' })
    const result = await s.sync(manifestFiles(crd, configMapManifest('config')))
    expect(result.report?.tasks.find(t => t.name === 'widgets.example.com')).toMatchObject({
      state: 'Failed',
      message: `apply apiextensions.k8s.io/CustomResourceDefinition widgets.example.com: ${message}`
    })
    expect(s.clock.now()).toBeLessThan(EPOCH + 60_000)
  })
})

describe('preparing hooks: an error stays with its hook (§4.4.1, §4.4.3)', () => {
  test('a failed GET fails that hook only; the other hook and the resources of the step are written', async () => {
    const s = new Scenario()
    s.healthyControllers()
    const message = 'jobs.batch "a" is forbidden: User "ci" cannot get resource "jobs"'
    s.cluster.inject({ verb: 'get', kind: 'Job', name: 'a', status: 403, message, times: Infinity })
    const result = await s.sync(
      manifestFiles(
        jobHookManifest('a', { hook: 'Sync' }),
        jobHookManifest('b', { hook: 'Sync' }),
        configMapManifest('config')
      )
    )
    const byName = (name: string) => result.report?.tasks.find(t => t.name === name)
    expect(byName('a')).toMatchObject({ state: 'Failed', message: `get batch/Job shop/a: ${message}` })
    expect(byName('b')).toMatchObject({ state: 'Succeeded' })
    expect(byName('config')).toMatchObject({ result: 'Synced', state: 'Succeeded' })
  })
})

describe('a hook create whose answer was lost (§5.3, §4.2)', () => {
  test('the read-back fails: sent again, and the AlreadyExists it meets is recognised as our own hook', async () => {
    const s = new Scenario()
    s.healthyControllers()
    const gate = s.cluster.gate({ verb: 'create', kind: 'Job', name: 'a', dryRun: false })
    const op = s.start(manifestFiles(jobHookManifest('a', { hook: 'pre-install', helm: true })))
    await gate.reached
    s.cluster.inject({
      verb: 'create',
      kind: 'Job',
      name: 'a',
      status: 504,
      message: 'proxy timeout',
      when: 'after'
    })
    s.cluster.inject({ verb: 'get', kind: 'Job', name: 'a', status: 503, message: 'etcd down' })
    gate.release()
    const result = await s.finish(op)

    // Helm hooks fail on an existing object (§5.3.3): only knowing it is ours lets this one run.
    expect(result.report?.tasks.find(t => t.name === 'a')).toMatchObject({ state: 'Succeeded' })
    expect(s.cluster.all('Job').map(j => j.metadata.uid)).toHaveLength(1)
  })
})

describe('removing the hook finalizer (§5.5.2)', () => {
  test('an object that changes under every patch is an error naming it, not a silent success', async () => {
    const s = new Scenario()
    s.cluster.seed({
      ...configMapManifest('a'),
      metadata: { name: 'a', namespace: NS, finalizers: [HOOK_FINALIZER] }
    })
    s.cluster.inject({ verb: 'patch', kind: 'ConfigMap', status: 409, message: 'conflict', times: 5 })
    const ref = { group: '', version: 'v1', kind: 'ConfigMap', namespace: NS, name: 'a' }
    // The key once (a ClusterError, so no caller prefixes it again), and the server's last answer.
    const error = await removeFinalizer(s.cluster, ref, undefined).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ClusterError)
    expect((error as ClusterError).message).toBe(
      `patch /ConfigMap shop/a: finalizer ${HOOK_FINALIZER} not removed: the object changed under each of 5 patches (last answer: patch /ConfigMap shop/a: conflict)`
    )
  })
})

describe('mapLimit: nothing outlives it (§4.4)', () => {
  test('a rejection stops new work and is thrown only once the work in flight has settled', async () => {
    let release: () => void = () => undefined
    const slow = new Promise<void>(resolve => (release = resolve))
    const started: number[] = []
    let settled = false
    const all = mapLimit([0, 1, 2, 3], 2, async item => {
      started.push(item)
      if (item === 0) throw new Error('boom')
      if (item === 1) await slow
      return item
    }).finally(() => (settled = true))
    const outcome = all.catch((error: unknown) => error)
    await settle()
    expect(settled).toBe(false)
    release()
    expect(await outcome).toEqual(new Error('boom'))
    expect(started).toEqual([0, 1])
  })
})

describe('Replace=true is dry-run with its own request; every write carries field validation (§2.5, §8.1)', () => {
  interface Sent {
    verb: string
    name: string
    dryRun: boolean
    fieldValidation: FieldValidation | undefined
  }

  /** Records the options of every create, replace and apply the engine sends. */
  function recordWrites(cluster: FakeCluster): Sent[] {
    const sent: Sent[] = []
    const note = (verb: string, object: KubeObject, options: WriteOptions): void => {
      const { dryRun = false, fieldValidation } = options
      sent.push({ verb, name: object.metadata.name ?? '', dryRun, fieldValidation })
    }
    const { create, replace, apply } = cluster
    cluster.create = (object, options) => (
      note('create', object, options),
      create.call(cluster, object, options)
    )
    cluster.replace = (object, options) => (
      note('replace', object, options),
      replace.call(cluster, object, options)
    )
    cluster.apply = (object, options) => (
      note('apply', object, options),
      apply.call(cluster, object, options)
    )
    return sent
  }

  const existing = (name: string): KubeObject => {
    const cm = configMapManifest(name, { data: { old: 'yes' } })
    return { ...cm, metadata: { ...cm.metadata, namespace: NS } }
  }

  test.each([
    // Absent: create, dry run and real, with Strict asked for explicitly.
    { why: 'absent', seed: false, options: 'Replace=true', verbs: ['create', 'create'], fv: 'Strict' },
    // Present: PUT over the live object, dry run and real.
    { why: 'present', seed: true, options: 'Replace=true', verbs: ['replace', 'replace'], fv: 'Strict' },
    // Validate=false reaches the PUT and the create too (field validation Ignore).
    {
      why: 'Validate=false, present',
      seed: true,
      options: 'Replace=true,Validate=false',
      verbs: ['replace', 'replace'],
      fv: 'Ignore'
    },
    {
      why: 'Validate=false, absent',
      seed: false,
      options: 'Replace=true,Validate=false',
      verbs: ['create', 'create'],
      fv: 'Ignore'
    }
  ])('$why: $verbs with $fv', async ({ seed, options, verbs, fv }) => {
    const s = new Scenario()
    if (seed) s.cluster.seed(existing('config'))
    const sent = recordWrites(s.cluster)
    const result = await s.sync(manifestFiles(configWith(options)))
    expect(result.exitCode).toBe(0)
    const mine = sent.filter(w => w.name === 'config')
    expect(mine.map(w => w.verb)).toEqual(verbs)
    expect(mine.map(w => w.dryRun)).toEqual([true, false])
    expect(mine.map(w => w.fieldValidation)).toEqual([fv, fv])
  })

  test('Replace=true with Force=true on a live object: dry-run PUT and DELETE, then delete and create', async () => {
    const s = new Scenario()
    s.cluster.seed(existing('config'))
    const sent = recordWrites(s.cluster)
    const result = await s.sync(manifestFiles(configWith('Replace=true,Force=true')))
    expect(result.exitCode).toBe(0)
    expect(
      sent.filter(w => w.name === 'config').map(w => `${w.verb}${w.dryRun ? ' (dry run)' : ''}`)
    ).toEqual(['replace (dry run)', 'create'])
    const deletes = s.cluster.requests.filter(r => r.verb === 'delete' && r.name === 'config')
    expect(deletes.map(r => r.dryRun)).toEqual([true, false])
  })

  test('hooks are created with their Validate option, in the dry run and for real', async () => {
    const s = new Scenario()
    s.healthyControllers()
    const sent = recordWrites(s.cluster)
    const job = jobHookManifest('migrate', {
      hook: 'PreSync',
      annotations: { 'argocd.argoproj.io/sync-options': 'Validate=false' }
    })
    const result = await s.sync(manifestFiles(job, configMapManifest('config')))
    expect(result.exitCode).toBe(0)
    const creates = sent.filter(w => w.name === 'migrate' && w.verb === 'create')
    expect(creates.map(w => [w.dryRun, w.fieldValidation])).toEqual([
      [true, 'Ignore'],
      [false, 'Ignore']
    ])
  })
})
