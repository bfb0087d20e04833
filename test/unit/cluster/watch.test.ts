import { once } from 'node:events'
import type { Server, ServerResponse } from 'node:http'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach, describe, expect, test } from '@jest/globals'
import { Agent } from 'undici'
import type { WatchEvent } from '../../../src/cluster/port.js'
import { ApiClient } from '../../../src/cluster/http.js'
import { LineSplitter, watchStream } from '../../../src/cluster/watch.js'
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

// A real server, for what MockAgent cannot do: send a body in small chunks over time.
let server: Server | undefined
let respond: (res: ServerResponse) => void = res => res.end()

afterEach(async () => {
  if (server === undefined) return
  server.closeAllConnections()
  server.close()
  await once(server, 'close')
  server = undefined
})

async function streamingClient(): Promise<{ api: ApiClient; dispatcher: Agent }> {
  server = createServer((_req, res) => respond(res))
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const { port } = server.address() as AddressInfo
  const dispatcher = new Agent()
  return { api: new ApiClient(`http://127.0.0.1:${port}`, staticAuth(), { dispatcher }), dispatcher }
}

describe('watch over a real HTTP stream', () => {
  const target = { path: PATH, apiVersion: 'apps/v1', kind: 'Deployment' }
  const params = { resourceVersion: '1', timeoutSeconds: 60 }

  test('events split across chunks at arbitrary bytes (inside JSON, inside a UTF-8 character)', async () => {
    const text =
      line('ADDED', { metadata: { name: 'ünïcödé', resourceVersion: '2' } }) +
      line('BOOKMARK', { metadata: { resourceVersion: '3' } })
    const bytes = Buffer.from(text)
    respond = res => {
      res.writeHead(200, { 'content-type': 'application/json' })
      let offset = 0
      const step = (): void => {
        if (offset >= bytes.length) return void res.end()
        res.write(bytes.subarray(offset, offset + 7))
        offset += 7
        setTimeout(step, 1)
      }
      step()
    }
    const { api, dispatcher } = await streamingClient()
    const events: WatchEvent[] = []
    const end = await watchStream(api, target, params, e => events.push(e), new AbortController().signal)
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
    await dispatcher.close()
  })

  test('aborting an open, silent stream ends it as aborted (no 30 s cut, no hang)', async () => {
    respond = res => {
      res.writeHead(200, { 'content-type': 'application/json' })
      res.write(line('ADDED', deployment('a', '2')))
    }
    const { api, dispatcher } = await streamingClient()
    const controller = new AbortController()
    const end = watchStream(api, target, params, () => controller.abort(), controller.signal)
    await expect(end).resolves.toEqual({ reason: 'aborted' })
    await dispatcher.destroy()
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
