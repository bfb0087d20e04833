// Issue 5 Deliver item 7: the shipped action bundle (`node dist/index.js`, then the post step) run
// the way the GitHub Actions runner runs it (support/action-runner.ts), against the real control
// plane, with a local stand-in for api.github.com that checks every request against GitHub's
// OpenAPI description and a local Slack webhook receiver. Asserts outputs, the job summary, the
// `::error file=…,line=…::` annotations, masking, the check-run requests and the Slack payload for
// a success, a failed hook, invalid manifests, a cancellation, a fork PR and each event's head SHA.
// Every namespace is `e2e-act-<scenario>-<random>`, so runs never collide and no test waits for a
// namespace deletion before it starts.
import { randomBytes } from 'node:crypto'
import { existsSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { afterAll, afterEach, describe, expect, jest, test } from '@jest/globals'
import { AppsV1Api, CoordinationV1Api } from '@kubernetes/client-node'
import { load } from 'js-yaml'
import type { Report } from '../../src/report/model.js'
import { fakeSha } from '../support/github/api-store.js'
import {
  type GitHubApiServer,
  expectNoApiViolations,
  resourceNotAccessible,
  startGitHubApi
} from '../support/github/api-server.js'
import { PR_SHAS } from '../support/github/events.js'
import { type SlackReceiver, startSlackReceiver } from '../support/github/slack-receiver.js'
import { type ActionRun, DEFAULT_TOKEN, type RunActionOptions, runAction } from './support/action-runner.js'
import { KUBECONFIG, ROOT } from './support/cluster.js'
import { exists, kubeClients } from './support/kube.js'

jest.setTimeout(180_000)
const { core, batch, config } = kubeClients()
const apps = config.makeApiClient(AppsV1Api)
const leases = config.makeApiClient(CoordinationV1Api)

const FIXTURES = 'test/fixtures/e2e/action'
const FINALIZER = 'wavesync.dev/hook-finalizer'
const RUN_ID = 8_100_000_001
const RUN_URL = `https://github.com/octo-org/shop/actions/runs/${RUN_ID}`
const SUFFIX = randomBytes(3).toString('hex')
/** One application per scenario; the namespace carries the same name. */
const APP = {
  ok: `e2e-act-ok-${SUFFIX}`,
  fail: `e2e-act-fail-${SUFFIX}`,
  invalid: `e2e-act-invalid-${SUFFIX}`,
  invalidAnnotations: `e2e-act-invalid-${SUFFIX}-a`,
  crash: `e2e-act-crash-${SUFFIX}`,
  cancel: `e2e-act-cancel-${SUFFIX}`,
  fork: `e2e-act-fork-${SUFFIX}`,
  sha: `e2e-act-sha-${SUFFIX}`
} as const

const KUBECONFIG_TEXT = readFileSync(KUBECONFIG, 'utf8')

/** The kubeconfig's credential values (as written, and the decoded key's base64 body lines). */
function credentials(): { certData: string; keyData: string; all: string[] } {
  const doc = load(KUBECONFIG_TEXT) as { users: { user: Record<string, string> }[] }
  const user = doc.users[0]?.user ?? {}
  const certData = user['client-certificate-data'] ?? ''
  const keyData = user['client-key-data'] ?? ''
  if (certData.length < 8 || keyData.length < 8) throw new Error('the test kubeconfig has no client cert/key')
  const pemLines = Buffer.from(keyData, 'base64')
    .toString('utf8')
    .split('\n')
    .filter(line => line.length >= 16 && !line.startsWith('-----'))
  return { certData, keyData, all: [certData, keyData, ...pemLines] }
}
const CREDENTIALS = credentials()

const servers: { close(): Promise<void> }[] = []
const runs: ActionRun[] = []

afterEach(async () => {
  await Promise.all(servers.splice(0).map(server => server.close()))
  for (const run of runs.splice(0)) run.cleanup()
})

afterAll(async () => {
  // Leave nothing behind; the namespace controller finishes on its own (5–20 s).
  await Promise.all(Object.values(APP).map(name => core.deleteNamespace({ name }).catch(() => undefined)))
})

async function githubApi(): Promise<GitHubApiServer> {
  const server = await startGitHubApi({ token: DEFAULT_TOKEN })
  servers.push(server)
  return server
}

async function slackReceiver(): Promise<SlackReceiver> {
  const receiver = await startSlackReceiver()
  servers.push(receiver)
  return receiver
}

/** Runs main and post; inputs name the app and its namespace (created by the sync). */
async function action(
  app: string,
  fixture: string,
  inputs: RunActionOptions['inputs'],
  options: Omit<RunActionOptions, 'inputs'> = {}
): Promise<ActionRun> {
  const run = await runAction({
    runId: RUN_ID,
    ...options,
    inputs: {
      manifests: `${FIXTURES}/${fixture}`,
      app,
      namespace: app,
      kubeconfig: KUBECONFIG_TEXT,
      'sync-options': 'CreateNamespace=true',
      ...inputs
    }
  })
  runs.push(run)
  return run
}

/** 1-based line of the `occurrence`-th line of a fixture matching `pattern`. */
function lineOf(file: string, pattern: RegExp, occurrence = 1): number {
  let seen = 0
  const lines = readFileSync(path.join(ROOT, file), 'utf8').split('\n')
  const index = lines.findIndex(line => pattern.test(line) && ++seen === occurrence)
  if (index < 0) throw new Error(`${file}: no line matching ${String(pattern)}`)
  return index + 1
}

function readJson(file: string | undefined): unknown {
  if (file === undefined || !existsSync(file)) throw new Error(`no file at ${String(file)}`)
  return JSON.parse(readFileSync(file, 'utf8'))
}

/** Every place a credential could leak to: the log (masks aside), files, outputs, GitHub and Slack. */
function leaks(run: ActionRun, api?: GitHubApiServer, slack?: SlackReceiver): string[] {
  const steps = [run.main, ...(run.post ? [run.post] : [])]
  const places: [string, string][] = []
  for (const step of steps) {
    const log = step.lines.filter(l => !l.text.trimStart().startsWith('::add-mask::')).map(l => l.text)
    places.push([`${step.step} log`, log.join('\n')], [`${step.step} summary`, step.summary])
    places.push([`${step.step} outputs`, JSON.stringify(step.outputs)])
  }
  for (const name of ['report', 'slack-payload-path']) {
    const file = run.outputs[name]
    if (file !== undefined && existsSync(file)) places.push([name, readFileSync(file, 'utf8')])
  }
  for (const r of api?.requests ?? []) places.push([`GitHub ${r.method} ${r.path}`, r.url + r.rawBody])
  for (const r of slack?.requests ?? []) places.push(['Slack', r.rawBody])
  return places.flatMap(([where, text]) =>
    CREDENTIALS.all.filter(secret => text.includes(secret)).map(secret => `${where}: ${secret.slice(0, 12)}…`)
  )
}

async function waitUntil(what: string, check: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`not within ${timeoutMs} ms: ${what}`)
    await new Promise(resolve => setTimeout(resolve, 250))
  }
}

describe('a successful sync', () => {
  test('outputs, summary, masks, check run on the pushed commit; post does nothing', async () => {
    const app = APP.ok
    const api = await githubApi()
    const run = await action(app, 'success', { 'check-run': true }, { apiUrl: api.url })

    expect(run.main.fileCommandErrors).toEqual([])
    expect(run.main.exitCode).toBe(0)
    expect(run.main.outcome).toBe('success')
    expect(run.main.annotations.filter(a => a.level === 'error')).toEqual([])
    // Outputs.
    expect(run.outputs['result']).toBe('succeeded')
    expect(run.outputs['revision']).toBe('1')
    expect(run.outputs['failed-phase'] ?? '').toBe('')
    expect(run.outputs['failed-hook'] ?? '').toBe('')
    const report = readJson(run.outputs['report']) as Report
    expect(report).toMatchObject({ app, namespace: app, phase: 'Succeeded', revision: 1 })
    expect(report.sourceRevision).toBe(run.event.sha)
    expect(report.tasks.map(t => `${t.phase} ${t.kind}/${t.name} ${t.state}`)).toEqual(
      expect.arrayContaining(['PreSync Job/migrate Succeeded', 'Sync Deployment/web Succeeded'])
    )
    const slackFile = readJson(run.outputs['slack-payload-path']) as { text: string; blocks: unknown[] }
    expect(slackFile.text).toContain(app)
    expect(slackFile.blocks.length).toBeGreaterThan(0)
    // The summary: the outcome first, then a timeline listing every task.
    const summary = run.main.summary
    expect(summary.split('\n')[0]).toMatch(new RegExp(`^## ✅ ${app}: sync\\b.*succeeded`))
    expect(summary).toContain('### 🕒 Timeline')
    const timeline = summary.slice(summary.indexOf('### 🕒 Timeline'))
    expect(report.tasks).toHaveLength(3) // the namespace (CreateNamespace), the hook, the Deployment
    for (const task of report.tasks) {
      const key = `${task.group}/${task.kind} ${task.namespace === '' ? '' : `${task.namespace}/`}${task.name}`
      const row = timeline.split('\n').find(line => line.includes(`<code>${key}</code>`))
      expect(row).toMatch(/^\| ✅ \| .* \| Synced \| Succeeded \| [\d.]+ m?s \| .* \|$/)
    }
    expect(timeline).toMatch(/#### PreSync[\s\S]*<code>batch\/Job [^<]*\/migrate<\/code>/)
    expect(timeline).toMatch(/#### Sync[\s\S]*<code>apps\/Deployment [^<]*\/web<\/code>/)
    // Masks: the credential fields, never the whole kubeconfig nor any of its plain lines.
    expect(run.main.masks).toEqual(expect.arrayContaining([CREDENTIALS.certData, CREDENTIALS.keyData]))
    for (const mask of run.main.masks) {
      expect(mask).not.toContain('\n')
      expect(KUBECONFIG_TEXT.trim()).not.toBe(mask.trim())
      expect(mask).not.toMatch(/apiVersion|kind: Config|server:|current-context/)
    }
    // The masks leave the log readable.
    expect(run.main.log).toContain(`namespace/${app} created`)
    expect(leaks(run, api)).toEqual([])
    // The check run: created in_progress on the pushed commit, completed with success.
    expect(api.store.checkRuns).toHaveLength(1)
    const check = api.store.checkRuns[0]
    const creates = api.requestsFor('checks/create')
    expect(creates).toHaveLength(1)
    expect(creates[0]?.body).toMatchObject({
      name: `wavesync / ${app}`,
      head_sha: run.event.sha,
      status: 'in_progress',
      details_url: RUN_URL,
      external_id: `${RUN_ID}-1`
    })
    expect(run.event.sha).toBe(run.main.env['GITHUB_SHA'])
    const updates = api.requestsFor('checks/update')
    expect(updates.length).toBeGreaterThanOrEqual(1)
    expect(updates.every(u => u.seq > (creates[0]?.seq ?? Infinity))).toBe(true)
    expect(updates[0]?.body).toMatchObject({ status: 'completed', conclusion: 'success' })
    expect(check).toMatchObject({ head_sha: run.event.sha, status: 'completed', conclusion: 'success' })
    expect(check?.output.title).toContain(app)
    expectNoApiViolations(api)
    // Main finished: post runs (post-if always()) and does nothing.
    expect(run.main.state['mainFinished']).toBe('true')
    expect(run.post?.exitCode).toBe(0)
    expect(run.post?.commands).toEqual([])
    expect(run.post?.outputs).toEqual({})
    expect(run.post?.summary).toBe('')
    expect(api.requests).toHaveLength(creates.length + updates.length)
    // The cluster has the app.
    const web = await apps.readNamespacedDeployment({ name: 'web', namespace: app })
    expect(web.status?.availableReplicas).toBe(1)
  })
})

describe('a failed PreSync hook', () => {
  test('failure outputs, annotation on the hook manifest, summary details, check run, one Slack message, exit 1', async () => {
    const app = APP.fail
    const api = await githubApi()
    const slack = await slackReceiver()
    const run = await action(
      app,
      'failed-hook',
      {
        // The kubeconfig as base64 this time (detected).
        kubeconfig: Buffer.from(KUBECONFIG_TEXT).toString('base64'),
        'check-run': true,
        'slack-webhook-url': slack.url
      },
      { apiUrl: api.url }
    )

    expect(run.main.exitCode).toBe(1)
    expect(run.main.outcome).toBe('failure')
    expect(run.outputs['result']).toBe('failed')
    expect(run.outputs['failed-phase']).toBe('PreSync')
    expect(run.outputs['failed-hook']).toBe('PreSync/migrate')
    const report = readJson(run.outputs['report']) as Report
    expect(report.phase).toBe('Failed')
    const hook = report.tasks.find(t => t.name === 'migrate')
    expect(hook).toMatchObject({ state: 'Failed', exitCode: 3 })
    expect(report.tasks.find(t => t.name === 'web')?.state).toBe('pending')
    // The annotation on the hook's manifest: the second document of the file.
    const file = `${FIXTURES}/failed-hook/app.yaml`
    const line = lineOf(file, /^apiVersion: batch\/v1$/)
    const errors = run.main.annotations.filter(a => a.level === 'error')
    const onHook = errors.filter(a => a.file === file)
    expect(onHook).toHaveLength(1)
    expect(onHook[0]).toMatchObject({ file, line })
    expect(onHook[0]?.message).toContain('exit code 3')
    expect(onHook[0]?.message).toContain('ERROR: relation "orders_idx" already exists')
    expect(onHook[0]?.title).toMatch(/PreSync.*migrate/)
    const raw = run.main.commands.find(c => c.name === 'error' && c.properties['file'] === file)
    expect(raw?.properties['line']).toBe(String(line))
    expect(run.main.stdout).toContain(`::error title=`)
    expect(run.main.stdout).toMatch(
      new RegExp(`::error [^\\n]*file=${file.replace(/\//g, '\\/')},line=${line}`)
    )
    // The summary: what failed with the exit code, and the log tail folded in <details>.
    const summary = run.main.summary
    expect(summary.split('\n')[0]).toMatch(new RegExp(`^## ❌ ${app}: sync.* failed — PreSync hook migrate`))
    const details = /<details[^>]*>[\s\S]*?<\/details>/.exec(summary)?.[0] ?? ''
    expect(details).toContain('migrate')
    expect(details).toMatch(/Exit(&nbsp;|\u00a0| )code<\/t[hd]>\s*<td>3<\/td>/)
    expect(details).toContain('<pre>')
    expect(details).toContain('ERROR: relation &quot;orders_idx&quot; already exists')
    expect(details).toContain('applying 0042_add_index')
    // The check run: failure, with the annotations in batches of at most 50.
    const check = api.store.checkRuns[0]
    expect(api.store.checkRuns).toHaveLength(1)
    expect(check).toMatchObject({ status: 'completed', conclusion: 'failure', head_sha: run.event.sha })
    expect(check?.annotations).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ path: file, start_line: line, end_line: line, annotation_level: 'failure' })
      ])
    )
    for (const request of api.requestsFor('checks/update')) {
      const output = (request.body as { output?: { annotations?: unknown[] } }).output
      expect((output?.annotations ?? []).length).toBeLessThanOrEqual(50)
    }
    expectNoApiViolations(api)
    // Slack: exactly one message naming the app, the failed phase and hook, and the run.
    expect(slack.failures).toEqual([])
    expect(slack.payloads).toHaveLength(1)
    const payload = JSON.stringify(slack.payloads[0])
    expect(payload).toContain(app)
    expect(payload).toContain('PreSync')
    expect(payload).toContain('PreSync/migrate')
    expect(payload).toContain(RUN_URL)
    expect(leaks(run, api, slack)).toEqual([])
    expect(run.post?.exitCode).toBe(0)
    expect(run.post?.summary).toBe('')
    // The base64 kubeconfig's credential fields are masked as well.
    expect(run.main.masks).toEqual(expect.arrayContaining([CREDENTIALS.certData, CREDENTIALS.keyData]))
    // The webhook URL is a secret: platform.md §10 "mask the URL".
    expect(run.main.masks).toContain(slack.url)
  })
})

describe('invalid manifests', () => {
  test('an error annotation on each offending file and line; nothing reaches the cluster; exit 1', async () => {
    const app = APP.invalid
    const run = await action(app, 'invalid', {})

    expect(run.main.exitCode).toBe(1)
    expect(run.outputs['result']).toBe('invalid')
    const errors = run.main.annotations.filter(a => a.level === 'error')
    const dir = `${FIXTURES}/invalid`
    const expected = [
      { file: `${dir}/a-parse.yaml`, line: lineOf(`${dir}/a-parse.yaml`, /^ {2}other: value$/) },
      { file: `${dir}/b-hook.yaml`, line: lineOf(`${dir}/b-hook.yaml`, /argocd\.argoproj\.io\/hook:/) },
      { file: `${dir}/c-wave.yaml`, line: lineOf(`${dir}/c-wave.yaml`, /argocd\.argoproj\.io\/sync-wave:/) }
    ]
    for (const where of expected) {
      const found = errors.filter(a => a.file === where.file)
      expect(found.map(a => a.line)).toContain(where.line)
    }
    expect(errors.find(a => a.file === `${dir}/b-hook.yaml`)?.message).toContain('PreSink')
    expect(errors.find(a => a.file === `${dir}/c-wave.yaml`)?.message).toContain('soon')
    expect(run.main.summary).toContain('Invalid manifests (3 errors)')
    expect(run.main.summary.split('\n')[0]).toMatch(/^## ❌ /)
    // Validation comes before the first write: not even the namespace was created.
    expect(await exists(() => core.readNamespace({ name: app }))).toBe(false)
    expect(run.post?.exitCode).toBe(0)
    expect(leaks(run)).toEqual([])
  })

  test('annotation problems in three files: one error annotation per offending line', async () => {
    const app = APP.invalidAnnotations
    const dir = `${FIXTURES}/invalid-annotations`
    const run = await action(app, 'invalid-annotations', {})

    expect(run.main.exitCode).toBe(1)
    expect(run.outputs['result']).toBe('invalid')
    const expected = [
      {
        file: `${dir}/hook.yaml`,
        line: lineOf(`${dir}/hook.yaml`, /argocd\.argoproj\.io\/hook:/),
        says: 'Presync'
      },
      {
        file: `${dir}/policy.yaml`,
        line: lineOf(`${dir}/policy.yaml`, /hook-delete-policy:/),
        says: 'WhenDone'
      },
      { file: `${dir}/wave.yaml`, line: lineOf(`${dir}/wave.yaml`, /sync-wave:/), says: '1.5' }
    ]
    const errors = run.main.annotations.filter(a => a.level === 'error' && a.file !== undefined)
    expect(errors.map(a => `${a.file ?? ''}:${a.line ?? 0}`).sort()).toEqual(
      expected.map(e => `${e.file}:${e.line}`).sort()
    )
    for (const where of expected)
      expect(errors.find(a => a.file === where.file)?.message).toContain(where.says)
    expect(run.main.summary).toContain('Invalid manifests (3 errors)')
    expect(await exists(() => core.readNamespace({ name: app }))).toBe(false)
  })
})

/** What a terminated sync must leave (sync-semantics §4.9): checked in the cluster and on GitHub. */
async function expectTerminated(app: string, run: ActionRun, api: GitHubApiServer): Promise<void> {
  // The running hook deleted; no finalizer of ours anywhere; the record failed; the Lease gone.
  await waitUntil(
    'the hook Job is deleted',
    async () => !(await exists(() => batch.readNamespacedJob({ name: 'long-migration', namespace: app })))
  )
  const holders = [
    ...(await batch.listNamespacedJob({ namespace: app })).items,
    ...(await core.listNamespacedPod({ namespace: app })).items,
    ...(await core.listNamespacedConfigMap({ namespace: app })).items,
    ...(await core.listNamespacedSecret({ namespace: app })).items,
    ...(await leases.listNamespacedLease({ namespace: app })).items,
    ...(await apps.listNamespacedDeployment({ namespace: app })).items
  ].filter(o => (o.metadata?.finalizers ?? []).includes(FINALIZER))
  expect(holders.map(o => `${o.kind ?? ''} ${o.metadata?.name ?? ''}`)).toEqual([])
  const records = await core.listNamespacedSecret({
    namespace: app,
    labelSelector: `wavesync.dev/application=${app}`
  })
  expect(records.items.map(s => s.metadata?.labels?.['wavesync.dev/status'])).toEqual(['failed'])
  expect(await exists(() => leases.readNamespacedLease({ name: `wavesync.${app}`, namespace: app }))).toBe(
    false
  )
  // The next wave never started.
  expect(await exists(() => core.readNamespacedConfigMap({ name: 'after', namespace: app }))).toBe(false)
  // GitHub: the check run completed as cancelled.
  expect(api.store.checkRuns).toHaveLength(1)
  expect(api.store.checkRuns[0]).toMatchObject({ status: 'completed', conclusion: 'cancelled' })
  expectNoApiViolations(api)
  // result = cancelled, from main or from post; the summary says the sync was terminated.
  expect(run.outputs['result'] ?? run.post?.outputs['result']).toBe('cancelled')
  expect(run.summary).toMatch(/terminated/i)
  expect(leaks(run, api)).toEqual([])
}

const WAITING_FOR_HOOK = /waiting for completion of hook .*long-migration/

describe('cancellation', () => {
  test('SIGINT while waiting for a hook: main terminates within the grace period, then post runs', async () => {
    const app = APP.cancel
    const api = await githubApi()
    const run = await action(
      app,
      'slow-hook',
      { 'check-run': true },
      { apiUrl: api.url, cancel: { onOutput: WAITING_FOR_HOOK } }
    )

    // The runner sent SIGINT once the hook was being waited for; main was gone before SIGTERM
    // (7.5 s) and the kill (10 s).
    const sigint = run.main.signalsSent[0]
    expect(sigint?.signal).toBe('SIGINT')
    const waited = run.main.lines.find(l => WAITING_FOR_HOOK.test(l.text))
    expect(waited?.atMs).toBeLessThanOrEqual(sigint?.atMs ?? 0)
    expect(run.main.signalsSent.map(s => s.signal)).toEqual(['SIGINT'])
    expect(run.main.durationMs - (sigint?.atMs ?? 0)).toBeLessThan(7_500)
    expect(run.main.outcome).toBe('cancelled')
    expect(run.main.exitCode).not.toBe(0)
    // Post ran (post-if always()) and succeeded.
    expect(run.post).toBeDefined()
    expect(run.post?.exitCode).toBe(0)
    await expectTerminated(app, run, api)
    expect(run.summary.split('\n')[0]).toMatch(new RegExp(`^## ⏹️ ${app}: sync.* cancelled`))
  })

  test('main killed right after SIGINT (a crash): post finishes the termination from the saved state', async () => {
    const app = APP.crash
    const api = await githubApi()
    const run = await action(
      app,
      'slow-hook',
      { 'check-run': true },
      {
        apiUrl: api.url,
        cancel: { onOutput: WAITING_FOR_HOOK },
        // The process tree is killed 1 ms after SIGINT: main gets no chance to clean up.
        signals: { sigtermAfterMs: 60_000, killAfterMs: 1 }
      }
    )

    expect(run.main.signalsSent.map(s => s.signal)).toEqual(['SIGINT', 'SIGKILL'])
    expect(run.main.signal).toBe('SIGKILL')
    expect(run.main.state['mainFinished']).toBeUndefined()
    expect(run.main.state['checkRunId']).toMatch(/^\d+$/)
    expect(run.post?.exitCode).toBe(0)
    expect(run.post?.outputs['result']).toBe('cancelled')
    await expectTerminated(app, run, api)
    expect(run.post?.summary).toMatch(/terminated/i)
  })
})

describe('check runs on pull requests', () => {
  test('a fork PR (403 Resource not accessible by integration): one warning, the sync still succeeds', async () => {
    const app = APP.fork
    const api = await githubApi()
    api.respondWith('checks/create', resourceNotAccessible())
    const number = 4000 + Math.floor(Math.random() * 1000)
    const run = await action(
      app,
      'minimal',
      { 'check-run': true },
      {
        apiUrl: api.url,
        event: { name: 'pull_request', action: 'opened', number, headRepository: 'someone/shop' }
      }
    )

    expect(run.main.exitCode).toBe(0)
    expect(run.outputs['result']).toBe('succeeded')
    expect(run.main.annotations.filter(a => a.level === 'error')).toEqual([])
    const warnings = run.main.annotations.filter(a => a.level === 'warning' && /check run/i.test(a.message))
    expect(warnings).toHaveLength(1)
    expect(warnings[0]?.message).toContain('Resource not accessible by integration')
    // Tried once on the PR head; nothing more was sent to the Checks API.
    const creates = api.requestsFor('checks/create')
    expect(creates).toHaveLength(1)
    expect(creates[0]?.response.status).toBe(403)
    expect((creates[0]?.body as { head_sha?: string }).head_sha).toBe(PR_SHAS.head(number))
    expect(api.requestsFor('checks/update')).toEqual([])
    expectNoApiViolations(api)
    expect(run.post?.exitCode).toBe(0)
  })

  test('head SHA: pull_request → pull_request.head.sha; workflow_run → workflow_run.head_sha', async () => {
    const app = APP.sha
    const api = await githubApi()
    const number = 5000 + Math.floor(Math.random() * 1000)
    const pr = await action(
      app,
      'minimal',
      { 'check-run': true },
      { apiUrl: api.url, event: { name: 'pull_request', action: 'synchronize', number } }
    )
    expect(pr.main.exitCode).toBe(0)
    expect(pr.event.sha).toBe(PR_SHAS.merge(number))
    expect(pr.main.env['GITHUB_SHA']).toBe(PR_SHAS.merge(number))
    const headSha = fakeSha(`wr-head-${SUFFIX}`)
    const wr = await action(
      app,
      'minimal',
      { 'check-run': true },
      {
        apiUrl: api.url,
        event: { name: 'workflow_run', headSha, pullRequests: [{ number }] }
      }
    )
    expect(wr.main.exitCode).toBe(0)
    expect(wr.main.env['GITHUB_SHA']).not.toBe(headSha)

    expect(api.store.checkRuns.map(r => [r.head_sha, r.status, r.conclusion])).toEqual([
      [PR_SHAS.head(number), 'completed', 'success'],
      [headSha, 'completed', 'success']
    ])
    expect(api.requestsFor('checks/create').map(r => (r.body as { head_sha?: string }).head_sha)).toEqual([
      PR_SHAS.head(number),
      headSha
    ])
    expect(wr.outputs['revision']).toBe('2')
    expectNoApiViolations(api)
  })
})
