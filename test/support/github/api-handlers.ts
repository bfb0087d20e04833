// Stateful answers for the operations wavesync uses (check runs, issue comments, deployments,
// commit statuses, pull requests). A handler returns the fields a client reads; the server
// completes the rest from the success schema (schema-sample.ts) and validates the result.
// Semantic rules the schema cannot express (taken from the operations' descriptions) are
// reported as violations with GitHub's 422 answer.
import {
  type CheckRunAnnotation,
  type CheckRunRecord,
  type DeploymentRecord,
  type GitHubApiStore,
  type GitHubUser,
  type IssueCommentRecord,
  type PullRecord,
  fakeSha,
  githubTime
} from './api-store.js'
import { type JsonRecord, type OpenApiOperation, type Violation, isRecord } from './openapi.js'

export interface Reply {
  status: number
  body?: unknown
  headers?: Record<string, string>
  /** Rule violations the handler found (recorded as failures by the server). */
  violations?: Violation[]
}

export interface HandlerContext {
  op: OpenApiOperation
  params: Record<string, string>
  query: URLSearchParams
  body: JsonRecord
  store: GitHubApiStore
  /** The stand-in's base URL (API links) and the web URL (html links). */
  apiUrl: string
  serverUrl: string
}

export type Handler = (ctx: HandlerContext) => Reply

export function githubError(
  status: number,
  message: string,
  documentationUrl = 'https://docs.github.com/rest'
): Reply {
  return { status, body: { message, documentation_url: documentationUrl, status: String(status) } }
}

function notFound(ctx: HandlerContext): Reply {
  return githubError(404, 'Not Found', ctx.op.documentationUrl)
}

function str(body: JsonRecord, key: string): string | undefined {
  const v = body[key]
  return typeof v === 'string' ? v : undefined
}

function int(value: string | undefined): number {
  return value !== undefined && /^\d+$/.test(value) ? Number(value) : NaN
}

function owner(ctx: HandlerContext): { owner: string; repo: string } {
  return { owner: ctx.params['owner'] ?? '', repo: ctx.params['repo'] ?? '' }
}

function repoUrl(ctx: HandlerContext): string {
  const { owner: o, repo: r } = owner(ctx)
  return `${ctx.apiUrl}/repos/${o}/${r}`
}

function userJson(ctx: HandlerContext, user: GitHubUser): JsonRecord {
  return {
    login: user.login,
    id: user.id,
    node_id: `U_${user.id}`,
    type: user.type,
    site_admin: false,
    url: `${ctx.apiUrl}/users/${encodeURIComponent(user.login)}`,
    html_url:
      user.type === 'Bot'
        ? `${ctx.serverUrl}/apps/${user.login.replace(/\[bot\]$/, '')}`
        : `${ctx.serverUrl}/${user.login}`,
    avatar_url: `https://avatars.githubusercontent.com/in/${user.id}?v=4`
  }
}

const violation = (ctx: HandlerContext, pointer: string, message: string): Violation => ({
  operationId: ctx.op.operationId,
  location: 'body',
  pointer,
  message
})

function unprocessable(ctx: HandlerContext, violations: Violation[]): Reply {
  return {
    ...githubError(
      422,
      `Invalid request.\n\n${violations.map(v => `${v.pointer}: ${v.message}`).join('\n')}`,
      ctx.op.documentationUrl
    ),
    violations
  }
}

// ---- check runs ---------------------------------------------------------------------------

function annotation(a: JsonRecord): CheckRunAnnotation {
  const text = (key: string): string | undefined => (typeof a[key] === 'string' ? a[key] : undefined)
  const num = (key: string): number | undefined => (typeof a[key] === 'number' ? a[key] : undefined)
  const out: CheckRunAnnotation = {
    path: text('path') ?? '',
    start_line: num('start_line') ?? 0,
    end_line: num('end_line') ?? 0,
    annotation_level: text('annotation_level') ?? '',
    message: text('message') ?? ''
  }
  const startColumn = num('start_column')
  const endColumn = num('end_column')
  const title = text('title')
  const rawDetails = text('raw_details')
  if (startColumn !== undefined) out.start_column = startColumn
  if (endColumn !== undefined) out.end_column = endColumn
  if (title !== undefined) out.title = title
  if (rawDetails !== undefined) out.raw_details = rawDetails
  return out
}

function annotationsOf(body: JsonRecord): CheckRunAnnotation[] {
  const output = body['output']
  const list = isRecord(output) ? output['annotations'] : undefined
  return Array.isArray(list) ? list.filter(isRecord).map(annotation) : []
}

/** Rules of the Checks API that live in prose, not in the schema. */
function checkRunRules(ctx: HandlerContext, body: JsonRecord, creating: boolean): Violation[] {
  const out: Violation[] = []
  const sha = str(body, 'head_sha')
  if (creating && sha !== undefined && !/^[0-9a-f]{40}$/.test(sha))
    out.push(
      violation(ctx, '/head_sha', `No commit found for SHA: ${sha} (a full 40-hex commit SHA is expected)`)
    )
  if (creating && body['status'] === 'completed' && body['conclusion'] === undefined)
    out.push(violation(ctx, '/conclusion', 'is required when status is "completed"'))
  if (body['completed_at'] !== undefined && body['conclusion'] === undefined && creating)
    out.push(violation(ctx, '/conclusion', 'is required when completed_at is given'))
  annotationsOf(body).forEach((a, i) => {
    const at = `/output/annotations/${i}`
    if (typeof a.start_line === 'number' && typeof a.end_line === 'number' && a.end_line < a.start_line)
      out.push(violation(ctx, `${at}/end_line`, 'must not be before start_line'))
    if ((a.start_column !== undefined || a.end_column !== undefined) && a.start_line !== a.end_line) {
      out.push(
        violation(ctx, `${at}/start_column`, 'columns are only allowed when start_line equals end_line')
      )
    }
  })
  return out
}

function checkRunJson(ctx: HandlerContext, run: CheckRunRecord): JsonRecord {
  const url = `${ctx.apiUrl}/repos/${run.owner}/${run.repo}/check-runs/${run.id}`
  return {
    id: run.id,
    node_id: `CR_${run.id}`,
    name: run.name,
    head_sha: run.head_sha,
    external_id: run.external_id,
    url,
    html_url: `${ctx.serverUrl}/${run.owner}/${run.repo}/runs/${run.id}`,
    details_url: run.details_url ?? `${ctx.serverUrl}/${run.owner}/${run.repo}/runs/${run.id}`,
    status: run.status,
    conclusion: run.conclusion,
    started_at: run.started_at,
    completed_at: run.completed_at,
    output: {
      ...run.output,
      annotations_count: run.annotations.length,
      annotations_url: `${url}/annotations`
    },
    check_suite: { id: 9_900_000_001 },
    app: { id: 15368, slug: 'github-actions', name: 'GitHub Actions', node_id: 'MDM6QXBwMTUzNjg=' },
    pull_requests: []
  }
}

function applyCheckRunBody(run: CheckRunRecord, body: JsonRecord): void {
  const output = isRecord(body['output']) ? body['output'] : undefined
  for (const key of ['name', 'external_id', 'details_url', 'started_at'] as const) {
    const v = str(body, key)
    if (v !== undefined) run[key] = v
  }
  if (typeof body['status'] === 'string') run.status = body['status']
  if (typeof body['conclusion'] === 'string') {
    run.conclusion = body['conclusion']
    run.status = 'completed'
  }
  if (run.status === 'completed')
    run.completed_at = str(body, 'completed_at') ?? run.completed_at ?? githubTime()
  if (output !== undefined) {
    run.output = {
      title: str(output, 'title') ?? run.output.title,
      summary: str(output, 'summary') ?? run.output.summary,
      text: str(output, 'text') ?? run.output.text
    }
  }
  run.annotations.push(...annotationsOf(body))
  run.history.push(body)
}

const createCheckRun: Handler = ctx => {
  const rules = checkRunRules(ctx, ctx.body, true)
  if (rules.length > 0) return unprocessable(ctx, rules)
  const run: CheckRunRecord = {
    id: ctx.store.nextId('check-run'),
    ...owner(ctx),
    name: str(ctx.body, 'name') ?? '',
    head_sha: str(ctx.body, 'head_sha') ?? '',
    status: 'queued',
    conclusion: null,
    started_at: githubTime(),
    completed_at: null,
    external_id: null,
    details_url: null,
    output: { title: null, summary: null, text: null },
    annotations: [],
    history: []
  }
  applyCheckRunBody(run, ctx.body)
  ctx.store.checkRuns.push(run)
  return { status: 201, body: checkRunJson(ctx, run) }
}

const updateCheckRun: Handler = ctx => {
  const { owner: o, repo: r } = owner(ctx)
  const run = ctx.store.checkRun(o, r, int(ctx.params['check_run_id']))
  if (run === undefined) return notFound(ctx)
  const rules = checkRunRules(ctx, ctx.body, false)
  if (rules.length > 0) return unprocessable(ctx, rules)
  applyCheckRunBody(run, ctx.body)
  return { status: 200, body: checkRunJson(ctx, run) }
}

const getCheckRun: Handler = ctx => {
  const { owner: o, repo: r } = owner(ctx)
  const run = ctx.store.checkRun(o, r, int(ctx.params['check_run_id']))
  return run === undefined ? notFound(ctx) : { status: 200, body: checkRunJson(ctx, run) }
}

const listCheckRunAnnotations: Handler = ctx => {
  const { owner: o, repo: r } = owner(ctx)
  const run = ctx.store.checkRun(o, r, int(ctx.params['check_run_id']))
  if (run === undefined) return notFound(ctx)
  return paginate(
    ctx,
    run.annotations.map(a => ({
      ...a,
      end_column: a.end_column ?? null,
      start_column: a.start_column ?? null,
      blob_href: ''
    }))
  )
}

const listCheckRunsForRef: Handler = ctx => {
  const { owner: o, repo: r } = owner(ctx)
  const ref = ctx.params['ref'] ?? ''
  const name = ctx.query.get('check_name')
  const runs = ctx.store.checkRuns.filter(
    run => run.owner === o && run.repo === r && run.head_sha === ref && (name === null || run.name === name)
  )
  return {
    status: 200,
    body: { total_count: runs.length, check_runs: runs.map(run => checkRunJson(ctx, run)) }
  }
}

// ---- issue comments -----------------------------------------------------------------------

function commentJson(ctx: HandlerContext, c: IssueCommentRecord): JsonRecord {
  const base = `${ctx.apiUrl}/repos/${c.owner}/${c.repo}`
  return {
    id: c.id,
    node_id: `IC_${c.id}`,
    url: `${base}/issues/comments/${c.id}`,
    html_url: `${ctx.serverUrl}/${c.owner}/${c.repo}/pull/${c.issue_number}#issuecomment-${c.id}`,
    issue_url: `${base}/issues/${c.issue_number}`,
    body: c.body,
    user: userJson(ctx, c.user),
    author_association: 'NONE',
    created_at: c.created_at,
    updated_at: c.updated_at
  }
}

/** GitHub's page-based pagination with a Link header, so octokit.paginate walks every page. */
function paginate(ctx: HandlerContext, items: unknown[]): Reply {
  const perPage = Math.min(Math.max(int(ctx.query.get('per_page') ?? '30') || 30, 1), 100)
  const page = Math.max(int(ctx.query.get('page') ?? '1') || 1, 1)
  const last = Math.max(Math.ceil(items.length / perPage), 1)
  const headers: Record<string, string> = {}
  const link = (p: number, rel: string): string => {
    const q = new URLSearchParams(ctx.query)
    q.set('per_page', String(perPage))
    q.set('page', String(p))
    return `<${ctx.apiUrl}${ctx.op.pathTemplate.replace(/\{([^}]+)\}/g, (_, n: string) => encodeURIComponent(ctx.params[n] ?? ''))}?${q.toString()}>; rel="${rel}"`
  }
  const links = [
    ...(page < last ? [link(page + 1, 'next'), link(last, 'last')] : []),
    ...(page > 1 ? [link(1, 'first'), link(page - 1, 'prev')] : [])
  ]
  if (links.length > 0) headers['link'] = links.join(', ')
  return { status: 200, body: items.slice((page - 1) * perPage, page * perPage), headers }
}

function findComment(ctx: HandlerContext): IssueCommentRecord | undefined {
  const { owner: o, repo: r } = owner(ctx)
  const id = int(ctx.params['comment_id'])
  return ctx.store.comments.find(c => c.id === id && c.owner === o && c.repo === r)
}

const createComment: Handler = ctx => {
  const c = ctx.store.addComment({
    ...owner(ctx),
    issueNumber: int(ctx.params['issue_number']),
    body: str(ctx.body, 'body') ?? ''
  })
  return {
    status: 201,
    body: commentJson(ctx, c),
    headers: { location: `${repoUrl(ctx)}/issues/comments/${c.id}` }
  }
}

const listComments: Handler = ctx => {
  const { owner: o, repo: r } = owner(ctx)
  const since = ctx.query.get('since')
  const all = ctx.store
    .issueComments(int(ctx.params['issue_number']), o, r)
    .filter(c => since === null || c.updated_at >= since)
  return paginate(
    ctx,
    all.map(c => commentJson(ctx, c))
  )
}

const getComment: Handler = ctx => {
  const c = findComment(ctx)
  return c === undefined ? notFound(ctx) : { status: 200, body: commentJson(ctx, c) }
}

const updateComment: Handler = ctx => {
  const c = findComment(ctx)
  if (c === undefined) return notFound(ctx)
  c.body = str(ctx.body, 'body') ?? c.body
  c.updated_at = githubTime()
  return { status: 200, body: commentJson(ctx, c) }
}

const deleteComment: Handler = ctx => {
  const c = findComment(ctx)
  if (c === undefined) return notFound(ctx)
  ctx.store.comments.splice(ctx.store.comments.indexOf(c), 1)
  return { status: 204 }
}

// ---- deployments and statuses ---------------------------------------------------------------

function deploymentJson(ctx: HandlerContext, d: DeploymentRecord): JsonRecord {
  const base = `${ctx.apiUrl}/repos/${d.owner}/${d.repo}`
  return {
    id: d.id,
    node_id: `DE_${d.id}`,
    url: `${base}/deployments/${d.id}`,
    sha: d.sha,
    ref: d.ref,
    task: d.task,
    payload: d.payload,
    original_environment: d.environment,
    environment: d.environment,
    description: d.description,
    creator: userJson(ctx, ctx.store.bot),
    created_at: d.created_at,
    updated_at: d.updated_at,
    statuses_url: `${base}/deployments/${d.id}/statuses`,
    repository_url: base,
    transient_environment: d.transient_environment,
    production_environment: d.production_environment
  }
}

function findDeployment(ctx: HandlerContext): DeploymentRecord | undefined {
  const { owner: o, repo: r } = owner(ctx)
  const id = int(ctx.params['deployment_id'])
  return ctx.store.deployments.find(d => d.id === id && d.owner === o && d.repo === r)
}

const createDeployment: Handler = ctx => {
  const ref = str(ctx.body, 'ref') ?? ''
  const environment = str(ctx.body, 'environment') ?? 'production'
  const time = githubTime()
  const payload = ctx.body['payload']
  const d: DeploymentRecord = {
    id: ctx.store.nextId('deployment'),
    ...owner(ctx),
    ref,
    sha: /^[0-9a-f]{40}$/.test(ref) ? ref : fakeSha(ref),
    task: str(ctx.body, 'task') ?? 'deploy',
    environment,
    description: str(ctx.body, 'description') ?? '',
    payload: typeof payload === 'string' && payload !== '' ? payload : isRecord(payload) ? payload : {},
    transient_environment: ctx.body['transient_environment'] === true,
    production_environment:
      typeof ctx.body['production_environment'] === 'boolean'
        ? ctx.body['production_environment']
        : environment === 'production',
    created_at: time,
    updated_at: time
  }
  ctx.store.deployments.push(d)
  return { status: 201, body: deploymentJson(ctx, d) }
}

const listDeployments: Handler = ctx => {
  const { owner: o, repo: r } = owner(ctx)
  const filters = ['sha', 'ref', 'task', 'environment'] as const
  const list = ctx.store.deployments
    .filter(
      d =>
        d.owner === o &&
        d.repo === r &&
        filters.every(f => ctx.query.get(f) === null || d[f] === ctx.query.get(f))
    )
    .reverse()
  return paginate(
    ctx,
    list.map(d => deploymentJson(ctx, d))
  )
}

const getDeployment: Handler = ctx => {
  const d = findDeployment(ctx)
  return d === undefined ? notFound(ctx) : { status: 200, body: deploymentJson(ctx, d) }
}

function deploymentStatusJson(
  ctx: HandlerContext,
  d: DeploymentRecord,
  s: JsonRecord & { id: number }
): JsonRecord {
  const base = `${ctx.apiUrl}/repos/${d.owner}/${d.repo}/deployments/${d.id}`
  return {
    ...s,
    node_id: `DES_${s.id}`,
    url: `${base}/statuses/${s.id}`,
    deployment_url: base,
    repository_url: `${ctx.apiUrl}/repos/${d.owner}/${d.repo}`,
    creator: userJson(ctx, ctx.store.bot)
  }
}

const createDeploymentStatus: Handler = ctx => {
  const d = findDeployment(ctx)
  if (d === undefined) return notFound(ctx)
  const time = githubTime()
  const record = {
    id: ctx.store.nextId('deployment-status'),
    deployment_id: d.id,
    state: str(ctx.body, 'state') ?? '',
    description: str(ctx.body, 'description') ?? '',
    environment: str(ctx.body, 'environment') ?? d.environment,
    environment_url: str(ctx.body, 'environment_url') ?? '',
    log_url: str(ctx.body, 'log_url') ?? '',
    target_url: str(ctx.body, 'target_url') ?? str(ctx.body, 'log_url') ?? '',
    created_at: time,
    updated_at: time
  }
  ctx.store.deploymentStatuses.push(record)
  return { status: 201, body: deploymentStatusJson(ctx, d, { ...record }) }
}

const listDeploymentStatuses: Handler = ctx => {
  const d = findDeployment(ctx)
  if (d === undefined) return notFound(ctx)
  const list = ctx.store.deploymentStatuses.filter(s => s.deployment_id === d.id).reverse()
  return paginate(
    ctx,
    list.map(s => deploymentStatusJson(ctx, d, { ...s }))
  )
}

// ---- commit statuses and pull requests --------------------------------------------------------

const createCommitStatus: Handler = ctx => {
  const time = githubTime()
  const record = {
    id: ctx.store.nextId('status'),
    ...owner(ctx),
    sha: ctx.params['sha'] ?? '',
    state: str(ctx.body, 'state') ?? '',
    context: str(ctx.body, 'context') ?? 'default',
    description: str(ctx.body, 'description') ?? null,
    target_url: str(ctx.body, 'target_url') ?? null,
    created_at: time
  }
  if (!/^[0-9a-f]{40}$/.test(record.sha))
    return unprocessable(ctx, [
      { ...violation(ctx, '/sha', `No commit found for SHA: ${record.sha}`), location: 'path' }
    ])
  ctx.store.commitStatuses.push(record)
  return {
    status: 201,
    body: {
      id: record.id,
      node_id: `SC_${record.id}`,
      url: `${repoUrl(ctx)}/statuses/${record.sha}`,
      avatar_url: null,
      state: record.state,
      description: record.description,
      target_url: record.target_url,
      context: record.context,
      created_at: time,
      updated_at: time,
      creator: userJson(ctx, ctx.store.bot)
    }
  }
}

function pullJson(ctx: HandlerContext, p: PullRecord): JsonRecord {
  const base = `${ctx.apiUrl}/repos/${p.owner}/${p.repo}`
  const [headOwner = p.owner, headName = p.repo] = p.head.repository.split('/')
  const repoJson = (o: string, r: string): JsonRecord => ({
    name: r,
    full_name: `${o}/${r}`,
    owner: userJson(ctx, { login: o, id: 1, type: 'User' }),
    fork: o !== p.owner
  })
  return {
    id: 3_300_000_000 + p.number,
    node_id: `PR_${p.number}`,
    number: p.number,
    url: `${base}/pulls/${p.number}`,
    html_url: `${ctx.serverUrl}/${p.owner}/${p.repo}/pull/${p.number}`,
    state: p.state,
    title: p.title,
    merged: p.merged,
    merge_commit_sha: fakeSha(`pr-${p.number}-merge`),
    head: {
      sha: p.head.sha,
      ref: p.head.ref,
      label: `${headOwner}:${p.head.ref}`,
      repo: repoJson(headOwner, headName),
      user: userJson(ctx, { login: headOwner, id: 1, type: 'User' })
    },
    base: {
      sha: p.base.sha,
      ref: p.base.ref,
      label: `${p.owner}:${p.base.ref}`,
      repo: repoJson(p.owner, p.repo),
      user: userJson(ctx, { login: p.owner, id: 1, type: 'User' })
    }
  }
}

const getPull: Handler = ctx => {
  const { owner: o, repo: r } = owner(ctx)
  const n = int(ctx.params['pull_number'])
  const p = ctx.store.pulls.find(x => x.number === n && x.owner === o && x.repo === r)
  return p === undefined ? notFound(ctx) : { status: 200, body: pullJson(ctx, p) }
}

/** Handlers by operationId (GitHub's description names them `checks/create` and so on). */
export const HANDLERS: Readonly<Record<string, Handler>> = {
  'checks/create': createCheckRun,
  'checks/update': updateCheckRun,
  'checks/get': getCheckRun,
  'checks/list-annotations': listCheckRunAnnotations,
  'checks/list-for-ref': listCheckRunsForRef,
  'issues/create-comment': createComment,
  'issues/list-comments': listComments,
  'issues/get-comment': getComment,
  'issues/update-comment': updateComment,
  'issues/delete-comment': deleteComment,
  'repos/create-deployment': createDeployment,
  'repos/list-deployments': listDeployments,
  'repos/get-deployment': getDeployment,
  'repos/create-deployment-status': createDeploymentStatus,
  'repos/list-deployment-statuses': listDeploymentStatuses,
  'repos/create-commit-status': createCommitStatus,
  'pulls/get': getPull
}
