// Event payloads (what GITHUB_EVENT_PATH points to) and the GITHUB_SHA / GITHUB_REF the runner
// sets for each trigger (platform.md §5): on pull_request GITHUB_SHA is the merge commit, not the
// head; on pull_request_target the base tip; on workflow_run the default branch tip. Commit SHAs
// are deterministic (fakeSha of a label) so tests can assert which one the action used.
import { fakeSha } from './api-store.js'

export type PullRequestAction = 'opened' | 'synchronize' | 'reopened' | 'closed' | 'labeled'

export type ActionEventSpec =
  | { name: 'push'; ref?: string; sha?: string; before?: string }
  | {
      name: 'pull_request' | 'pull_request_target'
      action: PullRequestAction
      number: number
      headSha?: string
      headRef?: string
      baseRef?: string
      baseSha?: string
      mergeSha?: string
      merged?: boolean
      /** The head repository's full name when it is a fork (`someone/shop`). */
      headRepository?: string
      labels?: string[]
    }
  | {
      name: 'workflow_run'
      action?: 'completed' | 'requested' | 'in_progress'
      headSha: string
      headBranch?: string
      /** The triggering run's event (`pull_request` for the preview split of platform.md §13). */
      event?: string
      conclusion?: 'success' | 'failure' | 'cancelled' | null
      /** Same-repository PRs only: GitHub leaves this empty for forks. */
      pullRequests?: { number: number; headSha?: string; headRef?: string }[]
      workflowName?: string
      runId?: number
      defaultBranchSha?: string
    }
  | { name: 'workflow_dispatch'; ref?: string; sha?: string; inputs?: Record<string, string> }
  /** Any other trigger: the payload as given (`eventName` becomes GITHUB_EVENT_NAME). */
  | { name: 'custom'; eventName: string; payload: Record<string, unknown>; sha: string; ref: string }

export interface BuiltEvent {
  eventName: string
  payload: Record<string, unknown>
  sha: string
  ref: string
  /** GITHUB_HEAD_REF / GITHUB_BASE_REF: set for pull_request and pull_request_target only. */
  headRef: string
  baseRef: string
}

export interface EventContext {
  repository: string
  actor: string
  serverUrl: string
  apiUrl: string
}

export const PR_SHAS = {
  head: (n: number): string => fakeSha(`pr-${n}-head`),
  merge: (n: number): string => fakeSha(`pr-${n}-merge`),
  base: (): string => fakeSha('main')
}

function repositoryJson(ctx: EventContext, fullName = ctx.repository): Record<string, unknown> {
  const [owner = 'octo-org', name = 'shop'] = fullName.split('/')
  return {
    id: 700_000_001,
    node_id: 'R_kgDOshop',
    name,
    full_name: `${owner}/${name}`,
    private: false,
    fork: fullName !== ctx.repository,
    default_branch: 'main',
    html_url: `${ctx.serverUrl}/${owner}/${name}`,
    url: `${ctx.apiUrl}/repos/${owner}/${name}`,
    owner: { login: owner, id: 1_000_001, type: 'Organization' }
  }
}

function sender(ctx: EventContext): Record<string, unknown> {
  return { login: ctx.actor, id: 2_000_001, type: 'User' }
}

function refName(ref: string): string {
  return ref.replace(/^refs\/(heads|tags)\//, '')
}

function pullRequestEvent(
  spec: Extract<ActionEventSpec, { name: 'pull_request' | 'pull_request_target' }>,
  ctx: EventContext
): BuiltEvent {
  const headSha = spec.headSha ?? PR_SHAS.head(spec.number)
  const baseSha = spec.baseSha ?? PR_SHAS.base()
  const baseRef = spec.baseRef ?? 'main'
  const headRef = spec.headRef ?? `feature-${spec.number}`
  const headRepo = repositoryJson(ctx, spec.headRepository ?? ctx.repository)
  const baseRepo = repositoryJson(ctx)
  const merged = spec.action === 'closed' ? (spec.merged ?? false) : false
  const mergeSha = spec.mergeSha ?? PR_SHAS.merge(spec.number)
  const pull = {
    number: spec.number,
    id: 3_300_000_000 + spec.number,
    state: spec.action === 'closed' ? 'closed' : 'open',
    merged,
    merge_commit_sha: mergeSha,
    title: `Pull request #${spec.number}`,
    html_url: `${ctx.serverUrl}/${ctx.repository}/pull/${spec.number}`,
    url: `${ctx.apiUrl}/repos/${ctx.repository}/pulls/${spec.number}`,
    user: sender(ctx),
    labels: (spec.labels ?? []).map((name, i) => ({ id: i + 1, name })),
    head: {
      sha: headSha,
      ref: headRef,
      label: `${String(headRepo['full_name']).split('/')[0]}:${headRef}`,
      repo: headRepo
    },
    base: {
      sha: baseSha,
      ref: baseRef,
      label: `${String(baseRepo['full_name']).split('/')[0]}:${baseRef}`,
      repo: baseRepo
    }
  }
  const target = spec.name === 'pull_request_target'
  return {
    eventName: spec.name,
    payload: {
      action: spec.action,
      number: spec.number,
      pull_request: pull,
      repository: baseRepo,
      sender: sender(ctx)
    },
    // pull_request: the merge commit of refs/pull/N/merge; pull_request_target: the base branch tip.
    sha: target ? baseSha : mergeSha,
    ref: target ? `refs/heads/${baseRef}` : `refs/pull/${spec.number}/merge`,
    headRef,
    baseRef
  }
}

function workflowRunEvent(
  spec: Extract<ActionEventSpec, { name: 'workflow_run' }>,
  ctx: EventContext
): BuiltEvent {
  const defaultSha = spec.defaultBranchSha ?? fakeSha('main')
  const run = {
    id: spec.runId ?? 9_000_000_001,
    name: spec.workflowName ?? 'preview',
    event: spec.event ?? 'pull_request',
    status: spec.action === 'completed' || spec.action === undefined ? 'completed' : spec.action,
    conclusion: spec.conclusion === undefined ? 'success' : spec.conclusion,
    head_sha: spec.headSha,
    head_branch: spec.headBranch ?? 'feature',
    html_url: `${ctx.serverUrl}/${ctx.repository}/actions/runs/${spec.runId ?? 9_000_000_001}`,
    pull_requests: (spec.pullRequests ?? []).map(p => ({
      number: p.number,
      head: { sha: p.headSha ?? spec.headSha, ref: p.headRef ?? spec.headBranch ?? 'feature' },
      base: { sha: defaultSha, ref: 'main' }
    })),
    repository: repositoryJson(ctx),
    head_repository: repositoryJson(ctx)
  }
  return {
    eventName: 'workflow_run',
    payload: {
      action: spec.action ?? 'completed',
      workflow_run: run,
      workflow: { name: run.name },
      repository: repositoryJson(ctx),
      sender: sender(ctx)
    },
    sha: defaultSha,
    ref: 'refs/heads/main',
    headRef: '',
    baseRef: ''
  }
}

function pushEvent(spec: Extract<ActionEventSpec, { name: 'push' }>, ctx: EventContext): BuiltEvent {
  const ref = spec.ref ?? 'refs/heads/main'
  const sha = spec.sha ?? fakeSha(`push-${refName(ref)}`)
  const payload = {
    ref,
    before: spec.before ?? fakeSha(`before-${sha}`),
    after: sha,
    created: false,
    deleted: false,
    forced: false,
    head_commit: {
      id: sha,
      message: 'Deploy',
      timestamp: '2026-01-01T00:00:00Z',
      author: { name: ctx.actor, email: `${ctx.actor}@example.com` }
    },
    commits: [{ id: sha, message: 'Deploy', distinct: true }],
    pusher: { name: ctx.actor, email: `${ctx.actor}@example.com` },
    repository: repositoryJson(ctx),
    sender: sender(ctx)
  }
  return { eventName: 'push', payload, sha, ref, headRef: '', baseRef: '' }
}

/** Builds the payload and the SHA/ref environment of an event as the runner presents them. */
export function buildEvent(spec: ActionEventSpec, ctx: EventContext): BuiltEvent {
  switch (spec.name) {
    case 'push':
      return pushEvent(spec, ctx)
    case 'pull_request':
    case 'pull_request_target':
      return pullRequestEvent(spec, ctx)
    case 'workflow_run':
      return workflowRunEvent(spec, ctx)
    case 'workflow_dispatch': {
      const ref = spec.ref ?? 'refs/heads/main'
      const sha = spec.sha ?? fakeSha(`push-${refName(ref)}`)
      const payload = { ref, inputs: spec.inputs ?? {}, repository: repositoryJson(ctx), sender: sender(ctx) }
      return { eventName: 'workflow_dispatch', payload, sha, ref, headRef: '', baseRef: '' }
    }
    case 'custom':
      return {
        eventName: spec.eventName,
        payload: spec.payload,
        sha: spec.sha,
        ref: spec.ref,
        headRef: '',
        baseRef: ''
      }
  }
}
