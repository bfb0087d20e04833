// An API server at the HTTP level: undici's MockAgent as the dispatcher (no network), a fake clock
// for backoff, and canned discovery documents.
import type { Interceptable, MockCallHistoryLog } from 'undici'
import { MockAgent } from 'undici'
import type { Clock } from '../../../src/clock.js'
import type { Authenticate } from '../../../src/cluster/auth.js'
import type { ClusterOptions } from '../../../src/cluster/client-node.js'
import { ApiServerCluster } from '../../../src/cluster/client-node.js'
import type { ApiClientOptions } from '../../../src/cluster/http.js'
import { ApiClient } from '../../../src/cluster/http.js'

export const SERVER = 'https://k8s.test:6443'

/** A MockAgent that refuses real connections and records every call. */
export function mockAgent(): { agent: MockAgent; api: Interceptable } {
  const agent = new MockAgent({ enableCallHistory: true })
  agent.disableNetConnect()
  return { agent, api: agent.get(SERVER) }
}

/** A clock whose sleeps return at once and advance time; the delays asked for are kept. */
export function fakeClock(start = 1_000_000): Clock & { sleeps: number[]; advance(ms: number): void } {
  let now = start
  const sleeps: number[] = []
  return {
    sleeps,
    now: () => now,
    sleep: async ms => {
      sleeps.push(ms)
      now += ms
    },
    advance: ms => {
      now += ms
    }
  }
}

/** Static bearer credentials; counts how often they were asked for. */
export function staticAuth(token = 'test-token-0123456789'): Authenticate & { calls: number } {
  const authenticate = Object.assign(
    async () => {
      authenticate.calls += 1
      return { headers: { Authorization: `Bearer ${token}` } }
    },
    { calls: 0 }
  )
  return authenticate
}

export function testClient(
  agent: MockAgent,
  options: ApiClientOptions & { authenticate?: Authenticate } = {}
): ApiClient {
  const { authenticate, ...rest } = options
  return new ApiClient(SERVER, authenticate ?? staticAuth(), {
    dispatcher: agent,
    clock: fakeClock(),
    random: () => 0.5,
    ...rest
  })
}

export function testCluster(agent: MockAgent, options: ClusterOptions = {}): ApiServerCluster {
  return new ApiServerCluster(testClient(agent, options), options)
}

/** Matches a request path whatever its query string (MockAgent compares queries too). */
export function onPath(path: string): (actual: string) => boolean {
  return actual => actual.split('?')[0] === path
}

/** Every recorded call, oldest first. */
export function calls(agent: MockAgent): MockCallHistoryLog[] {
  return agent.getCallHistory()?.calls() ?? []
}

/** The last recorded call (fails the test when there is none). */
export function lastCall(agent: MockAgent): MockCallHistoryLog {
  const call = agent.getCallHistory()?.lastCall()
  if (call === undefined) throw new Error('no request was sent')
  return call
}

/** A request header as sent (names are case-insensitive; undici keeps the case ApiClient used). */
export function header(call: MockCallHistoryLog, name: string): string | undefined {
  for (const [key, value] of Object.entries(call.headers ?? {})) {
    if (key.toLowerCase() === name.toLowerCase()) return Array.isArray(value) ? value.join(', ') : value
  }
  return undefined
}

export function jsonBody(call: MockCallHistoryLog): unknown {
  return typeof call.body === 'string' ? JSON.parse(call.body) : undefined
}

const JSON_HEADERS = { 'content-type': 'application/json' }

/** Answers one GET of a discovery document with these resources. */
export function replyDiscovery(api: Interceptable, path: string, resources: readonly object[]): void {
  api.intercept({ path, method: 'GET' }).reply(
    200,
    { kind: 'APIResourceList', groupVersion: path.replace(/^\/apis?\//, ''), resources },
    {
      headers: JSON_HEADERS
    }
  )
}

export const CORE_RESOURCES = [
  {
    name: 'configmaps',
    kind: 'ConfigMap',
    namespaced: true,
    verbs: ['get', 'list', 'watch', 'create', 'patch']
  },
  { name: 'namespaces', kind: 'Namespace', namespaced: false, verbs: ['get', 'list', 'create'] },
  { name: 'pods', kind: 'Pod', namespaced: true, verbs: ['get', 'list', 'watch'] },
  { name: 'pods/log', kind: 'Pod', namespaced: true, verbs: ['get'] },
  { name: 'events', kind: 'Event', namespaced: true, verbs: ['get', 'list'] }
]

export const APPS_RESOURCES = [
  { name: 'deployments/scale', kind: 'Scale', namespaced: true, verbs: ['get', 'patch'] },
  { name: 'deployments', kind: 'Deployment', namespaced: true, verbs: ['get', 'list', 'patch', 'delete'] },
  { name: 'deployments/status', kind: 'Deployment', namespaced: true, verbs: ['get', 'patch'] }
]

export const BATCH_RESOURCES = [{ name: 'jobs', kind: 'Job', namespaced: true, verbs: ['create', 'delete'] }]

/** A metav1.Status body as the API server sends it. */
export function status(code: number, reason: string, message: string, causes?: object[]): object {
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message,
    reason,
    code,
    ...(causes ? { details: { causes } } : {})
  }
}

export { JSON_HEADERS }
