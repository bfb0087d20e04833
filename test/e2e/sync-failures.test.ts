import { describe, expect, jest, test } from '@jest/globals'
import { runWavesync } from './support/cli.js'
import { exists, freshNamespace, goneWithin, kubeClients } from './support/kube.js'

jest.setTimeout(180_000)
const { core, batch, config } = kubeClients()
void config

describe('a failing PreSync hook', () => {
  test('stops the sync, runs SyncFail hooks in waves, and reports exit code and log tail', async () => {
    await freshNamespace(core, 'e2e-fail')
    const run = await runWavesync([
      'sync',
      '--manifests',
      'test/fixtures/e2e/failing-presync',
      '--app',
      'e2e-fail',
      '--namespace',
      'e2e-fail',
      '--sync-options',
      'CreateNamespace=true'
    ])
    expect(run.code).toBe(1)
    const report = run.report
    if (!report) throw new Error('no report')
    expect(report.phase).toBe('Failed')
    expect(report.message).toMatch(/^one or more synchronization tasks completed unsuccessfully, reason: /)
    expect(report.message).toContain('\none or more SyncFail hooks failed, reason: ')
    const migrate = report.tasks.find(t => t.name === 'migrate')
    expect(migrate?.state).toBe('Failed')
    expect(migrate?.exitCode).toBe(3)
    expect(migrate?.logTail).toContain('ERROR: relation "orders_idx" already exists')
    // The Sync phase never started.
    expect(report.tasks.find(t => t.name === 'web')?.state).toBe('pending')
    expect(await exists(() => core.readNamespacedPod({ name: 'web', namespace: 'e2e-fail' }))).toBe(false)
    // SyncFail waves one at a time: page-oncall (wave 1) after notify-failure (wave 0) finished.
    const notify = report.tasks.find(t => t.name === 'notify-failure')
    const page = report.tasks.find(t => t.name === 'page-oncall')
    expect(notify?.state).toBe('Succeeded')
    expect(page?.state).toBe('Failed')
    expect(Date.parse(page?.startedAt ?? '')).toBeGreaterThanOrEqual(Date.parse(notify?.finishedAt ?? ''))
    // The succeeded SyncFail hook carries HookSucceeded: deleted by its own outcome (§11 #12).
    expect(
      await goneWithin(() => batch.readNamespacedJob({ name: 'notify-failure', namespace: 'e2e-fail' }))
    ).toBe(true)
    // The failed PreSync hook stays for inspection, without our finalizer.
    const left = await batch.readNamespacedJob({ name: 'migrate', namespace: 'e2e-fail' })
    expect(left.metadata?.finalizers ?? []).not.toContain('wavesync.dev/hook-finalizer')
    expect(run.stdout).toContain('exit code: 3')
  })
})

describe('a Deployment that never becomes ready', () => {
  test('fails after its per-object timeout with a message naming what it waited for', async () => {
    await freshNamespace(core, 'e2e-stuck')
    const run = await runWavesync([
      'sync',
      '--manifests',
      'test/fixtures/e2e/never-ready',
      '--app',
      'e2e-stuck',
      '--namespace',
      'e2e-stuck',
      '--sync-options',
      'CreateNamespace=true'
    ])
    expect(run.code).toBe(1)
    const stuck = run.report?.tasks.find(t => t.name === 'stuck')
    expect(stuck?.state).toBe('Failed')
    expect(stuck?.message).toMatch(/^timed out after 4s waiting for /)
    expect(run.report?.message).toContain('timed out after 4s')
  })
})

describe('cancel in the middle of a wave', () => {
  test('terminates: the report says Terminated and no hook keeps our finalizer', async () => {
    await freshNamespace(core, 'e2e-cancel')
    const run = await runWavesync(
      [
        'sync',
        '--manifests',
        'test/fixtures/e2e/slow-hook',
        '--app',
        'e2e-cancel',
        '--namespace',
        'e2e-cancel',
        '--sync-options',
        'CreateNamespace=true'
      ],
      {
        onStderr: (text, kill) => {
          if (
            /waiting for completion of hook batch\/Job\/long-migration/.test(text) &&
            !text.includes('SIGINT')
          )
            kill('SIGINT')
        }
      }
    )
    expect(run.code).toBe(1)
    expect(run.report?.phase).toBe('Terminated')
    expect(run.report?.message).toBe('Operation terminated')
    expect(run.report?.tasks.find(t => t.name === 'long-migration')?.message).toBe('Terminated')
    expect(run.report?.tasks.find(t => t.name === 'after')?.state).toBe('pending')
    // The running hook was deleted (issued, not awaited: its pods go first) and nothing holds our
    // finalizer, so it disappears; the record is failed; the lock is free.
    const hook = () => batch.readNamespacedJob({ name: 'long-migration', namespace: 'e2e-cancel' })
    const left = await hook().catch(() => undefined)
    if (left) {
      expect(left.metadata?.deletionTimestamp).toBeDefined()
      expect(left.metadata?.finalizers ?? []).not.toContain('wavesync.dev/hook-finalizer')
    }
    expect(await goneWithin(hook)).toBe(true)
    const secrets = await core.listNamespacedSecret({
      namespace: 'e2e-cancel',
      labelSelector: 'wavesync.dev/application=e2e-cancel'
    })
    expect(secrets.items.map(s => s.metadata?.labels?.['wavesync.dev/status'])).toEqual(['failed'])
  })
})
