// The runner harness (test/e2e/support/action-runner.ts) run against a fake action that uses the
// real @actions/core and @actions/github, so what the e2e tests assert about wavesync rests on a
// harness that is itself checked: env naming, defaults, events, file commands, post, signals.
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, test } from '@jest/globals'
import {
  type ActionRun,
  DEFAULT_TOKEN,
  type RunActionOptions,
  inputVariable,
  runAction
} from '../../e2e/support/action-runner.js'
import {
  type GitHubApiServer,
  expectNoApiViolations,
  resourceNotAccessible,
  startGitHubApi
} from '../../support/github/api-server.js'
import { fakeSha } from '../../support/github/api-store.js'

const FAKE = path.join(import.meta.dirname, 'fixtures/fake-action')
const runs: ActionRun[] = []

async function run(options: RunActionOptions = {}): Promise<ActionRun> {
  const result = await runAction({ actionDir: FAKE, ...options })
  runs.push(result)
  return result
}

afterAll(() => {
  for (const r of runs) r.cleanup()
})

test('input names become INPUT_<NAME>: upper case, spaces to _, hyphens kept', () => {
  expect(inputVariable('dry-run')).toBe('INPUT_DRY-RUN')
  expect(inputVariable('app name')).toBe('INPUT_APP_NAME')
  expect(inputVariable('check-run-name')).toBe('INPUT_CHECK-RUN-NAME')
})

describe('a successful run, main then post', () => {
  let result: ActionRun
  beforeAll(async () => {
    result = await run({
      inputs: { 'dry-run': true, 'app name': 'shop', colour: 'blue' },
      env: { EXTRA: 'x' },
      secrets: [DEFAULT_TOKEN]
    })
  }, 60_000)

  test('both steps exit 0; inputs, defaults and the push event reach the action', () => {
    expect([result.main.exitCode, result.main.outcome, result.post?.exitCode, result.post?.outcome]).toEqual([
      0,
      'success',
      0,
      'success'
    ])
    expect(result.main.stdout).toContain('mode=basic dry-run=true app=shop\n')
    expect(result.main.stdout).toContain(`event=push sha=${fakeSha('push-main')} pr-head=-\n`)
    expect(result.main.env['INPUT_DRY-RUN']).toBe('true')
    expect(result.main.env['INPUT_TOKEN']).toBe(DEFAULT_TOKEN) // ${{ github.token }} evaluated
    expect(result.main.env['INPUT_STICKY-MARKER']).toBe('<!-- fake-action -->')
    expect(result.main.env['EXTRA']).toBe('x')
    expect(result.main.env['GITHUB_ACTIONS']).toBe('true')
    expect(result.runnerWarnings).toEqual([
      "Unexpected input(s) 'colour', valid inputs are ['mode', 'dry-run', 'app name', 'token', 'sticky-marker']"
    ])
    expect(JSON.parse(readFileSync(result.eventPath, 'utf8'))).toEqual(result.event.payload)
  })

  test('annotations, masks and groups are parsed from the log', () => {
    expect(result.main.annotations).toEqual([
      {
        level: 'error',
        message: 'hook failed: 50% done\nlast log line',
        title: 'PreSync: migrate, step 1',
        file: 'manifests/a,b.yaml',
        line: 3,
        endLine: 4
      },
      { level: 'warning', message: 'deprecated API', file: 'manifests/c.yaml', line: 7 },
      { level: 'notice', message: 'dry run only' }
    ])
    expect(result.main.masks).toEqual(['s3cr3t-value-123'])
    expect(result.main.log).toContain('connecting with ***')
    expect(result.main.log).not.toContain('s3cr3t-value-123')
    expect(result.main.groups).toEqual([{ title: 'Wave 1', lines: ['applied deployment/web'] }])
  })

  test('outputs, state and summary come from the file commands; post gets STATE_*, GITHUB_ENV and GITHUB_PATH', () => {
    expect(result.outputs).toEqual({ result: 'succeeded', message: 'two\nlines' })
    expect(result.state).toEqual({ phase: 'main', multi: 'line 1\nline 2: 100%' })
    expect(result.post?.env['STATE_phase']).toBe('main')
    expect(result.post?.stdout).toContain('post: phase=main interrupted=- check-run=-\n')
    expect(result.post?.stdout).toContain(
      'post: multi="line 1\\nline 2: 100%" exported=from main path0=/opt/fake-bin\n'
    )
    expect(result.main.summary).toBe('<h1>fake-action</h1>\nmain summary\n')
    expect(result.summary).toBe('<h1>fake-action</h1>\nmain summary\npost summary\n')
    expect(result.main.env['GITHUB_STEP_SUMMARY']).not.toBe(result.post?.env['GITHUB_STEP_SUMMARY'])
  })
})

test('setFailed: exit code 1 and outcome failure; post still runs (post-if: always())', async () => {
  const result = await run({ inputs: { mode: 'fail' } })
  expect([result.main.exitCode, result.main.outcome]).toEqual([1, 'failure'])
  expect(result.main.annotations.at(-1)).toEqual({ level: 'error', message: 'the sync failed' })
  expect(result.post?.outcome).toBe('success')
}, 60_000)

test('a malformed GITHUB_OUTPUT fails the step the way the runner would', async () => {
  const result = await run({ inputs: { mode: 'bad-output' } })
  expect(result.main.exitCode).toBe(0)
  expect(result.main.outcome).toBe('failure')
  expect(result.main.fileCommandErrors).toEqual([
    "Unable to process file command 'output' successfully: Invalid value. EOF marker missing new line."
  ])
}, 60_000)

describe('cancellation', () => {
  test('SIGINT when the output matches; the action exits; post runs with what main saved', async () => {
    const result = await run({ inputs: { mode: 'wait' }, cancel: { onStdout: /^waiting for a signal$/ } })
    expect(result.main.signalsSent.map(s => s.signal)).toEqual(['SIGINT'])
    expect(result.main.outcome).toBe('cancelled')
    expect(result.main.stdout).toContain('got SIGINT\n')
    expect(result.outputs['result']).toBe('cancelled')
    expect(result.post?.stdout).toContain('post: phase=main interrupted=SIGINT check-run=-\n')
  }, 60_000)

  test('an action that ignores SIGINT gets SIGTERM, then its process tree is killed', async () => {
    const result = await run({
      inputs: { mode: 'stubborn' },
      cancel: { onStdout: /^waiting for a signal$/ },
      signals: { sigtermAfterMs: 300, killAfterMs: 600 }
    })
    expect(result.main.signalsSent.map(s => s.signal)).toEqual(['SIGINT', 'SIGTERM', 'SIGKILL'])
    expect(result.main.signal).toBe('SIGKILL')
    expect(result.main.stdout).toContain('got SIGINT\ngot SIGTERM\n')
    expect(result.post?.outcome).toBe('success')
  }, 60_000)

  test('a step timeout cancels the same way and counts as a failure', async () => {
    // (Without a post: a SIGINT before the action's handlers exist ends it before it saves state.)
    const result = await run({ inputs: { mode: 'wait' }, stepTimeoutMs: 500, post: false })
    expect(result.main.timedOut).toBe(true)
    expect(result.main.outcome).toBe('failure')
    expect(result.main.signalsSent.map(s => s.signal)).toEqual(['SIGINT'])
    expect(result.post).toBeUndefined()
  }, 60_000)
})

describe('against the GitHub API stand-in with @actions/github', () => {
  let api: GitHubApiServer
  beforeAll(async () => {
    api = await startGitHubApi({ token: DEFAULT_TOKEN })
  })
  afterAll(() => api.close())
  afterEach(() => {
    expectNoApiViolations(api)
  })

  test('pull_request: the check run goes to the head SHA (not GITHUB_SHA, the merge commit)', async () => {
    const result = await run({
      inputs: { mode: 'github' },
      apiUrl: api.url,
      event: { name: 'pull_request', action: 'opened', number: 12 }
    })
    expect(result.main.outcome).toBe('success')
    expect(result.main.env['GITHUB_SHA']).toBe(fakeSha('pr-12-merge'))
    expect(result.main.env['GITHUB_REF']).toBe('refs/pull/12/merge')
    expect(result.main.env['GITHUB_HEAD_REF']).toBe('feature-12')
    const [create] = api.requestsFor('checks/create')
    expect(create?.body).toEqual({
      name: 'fake / shop',
      head_sha: fakeSha('pr-12-head'),
      status: 'in_progress',
      external_id: '8100000001-1'
    })
    expect(create?.headers['authorization']).toBe(`token ${DEFAULT_TOKEN}`)
    expect(create?.headers['user-agent']).toMatch(/octokit/)
    const run1 = api.store.checkRuns[0]
    expect([run1?.status, run1?.conclusion, run1?.annotations.length]).toEqual(['completed', 'failure', 1])
    expect(result.post?.stdout).toContain(`check-run=${String(run1?.id)}\n`)
    expect(api.store.issueComments(12).map(c => c.body)).toEqual(['<!-- fake-action -->\nrun 8100000001'])
  }, 60_000)

  test('a second run updates the sticky comment (found across pages), and a fork’s 403 is only a warning', async () => {
    api.store.addComment({
      issueNumber: 12,
      body: 'a human writes',
      user: { login: 'octocat', id: 1, type: 'User' }
    })
    api.store.addComment({ issueNumber: 12, body: 'another' })
    api.respondWith('checks/create', resourceNotAccessible(), { times: 1 })
    const result = await run({
      inputs: { mode: 'github' },
      apiUrl: api.url,
      runId: 8100000002,
      event: { name: 'pull_request', action: 'synchronize', number: 12 }
    })
    expect(result.main.outcome).toBe('success')
    expect(result.main.annotations).toContainEqual({
      level: 'warning',
      message: 'check run skipped: Resource not accessible by integration - https://docs.github.com/rest'
    })
    expect(api.store.issueComments(12).map(c => c.body)).toEqual([
      '<!-- fake-action -->\nrun 8100000002',
      'a human writes',
      'another'
    ])
    expect(api.requestsFor('issues/list-comments').map(r => r.query['page'] ?? '1')).toEqual(['1', '1', '2'])
    expect(api.requestsFor('issues/create-comment')).toHaveLength(1)
  }, 60_000)

  test('workflow_run: GITHUB_SHA is the default branch tip; the payload carries the run’s head SHA', async () => {
    const head = fakeSha('preview-head')
    const result = await run({
      inputs: { mode: 'github' },
      apiUrl: api.url,
      event: { name: 'workflow_run', headSha: head }
    })
    expect(result.main.env['GITHUB_SHA']).toBe(fakeSha('main'))
    expect(JSON.parse(readFileSync(result.eventPath, 'utf8'))).toMatchObject({
      workflow_run: { head_sha: head, pull_requests: [] }
    })
    // The fake action only knows pull_request and push: it used GITHUB_SHA, which the test sees.
    expect(api.requestsFor('checks/create').at(-1)?.body).toMatchObject({ head_sha: fakeSha('main') })
  }, 60_000)
})
