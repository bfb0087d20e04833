import { expect, test } from '@jest/globals'
import { headShaFor } from '../../../src/report/head-sha.js'

const CONTEXT = 'c0ffee0000000000000000000000000000000000'
const HEAD = 'headbeef00000000000000000000000000000000'

test.each([
  // context.sha is the merge commit refs/pull/N/merge: the PR would never show the check.
  ['pull_request', { pull_request: { head: { sha: HEAD } } }, HEAD],
  // context.sha is the base branch tip.
  ['pull_request_target', { pull_request: { head: { sha: HEAD } } }, HEAD],
  // context.sha is the default-branch tip.
  ['workflow_run', { workflow_run: { head_sha: HEAD } }, HEAD],
  ['merge_group', { merge_group: { head_sha: HEAD } }, HEAD],
  // The pushed commit / ref tip is context.sha.
  ['push', { after: HEAD }, CONTEXT],
  ['workflow_dispatch', {}, CONTEXT],
  ['schedule', undefined, CONTEXT],
  // A payload without the field, or of the wrong shape, falls back to context.sha.
  ['pull_request', {}, CONTEXT],
  ['pull_request', { pull_request: { head: { sha: 42 } } }, CONTEXT],
  ['pull_request', { pull_request: { head: { sha: '' } } }, CONTEXT],
  ['workflow_run', null, CONTEXT],
  ['workflow_run', 'not an object', CONTEXT],
  ['merge_group', { merge_group: [HEAD] }, CONTEXT],
  // Names are not looked up on Object.prototype.
  ['toString', { toString: HEAD }, CONTEXT]
])('%s %j → %s', (event, payload, expected) => {
  expect(headShaFor(event, payload, CONTEXT)).toBe(expected)
})
