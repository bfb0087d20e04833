// Issue 8, item 1: faults between wavesync and the API server. Every sync here runs the shipped
// bundle through test/support/fault-proxy.ts, which injects one kind of fault during a sync with
// hooks in three phases and resources in three waves. Whatever the fault, the sync either completes
// correctly or fails with a clear message, and in every case:
//   - no hook is created twice: the API server accepted at most one create per hook name, and the
//     Job that exists has the uid wavesync recorded;
//   - the lock is released: the Lease wavesync.<app> is gone;
//   - the revision history is intact: every record decodes, its status label agrees with it, none
//     is left pending-*, exactly one is deployed after a success, the latest is failed after a
//     failure;
//   - no object keeps wavesync's hook finalizer.
// Single transient faults (a reset, a 5xx, a 429) are retried (sync-semantics §4.2), so those syncs
// must succeed; the outage at a wave boundary may fail, but only cleanly.
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

jest.setTimeout(180_000)
const { core } = kubeClients()
const FIXTURE = 'test/fixtures/e2e/faults/app.yaml'
const HOOKS = ['pre-migrate', 'seed', 'smoke', 'on-fail'] as const
const scratch = mkdtempSync(path.join(os.tmpdir(), 'wavesync-faults-'))
const proxies: FaultProxy[] = []

afterAll(async () => {
  await Promise.all(proxies.map(p => p.close()))
  rmSync(scratch, { recursive: true, force: true })
})

interface Outcome {
  app: string
  run: CliRun
  /** Undefined when wavesync ended without one (a crash): a problem in itself. */
  report: Report | undefined
  proxy: FaultProxy
  after: ApplicationAftermath
}

/** A non-dry-run write of `resource` (named `name`, if given). */
const write =
  (method: string, resource: string, name?: string) =>
  (r: ProxyRequest): boolean =>
    r.method === method && r.resource === resource && !r.dryRun && (name === undefined || r.name === name)

/** Syncs the fault app into a fresh namespace `e2e-flt-<name>` through a proxy set up by `faults`. */
async function syncThroughProxy(name: string, faults: (proxy: FaultProxy) => void): Promise<Outcome> {
  const app = `e2e-flt-${name}`
  await freshNamespace(core, app)
  // The namespace exists before the sync, so every task is really dry-run (§8.2) through the proxy.
  await core.createNamespace({ body: { metadata: { name: app } } })
  const proxy = await FaultProxy.start(KUBECONFIG)
  proxies.push(proxy)
  const kubeconfig = proxy.writeKubeconfig(KUBECONFIG, path.join(scratch, `${app}.kubeconfig`))
  faults(proxy)
  const run = await runWavesync([
    'sync',
    '--manifests',
    FIXTURE,
    '--app',
    app,
    '--kubeconfig',
    kubeconfig,
    '--object-timeout',
    '2m',
    '--timeout',
    '4m'
  ])
  await proxy.up()
  const after = await inspectApplication(KUBECONFIG, app, app)
  return { app, run, report: run.report, proxy, after }
}

/** What was injected and how the run ended, for a failed expectation. */
function story(o: Outcome): string {
  return [
    `exit ${o.run.code}, ${o.report?.phase ?? 'no report'}: ${o.report?.message ?? ''}`,
    'faults:',
    ...o.proxy.faultLog(),
    'tasks:',
    ...(o.report?.tasks ?? []).map(t => `${t.phase}/${t.kind}/${t.name}: ${t.state} ${t.message}`),
    'stderr (tail):',
    o.run.stderr.slice(-2500)
  ].join('\n')
}

/** Passes when there is no problem; else fails with every problem and the run's story. */
function expectNoProblems(o: Outcome, problems: readonly string[]): void {
  if (problems.length > 0) throw new Error(`${problems.join('\n')}\n--- run ---\n${story(o)}`)
}

/** Breaks of the invariants every faulted run keeps, whatever its outcome. */
function invariantProblems(o: Outcome): string[] {
  const problems: string[] = []
  const check = (ok: boolean, what: string): void => void (ok || problems.push(what))
  const { report } = o
  // A clear ending: a report, an exit code that agrees with it, no crash.
  check(!/unexpected error/.test(o.run.stderr), 'wavesync crashed ("unexpected error" and a stack trace)')
  check(report !== undefined, 'no report was written')
  check(
    o.run.code === (report?.phase === 'Succeeded' ? 0 : 1),
    `exit code ${o.run.code} for ${report?.phase}`
  )
  check(report?.message !== '', 'the report has no message')
  // The lock is released.
  check(o.after.lease === undefined, `the Lease wavesync.${o.app} is still held by ${o.after.lease?.holder}`)
  // The history: every record decodes and agrees with its label; none is left pending.
  for (const stored of o.after.records) {
    const { record } = stored
    if (record instanceof Error) {
      problems.push(`${stored.secret} does not decode: ${record.message}`)
      continue
    }
    check(
      stored.statusLabel === record.status,
      `${stored.secret}: label ${stored.statusLabel} ≠ ${record.status}`
    )
    check(!record.status.startsWith('pending-'), `${stored.secret} is left ${record.status}`)
  }
  const statuses = o.after.records.map(r => r.statusLabel)
  if (report?.phase === 'Succeeded')
    check(statuses.join() === 'deployed', `after a success the history is [${statuses.join()}]`)
  else if (statuses.length > 0)
    check(statuses[statuses.length - 1] === 'failed', `after a failure the history is [${statuses.join()}]`)
  // No hook finalizer left behind.
  check(o.after.finalizers.length === 0, `hook finalizer left on ${o.after.finalizers.join(', ')}`)
  // Each hook created at most once, and the one that exists is the one recorded.
  const latest = o.after.records[o.after.records.length - 1]?.record
  for (const hook of HOOKS) {
    const creates = o.proxy.acceptedCreates('jobs', hook)
    check(creates.length <= 1, `hook ${hook} was created ${creates.length} times`)
    const created = creates[0]?.responseUid
    const task = report?.tasks.find(t => t.name === hook)
    if (task === undefined || task.state === 'pending') {
      check(created === undefined, `hook ${hook} was created but is not reported as run`)
      continue
    }
    const live = o.after.jobs.get(hook)
    if (live) check(live.uid === created, `Job ${hook} has uid ${live.uid}, its create answered ${created}`)
    if (latest && !(latest instanceof Error)) {
      const recorded = latest.hooks.find(h => h.key.name === hook)?.uid
      check(recorded === created, `hook ${hook}: recorded uid ${recorded}, created ${created}`)
    }
  }
  return problems
}

/** Breaks of a full success: every task done, SyncFail never started, every wave applied. */
function successProblems(o: Outcome): string[] {
  const problems: string[] = []
  if (o.report?.phase !== 'Succeeded') problems.push(`the sync did not succeed: ${o.report?.message}`)
  const undone = (o.report?.tasks ?? []).filter(t => t.state !== 'Succeeded' && t.name !== 'on-fail')
  if (undone.length > 0) problems.push(`tasks not done: ${undone.map(t => t.name).join(', ')}`)
  if (o.after.jobs.has('on-fail')) problems.push('the SyncFail hook ran in a successful sync')
  if (!['config', 'after'].every(c => o.after.configMaps.includes(c))) problems.push('ConfigMaps missing')
  return problems
}

/** The invariants, and a full success. */
function expectSucceeded(o: Outcome): void {
  expectNoProblems(o, [...invariantProblems(o), ...successProblems(o)])
}

/** The invariants; success is not required, but a failure must be a clean one. */
function expectCompletedOrFailedCleanly(o: Outcome): void {
  expectNoProblems(o, invariantProblems(o))
}

describe('faults between wavesync and the API server', () => {
  test.concurrent('connection resets before requests reach the API server are retried', async () => {
    const o = await syncThroughProxy('reset', proxy => {
      proxy.addRule({
        label: 'reset first apply of web',
        match: write('PATCH', 'deployments', 'web'),
        fault: { type: 'reset' }
      })
      proxy.addRule({
        label: 'reset first Job list',
        match: r => r.method === 'GET' && r.resource === 'jobs' && r.name === '' && !r.watch,
        fault: { type: 'reset' }
      })
      proxy.addRule({
        label: 'reset a dry run',
        match: r => r.dryRun && r.resource === 'configmaps',
        fault: { type: 'reset' }
      })
    })
    expectSucceeded(o)
    expect(o.proxy.rules.map(r => r.faulted)).toEqual([1, 1, 1])
  })

  test.concurrent(
    'a hook create whose answer is lost (reset after the API server created it) is adopted, not repeated',
    async () => {
      const o = await syncThroughProxy('reset-after', proxy => {
        proxy.addRule({
          label: 'reset after creating seed',
          match: write('POST', 'jobs', 'seed'),
          fault: { type: 'reset', after: true }
        })
      })
      expectSucceeded(o)
      expect(o.proxy.acceptedCreates('jobs', 'seed')).toHaveLength(1)
    }
  )

  test.concurrent(
    'a hook create answered 500 after the API server created it is adopted, not repeated',
    async () => {
      const o = await syncThroughProxy('500-after', proxy => {
        proxy.addRule({
          label: '500 after creating pre-migrate',
          match: write('POST', 'jobs', 'pre-migrate'),
          fault: { type: 'status', status: 500, after: true }
        })
      })
      expectSucceeded(o)
      expect(o.proxy.acceptedCreates('jobs', 'pre-migrate')).toHaveLength(1)
    }
  )

  test.concurrent('a 503 on a hook create that never reached the API server is retried (§4.2)', async () => {
    const o = await syncThroughProxy('503-create', proxy => {
      proxy.addRule({
        label: '503 on creating smoke',
        match: write('POST', 'jobs', 'smoke'),
        fault: { type: 'status', status: 503 }
      })
    })
    expectSucceeded(o)
  })

  test.concurrent('5xx bursts on reads and applies are retried', async () => {
    const o = await syncThroughProxy('5xx', proxy => {
      proxy.addRule({
        label: '503 ×3 on apps/v1 discovery',
        match: r => r.path === '/apis/apps/v1',
        fault: { type: 'status', status: 503 },
        times: 3
      })
      proxy.addRule({
        label: '500 ×2 on applying config',
        match: write('PATCH', 'configmaps', 'config'),
        fault: { type: 'status', status: 500 },
        times: 2
      })
      proxy.addRule({
        label: '502 on a Job read',
        match: r => r.method === 'GET' && r.resource === 'jobs' && r.name !== '',
        fault: { type: 'status', status: 502 },
        times: 2
      })
      proxy.addRule({
        label: '500 after applying web',
        match: write('PATCH', 'deployments', 'web'),
        fault: { type: 'status', status: 500, after: true }
      })
    })
    expectSucceeded(o)
    expect(o.proxy.rules.map(r => r.faulted)).toEqual([3, 2, 2, 1])
  })

  test.concurrent('429 with Retry-After is honoured, on writes and on a hook create', async () => {
    const o = await syncThroughProxy('429', proxy => {
      proxy.addRule({
        label: '429 on creating seed',
        match: write('POST', 'jobs', 'seed'),
        fault: { type: 'status', status: 429, retryAfterSeconds: 2 }
      })
      proxy.addRule({
        label: '429 ×2 on applying after',
        match: write('PATCH', 'configmaps', 'after'),
        fault: { type: 'status', status: 429, retryAfterSeconds: 2 },
        times: 2
      })
    })
    expectSucceeded(o)
    // Each retry waited at least the Retry-After the server asked for.
    const seed = o.proxy.requests.filter(write('POST', 'jobs', 'seed'))
    expect(seed.length).toBe(2)
    expect((seed[1]?.atMs ?? 0) - (seed[0]?.atMs ?? 0)).toBeGreaterThanOrEqual(1_900)
    const after = o.proxy.requests.filter(write('PATCH', 'configmaps', 'after'))
    expect(after.length).toBe(3)
    expect((after[2]?.atMs ?? 0) - (after[0]?.atMs ?? 0)).toBeGreaterThanOrEqual(3_800)
  })

  test.concurrent('a slow API server (every write and dry run delayed 1 s) only slows the sync', async () => {
    const o = await syncThroughProxy('slow', proxy => {
      proxy.addRule({
        label: 'slow write',
        match: r => r.method !== 'GET',
        fault: { type: 'delay', ms: 1_000 },
        times: Infinity
      })
    })
    expectSucceeded(o)
    expect(o.proxy.rules[0]?.faulted).toBeGreaterThan(15)
  })

  test.concurrent('watch streams cut after every event are resumed; no wave waits forever', async () => {
    const o = await syncThroughProxy('watch', proxy => {
      proxy.addRule({
        label: 'cut watch after 1 event',
        match: r => r.watch,
        fault: { type: 'drop-watch', afterEvents: 1 },
        times: Infinity
      })
    })
    expectSucceeded(o)
    // The streams were cut and opened again.
    const watches = o.proxy.requests.filter(r => r.watch)
    const collections = new Set(watches.map(r => r.path))
    expect(watches.length).toBeGreaterThan(collections.size)
  })

  test.concurrent(
    'the API server down for 30 s in the middle of a wave (while its hook runs): the sync completes',
    async () => {
      const o = await syncThroughProxy('down-mid', proxy => {
        proxy.addRule({
          label: 'down 30 s after seed was created',
          match: write('POST', 'jobs', 'seed'),
          fault: { type: 'down', ms: 30_000, after: true }
        })
      })
      expectSucceeded(o)
      expect(o.proxy.outages).toHaveLength(1)
      const outage = o.proxy.outages[0] ?? { fromMs: 0, toMs: 0 }
      expect(outage.toMs - outage.fromMs).toBeGreaterThanOrEqual(29_500)
      // Wave 2 was written only after the API server came back.
      const after = o.proxy.requests.find(write('PATCH', 'configmaps', 'after'))
      expect(after?.atMs ?? 0).toBeGreaterThan(outage.toMs)
    },
    240_000
  )

  test.concurrent(
    'the API server down for 10 s at a wave boundary (a restart as PostSync starts): completes or fails cleanly',
    async () => {
      const o = await syncThroughProxy('down-edge', proxy => {
        proxy.addRule({
          label: 'down 10 s as smoke is created',
          match: write('POST', 'jobs', 'smoke'),
          fault: { type: 'down', ms: 10_000 }
        })
      })
      expectCompletedOrFailedCleanly(o)
    },
    240_000
  )

  test.concurrent('the lock: a 503 on creating the Lease ends the run cleanly, or is retried', async () => {
    const o = await syncThroughProxy('lease', proxy => {
      proxy.addRule({
        label: '503 on creating the Lease',
        match: write('POST', 'leases'),
        fault: { type: 'status', status: 503 }
      })
    })
    expectCompletedOrFailedCleanly(o)
    // If it gave up, it did so before writing anything.
    if (o.report?.phase !== 'Succeeded') expect(o.proxy.acceptedWrites().map(r => r.path)).toEqual([])
  })

  test.concurrent(
    'the history: a 503 on creating the record ends the run cleanly, or is retried',
    async () => {
      const o = await syncThroughProxy('record', proxy => {
        proxy.addRule({
          label: '503 on creating the record',
          match: write('POST', 'secrets'),
          fault: { type: 'status', status: 503 }
        })
      })
      expectCompletedOrFailedCleanly(o)
    }
  )

  test.concurrent('the history: a record create whose answer is lost never leaves it pending', async () => {
    const o = await syncThroughProxy('record-lost', proxy => {
      proxy.addRule({
        label: '500 after creating the record',
        match: write('POST', 'secrets'),
        fault: { type: 'status', status: 500, after: true }
      })
    })
    expectCompletedOrFailedCleanly(o)
  })

  test.concurrent('finishing the record and releasing the Lease survive a reset and a 500', async () => {
    const o = await syncThroughProxy('finish', proxy => {
      proxy.addRule({
        label: 'reset on finishing the record',
        match: write('PATCH', 'secrets'),
        fault: { type: 'reset' }
      })
      proxy.addRule({
        label: '500 on releasing the Lease',
        match: write('DELETE', 'leases'),
        fault: { type: 'status', status: 500 }
      })
      proxy.addRule({
        label: '503 on renewing the Lease',
        match: write('PUT', 'leases'),
        fault: { type: 'status', status: 503 }
      })
    })
    expectSucceeded(o)
    expect(o.proxy.rules.slice(0, 2).map(r => r.faulted)).toEqual([1, 1])
  })
})
