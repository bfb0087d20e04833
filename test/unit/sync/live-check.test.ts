import { afterEach, describe, expect, test } from '@jest/globals'
import { Observer } from '../../../src/cluster/observer.js'
import type { KubeObject } from '../../../src/model/object.js'
import type { Task } from '../../../src/model/task.js'
import type { DryOutcome } from '../../../src/sync/dry-run.js'
import type { LiveFindings } from '../../../src/sync/live-check.js'
import { judgeLive } from '../../../src/sync/live-check.js'
import { objectToWrite } from '../../../src/sync/objects.js'
import { FakeClock, settle } from '../../support/fake-clock.js'
import { FakeCluster } from '../../support/fake-cluster.js'
import { NS, resource } from '../../support/sync-builders.js'

// Where the live copy comes from when a dry run's answer is judged (src/sync/live-check.ts): the
// Observer's cache when it holds the version the dry run saw, else one GET; any doubt is a write.

const TRACKING = 'wavesync.dev/tracking-id'
const COLLECTION = { group: '', version: 'v1', kind: 'ConfigMap', namespace: NS }
let observer: Observer | undefined

afterEach(async () => {
  await observer?.stop()
})

/** A cluster holding ConfigMap `web` (data v=1, tracked by `shop`), and an observer that listed it. */
async function setUp(): Promise<{ cluster: FakeCluster; task: (v: string) => Task }> {
  const clock = new FakeClock()
  const cluster = new FakeCluster(clock, { namespaces: [NS] })
  const task = (v: string): Task => {
    const base = resource('web')
    return { ...base, object: { ...(base.object as KubeObject), data: { v } } }
  }
  cluster.seed(objectToWrite(task('1'), 'shop'))
  observer = new Observer(cluster, clock, { pollIntervalMs: 2000, maxBackoffMs: 2000 })
  await observer.track([COLLECTION])
  return { cluster, task }
}

async function judge(cluster: FakeCluster, task: Task): Promise<LiveFindings> {
  const { object } = await cluster.apply(objectToWrite(task, 'shop'), { force: true, dryRun: true })
  const passed = new Map<string, DryOutcome>([[task.id, { type: 'applied', object }]])
  return judgeLive([task], passed, context(cluster))
}

function context(cluster: FakeCluster): Parameters<typeof judgeLive>[2] {
  if (!observer) throw new Error('no observer')
  return {
    cluster,
    observer,
    app: 'shop',
    appOptions: {},
    parallelism: 4,
    signal: new AbortController().signal,
    verdicts: true
  }
}

const gets = (cluster: FakeCluster): number => cluster.requests.filter(r => r.verb === 'get').length

describe('judgeLive', () => {
  test('the cached copy is the version the dry run saw: judged without a request', async () => {
    const { cluster, task } = await setUp()
    const findings = await judge(cluster, task('1'))
    expect(findings.verdicts.get(task('1').id)?.result).toBe('unchanged')
    expect(gets(cluster)).toBe(0)
  })

  test('a changed object is configured', async () => {
    const { cluster, task } = await setUp()
    expect((await judge(cluster, task('2'))).verdicts.get(task('2').id)?.result).toBe('configured')
  })

  test('the cache lags behind the dry run: one GET, and the judgement uses it', async () => {
    const { cluster, task } = await setUp()
    cluster.holdWatchEvents()
    cluster.update('ConfigMap', 'web', NS, 'someone edits', o => (o['data'] = { v: '2' }))
    // The cache still says v=1, which is what the manifest says; the live object says v=2.
    const findings = await judge(cluster, task('1'))
    expect(findings.verdicts.get(task('1').id)?.result).toBe('configured')
    expect(gets(cluster)).toBe(1)
  })

  test('the object moved on after its dry run: a newer cached copy is judged as it is now, without a GET', async () => {
    const { cluster, task } = await setUp()
    const { object } = await cluster.apply(objectToWrite(task('1'), 'shop'), { force: true, dryRun: true })
    const passed = new Map<string, DryOutcome>([[task('1').id, { type: 'applied', object }]])
    cluster.update('ConfigMap', 'web', NS, 'a controller labels it', o => (o.metadata.labels = { x: 'y' }))
    await settle()
    const findings = await judgeLive([task('1')], passed, context(cluster))
    expect(findings.verdicts.get(task('1').id)?.result).toBe('configured')
    expect(gets(cluster)).toBe(0)
  })

  test('the cache holds nothing although the dry run saw an object (polling, a lost event): one GET', async () => {
    const { cluster, task } = await setUp()
    observer?.markGone(task('1').key)
    const findings = await judge(cluster, task('1'))
    expect(findings.verdicts.get(task('1').id)?.result).toBe('unchanged')
    expect(gets(cluster)).toBe(1)
  })

  test('Replace=true is never judged unchanged: a PUT is not what the apply answer predicts', async () => {
    const { cluster, task } = await setUp()
    const replaced = { ...task('1'), syncOptions: { Replace: 'true' } }
    expect((await judge(cluster, replaced)).verdicts.get(replaced.id)?.result).toBe('configured')
  })

  test('nobody reads verdicts (no ApplyOutOfSyncOnly, not a dry run): contents are not compared, no request', async () => {
    const { cluster, task } = await setUp()
    const { object } = await cluster.apply(objectToWrite(task('1'), 'shop'), { force: true, dryRun: true })
    const passed = new Map<string, DryOutcome>([[task('1').id, { type: 'applied', object }]])
    const findings = await judgeLive([task('1')], passed, { ...context(cluster), verdicts: false })
    // Unchanged in fact; not judged so.
    expect(findings.verdicts.get(task('1').id)?.result).toBe('configured')
    expect(gets(cluster)).toBe(0)
  })

  test('ownership only, the cache lagging behind the dry run: read again, so a takeover is seen', async () => {
    const { cluster, task } = await setUp()
    cluster.holdWatchEvents()
    cluster.update('ConfigMap', 'web', NS, 'billing takes it', o => {
      o.metadata.annotations = { [TRACKING]: 'billing:/ConfigMap:shop/web' }
    })
    const { object } = await cluster.apply(objectToWrite(task('1'), 'shop'), { force: true, dryRun: true })
    const passed = new Map<string, DryOutcome>([[task('1').id, { type: 'applied', object }]])
    const findings = await judgeLive([task('1')], passed, { ...context(cluster), verdicts: false })
    expect(findings.shared.map(s => `${s.task.key.name} ${s.app}`)).toEqual(['web billing'])
    expect(gets(cluster)).toBe(1)
  })

  test('the live copy says whose object it is', async () => {
    const { cluster, task } = await setUp()
    cluster.update('ConfigMap', 'web', NS, 'billing takes it', o => {
      o.metadata.annotations = { [TRACKING]: 'billing:/ConfigMap:shop/web' }
    })
    const findings = await judge(cluster, task('1'))
    expect(findings.shared.map(s => `${s.task.key.name} ${s.app}`)).toEqual(['web billing'])
    expect(findings.adopted).toEqual([])
  })
})
