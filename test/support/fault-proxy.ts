// A fault-injecting HTTPS proxy between wavesync and the real API server, for the fault and
// cancellation e2e tests (issue 8). wavesync talks to https://127.0.0.1:<port> (a throw-away
// self-signed certificate; the kubeconfig written by `writeKubeconfig` skips verification); the
// proxy forwards every request to the real API server with the credentials of the upstream
// kubeconfig (the admin client certificate), streaming watches through, and logs every request.
// Rules turn chosen requests into faults:
//   - connection reset, before the request reaches the API server or after it acted on it;
//   - an HTTP error (500, 503, 429 with Retry-After, …), before or after the API server acted;
//   - a delay (a slow API server);
//   - a watch stream cut after N events;
//   - an "API server down" window: listening stops (connections are refused), every open
//     connection is reset (watches included), and after the window the proxy listens again on the
//     same port, as a restarting API server does.
// The proxy always authenticates upstream as the user of the kubeconfig it was started with, so
// tests of restricted credentials (rbac.test.ts) talk to the API server directly. The second part
// of this file reads what a run left behind (Lease, inventory records, hook finalizers, Jobs).
import { HOOK_FINALIZER } from '../../src/model/tracking.js'
import { generateKeyPairSync, sign } from 'node:crypto'
import { once } from 'node:events'
import { writeFileSync } from 'node:fs'
import type { IncomingMessage, ServerResponse } from 'node:http'
import https from 'node:https'
import type { Socket } from 'node:net'
import { AppsV1Api, BatchV1Api, CoordinationV1Api, CoreV1Api, KubeConfig } from '@kubernetes/client-node'
import { dump } from 'js-yaml'
import type { InventoryRecord } from '../../src/inventory/record.js'
import { decodeRecord } from '../../src/inventory/record.js'

/** One request as the proxy saw it, and what became of it. */
export interface ProxyRequest {
  /** 1, 2, … in arrival order. */
  seq: number
  /** Milliseconds since the proxy started. */
  atMs: number
  method: string
  /** The path without the query. */
  path: string
  query: URLSearchParams
  /** Plural resource (`jobs`, `leases`, `namespaces`), '' for discovery and other paths. */
  resource: string
  namespace: string
  /** The object's name: from the path, or from the body of a create (POST). */
  name: string
  subresource: string
  watch: boolean
  dryRun: boolean
  /** The parsed JSON body, if any. */
  body: unknown
  /** The fault applied (the rule's label), if any. */
  fault?: string
  /** Whether the request reached the API server. */
  forwarded: boolean
  /** The API server's status code, when it answered. */
  upstreamStatus?: number
  /** The status code wavesync received (undefined: the connection was cut). */
  answeredStatus?: number
  /** `metadata.uid` of the object the API server answered with (not for watches). */
  responseUid?: string
}

/** What to do with a matching request. `after`: forward first (the API server acts), then fail the answer. */
export type Fault =
  | { type: 'reset'; after?: boolean }
  | { type: 'status'; status: number; retryAfterSeconds?: number; after?: boolean }
  | { type: 'delay'; ms: number }
  | { type: 'drop-watch'; afterEvents: number }
  | { type: 'down'; ms: number; after?: boolean }

export interface FaultRule {
  /** Shown in the request log (`fault`) and in failure messages. */
  label: string
  match: (request: ProxyRequest) => boolean
  fault: Fault
  /** Let this many matching requests through first (default 0). */
  skip?: number
  /** Fault this many matching requests, then stop (default 1; Infinity for all). */
  times?: number
}

/** A rule once added: how many requests it matched and faulted. */
export interface ActiveRule extends FaultRule {
  matched: number
  faulted: number
}

interface Upstream {
  server: URL
  agent: https.Agent
  headers: Record<string, string>
}

/** The proxy; `start` it, point wavesync at `writeKubeconfig(...)`, add rules, read `requests`. */
export class FaultProxy {
  readonly requests: ProxyRequest[] = []
  readonly rules: ActiveRule[] = []
  /** Outage windows, in ms since the proxy started. */
  readonly outages: { fromMs: number; toMs: number }[] = []
  private readonly sockets = new Set<Socket>()
  private readonly listeners = new Set<(request: ProxyRequest) => void>()
  private readonly started = Date.now()
  private server: https.Server | undefined
  private listening = false
  private closed = false
  private port = 0
  private outage: Promise<void> | undefined

  private constructor(private readonly upstream: Upstream) {}

  /** Starts a proxy in front of the cluster of `kubeconfigPath` (its current context). */
  static async start(kubeconfigPath: string): Promise<FaultProxy> {
    const config = new KubeConfig()
    config.loadFromFile(kubeconfigPath)
    const cluster = config.getCurrentCluster()
    if (!cluster) throw new Error(`${kubeconfigPath} has no current cluster`)
    const options: https.RequestOptions = {}
    await config.applyToHTTPSOptions(options)
    const agent = new https.Agent({
      keepAlive: true,
      ...(options.ca !== undefined ? { ca: options.ca } : {}),
      ...(options.cert !== undefined ? { cert: options.cert } : {}),
      ...(options.key !== undefined ? { key: options.key } : {}),
      rejectUnauthorized: options.rejectUnauthorized ?? true
    })
    const headers: Record<string, string> = {}
    for (const [name, value] of Object.entries(options.headers ?? {}))
      if (typeof value === 'string') headers[name.toLowerCase()] = value
    const proxy = new FaultProxy({ server: new URL(cluster.server), agent, headers })
    await proxy.listen()
    return proxy
  }

  /** https://127.0.0.1:<port> */
  get url(): string {
    return `https://127.0.0.1:${this.port}`
  }

  /**
   * Writes a kubeconfig that reaches the cluster through this proxy: the proxy's URL with
   * `insecure-skip-tls-verify` (its certificate is self-signed), and the user of `kubeconfigPath`
   * (the proxy authenticates upstream with its own credentials).
   */
  writeKubeconfig(kubeconfigPath: string, to: string): string {
    const config = new KubeConfig()
    config.loadFromFile(kubeconfigPath)
    const user = config.getCurrentUser()
    const credentials: Record<string, string> = {}
    if (user?.certData) credentials['client-certificate-data'] = user.certData
    if (user?.keyData) credentials['client-key-data'] = user.keyData
    if (user?.token) credentials['token'] = user.token
    const doc = {
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'fault-proxy', cluster: { server: this.url, 'insecure-skip-tls-verify': true } }],
      users: [{ name: 'through-proxy', user: credentials }],
      contexts: [{ name: 'fault-proxy', context: { cluster: 'fault-proxy', user: 'through-proxy' } }],
      'current-context': 'fault-proxy'
    }
    writeFileSync(to, dump(doc), { mode: 0o600 })
    return to
  }

  /** Adds a rule; rules are tried in the order added, the first that faults a request wins. */
  addRule(rule: FaultRule): ActiveRule {
    const active = { ...rule, matched: 0, faulted: 0 }
    this.rules.push(active)
    return active
  }

  /** Calls `listener` with each request as it arrives (before any fault); returns the remover. */
  onRequest(listener: (request: ProxyRequest) => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  /** Resolves with the first request (already seen or still to come) that matches. */
  waitFor(match: (request: ProxyRequest) => boolean, timeoutMs = 60_000): Promise<ProxyRequest> {
    const seen = this.requests.find(match)
    if (seen) return Promise.resolve(seen)
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        remove()
        reject(new Error(`no matching request through the proxy within ${timeoutMs} ms`))
      }, timeoutMs)
      const remove = this.onRequest(request => {
        if (!match(request)) return
        clearTimeout(timer)
        remove()
        resolve(request)
      })
    })
  }

  /** Takes the API server "down" for `ms` now: refuses connections and resets the open ones. */
  down(ms: number): Promise<void> {
    this.outage ??= this.takeDown(ms).finally(() => (this.outage = undefined))
    return this.outage
  }

  /** Resolves when no outage is in progress. */
  async up(): Promise<void> {
    while (this.outage) await this.outage
  }

  /** Requests that a create (POST, not a dry run) of `resource` named `name` sent to the API server and it accepted. */
  acceptedCreates(resource: string, name: string): ProxyRequest[] {
    return this.requests.filter(
      r =>
        r.method === 'POST' &&
        r.resource === resource &&
        r.name === name &&
        r.subresource === '' &&
        !r.dryRun &&
        r.upstreamStatus !== undefined &&
        r.upstreamStatus >= 200 &&
        r.upstreamStatus < 300
    )
  }

  /** Writes (not dry runs, not GET/watch) the API server accepted. */
  acceptedWrites(): ProxyRequest[] {
    return this.requests.filter(
      r =>
        r.method !== 'GET' &&
        !r.dryRun &&
        r.upstreamStatus !== undefined &&
        r.upstreamStatus >= 200 &&
        r.upstreamStatus < 300
    )
  }

  /** Request counts by `METHOD resource` (watch counted as WATCH), for diagnostics. */
  counts(): Record<string, number> {
    const counts: Record<string, number> = {}
    for (const r of this.requests) {
      const key = `${r.watch ? 'WATCH' : r.method}${r.dryRun ? ' (dry run)' : ''} ${r.resource || r.path}`
      counts[key] = (counts[key] ?? 0) + 1
    }
    return counts
  }

  /** The faulted requests, one line each, for assertion messages. */
  faultLog(): string[] {
    return this.requests
      .filter(r => r.fault !== undefined)
      .map(
        r =>
          `#${r.seq} ${r.method} ${r.path}${r.dryRun ? ' (dry run)' : ''} → ${r.fault}` +
          ` (upstream ${r.upstreamStatus ?? '-'}, answered ${r.answeredStatus ?? 'cut'})`
      )
  }

  async close(): Promise<void> {
    this.closed = true
    await this.outage?.catch(() => undefined)
    for (const socket of this.sockets) socket.destroy()
    if (this.server && this.listening) {
      this.listening = false
      await new Promise<void>(resolve => this.server?.close(() => resolve()))
    }
    this.upstream.agent.destroy()
  }

  private async listen(): Promise<void> {
    if (!this.server) {
      const { key, cert } = selfSignedCertificate()
      this.server = https.createServer({ key, cert }, (req, res) => void this.handle(req, res))
      this.server.on('connection', (socket: Socket) => {
        this.sockets.add(socket)
        socket.on('close', () => this.sockets.delete(socket))
      })
      // A client that vanishes mid-handshake is not the proxy's problem.
      this.server.on('tlsClientError', () => undefined)
    }
    const server = this.server
    server.listen(this.port, '127.0.0.1')
    await once(server, 'listening')
    const address = server.address()
    if (address === null || typeof address === 'string') throw new Error('the proxy has no TCP address')
    this.port = address.port
    this.listening = true
  }

  private async takeDown(ms: number): Promise<void> {
    const from = Date.now() - this.started
    const server = this.server
    if (!server || !this.listening) return
    this.listening = false
    const closed = new Promise<void>(resolve => server.close(() => resolve()))
    for (const socket of this.sockets) resetConnection(socket)
    await closed
    await sleep(Math.max(0, ms - (Date.now() - this.started - from)))
    this.outages.push({ fromMs: from, toMs: Date.now() - this.started })
    if (!this.closed) await this.listen()
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let body: Buffer
    try {
      body = await readAll(req)
    } catch {
      return
    }
    const request = describe(req, body, this.requests.length + 1, Date.now() - this.started)
    this.requests.push(request)
    for (const listener of [...this.listeners]) listener(request)
    const rule = this.ruleFor(request)
    if (rule) request.fault = rule.label
    try {
      await this.apply(rule?.fault, req, res, body, request)
    } catch {
      if (!res.headersSent && !res.destroyed) res.destroy()
    }
  }

  private ruleFor(request: ProxyRequest): ActiveRule | undefined {
    for (const rule of this.rules) {
      if (!rule.match(request)) continue
      rule.matched += 1
      if (rule.matched <= (rule.skip ?? 0) || rule.faulted >= (rule.times ?? 1)) continue
      rule.faulted += 1
      return rule
    }
    return undefined
  }

  private async apply(
    fault: Fault | undefined,
    req: IncomingMessage,
    res: ServerResponse,
    body: Buffer,
    request: ProxyRequest
  ): Promise<void> {
    if (fault === undefined) return this.pipe(req, res, body, request)
    switch (fault.type) {
      case 'delay':
        await sleep(fault.ms)
        if (res.destroyed) return
        return this.pipe(req, res, body, request)
      case 'drop-watch':
        return this.pipe(req, res, body, request, fault.afterEvents)
      case 'reset':
        if (fault.after === true) await this.forwardBuffered(req, body, request)
        resetConnection(req.socket)
        return
      case 'status':
        if (fault.after === true) await this.forwardBuffered(req, body, request)
        return answerStatus(res, request, fault.status, fault.retryAfterSeconds)
      case 'down':
        if (fault.after === true) {
          const answer = await this.forwardBuffered(req, body, request)
          res.writeHead(answer.status, answer.headers)
          res.end(answer.body)
          request.answeredStatus = answer.status
          await once(res, 'finish').catch(() => undefined)
        }
        await this.down(fault.ms)
        return
    }
  }

  private upstreamRequest(req: IncomingMessage, body: Buffer): ReturnType<typeof https.request> {
    const target = new URL(req.url ?? '/', this.upstream.server)
    const headers: Record<string, string | string[]> = {}
    for (const [name, value] of Object.entries(req.headers)) {
      if (value === undefined || HOP_BY_HOP.has(name) || name === 'authorization') continue
      headers[name] = value
    }
    headers['content-length'] = String(body.length)
    return https.request(target, {
      method: req.method ?? 'GET',
      agent: this.upstream.agent,
      headers: { ...headers, ...this.upstream.headers }
    })
  }

  /** Streams the answer through; with `cutAfterEvents`, resets the connection after that many lines. */
  private pipe(
    req: IncomingMessage,
    res: ServerResponse,
    body: Buffer,
    request: ProxyRequest,
    cutAfterEvents?: number
  ): Promise<void> {
    return new Promise(resolve => {
      const upstream = this.upstreamRequest(req, body)
      request.forwarded = true
      // wavesync went away (or the connection was cut) before the answer was complete.
      res.on('close', () => {
        if (!res.writableFinished) upstream.destroy()
        resolve()
      })
      upstream.on('error', () => {
        res.destroy()
        resolve()
      })
      upstream.on('response', answer => {
        request.upstreamStatus = answer.statusCode ?? 0
        request.answeredStatus = answer.statusCode ?? 0
        res.writeHead(answer.statusCode ?? 502, filterHeaders(answer.headers))
        let events = 0
        let cutting = false
        const kept: Buffer[] = []
        answer.on('data', (chunk: Buffer) => {
          if (cutting || res.destroyed) return
          if (!request.watch) kept.push(chunk)
          if (cutAfterEvents === undefined) {
            res.write(chunk)
            return
          }
          let cut = -1
          for (let i = 0; i < chunk.length && cut < 0; i++) {
            if (chunk[i] === 0x0a && ++events >= cutAfterEvents) cut = i + 1
          }
          if (cut < 0) {
            res.write(chunk)
            return
          }
          cutting = true
          res.write(chunk.subarray(0, cut), () => {
            resetConnection(req.socket)
            upstream.destroy()
          })
        })
        answer.on('end', () => {
          if (cutting) {
            resolve()
            return
          }
          if (!request.watch) noteUid(request, Buffer.concat(kept))
          res.end()
          resolve()
        })
        answer.on('error', () => {
          res.destroy()
          resolve()
        })
      })
      upstream.end(body)
    })
  }

  /** Forwards and reads the whole answer (the API server acted); the caller decides what wavesync gets. */
  private forwardBuffered(
    req: IncomingMessage,
    body: Buffer,
    request: ProxyRequest
  ): Promise<{ status: number; headers: Record<string, string | string[]>; body: Buffer }> {
    return new Promise((resolve, reject) => {
      const upstream = this.upstreamRequest(req, body)
      request.forwarded = true
      upstream.on('error', reject)
      upstream.on('response', answer => {
        request.upstreamStatus = answer.statusCode ?? 0
        readAll(answer).then(data => {
          noteUid(request, data)
          resolve({ status: answer.statusCode ?? 502, headers: filterHeaders(answer.headers), body: data })
        }, reject)
      })
      upstream.end(body)
    })
  }
}

const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'upgrade',
  'host',
  'content-length',
  'te',
  'trailer'
])

function filterHeaders(headers: IncomingMessage['headers']): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {}
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || (HOP_BY_HOP.has(name) && name !== 'content-length')) continue
    out[name] = value
  }
  return out
}

/** A metav1.Status answer, as the API server (or an apiserver-fronting proxy) sends it. */
function answerStatus(res: ServerResponse, request: ProxyRequest, status: number, retryAfter?: number): void {
  const reasons: Record<number, string> = {
    429: 'TooManyRequests',
    500: 'InternalError',
    502: 'BadGateway',
    503: 'ServiceUnavailable',
    504: 'Timeout'
  }
  const reason = reasons[status] ?? 'Unknown'
  const body = JSON.stringify({
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message: `fault-proxy: injected ${status} ${reason}`,
    reason,
    code: status,
    ...(retryAfter !== undefined ? { details: { retryAfterSeconds: retryAfter } } : {})
  })
  request.answeredStatus = status
  res.writeHead(status, {
    'content-type': 'application/json',
    ...(retryAfter !== undefined ? { 'retry-after': String(retryAfter) } : {})
  })
  res.end(body)
}

function describe(req: IncomingMessage, body: Buffer, seq: number, atMs: number): ProxyRequest {
  const url = new URL(req.url ?? '/', 'https://proxy.invalid')
  const parsed = parseBody(body)
  const parts = url.pathname.split('/').filter(p => p !== '')
  // /api/v1/… or /apis/<group>/<version>/…
  let rest = parts[0] === 'api' ? parts.slice(2) : parts[0] === 'apis' ? parts.slice(3) : []
  let namespace = ''
  if (rest[0] === 'namespaces' && rest.length > 2) {
    namespace = rest[1] ?? ''
    rest = rest.slice(2)
  }
  const method = req.method ?? 'GET'
  const bodyName = isRecord(parsed) && isRecord(parsed['metadata']) ? parsed['metadata']['name'] : undefined
  const watch = url.searchParams.get('watch') === '1' || url.searchParams.get('watch') === 'true'
  const dryRunInBody = isRecord(parsed) && Array.isArray(parsed['dryRun']) && parsed['dryRun'].includes('All')
  return {
    seq,
    atMs,
    method,
    path: url.pathname,
    query: url.searchParams,
    resource: rest[0] ?? '',
    namespace,
    name: rest[1] ?? (method === 'POST' && typeof bodyName === 'string' ? bodyName : ''),
    subresource: rest[2] ?? '',
    watch,
    dryRun: url.searchParams.get('dryRun') === 'All' || dryRunInBody,
    body: parsed,
    forwarded: false
  }
}

function noteUid(request: ProxyRequest, body: Buffer): void {
  const parsed = parseBody(body)
  const uid = isRecord(parsed) && isRecord(parsed['metadata']) ? parsed['metadata']['uid'] : undefined
  if (typeof uid === 'string') request.responseUid = uid
}

function parseBody(body: Buffer): unknown {
  if (body.length === 0) return undefined
  try {
    return JSON.parse(body.toString('utf8'))
  } catch {
    return undefined
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

async function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = []
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk)
  return Buffer.concat(chunks)
}

/**
 * Cuts a connection with a TCP RST (the client sees ECONNRESET). A TLS socket cannot be reset
 * itself: its underlying TCP socket (`_parent`) is.
 */
function resetConnection(socket: Socket): void {
  const raw = (socket as Socket & { _parent?: Socket })._parent ?? socket
  try {
    raw.resetAndDestroy()
  } catch {
    raw.destroy()
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise(resolve => setTimeout(resolve, ms))
}

// --- A throw-away self-signed certificate (ECDSA P-256), DER-encoded by hand: no openssl needed. ---

function der(tag: number, ...content: Buffer[]): Buffer {
  const body = Buffer.concat(content)
  const n = body.length
  const length =
    n < 0x80 ? Buffer.from([n]) : n < 0x100 ? Buffer.from([0x81, n]) : Buffer.from([0x82, n >> 8, n & 0xff])
  return Buffer.concat([Buffer.from([tag]), length, body])
}

function oid(dotted: string): Buffer {
  const [a = 0, b = 0, ...rest] = dotted.split('.').map(Number)
  const bytes = [a * 40 + b]
  for (const value of rest) {
    const groups = [value & 0x7f]
    for (let v = value >> 7; v > 0; v >>= 7) groups.unshift((v & 0x7f) | 0x80)
    bytes.push(...groups)
  }
  return der(0x06, Buffer.from(bytes))
}

function utcTime(date: Date): Buffer {
  const text = date.toISOString().replace(/[-:T]/g, '').slice(2, 14) + 'Z'
  return der(0x17, Buffer.from(text, 'ascii'))
}

function pem(label: string, data: Buffer): string {
  const lines = data.toString('base64').match(/.{1,64}/g) ?? []
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`
}

/** A self-signed certificate for 127.0.0.1, valid from an hour ago for a day. */
export function selfSignedCertificate(): { key: string; cert: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' })
  const ecdsaSha256 = der(0x30, oid('1.2.840.10045.4.3.2'))
  const name = der(0x30, der(0x31, der(0x30, oid('2.5.4.3'), der(0x0c, Buffer.from('wavesync-fault-proxy')))))
  const now = Date.now()
  const san = der(0x30, oid('2.5.29.17'), der(0x04, der(0x30, der(0x87, Buffer.from([127, 0, 0, 1])))))
  const tbs = der(
    0x30,
    der(0xa0, der(0x02, Buffer.from([2]))),
    der(0x02, Buffer.from([0x01, ...Buffer.from(String(now).slice(-6))])),
    ecdsaSha256,
    name,
    der(0x30, utcTime(new Date(now - 3_600_000)), utcTime(new Date(now + 86_400_000))),
    name,
    publicKey.export({ type: 'spki', format: 'der' }),
    der(0xa3, der(0x30, san))
  )
  const signature = sign('sha256', tbs, privateKey)
  const certificate = der(0x30, tbs, ecdsaSha256, der(0x03, Buffer.from([0]), signature))
  return {
    key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    cert: pem('CERTIFICATE', certificate)
  }
}

// --- What the fault tests check after a run, read with the admin credentials (not through the proxy). ---

/** One inventory Secret: its status label and its decoded record (or why it does not decode). */
export interface StoredRecord {
  secret: string
  statusLabel: string | undefined
  record: InventoryRecord | Error
}

export interface ApplicationAftermath {
  /** The Lease `wavesync.<app>`, if it still exists. */
  lease: { holder: string } | undefined
  /** Oldest revision first. */
  records: StoredRecord[]
  /** `Kind/name` of every object in the namespace still carrying the hook finalizer. */
  finalizers: string[]
  /** Jobs by name: uid, and whether they are being deleted. */
  jobs: Map<string, { uid: string; deleting: boolean }>
  configMaps: string[]
}

/** Reads what a run left of an application in its namespace. */
export async function inspectApplication(
  kubeconfigPath: string,
  app: string,
  namespace: string
): Promise<ApplicationAftermath> {
  const config = new KubeConfig()
  config.loadFromFile(kubeconfigPath)
  const core = config.makeApiClient(CoreV1Api)
  const batch = config.makeApiClient(BatchV1Api)
  const apps = config.makeApiClient(AppsV1Api)
  const leases = config.makeApiClient(CoordinationV1Api)
  const lease = await leases
    .readNamespacedLease({ name: `wavesync.${app}`, namespace })
    .then(l => ({ holder: l.spec?.holderIdentity ?? '' }))
    .catch((error: unknown) => {
      if (isRecord(error) && error['code'] === 404) return undefined
      throw error
    })
  const secrets = await core.listNamespacedSecret({
    namespace,
    labelSelector: `wavesync.dev/application=${app}`
  })
  const records = secrets.items
    .map(secret => ({
      secret: secret.metadata?.name ?? '',
      statusLabel: secret.metadata?.labels?.['wavesync.dev/status'],
      record: decodeRecord(secret.data?.['inventory'] ?? '')
    }))
    .sort((a, b) => revisionOf(a) - revisionOf(b))
  const [jobs, pods, configMaps, services, deployments] = await Promise.all([
    batch.listNamespacedJob({ namespace }),
    core.listNamespacedPod({ namespace }),
    core.listNamespacedConfigMap({ namespace }),
    core.listNamespacedService({ namespace }),
    apps.listNamespacedDeployment({ namespace })
  ])
  const finalizers: string[] = []
  const collect = (kind: string, items: { metadata?: { name?: string; finalizers?: string[] } }[]): void => {
    for (const item of items)
      if (item.metadata?.finalizers?.includes(HOOK_FINALIZER))
        finalizers.push(`${kind}/${item.metadata.name ?? ''}`)
  }
  collect('Job', jobs.items)
  collect('Pod', pods.items)
  collect('ConfigMap', configMaps.items)
  collect('Service', services.items)
  collect('Deployment', deployments.items)
  collect('Secret', secrets.items)
  return {
    lease,
    records,
    finalizers,
    jobs: new Map(
      jobs.items.map(job => [
        job.metadata?.name ?? '',
        { uid: job.metadata?.uid ?? '', deleting: job.metadata?.deletionTimestamp !== undefined }
      ])
    ),
    configMaps: configMaps.items.map(c => c.metadata?.name ?? '')
  }
}

function revisionOf(stored: StoredRecord): number {
  return stored.record instanceof Error ? Number.MAX_SAFE_INTEGER : stored.record.revision
}
