// The commit a check run must be created on (platform.md §5): `context.sha` is a merge commit for
// pull_request, the base tip for pull_request_target and the default-branch tip for
// workflow_run, so a check there would land on a commit the PR does not show. Pure.
import { getString } from '../model/json.js'

/** Where each event keeps the head commit in its payload; other events use `context.sha`. */
const HEAD_SHA_PATH: Readonly<Record<string, readonly string[]>> = {
  // LouisBrunner/checks-action#180: the merge commit's checks never show on the PR.
  pull_request: ['pull_request', 'head', 'sha'],
  pull_request_target: ['pull_request', 'head', 'sha'],
  workflow_run: ['workflow_run', 'head_sha'],
  merge_group: ['merge_group', 'head_sha']
}

/**
 * The `head_sha` for a check run: the event payload's head commit for pull_request,
 * pull_request_target, workflow_run and merge_group (when the payload holds a non-empty
 * string there), else `contextSha` (push, workflow_dispatch, schedule …).
 */
export function headShaFor(eventName: string, payload: unknown, contextSha: string): string {
  const path = Object.hasOwn(HEAD_SHA_PATH, eventName) ? HEAD_SHA_PATH[eventName] : undefined
  const sha = path ? getString(payload, path) : undefined
  return sha !== undefined && sha !== '' ? sha : contextSha
}
