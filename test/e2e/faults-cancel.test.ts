// Issue 8, item 2: cancellation at every stage. The shipped bundle syncs through the fault proxy
// (test/support/fault-proxy.ts) and gets SIGINT, as a cancelled workflow's runner sends it, during
// the dry run, a PreSync hook, a Sync wave, a PostSync hook and a SyncFail hook. Each time
// (sync-semantics §4.9): the report says Terminated ("Operation terminated"), the running hook is
// recorded "Terminated" and deleted, no SyncFail hook is started, no object keeps wavesync's hook
// finalizer, the Lease is released and the record is `failed` (none left pending). Cancelled
// during the dry run, nothing at all is written.
import { mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, describe, expect, jest, test } from '@jest/globals'
import type { Report } from '../../src/report/model.js'
import type { ApplicationAftermath, ProxyRequest } from '../support/fault-proxy.js'
import { FaultProxy, inspectApplication } from '../support/fault-proxy.js'
import type { CliRun } from './support/cli.js'
import { runWavesync } from './support/cli.js'
import { KUBECONFIG } from './support/cluster.js'
import { freshNamespace, kubeClients } from './support/kube.js'

jest.setTimeout(150_000)
const { core } = kubeClients()
const FIXTURES = 'test/fixtures/e2e/faults'
const scratch = mkdtempSync(path.join(os.tmpdir(), 'wavesync-cancel-'))
const proxies: FaultProxy[] = []

afterAll(async () => {
  await Promise.all(proxies.map(p => p.close()))
  rmSync(scratch, { recursive: true, force: true })
})

interface Cancelled {
  app: string
  run: CliRun
  report: Report | undefined
  proxy: FaultProxy
  after: ApplicationAftermath
  /** When SIGINT was sent, in the proxy's clock (ms since it started). */
  cancelledAtMs: number
}

interface CancelPlan {
  /** SIGINT when wavesync's progress output (stderr) matches. */
  onStderr?: RegExp
  /** ...or when the proxy sees a matching request. */
  onRequest?: (request: ProxyRequest) => boolean
  faults?: (proxy: FaultProxy) => void
}

/** Syncs `fixture` into a fresh `e2e-flt-<name>` through a proxy and cancels it as planned. */
async function syncAndCancel(name: string, fixture: string, plan: CancelPlan): Promise<Cancelled> {
  const app = `e2e-flt-${name}`
  await freshNamespace(core, app)
  await core.createNamespace({ body: { metadata: { name: app } } })
  const proxy = await FaultProxy.start(KUBECONFIG)
  proxies.push(proxy)
  const kubeconfig = proxy.writeKubeconfig(KUBECONFIG, path.join(scratch, `${app}.kubeconfig`))
  plan.faults?.(proxy)
  let kill: ((signal: NodeJS.Signals) => void) | undefined
  let wanted = false
  let cancelledAtMs = -1
  const fire = (): void => {
    wanted = true
    if (cancelledAtMs >= 0 || kill === undefined) return
    cancelledAtMs = proxy.requests[proxy.requests.length - 1]?.atMs ?? 0
    kill('SIGINT')
  }
  const stopWatching = plan.onRequest
    ? proxy.onRequest(request => void (plan.onRequest?.(request) && fire()))
    : () => undefined
  // The request may arrive before wavesync's first output line reached us: fire once we can.
  const retry = setInterval(() => wanted && fire(), 50)
  const run = await runWavesync(
    ['sync', '--manifests', `${FIXTURES}/${fixture}`, '--app', app, '--kubeconfig', kubeconfig],
    {
      onStderr: (text, k) => {
        kill = k
        if (plan.onStderr?.test(text) === true) fire()
      }
    }
  )
  clearInterval(retry)
  stopWatching()
  const after = await inspectApplication(KUBECONFIG, app, app)
  return { app, run, report: run.report, proxy, after, cancelledAtMs }
}

function story(c: Cancelled): string {
  return [
    `exit ${c.run.code}, ${c.report?.phase ?? 'no report'}: ${c.report?.message ?? ''}`,
    ...(c.report?.tasks ?? []).map(t => `${t.phase}/${t.kind}/${t.name}: ${t.state} ${t.message}`),
    c.run.stderr.slice(-2500)
  ].join('\n')
}

/** What every cancelled run leaves, whatever the stage; returns the problems found. */
function cleanupProblems(c: Cancelled): string[] {
  const problems: string[] = []
  const check = (ok: boolean, what: string): void => void (ok || problems.push(what))
  check(c.cancelledAtMs >= 0, 'SIGINT was never sent (the stage was not reached)')
  check(c.run.code === 1, `exit code ${c.run.code}, expected 1`)
  check(!/unexpected error/.test(c.run.stderr), 'wavesync crashed ("unexpected error")')
  check(c.after.lease === undefined, `the Lease wavesync.${c.app} is still held by ${c.after.lease?.holder}`)
  check(c.after.finalizers.length === 0, `hook finalizer left on ${c.after.finalizers.join(', ')}`)
  for (const stored of c.after.records) {
    const { record } = stored
    if (record instanceof Error) problems.push(`${stored.secret} does not decode: ${record.message}`)
    else {
      check(
        stored.statusLabel === record.status,
        `${stored.secret}: label ${stored.statusLabel} ≠ ${record.status}`
      )
      check(!record.status.startsWith('pending-'), `${stored.secret} is left ${record.status}`)
    }
  }
  // Termination starts no SyncFail hook (§4.7.3).
  check(c.proxy.acceptedCreates('jobs', 'on-fail').length === 0, 'the SyncFail hook on-fail was created')
  return problems
}

/** Cancelled once the operation was writing: Terminated, the running hook settled, the record failed. */
function expectTerminated(c: Cancelled, runningHook: string): void {
  const problems = cleanupProblems(c)
  const check = (ok: boolean, what: string): void => void (ok || problems.push(what))
  check(c.report?.phase === 'Terminated', `report phase ${c.report?.phase}, expected Terminated`)
  check(c.report?.message === 'Operation terminated', `report message "${c.report?.message}"`)
  const hook = c.report?.tasks.find(t => t.name === runningHook)
  check(
    hook?.state === 'Failed' && hook.message === 'Terminated',
    `hook ${runningHook}: ${hook?.state} "${hook?.message}", expected Failed "Terminated"`
  )
  // Still running when cancelled, so deleted (§4.9.2).
  const live = c.after.jobs.get(runningHook)
  check(live === undefined || live.deleting, `the running hook ${runningHook} was not deleted`)
  const statuses = c.after.records.map(r => r.statusLabel)
  check(statuses.join() === 'failed', `history [${statuses.join()}], expected [failed]`)
  check(c.report?.revision === 1, `report revision ${c.report?.revision}`)
  if (problems.length > 0) throw new Error(`${problems.join('\n')}\n--- run ---\n${story(c)}`)
}

describe('cancellation (SIGINT) at every stage', () => {
  test.concurrent('during the dry run: ends before any write, says so, and writes nothing', async () => {
    const c = await syncAndCancel('cancel-dry', 'cancel-sync.yaml', {
      // Every dry-run request takes 3 s, so the cancel lands in the middle of the dry run.
      faults: proxy =>
        proxy.addRule({
          label: 'slow dry run',
          match: r => r.dryRun,
          fault: { type: 'delay', ms: 3_000 },
          times: Infinity
        }),
      onRequest: r => r.dryRun
    })
    const problems = cleanupProblems(c)
    const check = (ok: boolean, what: string): void => void (ok || problems.push(what))
    check(
      c.proxy.acceptedWrites().length === 0,
      `written: ${c.proxy
        .acceptedWrites()
        .map(r => `${r.method} ${r.path}`)
        .join(', ')}`
    )
    check(c.after.records.length === 0, `records written: ${c.after.records.map(r => r.secret).join(', ')}`)
    check(
      c.after.jobs.size === 0 && c.after.configMaps.every(n => n === 'kube-root-ca.crt'),
      'objects applied'
    )
    // The report says the operation was cancelled, not that the objects failed their dry run.
    check(
      c.report?.phase === 'Terminated' || /terminat|cancel|interrupt/i.test(c.report?.message ?? ''),
      `the report says ${c.report?.phase}: "${c.report?.message}" — not that the run was cancelled`
    )
    const blamed = (c.report?.tasks ?? []).filter(t => t.result === 'SyncFailed')
    check(
      blamed.length === 0,
      `tasks reported as failing their dry run: ${blamed.map(t => `${t.name} (${t.message})`).join(', ')}`
    )
    if (problems.length > 0) throw new Error(`${problems.join('\n')}\n--- run ---\n${story(c)}`)
  })

  test.concurrent('during PreSync (a long hook)', async () => {
    const c = await syncAndCancel('cancel-pre', 'cancel-presync.yaml', {
      onStderr: /Waiting for the Job to complete: 1 active/
    })
    expectTerminated(c, 'pre-long')
    expect(c.report?.tasks.find(t => t.name === 'config')?.state).toBe('pending')
    expect(c.after.configMaps).not.toContain('config')
  })

  test.concurrent('during a Sync wave (its hook running, its Deployment not ready)', async () => {
    const c = await syncAndCancel('cancel-wave', 'cancel-sync.yaml', {
      onStderr: /sync-long +Synced +Waiting for the Job to complete: 1 active/
    })
    expectTerminated(c, 'sync-long')
    const state = (name: string): string | undefined => c.report?.tasks.find(t => t.name === name)?.state
    expect([state('pre-quick'), state('config'), state('after')]).toEqual([
      'Succeeded',
      'Succeeded',
      'pending'
    ])
    // Resources are left as they are (§4.9.3): wave 1's Deployment stays, wave 2 never came.
    expect(c.after.configMaps).toContain('config')
    expect(c.after.configMaps).not.toContain('after')
  })

  test.concurrent('during PostSync', async () => {
    const c = await syncAndCancel('cancel-post', 'cancel-postsync.yaml', {
      onStderr: /post-long +Synced +Waiting for the Job to complete: 1 active/
    })
    expectTerminated(c, 'post-long')
    expect(c.report?.tasks.find(t => t.name === 'config')?.state).toBe('Succeeded')
  })

  test.concurrent('during SyncFail (after a failed PreSync hook)', async () => {
    const c = await syncAndCancel('cancel-fail', 'cancel-syncfail.yaml', {
      onStderr: /fail-long +Synced +Waiting for the Job to complete: 1 active/
    })
    // on-fail is not in this fixture; fail-long is the SyncFail hook being terminated.
    expectTerminated(c, 'fail-long')
    const failed = c.report?.tasks.find(t => t.name === 'pre-fail')
    expect([failed?.state, failed?.exitCode]).toEqual(['Failed', 2])
    expect(c.after.jobs.has('pre-fail')).toBe(true)
  })
})
