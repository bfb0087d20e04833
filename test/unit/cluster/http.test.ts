import { getEventListeners } from 'node:events'
import { gzipSync } from 'node:zlib'
import { afterEach, describe, expect, test } from '@jest/globals'
import type { MockAgent } from 'undici'
import { Agent } from 'undici'
import type { Authenticate } from '../../../src/cluster/auth.js'
import { ClusterError } from '../../../src/model/errors.js'
import type { ApiClientOptions } from '../../../src/cluster/http.js'
import { ApiClient } from '../../../src/cluster/http.js'
import type { Respond, TestServer } from './http-server.js'
import { startServer } from './http-server.js'
import {
  calls,
  fakeClock,
  header,
  JSON_HEADERS,
  mockAgent,
  onPath,
  SERVER,
  staticAuth,
  status,
  testClient
} from './mock-api.js'

let agent: MockAgent

afterEach(async () => {
  agent.assertNoPendingInterceptors()
  await agent.close()
})

function setup() {
  const mock = mockAgent()
  agent = mock.agent
  return mock.api
}

/** The error a promise rejects with (fails the test when it resolves). */
async function rejection(promise: Promise<unknown>): Promise<ClusterError> {
  try {
    await promise
  } catch (error) {
    if (error instanceof ClusterError) return error
    throw error
  }
  throw new Error('expected a rejection')
}

const GET = { method: 'GET', path: '/api/v1/namespaces/ns/configmaps/a', verb: 'get' } as const

describe('ApiClient: errors from Status bodies', () => {
  test('reason, message, code and field causes come from the Status; the key names the object', async () => {
    const api = setup()
    const body = status(
      422,
      'Invalid',
      'Deployment.apps "web" is invalid: spec.replicas: Invalid value: -1',
      [{ reason: 'FieldValueInvalid', message: 'Invalid value: -1', field: 'spec.replicas' }]
    )
    api.intercept({ path: '/apis/apps/v1/namespaces/ns/deployments/web', method: 'PATCH' }).reply(422, body)
    const client = testClient(agent)
    const key = { group: 'apps', kind: 'Deployment', namespace: 'ns', name: 'web' }
    const error = await rejection(
      client.json({
        method: 'PATCH',
        path: '/apis/apps/v1/namespaces/ns/deployments/web',
        body: {},
        verb: 'apply',
        key
      })
    )
    expect(error.message).toBe(
      'apply apps/Deployment ns/web: Deployment.apps "web" is invalid: spec.replicas: Invalid value: -1'
    )
    expect(error.details).toMatchObject({ status: 422, reason: 'Invalid', retryable: false })
    expect(error.details.causes).toEqual([
      { field: 'spec.replicas', reason: 'FieldValueInvalid', message: 'Invalid value: -1' }
    ])
  })

  test('a non-Status body (a proxy page) never enters the message', async () => {
    const api = setup()
    api.intercept(GET).reply(403, '<html>Authorization: Bearer leaked-secret-token</html>')
    const error = await rejection(testClient(agent).json(GET))
    expect(error.message).toBe('get: HTTP 403 Forbidden')
    expect(error.details).toMatchObject({ status: 403, reason: 'Forbidden' })
    expect(JSON.stringify(error.details)).not.toContain('leaked')
  })

  test('every Warning header sent is reported, when the server sends several', async () => {
    const api = setup()
    const warning = ['299 - "first, with a comma"', '299 - "second"', '299 - "first, with a comma"']
    api.intercept(GET).reply(200, { kind: 'ConfigMap' }, { headers: { ...JSON_HEADERS, warning } })
    const { warnings } = await testClient(agent).json(GET)
    expect(warnings).toEqual(['first, with a comma', 'second'])
  })

  test('Warning headers are parsed, unescaped and de-duplicated', async () => {
    const api = setup()
    const warning = '299 - "unknown field \\"spec.foo\\"", 299 - "v1 ComponentStatus is deprecated, use x"'
    api.intercept(GET).reply(200, { kind: 'ConfigMap' }, { headers: { ...JSON_HEADERS, warning } })
    const { warnings } = await testClient(agent).json(GET)
    expect(warnings).toEqual(['unknown field "spec.foo"', 'v1 ComponentStatus is deprecated, use x'])
  })
})

describe('ApiClient: retries', () => {
  test('429 with Retry-After: waits at least that long, then succeeds', async () => {
    const api = setup()
    api
      .intercept(GET)
      .reply(429, status(429, 'TooManyRequests', 'slow down'), { headers: { 'retry-after': '3' } })
    api.intercept(GET).reply(200, { kind: 'ConfigMap' })
    const clock = fakeClock()
    const client = testClient(agent, { clock })
    await expect(client.json(GET)).resolves.toMatchObject({ status: 200 })
    expect(clock.sleeps).toEqual([3000])
    expect(client.stats).toMatchObject({ total: 2, retries: 1 })
  })

  test('503 twice, then success: exponential backoff with jitter, capped', async () => {
    const api = setup()
    api.intercept(GET).reply(503, 'upstream unavailable').times(2)
    api.intercept(GET).reply(200, { kind: 'ConfigMap' })
    const clock = fakeClock()
    await testClient(agent, { clock, random: () => 1 }).json(GET)
    expect(clock.sleeps).toEqual([250, 500])
  })

  test('a persistent 503 fails after 5 attempts, marked retryable', async () => {
    const api = setup()
    api
      .intercept(GET)
      .reply(503, status(503, 'ServiceUnavailable', 'etcd is down'))
      .times(5)
    const clock = fakeClock()
    const error = await rejection(testClient(agent, { clock, random: () => 1 }).json(GET))
    expect(error.details).toMatchObject({ status: 503, retryable: true })
    expect(clock.sleeps).toEqual([250, 500, 1000, 2000])
  })
})

describe('ApiClient: which failures are re-sent', () => {
  test('POST (create) is not re-sent after a 503: the write may have happened', async () => {
    const api = setup()
    api.intercept({ path: '/api/v1/namespaces/ns/configmaps', method: 'POST' }).reply(503, 'unavailable')
    const client = testClient(agent)
    const post = {
      method: 'POST',
      path: '/api/v1/namespaces/ns/configmaps',
      body: {},
      verb: 'create'
    } as const
    const error = await rejection(client.json(post))
    expect(error.details).toMatchObject({ status: 503, retryable: true })
    expect(client.stats.total).toBe(1)
  })

  test('POST is re-sent after a 429: the server never acted on it', async () => {
    const api = setup()
    const post = {
      method: 'POST',
      path: '/api/v1/namespaces/ns/configmaps',
      body: {},
      verb: 'create'
    } as const
    api.intercept({ path: post.path, method: 'POST' }).reply(429, status(429, 'TooManyRequests', 'later'))
    api.intercept({ path: post.path, method: 'POST' }).reply(201, { kind: 'ConfigMap' })
    await expect(testClient(agent).json(post)).resolves.toMatchObject({ status: 201 })
  })

  test('a connection reset is retried for GET, reported for POST', async () => {
    const api = setup()
    const reset = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' })
    api.intercept(GET).replyWithError(reset)
    api.intercept(GET).reply(200, { kind: 'ConfigMap' })
    api.intercept({ path: '/api/v1/namespaces/ns/configmaps', method: 'POST' }).replyWithError(reset)
    const client = testClient(agent)
    await expect(client.json(GET)).resolves.toMatchObject({ status: 200 })
    const post = {
      method: 'POST',
      path: '/api/v1/namespaces/ns/configmaps',
      body: {},
      verb: 'create'
    } as const
    const error = await rejection(client.json(post))
    expect(error.details).toMatchObject({ code: 'ECONNRESET', retryable: true })
    expect(error.message).toBe('create: ECONNRESET: socket hang up')
  })
})

describe('ApiClient: conflicts and aborts', () => {
  test('409 Conflict is retried only when the caller says so', async () => {
    const api = setup()
    const conflict = status(409, 'Conflict', 'the object has been modified')
    api.intercept(GET).reply(409, conflict)
    api.intercept(GET).reply(409, conflict)
    api.intercept(GET).reply(200, {})
    const client = testClient(agent)
    await expect(rejection(client.json(GET))).resolves.toMatchObject({ details: { reason: 'Conflict' } })
    await expect(client.json({ ...GET, retryConflict: true })).resolves.toMatchObject({ status: 200 })
  })

  test('an abort during backoff stops the retries', async () => {
    const api = setup()
    api.intercept(GET).reply(503, 'unavailable')
    const controller = new AbortController()
    const clock = { ...fakeClock(), sleep: async () => controller.abort() }
    const error = await rejection(testClient(agent, { clock }).json({ ...GET, signal: controller.signal }))
    expect(error.details).toMatchObject({ reason: 'Aborted', retryable: false })
  })
})

describe('ApiClient: authentication', () => {
  test('credentials are reused for 10 s, then asked for again', async () => {
    const api = setup()
    api.intercept(GET).reply(200, {}).times(3)
    const clock = fakeClock()
    const authenticate = staticAuth('abcdefgh-token')
    const client = testClient(agent, { clock, authenticate })
    await client.json(GET)
    await client.json(GET)
    expect(authenticate.calls).toBe(1)
    clock.advance(10_000)
    await client.json(GET)
    expect(authenticate.calls).toBe(2)
    expect(calls(agent).map(call => header(call, 'authorization'))).toEqual(
      Array(3).fill('Bearer abcdefgh-token')
    )
  })

  test('a 401 renews the credentials and re-sends once; new tokens are reported for masking', async () => {
    const api = setup()
    let minted = 0
    const asked: boolean[] = []
    const authenticate: Authenticate = async ({ fresh }) => {
      asked.push(fresh)
      return { headers: { Authorization: `Bearer token-number-${++minted}` } }
    }
    api
      .intercept({ ...GET, headers: { authorization: 'Bearer token-number-1' } })
      .reply(401, status(401, 'Unauthorized', 'expired'))
    api
      .intercept({ ...GET, headers: { authorization: 'Bearer token-number-2' } })
      .reply(200, { kind: 'ConfigMap' })
    const secrets: string[] = []
    const client = testClient(agent, { authenticate, onSecret: value => secrets.push(value) })
    await expect(client.json(GET)).resolves.toMatchObject({ status: 200 })
    expect(client.stats).toMatchObject({ total: 2, reauthentications: 1, retries: 0 })
    expect(secrets).toEqual(['token-number-1', 'token-number-2'])
    expect(asked).toEqual([false, true]) // the renewal bypasses client-node's credential caches
  })
})

describe('ApiClient: dispatcher and renewal', () => {
  test('a second 401 is an error, not a loop', async () => {
    const api = setup()
    api
      .intercept(GET)
      .reply(401, status(401, 'Unauthorized', 'Unauthorized'))
      .times(2)
    const error = await rejection(testClient(agent).json(GET))
    expect(error.details).toMatchObject({ status: 401, reason: 'Unauthorized', retryable: false })
  })

  test('the first dispatcher is kept across credential refreshes; a 401 renewal adopts the new one', async () => {
    const first = mockAgent()
    const second = mockAgent()
    agent = first.agent
    first.api.intercept(GET).reply(200, {}).times(2)
    first.api.intercept(GET).reply(401, status(401, 'Unauthorized', 'cert rotated'))
    second.api.intercept(GET).reply(200, { renewed: true })
    const dispatchers = [first.agent, first.agent, second.agent]
    const authenticate: Authenticate = async () => ({
      headers: {},
      dispatcher: dispatchers.shift() ?? second.agent
    })
    const clock = fakeClock()
    // No injected dispatcher: the client uses the one its credentials bring, as with a kubeconfig.
    const client = new ApiClient(SERVER, authenticate, { clock })
    await client.json(GET)
    clock.advance(11_000)
    await client.json(GET)
    await expect(client.json(GET)).resolves.toMatchObject({ body: { renewed: true } })
    // The replaced dispatcher was closed by the client; afterEach checks and closes the new one.
    first.agent.assertNoPendingInterceptors()
    agent = second.agent
  })
})

describe('ApiClient: statistics and requests', () => {
  test('requests are counted per verb and method, attempts included', async () => {
    const api = setup()
    api.intercept(GET).reply(500, 'oops')
    api.intercept(GET).reply(200, {})
    api.intercept({ path: '/api/v1/namespaces/ns/configmaps', method: 'POST' }).reply(201, {})
    const client = testClient(agent)
    await client.json(GET)
    await client.json({ method: 'POST', path: '/api/v1/namespaces/ns/configmaps', body: {}, verb: 'create' })
    expect(client.stats).toEqual({
      total: 3,
      byVerb: { get: 2, create: 1 },
      byMethod: { GET: 2, POST: 1 },
      retries: 1,
      reauthentications: 0
    })
  })

  test('query parameters skip undefined values; the body is JSON with its content type', async () => {
    const api = setup()
    api.intercept({ path: /\/apis\/apps\/v1/, method: 'PATCH' }).reply(200, {})
    await testClient(agent).json({
      method: 'PATCH',
      path: '/apis/apps/v1/namespaces/ns/deployments/web',
      query: { fieldManager: 'wavesync', force: false, dryRun: undefined },
      body: { a: 1 },
      contentType: 'application/apply-patch+yaml',
      verb: 'apply'
    })
    const [call] = calls(agent)
    expect(call?.searchParams).toEqual({ fieldManager: 'wavesync', force: 'false' })
    expect(call && header(call, 'content-type')).toBe('application/apply-patch+yaml')
    expect(call?.body).toBe('{"a":1}')
  })
})

describe('ApiClient: the server URL', () => {
  test('a path prefix (a cluster behind a Rancher-style proxy) comes before every API path', async () => {
    const api = setup()
    const prefixed = '/k8s/clusters/c-1/api/v1/namespaces/ns/configmaps'
    api.intercept({ path: `${prefixed}?labelSelector=app%3Dweb&limit=500`, method: 'GET' }).reply(200, {})
    api.intercept({ path: `${prefixed}/a`, method: 'GET' }).reply(200, { kind: 'ConfigMap' })
    const options = { dispatcher: agent, clock: fakeClock() }
    const client = new ApiClient(`${SERVER}/k8s/clusters/c-1`, staticAuth(), options)
    const list = {
      method: 'GET',
      path: '/api/v1/namespaces/ns/configmaps',
      query: { labelSelector: 'app=web', limit: 500 },
      verb: 'list'
    } as const
    await expect(client.json(list)).resolves.toMatchObject({ status: 200 })
    // A trailing slash on the server URL does not double the slash.
    const slashed = new ApiClient(`${SERVER}/k8s/clusters/c-1/`, staticAuth(), options)
    await expect(slashed.json(GET)).resolves.toMatchObject({ body: { kind: 'ConfigMap' } })
  })

  test('a server URL that cannot be parsed fails each request as a transport error', async () => {
    setup()
    const client = new ApiClient('not a url', staticAuth(), { dispatcher: agent, clock: fakeClock() })
    const error = await rejection(client.json(GET))
    // Not the whole message: under jest, Node's own TypeError comes from another realm, so
    // `instanceof Error` fails and its text is not found (it is in the bundle).
    expect(error.message).toMatch(/^get: ERR_INVALID_URL/)
    expect(error.details).toMatchObject({ code: 'ERR_INVALID_URL', retryable: false })
    expect(calls(agent)).toHaveLength(0)
  })
})

describe('ApiClient: streams', () => {
  const WATCH = { method: 'GET', path: '/api/v1/namespaces/ns/configmaps', verb: 'watch' } as const

  test('a 2xx answer gives the status and a body to iterate', async () => {
    const api = setup()
    api.intercept({ ...WATCH, path: onPath(WATCH.path) }).reply(200, 'line 1\nline 2\n')
    const { status: code, body } = await testClient(agent).stream({ ...WATCH, query: { watch: 1 } })
    const chunks: Uint8Array[] = []
    for await (const chunk of body) chunks.push(chunk)
    expect(code).toBe(200)
    expect(Buffer.concat(chunks).toString()).toBe('line 1\nline 2\n')
  })

  test('an error answer is a ClusterError from its Status body; a 401 renews first', async () => {
    const api = setup()
    api.intercept(WATCH).reply(401, status(401, 'Unauthorized', 'expired'))
    api.intercept(WATCH).reply(403, status(403, 'Forbidden', 'configmaps is forbidden: cannot watch'))
    const client = testClient(agent)
    const error = await rejection(client.stream(WATCH))
    expect(error.message).toBe('watch: configmaps is forbidden: cannot watch')
    expect(error.details).toMatchObject({ status: 403, reason: 'Forbidden' })
    expect(client.stats).toMatchObject({ total: 2, reauthentications: 1 })
  })

  // Watches share the observer's signal, which lives for the whole operation: one listener left
  // per re-connection would pile up over a long sync.
  test.each([
    [
      'read to the end',
      async (body: AsyncIterable<Uint8Array>) => {
        for await (const _chunk of body) void _chunk
      }
    ],
    [
      'stopped after the first chunk',
      async (body: AsyncIterable<Uint8Array>) => {
        for await (const chunk of body) if (chunk.length > 0) break
      }
    ]
  ])('a stream %s leaves no listener on the caller’s signal', async (_case, consume) => {
    const api = setup()
    api.intercept(WATCH).reply(200, 'line 1\nline 2\n').times(5)
    const outer = new AbortController()
    const client = testClient(agent)
    for (let i = 0; i < 5; i++) {
      const { body } = await client.stream({ ...WATCH, signal: outer.signal })
      expect(getEventListeners(outer.signal, 'abort')).toHaveLength(1) // an open stream answers abort
      await consume(body)
      await new Promise(resolve => setImmediate(resolve)) // 'close' follows the last read
    }
    expect(getEventListeners(outer.signal, 'abort')).toHaveLength(0)
  })
})

describe('ApiClient: failures before an answer', () => {
  test('a host whose every address refuses (an AggregateError) is reported by the first refusal', async () => {
    const api = setup()
    const refused = Object.assign(new Error('connect ECONNREFUSED ::1:6443'), { code: 'ECONNREFUSED' })
    const all = Object.assign(
      new AggregateError([refused, new Error('connect ECONNREFUSED 127.0.0.1:6443')]),
      {
        code: 'ECONNREFUSED'
      }
    )
    api.intercept(GET).replyWithError(all).times(5)
    const error = await rejection(testClient(agent).json(GET))
    expect(error.message).toBe('get: connect ECONNREFUSED ::1:6443')
    expect(error.details).toMatchObject({ code: 'ECONNREFUSED', retryable: true })
  })

  test('credentials that cannot be had (exec plugin failing) are a ClusterError; nothing is sent', async () => {
    setup()
    const authenticate: Authenticate = async () => {
      throw new Error('exec: executable aws failed with exit code 255')
    }
    const error = await rejection(testClient(agent, { authenticate }).json(GET))
    expect(error.message).toBe('get: cannot authenticate: exec: executable aws failed with exit code 255')
    expect(error.details).toMatchObject({ reason: 'AuthenticationFailed', retryable: false })
    expect(calls(agent)).toHaveLength(0)
  })

  test('a request with no answer within the timeout: Timeout, retried for GET', async () => {
    const api = setup()
    api.intercept(GET).reply(200, {}).delay(200)
    api.intercept(GET).reply(200, { second: true })
    const client = testClient(agent, { timeoutMs: 20 })
    await expect(client.json(GET)).resolves.toMatchObject({ body: { second: true } })
    expect(client.stats.retries).toBe(1)
  })
})

describe('ApiClient over a real HTTP server', () => {
  let server: TestServer
  let dispatcher: Agent

  async function realClient(respond: Respond, options: ApiClientOptions = {}): Promise<ApiClient> {
    setup() // the MockAgent afterEach expects; unused here
    server = await startServer(respond)
    dispatcher = new Agent()
    return new ApiClient(server.url, staticAuth(), { dispatcher, clock: fakeClock(), ...options })
  }

  afterEach(async () => {
    await dispatcher.destroy()
    await server.close()
  })

  test('Warning headers repeated on the wire are all reported', async () => {
    const client = await realClient((_req, res) => {
      res.setHeader('Warning', ['299 - "unknown field \\"spec.foo\\""', '299 - "v1beta1 is deprecated"'])
      res.setHeader('content-type', 'application/json')
      res.end('{}')
    })
    const { warnings } = await client.json(GET)
    expect(warnings).toEqual(['unknown field "spec.foo"', 'v1beta1 is deprecated'])
  })

  test('whole answers are asked for gzipped and read back; streams are not', async () => {
    const seen: (string | undefined)[] = []
    const list = { kind: 'ConfigMapList', items: [{ metadata: { name: 'a'.repeat(2000) } }] }
    const client = await realClient((req, res) => {
      seen.push(req.headers['accept-encoding'])
      if (req.headers['accept-encoding'] === 'gzip') {
        res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' })
        res.end(gzipSync(JSON.stringify(list)))
      } else res.end('{"type":"BOOKMARK"}\n')
    })
    expect((await client.json(GET)).body).toEqual(list)
    const { body } = await client.stream({ ...GET, verb: 'watch' })
    for await (const _chunk of body) void _chunk
    expect(seen).toEqual(['gzip', undefined])
  })

  test('an answer in an encoding never asked for is an error, not garbage', async () => {
    const client = await realClient((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'br' })
      res.end('not really brotli')
    })
    const error = await rejection(client.json({ ...GET, idempotent: false }))
    expect(error.message).toContain('unexpected Content-Encoding: br')
  })

  test('an abort while waiting for the answer rejects as aborted and closes the connection', async () => {
    const controller = new AbortController()
    const client = await realClient(() => controller.abort()) // the server never answers
    const error = await rejection(client.json({ ...GET, signal: controller.signal }))
    expect(error.message).toBe('get: request aborted')
    expect(error.details).toMatchObject({ reason: 'Aborted', retryable: false })
    await server.allClosed()
  })

  test('a stream times out only until its headers; the body then runs as long as it runs', async () => {
    const client = await realClient((_req, res) => {
      res.writeHead(200)
      res.write('first\n')
      setTimeout(() => res.end('second\n'), 100)
    })
    const { body } = await client.stream({ ...GET, verb: 'watch', timeoutMs: 30 })
    const chunks: Uint8Array[] = []
    for await (const chunk of body) chunks.push(chunk)
    expect(Buffer.concat(chunks).toString()).toBe('first\nsecond\n')
  })

  test('a body that stops mid-way past the timeout is a Timeout, retried for GET', async () => {
    let sent = 0
    const client = await realClient(
      (_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json' })
        if (++sent === 1) return void res.write('{"partial":') // never finished
        res.end('{"whole":true}')
      },
      { timeoutMs: 50 }
    )
    await expect(client.json(GET)).resolves.toMatchObject({ body: { whole: true } })
    expect(client.stats.retries).toBe(1)
  })
})
