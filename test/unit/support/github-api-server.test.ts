import http from 'node:http'
import { afterAll, afterEach, beforeAll, describe, expect, test } from '@jest/globals'
import {
  type GitHubApiServer,
  expectNoApiViolations,
  resourceNotAccessible,
  startGitHubApi
} from '../../support/github/api-server.js'
import { fakeSha } from '../../support/github/api-store.js'

const SHA = fakeSha('push-main')
const HEADERS = {
  authorization: 'token ghs_test',
  accept: 'application/vnd.github+json',
  'user-agent': 'wavesync-tests',
  'content-type': 'application/json; charset=utf-8'
}

let api: GitHubApiServer

beforeAll(async () => {
  api = await startGitHubApi({ token: 'ghs_test' })
}, 30_000)
afterAll(() => api.close())
afterEach(() => {
  // Each test states the failures it expects and clears them; anything left is a bug.
  expectNoApiViolations(api)
})

async function call(
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = HEADERS
): Promise<{ status: number; json: unknown; headers: Headers }> {
  const init: RequestInit = { method, headers }
  if (body !== undefined) init.body = JSON.stringify(body)
  const res = await fetch(api.url + path, init)
  const text = await res.text()
  return { status: res.status, json: text === '' ? undefined : JSON.parse(text), headers: res.headers }
}

function rawPost(path: string, body: unknown, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request(api.url + path, { method: 'POST', headers }, res => {
      res.resume()
      res.on('end', () => resolve(res.statusCode ?? 0))
    })
    req.on('error', reject)
    req.end(JSON.stringify(body))
  })
}

function without(headers: Record<string, string>, ...names: string[]): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).filter(([k]) => !names.includes(k)))
}

function takeFailures(): string[] {
  return api.failures.splice(0)
}

function field(value: unknown, key: string): unknown {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)[key]
    : undefined
}

const validCheckRun = {
  name: 'wavesync / shop',
  head_sha: SHA,
  status: 'in_progress',
  external_id: '8100000001-1',
  details_url: 'https://github.com/octo-org/shop/actions/runs/8100000001'
}

describe('check runs', () => {
  test('a valid create is accepted: 201 with an id above 2^32 and a body matching the check-run schema', async () => {
    const res = await call('POST', '/repos/octo-org/shop/check-runs', validCheckRun)
    expect(res.status).toBe(201)
    const id = field(res.json, 'id')
    expect(typeof id === 'number' && id > 2 ** 32).toBe(true)
    expect(field(res.json, 'head_sha')).toBe(SHA)
    expect(field(res.json, 'status')).toBe('in_progress')
    expect(field(res.json, 'conclusion')).toBeNull()
    expect(api.failures).toEqual([]) // the conformed response passed the success schema
    const recorded = api.requestsFor('checks/create').at(-1)
    expect(recorded?.pathTemplate).toBe('/repos/{owner}/{repo}/check-runs')
    expect(recorded?.params).toEqual({ owner: 'octo-org', repo: 'shop' })
    expect(recorded?.body).toEqual(validCheckRun)
  })

  test('conclusion "succeeded", a missing head_sha and annotation_level "fatal": 422 and one precise failure each', async () => {
    const res = await call('POST', '/repos/octo-org/shop/check-runs', {
      name: 'wavesync / shop',
      conclusion: 'succeeded',
      output: {
        title: 'x',
        summary: 'y',
        annotations: [{ path: 'm.yaml', start_line: 1, end_line: 1, annotation_level: 'fatal', message: 'm' }]
      }
    })
    expect(res.status).toBe(422)
    expect(String(field(res.json, 'message'))).toMatch(/^Invalid request\./)
    expect(takeFailures()).toEqual([
      'checks/create: body /head_sha: is required but missing',
      'checks/create: body /conclusion: must be one of [action_required, cancelled, failure, neutral, success, skipped, stale, timed_out], got "succeeded"',
      'checks/create: body /output/annotations/0/annotation_level: must be one of [notice, warning, failure], got "fatal"'
    ])
    expect(
      api.store.checkRuns.filter(r => r.name === 'wavesync / shop' && r.conclusion === 'succeeded')
    ).toEqual([])
  })

  test('wrong types, more than 50 annotations and unknown fields are reported with their JSON pointers', async () => {
    const annotation = {
      path: 'm.yaml',
      start_line: 1,
      end_line: 1,
      annotation_level: 'failure',
      message: 'm'
    }
    const res = await call('POST', '/repos/octo-org/shop/check-runs', {
      ...validCheckRun,
      output: {
        title: 't',
        summary: 's',
        anotations: [],
        annotations: Array.from({ length: 51 }, () => annotation)
      }
    })
    expect(res.status).toBe(422)
    expect(takeFailures()).toEqual([
      'checks/create: body /output/annotations: must NOT have more than 50 items, got 51',
      'checks/create: body /output/anotations: is not in the operation schema (GitHub would silently ignore it)'
    ])
    const typed = await call('POST', '/repos/octo-org/shop/check-runs', {
      ...validCheckRun,
      output: { title: 't', summary: 's', annotations: [{ ...annotation, start_line: '3' }] }
    })
    expect(typed.status).toBe(422)
    expect(takeFailures()).toEqual([
      'checks/create: body /output/annotations/0/start_line: must be integer, got "3"'
    ])
  })

  test('rules from the prose: a short SHA, completed without conclusion, columns across lines', async () => {
    const res = await call('POST', '/repos/octo-org/shop/check-runs', {
      name: 'wavesync / shop',
      head_sha: 'main',
      status: 'completed',
      output: {
        title: 't',
        summary: 's',
        annotations: [
          {
            path: 'm.yaml',
            start_line: 2,
            end_line: 4,
            start_column: 1,
            end_column: 3,
            annotation_level: 'failure',
            message: 'm'
          }
        ]
      }
    })
    expect(res.status).toBe(422)
    expect(takeFailures()).toEqual([
      'checks/create: body /head_sha: No commit found for SHA: main (a full 40-hex commit SHA is expected)',
      'checks/create: body /conclusion: is required when status is "completed"',
      'checks/create: body /output/annotations/0/start_column: columns are only allowed when start_line equals end_line'
    ])
  })

  test('updates append annotations and complete the run; the schema’s anyOf requires a conclusion for completed', async () => {
    const created = await call('POST', '/repos/octo-org/shop/check-runs', validCheckRun)
    const id = Number(field(created.json, 'id'))
    const batch = (n: number): unknown[] =>
      Array.from({ length: n }, (_, i) => ({
        path: 'a.yaml',
        start_line: i + 1,
        end_line: i + 1,
        annotation_level: 'warning',
        message: `w${i}`
      }))
    const first = await call('PATCH', `/repos/octo-org/shop/check-runs/${id}`, {
      output: { title: 't', summary: 's', annotations: batch(50) }
    })
    expect(first.status).toBe(200)
    const bad = await call('PATCH', `/repos/octo-org/shop/check-runs/${id}`, { status: 'completed' })
    expect(bad.status).toBe(422)
    // The update schema's anyOf: completed needs a conclusion, else status must be queued or in_progress.
    expect(takeFailures()).toEqual([
      'checks/update: body /conclusion: is required but missing',
      'checks/update: body /status: must be one of [queued, in_progress], got "completed"',
      'checks/update: body (root): must match a schema in anyOf, got {"status":"completed"}'
    ])
    const done = await call('PATCH', `/repos/octo-org/shop/check-runs/${id}`, {
      conclusion: 'failure',
      output: { title: 'Sync failed', summary: 's', annotations: batch(3) }
    })
    expect(done.status).toBe(200)
    expect(field(done.json, 'status')).toBe('completed')
    expect(field(field(done.json, 'output'), 'annotations_count')).toBe(53)
    const run = api.store.checkRuns.find(r => r.id === id)
    expect(run?.annotations).toHaveLength(53)
    expect(run?.conclusion).toBe('failure')
    expect(run?.completed_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/)
    expect(run?.history).toHaveLength(3)
    const listed = await call('GET', `/repos/octo-org/shop/check-runs/${id}/annotations?per_page=100`)
    expect(Array.isArray(listed.json) ? listed.json.length : -1).toBe(53)
  })

  test('path parameters are checked: a non-numeric check_run_id is a violation; an unknown id is a plain 404', async () => {
    const bad = await call('PATCH', '/repos/octo-org/shop/check-runs/abc', { conclusion: 'success' })
    expect(bad.status).toBe(422)
    expect(takeFailures()).toEqual(['checks/update: path /check_run_id: must be integer, got "abc"'])
    const missing = await call('PATCH', '/repos/octo-org/shop/check-runs/12345', { conclusion: 'success' })
    expect(missing.status).toBe(404)
    expect(field(missing.json, 'message')).toBe('Not Found')
  })

  test('a 403 injected for fork PRs answers valid requests only, and only as often as asked', async () => {
    api.respondWith('checks/create', resourceNotAccessible(), { times: 1 })
    const denied = await call('POST', '/repos/octo-org/shop/check-runs', validCheckRun)
    expect(denied.status).toBe(403)
    expect(field(denied.json, 'message')).toBe('Resource not accessible by integration')
    expect(denied.headers.get('x-accepted-github-permissions')).toBe('checks=write')
    expect(api.requestsFor('checks/create').at(-1)?.response.source).toBe('injected')
    expect((await call('POST', '/repos/octo-org/shop/check-runs', validCheckRun)).status).toBe(201)
  })

  test('failNext: one 500 with GitHub’s error body, then normal answers', async () => {
    api.failNext('POST /repos/{owner}/{repo}/check-runs', 500)
    const failed = await call('POST', '/repos/octo-org/shop/check-runs', validCheckRun)
    expect(failed.status).toBe(500)
    expect(failed.json).toEqual({
      message: 'Server Error',
      documentation_url: 'https://docs.github.com/rest',
      status: '500'
    })
    expect((await call('POST', '/repos/octo-org/shop/check-runs', validCheckRun)).status).toBe(201)
  })
})

describe('routing, headers and query parameters', () => {
  test('an unknown path and an undocumented method: 404 and a recorded failure', async () => {
    expect((await call('GET', '/repos/octo-org/shop/check-runz')).status).toBe(404)
    expect((await call('DELETE', '/repos/octo-org/shop/check-runs')).status).toBe(404)
    expect(takeFailures()).toEqual([
      "GET /repos/octo-org/shop/check-runz: path (root): no operation in GitHub's OpenAPI description has this path",
      'DELETE /repos/octo-org/shop/check-runs: path (root): /repos/{owner}/{repo}/check-runs has no DELETE operation (documented: POST)'
    ])
  })

  test('literal segments beat parameters: /issues/comments/{comment_id} is not /issues/{issue_number}/comments', async () => {
    const created = await call('POST', '/repos/octo-org/shop/issues/7/comments', { body: 'hello' })
    const id = Number(field(created.json, 'id'))
    const got = await call('GET', `/repos/octo-org/shop/issues/comments/${id}`)
    expect(got.status).toBe(200)
    expect(api.requestsFor({ method: 'GET' }).at(-1)?.operationId).toBe('issues/get-comment')
    // A multi-segment {ref} must not swallow the /check-runs suffix.
    await call('GET', `/repos/octo-org/shop/commits/${SHA}/check-runs`)
    expect(api.requests.at(-1)?.operationId).toBe('checks/list-for-ref')
  })

  test('missing or malformed Authorization, missing User-Agent and Accept, a wrong token', async () => {
    const noAuth = without(HEADERS, 'authorization')
    expect((await call('POST', '/repos/octo-org/shop/check-runs', validCheckRun, noAuth)).status).toBe(401)
    expect(
      (
        await call('POST', '/repos/octo-org/shop/check-runs', validCheckRun, {
          ...HEADERS,
          authorization: 'ghs_test'
        })
      ).status
    ).toBe(401)
    expect(
      (
        await call('POST', '/repos/octo-org/shop/check-runs', validCheckRun, {
          ...HEADERS,
          authorization: 'Bearer other'
        })
      ).status
    ).toBe(401)
    // fetch always adds a User-Agent: send this one through node:http.
    const bare = without(HEADERS, 'user-agent', 'accept')
    expect(await rawPost('/repos/octo-org/shop/check-runs', validCheckRun, bare)).toBe(403)
    expect(takeFailures()).toEqual([
      'checks/create: header /authorization: missing: send `Authorization: token <GITHUB_TOKEN>` (or Bearer)',
      'checks/create: header /authorization: must be `token <value>` or `Bearer <value>`',
      'checks/create: header /authorization: carries a token other than the one the test gave the action',
      'checks/create: header /user-agent: missing: GitHub rejects requests without a User-Agent',
      'checks/create: header /accept: missing: send application/vnd.github+json'
    ])
  })

  test('query parameters: typed by the schema, unknown ones reported, bad JSON is a 400', async () => {
    expect(
      (await call('GET', '/repos/octo-org/shop/issues/7/comments?per_page=abc&sort=created')).status
    ).toBe(422)
    expect(takeFailures()).toEqual([
      'issues/list-comments: query /per_page: must be integer, got "abc"',
      'issues/list-comments: query /sort: is not a parameter of this operation'
    ])
    const res = await fetch(`${api.url}/repos/octo-org/shop/issues/7/comments`, {
      method: 'POST',
      headers: HEADERS,
      body: '{"body":'
    })
    expect(res.status).toBe(400)
    expect(takeFailures()).toEqual(['issues/create-comment: body (root): is not valid JSON'])
  })

  test('a documented operation without a handler gets a schema-valid sample', async () => {
    const res = await call('GET', '/repos/octo-org/shop/actions/runs/8100000001')
    expect(res.status).toBe(200)
    expect(api.requests.at(-1)?.response.source).toBe('sampled')
    expect(typeof field(res.json, 'id')).toBe('number')
  })

  test('waitForRequest resolves for a request that is already answered or arrives later', async () => {
    const later = api.waitForRequest('repos/create-commit-status', 5_000)
    await call('POST', `/repos/octo-org/shop/statuses/${SHA}`, { state: 'pending', context: 'wavesync' })
    expect((await later).response.status).toBe(201)
    expect((await api.waitForRequest('repos/create-commit-status')).body).toEqual({
      state: 'pending',
      context: 'wavesync'
    })
  })
})

describe('sticky comments, deployments and pull requests', () => {
  test('list returns stored comments page by page with a Link header; update changes the one comment', async () => {
    const seeded = api.store.addComment({ issueNumber: 12, body: '<!-- wavesync -->\nold' })
    api.store.addComment({
      issueNumber: 12,
      body: 'a human',
      user: { login: 'octocat', id: 1, type: 'User' }
    })
    await call('POST', '/repos/octo-org/shop/issues/12/comments', { body: 'third' })
    const page1 = await call('GET', '/repos/octo-org/shop/issues/12/comments?per_page=2')
    expect(Array.isArray(page1.json) ? page1.json.map(c => field(c, 'body')) : []).toEqual([
      '<!-- wavesync -->\nold',
      'a human'
    ])
    expect(page1.headers.get('link')).toBe(
      `<${api.url}/repos/octo-org/shop/issues/12/comments?per_page=2&page=2>; rel="next", <${api.url}/repos/octo-org/shop/issues/12/comments?per_page=2&page=2>; rel="last"`
    )
    const page2 = await call('GET', '/repos/octo-org/shop/issues/12/comments?per_page=2&page=2')
    expect(Array.isArray(page2.json) ? page2.json.map(c => field(c, 'body')) : []).toEqual(['third'])
    const updated = await call('PATCH', `/repos/octo-org/shop/issues/comments/${seeded.id}`, {
      body: '<!-- wavesync -->\nnew'
    })
    expect(updated.status).toBe(200)
    expect(field(field(updated.json, 'user'), 'login')).toBe('github-actions[bot]')
    expect(api.store.issueComments(12).map(c => c.body)).toEqual([
      '<!-- wavesync -->\nnew',
      'a human',
      'third'
    ])
    expect((await call('DELETE', `/repos/octo-org/shop/issues/comments/${seeded.id}`)).status).toBe(204)
    expect(api.store.issueComments(12)).toHaveLength(2)
  })

  test('deployments and their statuses', async () => {
    const d = await call('POST', '/repos/octo-org/shop/deployments', {
      ref: SHA,
      environment: 'pr-12',
      auto_merge: false,
      required_contexts: [],
      transient_environment: true
    })
    expect(d.status).toBe(201)
    const id = Number(field(d.json, 'id'))
    expect(field(d.json, 'sha')).toBe(SHA)
    const s = await call('POST', `/repos/octo-org/shop/deployments/${id}/statuses`, {
      state: 'success',
      environment_url: 'https://pr-12.example.com',
      log_url: 'https://github.com/octo-org/shop/actions/runs/1'
    })
    expect(s.status).toBe(201)
    expect(field(s.json, 'state')).toBe('success')
    const bad = await call('POST', `/repos/octo-org/shop/deployments/${id}/statuses`, { state: 'succeeded' })
    expect(bad.status).toBe(422)
    expect(takeFailures()).toEqual([
      'repos/create-deployment-status: body /state: must be one of [error, failure, inactive, in_progress, queued, pending, success], got "succeeded"'
    ])
    expect(api.store.deploymentStatuses.map(x => [x.deployment_id, x.state])).toEqual([[id, 'success']])
    const listed = await call('GET', '/repos/octo-org/shop/deployments?environment=pr-12')
    expect(Array.isArray(listed.json) ? listed.json.length : -1).toBe(1)
  })

  test('pull requests come from seeds; an unknown number is GitHub’s 404, not a failure', async () => {
    api.store.addPull({ number: 12, headRepository: 'someone/shop' })
    const pr = await call('GET', '/repos/octo-org/shop/pulls/12')
    expect(pr.status).toBe(200)
    expect(field(field(pr.json, 'head'), 'sha')).toBe(fakeSha('pr-12-head'))
    expect(field(field(field(pr.json, 'head'), 'repo'), 'fork')).toBe(true)
    expect((await call('GET', '/repos/octo-org/shop/pulls/99')).status).toBe(404)
  })
})

test('expectNoApiViolations throws with every failure listed, then starts clean', () => {
  const server = { failures: ['checks/create: body /conclusion: bad', 'GET /x: path (root): no operation'] }
  expect(() => expectNoApiViolations(server)).toThrow(
    'GitHub API stand-in recorded 2 problem(s):\n  - checks/create: body /conclusion: bad\n  - GET /x: path (root): no operation'
  )
  expect(server.failures).toEqual([])
  expect(() => expectNoApiViolations(server)).not.toThrow()
})
