import { beforeAll, describe, expect, jest, test } from '@jest/globals'
import type { Report, TaskReport } from '../../src/report/model.js'
import { runWavesync } from './support/cli.js'
import { exists, freshNamespace, goneWithin, kubeClients } from './support/kube.js'

jest.setTimeout(180_000)
const { core, batch } = kubeClients()

const ms = (iso: string | null): number => (iso ? Date.parse(iso) : NaN)
const find = (report: Report, name: string, phase?: string): TaskReport => {
  const task = report.tasks.find(t => t.name === name && (phase === undefined || t.phase === phase))
  if (!task) throw new Error(`no task ${name} in the report`)
  return task
}

/** Every step's first write comes after the previous step passed its gate (sync-semantics §4.5). */
function expectGatedSteps(report: Report): void {
  const steps = report.steps.filter(s => s.firstWriteAt !== null)
  for (let i = 1; i < steps.length; i++) {
    const previous = steps[i - 1]
    const step = steps[i]
    if (!previous || !step) continue
    expect(ms(step.firstWriteAt)).toBeGreaterThanOrEqual(ms(previous.completedAt))
  }
}

describe('seed 000: the todo application', () => {
  let report: Report
  beforeAll(async () => {
    await freshNamespace(core, 'todo')
    const run = await runWavesync([
      'sync',
      '--manifests',
      'examples/todo',
      '--app',
      'todo',
      '--namespace',
      'todo'
    ])
    expect(run.stderr).toContain('Succeeded')
    expect(run.code).toBe(0)
    if (!run.report) throw new Error('no report')
    report = run.report
  })

  test('syncs every resource, in order, and succeeds', () => {
    expect(report.phase).toBe('Succeeded')
    expect(report.message).toBe('successfully synced (all tasks run)')
    expect(report.tasks.map(t => `${t.phase} ${t.wave} ${t.kind}/${t.name}`)).toEqual([
      'Sync 0 Namespace/todo',
      'Sync 0 Service/postgresql',
      'Sync 0 Deployment/postgresql',
      'Sync 1 Job/todo-table',
      'Sync 2 Service/todo-gitops',
      'Sync 2 Deployment/todo-gitops',
      'PostSync 0 Job/todo-insert'
    ])
    expect(report.tasks.every(t => t.state === 'Succeeded')).toBe(true)
    expectGatedSteps(report)
  })

  test('the PostSync job runs only after every Sync resource is healthy', () => {
    const insert = find(report, 'todo-insert')
    const syncEnds = report.tasks.filter(t => t.phase === 'Sync').map(t => ms(t.finishedAt))
    expect(ms(insert.startedAt)).toBeGreaterThanOrEqual(Math.max(...syncEnds))
  })

  test('HookSucceeded deleted the PostSync job; the deployments are available', async () => {
    expect(await exists(() => batch.readNamespacedJob({ name: 'todo-insert', namespace: 'todo' }))).toBe(
      false
    )
    const { body } = { body: await batch.readNamespacedJob({ name: 'todo-table', namespace: 'todo' }) }
    expect(body.status?.succeeded).toBe(1)
    const pods = await core.listNamespacedPod({ namespace: 'todo', labelSelector: 'app=todo-gitops' })
    expect(
      pods.items.some(pod => pod.status?.conditions?.some(c => c.type === 'Ready' && c.status === 'True'))
    ).toBe(true)
  })

  test('the inventory records revision 1 as deployed', async () => {
    expect(report.revision).toBe(1)
    const secrets = await core.listNamespacedSecret({
      namespace: 'todo',
      labelSelector: 'wavesync.dev/application=todo'
    })
    expect(
      secrets.items.map(s => `${s.metadata?.name} ${s.metadata?.labels?.['wavesync.dev/status']}`)
    ).toEqual(['wavesync.v1.todo.v1 deployed'])
  })
})

describe('seed 001: webhook, postgresql, schema, backend, frontend, restore-data, slack-info', () => {
  let report: Report
  beforeAll(async () => {
    await freshNamespace(core, 'team-a')
    const run = await runWavesync([
      'sync',
      '--manifests',
      'examples/sync-hook-wave',
      '--app',
      'team-a',
      '--namespace',
      'team-a',
      '--sync-options',
      'CreateNamespace=true'
    ])
    expect(run.code).toBe(0)
    if (!run.report) throw new Error('no report')
    report = run.report
  })

  test('phases and waves run in the order the spec gives', () => {
    expect(report.steps.map(s => `${s.phase} ${s.wave}`)).toEqual([
      'PreSync 0',
      'PreSync 1',
      'Sync -1',
      'Sync 0',
      'Sync 2',
      'Sync 3',
      'PostSync 0',
      'PostSync 1'
    ])
    expectGatedSteps(report)
  })

  test('within a wave the Service goes before the Deployment (kind order)', () => {
    expect(ms(find(report, 'backend', 'Sync').startedAt)).toBeLessThanOrEqual(
      ms(report.tasks.filter(t => t.name === 'backend')[1]?.startedAt ?? null)
    )
    expect(report.tasks.filter(t => t.name === 'backend').map(t => t.kind)).toEqual(['Service', 'Deployment'])
  })

  test('restore-data completes before slack-info starts, and both are deleted on success', async () => {
    expect(ms(find(report, 'slack-info').startedAt)).toBeGreaterThanOrEqual(
      ms(find(report, 'restore-data').finishedAt)
    )
    for (const name of ['restore-data', 'slack-info', 'upgrade-schema']) {
      // Issued at the end of the operation, not awaited (§5.6): gone once the garbage collector is done.
      expect(await goneWithin(() => batch.readNamespacedJob({ name, namespace: 'team-a' }))).toBe(true)
    }
  })

  test('the wave gap is measured for every step after the first', () => {
    const gaps = report.steps.slice(1).map(s => s.gapMs)
    expect(gaps.every(gap => typeof gap === 'number' && gap >= 0)).toBe(true)
  })
})
