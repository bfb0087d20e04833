import { describe, expect, test } from '@jest/globals'
import { HANDLERS } from '../../support/github/api-handlers.js'
import { fakeSha } from '../../support/github/api-store.js'
import { buildEvent } from '../../support/github/events.js'
import { loadGitHubApiDescription } from '../../support/github/openapi.js'
import { unknownProperties } from '../../support/github/request-checks.js'
import { conform } from '../../support/github/schema-sample.js'

const api = loadGitHubApiDescription()

describe("GitHub's OpenAPI description", () => {
  test.each([
    ['POST', '/repos/o/r/check-runs', 'checks/create', '/repos/{owner}/{repo}/check-runs', {}],
    [
      'PATCH',
      '/repos/o/r/check-runs/42',
      'checks/update',
      '/repos/{owner}/{repo}/check-runs/{check_run_id}',
      { check_run_id: '42' }
    ],
    [
      'POST',
      '/repos/o/r/issues/7/comments',
      'issues/create-comment',
      '/repos/{owner}/{repo}/issues/{issue_number}/comments',
      { issue_number: '7' }
    ],
    [
      'GET',
      '/repos/o/r/issues/7/comments',
      'issues/list-comments',
      '/repos/{owner}/{repo}/issues/{issue_number}/comments',
      { issue_number: '7' }
    ],
    [
      'PATCH',
      '/repos/o/r/issues/comments/9',
      'issues/update-comment',
      '/repos/{owner}/{repo}/issues/comments/{comment_id}',
      { comment_id: '9' }
    ],
    ['POST', '/repos/o/r/deployments', 'repos/create-deployment', '/repos/{owner}/{repo}/deployments', {}],
    [
      'POST',
      '/repos/o/r/deployments/5/statuses',
      'repos/create-deployment-status',
      '/repos/{owner}/{repo}/deployments/{deployment_id}/statuses',
      { deployment_id: '5' }
    ],
    [
      'GET',
      '/repos/o/r/pulls/3',
      'pulls/get',
      '/repos/{owner}/{repo}/pulls/{pull_number}',
      { pull_number: '3' }
    ],
    [
      'GET',
      '/repos/o/r/commits/refs%2Fheads%2Fmain/check-runs',
      'checks/list-for-ref',
      '/repos/{owner}/{repo}/commits/{ref}/check-runs',
      { ref: 'refs/heads/main' }
    ]
  ])('%s %s is %s', (method, path, operationId, template, params) => {
    const found = api.match(method, path)
    expect(found.kind).toBe('found')
    if (found.kind !== 'found') return
    expect([found.operation.operationId, found.operation.pathTemplate]).toEqual([operationId, template])
    expect(found.pathParams).toEqual({ owner: 'o', repo: 'r', ...params })
  })

  test('every stateful handler names a documented operation, whose sampled success body passes its schema', () => {
    for (const operationId of Object.keys(HANDLERS)) {
      const op = api.operationById(operationId)
      expect(op?.operationId).toBe(operationId)
      if (op?.success.schemaPointer === undefined) continue
      const body = conform(api, op.success.schema, undefined)
      expect([operationId, api.validate(op.success.schemaPointer, body)]).toEqual([operationId, []])
    }
  })

  test('conform completes a partial value without touching what it has', () => {
    const op = api.operationById('issues/create-comment')
    const body = conform(api, op?.success.schema, {
      id: 7,
      body: 'hi',
      user: { login: 'github-actions[bot]' }
    })
    expect(body).toMatchObject({
      id: 7,
      body: 'hi',
      user: { login: 'github-actions[bot]', site_admin: false }
    })
    expect(api.validate(op?.success.schemaPointer ?? '', body)).toEqual([])
  })

  test('unknown fields: top-level properties and anyOf branches together define what is known', () => {
    const update = api.operationById('checks/update')?.requestBody?.schema
    expect(
      unknownProperties(api, update, {
        status: 'completed',
        conclusion: 'success',
        output: { title: 't', summary: 's', annotation: [] }
      })
    ).toEqual(['/output/annotation'])
    const deployment = api.operationById('repos/create-deployment')?.requestBody?.schema
    // `payload` is an open object: anything inside it is the caller's business.
    expect(
      unknownProperties(api, deployment, { ref: 'main', payload: { anything: 1 }, enviroment: 'x' })
    ).toEqual(['/enviroment'])
  })
})

describe('event payloads and the SHA the runner sets', () => {
  const ctx = {
    repository: 'octo-org/shop',
    actor: 'octocat',
    serverUrl: 'https://github.com',
    apiUrl: 'http://127.0.0.1:1'
  }

  test('push: GITHUB_SHA is the pushed commit; the payload has it as after and head_commit.id', () => {
    const e = buildEvent({ name: 'push', ref: 'refs/heads/release' }, ctx)
    expect([e.eventName, e.sha, e.ref]).toEqual(['push', fakeSha('push-release'), 'refs/heads/release'])
    expect(e.payload).toMatchObject({ after: e.sha, head_commit: { id: e.sha } })
  })

  test('pull_request: the merge commit; pull_request_target: the base tip; both carry the head SHA', () => {
    const pr = buildEvent(
      { name: 'pull_request', action: 'synchronize', number: 4, headRepository: 'someone/shop' },
      ctx
    )
    expect([pr.sha, pr.ref, pr.headRef, pr.baseRef]).toEqual([
      fakeSha('pr-4-merge'),
      'refs/pull/4/merge',
      'feature-4',
      'main'
    ])
    expect(pr.payload).toMatchObject({
      number: 4,
      pull_request: { head: { sha: fakeSha('pr-4-head'), repo: { fork: true } } }
    })
    const target = buildEvent({ name: 'pull_request_target', action: 'opened', number: 4 }, ctx)
    expect([target.sha, target.ref]).toEqual([fakeSha('main'), 'refs/heads/main'])
    const closed = buildEvent({ name: 'pull_request', action: 'closed', number: 4, merged: true }, ctx)
    expect(closed.payload).toMatchObject({
      action: 'closed',
      pull_request: { state: 'closed', merged: true }
    })
  })

  test('workflow_run: the default branch tip, with the triggering run’s head SHA in the payload', () => {
    const e = buildEvent({ name: 'workflow_run', headSha: fakeSha('x'), pullRequests: [{ number: 4 }] }, ctx)
    expect([e.eventName, e.sha, e.ref]).toEqual(['workflow_run', fakeSha('main'), 'refs/heads/main'])
    expect(e.payload).toMatchObject({
      workflow_run: {
        head_sha: fakeSha('x'),
        event: 'pull_request',
        pull_requests: [{ number: 4, head: { sha: fakeSha('x') } }]
      }
    })
  })
})
