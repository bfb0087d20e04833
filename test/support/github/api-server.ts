// A local stand-in for api.github.com that checks every request against GitHub's published
// OpenAPI description (operation, path and query parameters, JSON body, auth and client headers),
// records it, and answers like GitHub would: stateful for the operations wavesync uses
// (api-handlers.ts), schema-conforming samples for other documented operations, and whatever a
// test injects (403 for fork PRs, 500s, slow answers). Every problem lands in `failures`; end each
// test with `expectNoApiViolations(server)`.
import { randomUUID } from 'node:crypto'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { GitHubApiStore, type GitHubUser, type PullSeed, ACTIONS_BOT } from './api-store.js'
import { HANDLERS, type Reply, githubError } from './api-handlers.js'
import {
  type OpenApiOperation,
  type Violation,
  formatViolation,
  isRecord,
  loadGitHubApiDescription
} from './openapi.js'
import { checkRequest, violationsFromAjv } from './request-checks.js'
import { conform } from './schema-sample.js'

export interface RecordedRequest {
  /** 1-based arrival order. */
  seq: number
  method: string
  /** Path and query as received. */
  url: string
  path: string
  query: Record<string, string>
  /** Lower-cased header names. */
  headers: Record<string, string>
  /** The parsed JSON body; undefined when none was sent (or it did not parse). */
  body: unknown
  rawBody: string
  operationId: string | undefined
  pathTemplate: string | undefined
  params: Record<string, string>
  violations: Violation[]
  response: { status: number; body: unknown; source: 'handler' | 'injected' | 'sampled' | 'rejected' }
  at: Date
}

/**
 * Which requests a rule or a query applies to: an operationId (`checks/create`), `METHOD
 * /path/template` (`PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}`), or an object.
 */
export type RequestMatcher =
  | string
  | {
      operationId?: string
      method?: string
      pathTemplate?: string
      path?: string | RegExp
      when?: (request: RecordedRequest) => boolean
    }

export interface InjectedReply {
  /** Omit to let the stand-in answer normally (after `delayMs`). */
  status?: number
  body?: unknown
  headers?: Record<string, string>
  delayMs?: number
}

export interface StartGitHubApiOptions {
  /** When set, `Authorization` must carry exactly this token. */
  token?: string
  /** Report query parameters and body fields the description does not know (default true). */
  strict?: boolean
  /** Documented operations without a stateful handler: answer a schema sample (default) or fail. */
  unhandled?: 'sample' | 'fail'
  /** Web URL used in html_url links (default https://github.com). */
  serverUrl?: string
  /** The repository most seeds default to. */
  repository?: string
  /** Author of what the token creates (default github-actions[bot]). */
  bot?: GitHubUser
  pulls?: PullSeed[]
}

export interface GitHubApiServer {
  url: string
  requests: RecordedRequest[]
  /** One line per problem: `operationId: location pointer: message`. */
  failures: string[]
  violations: Violation[]
  store: GitHubApiStore
  respondWith(
    match: RequestMatcher,
    reply: InjectedReply | ((request: RecordedRequest) => InjectedReply),
    options?: { times?: number }
  ): void
  /** The next matching request gets `status` with GitHub's error body. */
  failNext(match: RequestMatcher, status?: number, message?: string): void
  requestsFor(match: RequestMatcher): RecordedRequest[]
  /** Resolves with the first request (already recorded or future) that matches. */
  waitForRequest(match: RequestMatcher, timeoutMs?: number): Promise<RecordedRequest>
  close(): Promise<void>
}

/** GitHub's answer to a read-only token (fork and Dependabot PRs) on a write. */
export function resourceNotAccessible(permission = 'checks=write'): InjectedReply {
  return {
    status: 403,
    body: {
      message: 'Resource not accessible by integration',
      documentation_url: 'https://docs.github.com/rest',
      status: '403'
    },
    headers: { 'x-accepted-github-permissions': permission }
  }
}

/** Fails the calling test if the stand-in recorded any problem; clears them so the next test starts clean. */
export function expectNoApiViolations(server: { failures: string[] }, label = 'GitHub API stand-in'): void {
  if (server.failures.length === 0) return
  const lines = server.failures.splice(0)
  throw new Error(`${label} recorded ${lines.length} problem(s):\n${lines.map(l => `  - ${l}`).join('\n')}`)
}

export function matches(match: RequestMatcher, r: RecordedRequest): boolean {
  if (typeof match === 'string') {
    const space = match.indexOf(' ')
    if (space < 0) return r.operationId === match
    return r.method === match.slice(0, space).toUpperCase() && r.pathTemplate === match.slice(space + 1)
  }
  if (match.operationId !== undefined && r.operationId !== match.operationId) return false
  if (match.method !== undefined && r.method !== match.method.toUpperCase()) return false
  if (match.pathTemplate !== undefined && r.pathTemplate !== match.pathTemplate) return false
  if (typeof match.path === 'string' && r.path !== match.path) return false
  if (match.path instanceof RegExp && !match.path.test(r.path)) return false
  return match.when === undefined || match.when(r)
}

const MAX_BODY = 10 * 1024 * 1024

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    req.on('data', (chunk: Buffer) => {
      size += chunk.length
      if (size <= MAX_BODY) chunks.push(chunk)
    })
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')))
    req.on('error', reject)
  })
}

function headerRecord(req: http.IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) out[name] = Array.isArray(value) ? value.join(', ') : value
  }
  return out
}

interface Rule {
  match: RequestMatcher
  reply: InjectedReply | ((request: RecordedRequest) => InjectedReply)
  remaining: number
}

const sleep = (ms: number): Promise<void> => new Promise(resolve => setTimeout(resolve, ms))

class StandIn {
  readonly requests: RecordedRequest[] = []
  readonly failures: string[] = []
  readonly violations: Violation[] = []
  readonly rules: Rule[] = []
  readonly waiters: { match: RequestMatcher; resolve: (r: RecordedRequest) => void }[] = []
  readonly api = loadGitHubApiDescription()
  readonly store: GitHubApiStore
  url = ''

  constructor(readonly options: StartGitHubApiOptions) {
    const [owner = 'octo-org', repo = 'shop'] = (options.repository ?? 'octo-org/shop').split('/')
    this.store = new GitHubApiStore({ owner, repo }, options.bot ?? ACTIONS_BOT)
    for (const pull of options.pulls ?? []) this.store.addPull(pull)
  }

  fail(violations: readonly Violation[]): void {
    this.violations.push(...violations)
    this.failures.push(...violations.map(formatViolation))
  }

  /** Authorization, User-Agent, Accept, Content-Type: what GitHub (or good manners) requires. */
  headerProblems(r: RecordedRequest, label: string): { violations: Violation[]; reject?: Reply } {
    const v = (pointer: string, message: string): Violation => ({
      operationId: label,
      location: 'header',
      pointer,
      message
    })
    const out: Violation[] = []
    let reject: Reply | undefined
    const auth = r.headers['authorization']
    if (auth === undefined) {
      out.push(v('/authorization', 'missing: send `Authorization: token <GITHUB_TOKEN>` (or Bearer)'))
      reject = githubError(401, 'Requires authentication')
    } else {
      const found = /^(token|bearer)\s+(\S+)$/i.exec(auth)
      if (found === null) {
        out.push(v('/authorization', 'must be `token <value>` or `Bearer <value>`'))
        reject = githubError(401, 'Bad credentials')
      } else if (this.options.token !== undefined && found[2] !== this.options.token) {
        out.push(v('/authorization', 'carries a token other than the one the test gave the action'))
        reject = githubError(401, 'Bad credentials')
      }
    }
    const agent = r.headers['user-agent']
    if (agent === undefined || agent.trim() === '') {
      out.push(v('/user-agent', 'missing: GitHub rejects requests without a User-Agent'))
      reject ??= githubError(
        403,
        'Request forbidden by administrative rules. Please make sure your request has a User-Agent header'
      )
    }
    const accept = r.headers['accept']
    if (accept === undefined) out.push(v('/accept', 'missing: send application/vnd.github+json'))
    else if (!/json|\*\/\*|application\/vnd\.github/i.test(accept))
      out.push(v('/accept', `${accept} cannot take GitHub's JSON answers`))
    if (r.rawBody !== '' && !/^application\/(json|[\w.+-]+\+json)\b/i.test(r.headers['content-type'] ?? '')) {
      out.push(
        v(
          '/content-type',
          `a JSON body needs Content-Type application/json, got ${r.headers['content-type'] ?? 'none'}`
        )
      )
    }
    return reject === undefined ? { violations: out } : { violations: out, reject }
  }

  answer(
    r: RecordedRequest,
    op: OpenApiOperation,
    query: URLSearchParams
  ): { reply: Reply; source: RecordedRequest['response']['source'] } {
    const handler = HANDLERS[op.operationId]
    if (handler === undefined) {
      if (this.options.unhandled === 'fail') {
        this.fail([
          {
            operationId: op.operationId,
            location: 'path',
            pointer: '',
            message: 'documented, but the stand-in has no handler (unhandled: fail)'
          }
        ])
        return { reply: githubError(501, 'Not implemented by the stand-in'), source: 'rejected' }
      }
      const body =
        op.success.schema === undefined ? undefined : conform(this.api, op.success.schema, undefined)
      this.checkResponse(op, body)
      return { reply: { status: op.success.status, body }, source: 'sampled' }
    }
    const reply = handler({
      op,
      params: r.params,
      query,
      body: isRecord(r.body) ? r.body : {},
      store: this.store,
      apiUrl: this.url,
      serverUrl: this.options.serverUrl ?? 'https://github.com'
    })
    if (reply.violations !== undefined) this.fail(reply.violations)
    if (reply.status === op.success.status && op.success.schema !== undefined) {
      const body = conform(this.api, op.success.schema, reply.body)
      this.checkResponse(op, body)
      return { reply: { ...reply, body }, source: 'handler' }
    }
    return { reply, source: 'handler' }
  }

  /** The stand-in's own answers must pass the success schema too: a mismatch is a stand-in bug. */
  checkResponse(op: OpenApiOperation, body: unknown): void {
    if (op.success.schemaPointer === undefined) return
    const errors = this.api.validate(op.success.schemaPointer, body)
    if (errors.length > 0)
      this.fail(
        violationsFromAjv(op.operationId, 'response', errors).map(v => ({
          ...v,
          message: `stand-in bug: ${v.message}`
        }))
      )
  }

  injected(r: RecordedRequest): InjectedReply | undefined {
    const rule = this.rules.find(x => x.remaining > 0 && matches(x.match, r))
    if (rule === undefined) return undefined
    rule.remaining--
    return typeof rule.reply === 'function' ? rule.reply(r) : rule.reply
  }

  async process(req: http.IncomingMessage): Promise<{ r: RecordedRequest; reply: Reply }> {
    const rawBody = await readBody(req)
    const url = new URL(req.url ?? '/', 'http://stand-in')
    const r: RecordedRequest = {
      seq: this.requests.length + 1,
      method: (req.method ?? 'GET').toUpperCase(),
      url: req.url ?? '/',
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers: headerRecord(req),
      body: undefined,
      rawBody,
      operationId: undefined,
      pathTemplate: undefined,
      params: {},
      violations: [],
      response: { status: 0, body: undefined, source: 'rejected' },
      at: new Date()
    }
    this.requests.push(r)
    const reject = (violations: Violation[], reply: Reply): { r: RecordedRequest; reply: Reply } => {
      r.violations.push(...violations)
      this.fail(violations)
      return { r, reply }
    }
    const found = this.api.match(r.method, r.path)
    const label = found.kind === 'found' ? found.operation.operationId : `${r.method} ${r.path}`
    if (found.kind === 'no-path') {
      return reject(
        [
          {
            operationId: label,
            location: 'path',
            pointer: '',
            message: "no operation in GitHub's OpenAPI description has this path"
          }
        ],
        githubError(404, 'Not Found')
      )
    }
    if (found.kind === 'no-method') {
      const message = `${found.pathTemplate} has no ${r.method} operation (documented: ${found.allowed.map(m => m.toUpperCase()).join(', ')})`
      return reject(
        [{ operationId: label, location: 'path', pointer: '', message }],
        githubError(404, 'Not Found')
      )
    }
    const op = found.operation
    r.operationId = op.operationId
    r.pathTemplate = op.pathTemplate
    r.params = found.pathParams
    const headers = this.headerProblems(r, label)
    r.violations.push(...headers.violations)
    this.fail(headers.violations)
    if (headers.reject !== undefined) return { r, reply: headers.reject }
    if (rawBody !== '') {
      try {
        r.body = JSON.parse(rawBody)
      } catch {
        return reject(
          [{ operationId: label, location: 'body', pointer: '', message: 'is not valid JSON' }],
          githubError(400, 'Problems parsing JSON')
        )
      }
    }
    const violations = checkRequest(this.api, op, {
      pathParams: r.params,
      query: url.searchParams,
      body: r.body,
      strict: this.options.strict ?? true
    })
    if (violations.length > 0) {
      const message = `Invalid request.\n\n${violations.map(v => `${v.location} ${v.pointer}: ${v.message}`).join('\n')}`
      return reject(violations, githubError(422, message, op.documentationUrl))
    }
    const injected = this.injected(r)
    if (injected?.delayMs !== undefined) await sleep(injected.delayMs)
    if (injected?.status !== undefined) {
      r.response.source = 'injected'
      return { r, reply: { status: injected.status, body: injected.body, headers: injected.headers ?? {} } }
    }
    const { reply, source } = this.answer(r, op, url.searchParams)
    r.response.source = source
    if (reply.violations !== undefined) r.violations.push(...reply.violations)
    return { r, reply }
  }

  send(res: http.ServerResponse, r: RecordedRequest, reply: Reply): void {
    r.response.status = reply.status
    r.response.body = reply.body
    const payload = reply.body === undefined ? '' : JSON.stringify(reply.body)
    res.on('error', () => undefined)
    res.writeHead(reply.status, {
      'content-type': 'application/json; charset=utf-8',
      'x-github-request-id': randomUUID().toUpperCase(),
      'x-github-api-version-selected': '2022-11-28',
      'x-github-media-type': 'github.v3; format=json',
      'x-ratelimit-limit': '5000',
      'x-ratelimit-remaining': String(Math.max(5000 - this.requests.length, 0)),
      'x-ratelimit-reset': String(Math.floor(Date.now() / 1000) + 3600),
      'x-ratelimit-resource': 'core',
      ...(reply.headers ?? {})
    })
    res.end(payload)
    for (const waiter of this.waiters.filter(w => matches(w.match, r))) {
      this.waiters.splice(this.waiters.indexOf(waiter), 1)
      waiter.resolve(r)
    }
  }
}

export async function startGitHubApi(options: StartGitHubApiOptions = {}): Promise<GitHubApiServer> {
  const standIn = new StandIn(options)
  const server = http.createServer((req, res) => {
    standIn.process(req).then(
      ({ r, reply }) => standIn.send(res, r, reply),
      (error: unknown) => {
        standIn.failures.push(`stand-in crashed on ${req.method ?? '?'} ${req.url ?? '?'}: ${String(error)}`)
        res.writeHead(500).end()
      }
    )
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const address: AddressInfo | string | null = server.address()
  if (address === null || typeof address === 'string')
    throw new Error('the GitHub API stand-in did not get a TCP port')
  standIn.url = `http://127.0.0.1:${address.port}`
  return {
    url: standIn.url,
    requests: standIn.requests,
    failures: standIn.failures,
    violations: standIn.violations,
    store: standIn.store,
    respondWith(match, reply, opts = {}) {
      standIn.rules.push({ match, reply, remaining: opts.times ?? Number.POSITIVE_INFINITY })
    },
    failNext(match, status = 500, message) {
      const text =
        message ??
        (status === 403 ? 'Resource not accessible by integration' : status >= 500 ? 'Server Error' : 'Error')
      const reply =
        status === 403 && message === undefined
          ? resourceNotAccessible()
          : { status, body: githubError(status, text).body }
      standIn.rules.unshift({ match, reply, remaining: 1 })
    },
    requestsFor(match) {
      return standIn.requests.filter(r => matches(match, r))
    },
    waitForRequest(match, timeoutMs = 10_000) {
      const done = standIn.requests.find(r => r.response.status !== 0 && matches(match, r))
      if (done !== undefined) return Promise.resolve(done)
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`no request matching ${JSON.stringify(match)} within ${timeoutMs} ms`)),
          timeoutMs
        )
        standIn.waiters.push({
          match,
          resolve: r => {
            clearTimeout(timer)
            resolve(r)
          }
        })
      })
    },
    close() {
      server.closeAllConnections()
      return new Promise<void>(resolve => server.close(() => resolve()))
    }
  }
}
