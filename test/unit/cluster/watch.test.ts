import { afterEach, describe, expect, test } from '@jest/globals'
import { Agent } from 'undici'
import type { WatchEvent } from '../../../src/cluster/port.js'
import { ApiClient } from '../../../src/cluster/http.js'
import { LineSplitter, watchStream } from '../../../src/cluster/watch.js'
import type { Respond, TestServer } from './http-server.js'
import { startServer } from './http-server.js'
import {
  APPS_RESOURCES,
  lastCall,
  mockAgent,
  onPath,
  replyDiscovery,
  staticAuth,
  status,
  testCluster
} from './mock-api.js'

const PATH = '/apis/apps/v1/namespaces/shop/deployments'
const REF = { group: 'apps', version: 'v1', kind: 'Deployment', namespace: 'shop' }

const line = (type: string, object: object): string => `${JSON.stringify({ type, object })}\n`
const deployment = (name: string, rv: string) => ({ metadata: { name, resourceVersion: rv } })

/** A watch answered by MockAgent with a whole body (discovery included); agent checked afterwards. */
async function run(body: string, statusCode = 200) {
  const { agent, api } = mockAgent()
  replyDiscovery(api, '/apis/apps/v1', APPS_RESOURCES)
  api.intercept({ path: onPath(PATH), method: 'GET' }).reply(statusCode, body)
  const events: WatchEvent[] = []
  const cluster = testCluster(agent, { watchTimeoutSeconds: 120 })
  const options = { resourceVersion: '10', labelSelector: 'app=web' }
  const end = await cluster.watch(REF, options, e => events.push(e), new AbortController().signal)
  const call = lastCall(agent)
  agent.assertNoPendingInterceptors()
  await agent.close()
  return { end, events, call }
}

describe('watch over MockAgent: request and events', () => {
  test('the request asks for bookmarks from a resourceVersion, with a server-side timeout', async () => {
    const { call } = await run('')
    expect(call.searchParams).toEqual({
      watch: '1',
      allowWatchBookmarks: 'true',
      resourceVersion: '10',
      timeoutSeconds: '120',
      labelSelector: 'app=web'
    })
  })

  test('events in order, apiVersion/kind filled in, bookmarks as versions; stream end is closed', async () => {
    const body =
      line('ADDED', deployment('a', '11')) +
      line('MODIFIED', { apiVersion: 'apps/v1', kind: 'Deployment', ...deployment('a', '12') }) +
      line('BOOKMARK', { kind: 'Deployment', apiVersion: 'apps/v1', metadata: { resourceVersion: '15' } }) +
      '\n' +
      line('DELETED', deployment('a', '16')).trimEnd() // last line without newline
    const { end, events } = await run(body)
    expect(end).toEqual({ reason: 'closed' })
    expect(events).toEqual([
      { type: 'ADDED', object: { apiVersion: 'apps/v1', kind: 'Deployment', ...deployment('a', '11') } },
      { type: 'MODIFIED', object: { apiVersion: 'apps/v1', kind: 'Deployment', ...deployment('a', '12') } },
      { type: 'BOOKMARK', resourceVersion: '15' },
      { type: 'DELETED', object: { apiVersion: 'apps/v1', kind: 'Deployment', ...deployment('a', '16') } }
    ])
  })
})

describe('watch over MockAgent: how a watch ends', () => {
  test('an ERROR event with code 410 ends the watch as expired; events before it are delivered', async () => {
    const body =
      line('ADDED', deployment('a', '11')) +
      line('ERROR', status(410, 'Expired', 'too old resource version: 10 (200)')) +
      line('ADDED', deployment('b', '12'))
    const { end, events } = await run(body)
    expect(end).toEqual({ reason: 'expired' })
    expect(events).toHaveLength(1)
  })

  test('another ERROR event is an error carrying the Status', async () => {
    const { end } = await run(line('ERROR', status(500, 'InternalError', 'etcd unhappy')))
    expect(end).toMatchObject({ reason: 'error', error: { message: 'watch: etcd unhappy' } })
  })

  test('HTTP 410 at the start is expired', async () => {
    const { end } = await run(JSON.stringify(status(410, 'Gone', 'gone')), 410)
    expect(end).toEqual({ reason: 'expired' })
  })

  test('HTTP 403 at the start (RBAC allows get, not watch) is an error carrying the status', async () => {
    const { end } = await run(JSON.stringify(status(403, 'Forbidden', 'cannot watch')), 403)
    expect(end).toMatchObject({ reason: 'error', error: { details: { status: 403, reason: 'Forbidden' } } })
  })
})

// A real server, for what MockAgent cannot do: send a body in small chunks over time, keep a stream
// open, and show whether the client let go of the connection.
let server: TestServer | undefined
let dispatcher: Agent | undefined

afterEach(async () => {
  await dispatcher?.destroy()
  await server?.close()
  server = undefined
  dispatcher = undefined
})

async function streamingClient(respond: Respond): Promise<{ api: ApiClient; server: TestServer }> {
  server = await startServer(respond)
  dispatcher = new Agent()
  return { api: new ApiClient(server.url, staticAuth(), { dispatcher }), server }
}

/** Answers 200 and writes these lines, leaving the stream open as a quiet watch does. */
function openStream(text: string): Respond {
  return (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' })
    res.write(text)
  }
}

describe('watch over a real HTTP stream', () => {
  const target = { path: PATH, apiVersion: 'apps/v1', kind: 'Deployment' }
  const params = { resourceVersion: '1', timeoutSeconds: 60 }
  const never = new AbortController().signal

  test('events split across chunks at arbitrary bytes (inside JSON, inside a UTF-8 character)', async () => {
    const text =
      line('ADDED', { metadata: { name: 'ünïcödé', resourceVersion: '2' } }) +
      line('BOOKMARK', { metadata: { resourceVersion: '3' } })
    const bytes = Buffer.from(text)
    const { api } = await streamingClient((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' })
      let offset = 0
      const step = (): void => {
        if (offset >= bytes.length) return void res.end()
        res.write(bytes.subarray(offset, offset + 7))
        offset += 7
        setTimeout(step, 1)
      }
      step()
    })
    const events: WatchEvent[] = []
    const end = await watchStream(api, target, params, e => events.push(e), never)
    expect(end).toEqual({ reason: 'closed' })
    expect(events).toEqual([
      {
        type: 'ADDED',
        object: {
          apiVersion: 'apps/v1',
          kind: 'Deployment',
          metadata: { name: 'ünïcödé', resourceVersion: '2' }
        }
      },
      { type: 'BOOKMARK', resourceVersion: '3' }
    ])
  })

  test('aborting an open, silent stream ends it as aborted and closes its connection', async () => {
    const { api, server } = await streamingClient(openStream(line('ADDED', deployment('a', '2'))))
    const controller = new AbortController()
    const end = watchStream(api, target, params, () => controller.abort(), controller.signal)
    await expect(end).resolves.toEqual({ reason: 'aborted' })
    await server.allClosed() // hangs (test timeout) if the aborted stream kept its socket
  })

  test('a watch that ends mid-stream (ERROR 410) closes the still-open stream', async () => {
    const text = line('ADDED', deployment('a', '2')) + line('ERROR', status(410, 'Expired', 'too old'))
    const { api, server } = await streamingClient(openStream(text))
    const events: WatchEvent[] = []
    await expect(watchStream(api, target, params, e => events.push(e), never)).resolves.toEqual({
      reason: 'expired'
    })
    expect(events).toHaveLength(1)
    await server.allClosed()
  })

  test('a line that is not JSON ends the watch as a retryable error and closes the stream', async () => {
    const { api, server } = await streamingClient(openStream('<html>proxy error</html>\n'))
    const end = await watchStream(api, target, params, () => undefined, never)
    expect(end).toMatchObject({
      reason: 'error',
      error: {
        message: 'watch: the watch stream carried a line that is not JSON',
        details: { retryable: true }
      }
    })
    await server.allClosed()
  })

  test('an error answer (403) is read whole: the Status is reported and the connection reused', async () => {
    const { api, server } = await streamingClient((req, res) => {
      const forbidden = req.url?.includes('watch=1') === true
      res.writeHead(forbidden ? 403 : 200, { 'content-type': 'application/json' })
      res.end(JSON.stringify(forbidden ? status(403, 'Forbidden', 'cannot watch') : { kind: 'List' }))
    })
    const end = await watchStream(api, target, params, () => undefined, never)
    expect(end).toMatchObject({ reason: 'error', error: { message: 'watch: cannot watch' } })
    // undici returns a connection to the pool a tick after its response ends. An unread body would
    // keep it busy for good, and the next request would need a second connection.
    await new Promise(resolve => setImmediate(resolve))
    await expect(api.json({ method: 'GET', path: PATH, verb: 'list' })).resolves.toMatchObject({
      body: { kind: 'List' }
    })
    expect(server.accepted).toBe(1)
  })
})

test('LineSplitter keeps partial lines and multi-byte characters across chunks', () => {
  const bytes = Buffer.from('{"a":"é"}\n\n{"b":1}')
  const splitter = new LineSplitter()
  const lines: string[] = []
  for (let i = 0; i < bytes.length; i++) lines.push(...splitter.push(bytes.subarray(i, i + 1)))
  lines.push(...splitter.end())
  expect(lines).toEqual(['{"a":"é"}', '{"b":1}'])
})
