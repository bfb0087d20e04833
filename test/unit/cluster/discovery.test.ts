import { afterEach, beforeEach, describe, expect, test } from '@jest/globals'
import type { Interceptable, MockAgent } from 'undici'
import { Discovery, parseResourceList } from '../../../src/cluster/discovery.js'
import {
  APPS_RESOURCES,
  CORE_RESOURCES,
  JSON_HEADERS,
  mockAgent,
  replyDiscovery,
  status,
  testClient
} from './mock-api.js'

let agent: MockAgent
let api: Interceptable

beforeEach(() => {
  ;({ agent, api } = mockAgent())
})

afterEach(async () => {
  agent.assertNoPendingInterceptors()
  await agent.close()
})

describe('Discovery', () => {
  test('one read per group-version serves every kind in it, concurrent callers included', async () => {
    replyDiscovery(api, '/api/v1', CORE_RESOURCES)
    replyDiscovery(api, '/apis/apps/v1', APPS_RESOURCES)
    const client = testClient(agent)
    const discovery = new Discovery(client)
    const [configMap, pod] = await Promise.all([
      discovery.resource('', 'v1', 'ConfigMap'),
      discovery.resource('', 'v1', 'Pod')
    ])
    expect(configMap).toEqual({
      group: '',
      version: 'v1',
      kind: 'ConfigMap',
      resource: 'configmaps',
      namespaced: true,
      verbs: ['get', 'list', 'watch', 'create', 'patch']
    })
    expect(pod?.resource).toBe('pods') // not pods/log
    expect(await discovery.resource('', 'v1', 'Namespace')).toMatchObject({ namespaced: false })
    expect(await discovery.resource('apps', 'v1', 'Deployment')).toMatchObject({ resource: 'deployments' })
    expect(client.stats.total).toBe(2)
  })

  test('a kind missing from the cache refetches its group-version once (a CRD just established)', async () => {
    const widgets = { name: 'widgets', kind: 'Widget', namespaced: true, verbs: ['get'] }
    replyDiscovery(api, '/apis/example.com/v1', [])
    replyDiscovery(api, '/apis/example.com/v1', [widgets])
    const discovery = new Discovery(testClient(agent))
    await expect(discovery.resource('example.com', 'v1', 'Gadget')).resolves.toBeUndefined()
    await expect(discovery.resource('example.com', 'v1', 'Widget')).resolves.toMatchObject({
      resource: 'widgets'
    })
    await expect(discovery.resource('example.com', 'v1', 'Widget')).resolves.toMatchObject({
      resource: 'widgets'
    })
  })
})

describe('Discovery: misses and failures', () => {
  test('an unknown group-version (404) is undefined; invalidate() forgets everything', async () => {
    api
      .intercept({ path: '/apis/example.com/v1', method: 'GET' })
      .reply(404, status(404, 'NotFound', 'not found'))
    replyDiscovery(api, '/api/v1', CORE_RESOURCES)
    replyDiscovery(api, '/api/v1', CORE_RESOURCES)
    const client = testClient(agent)
    const discovery = new Discovery(client)
    await expect(discovery.resource('example.com', 'v1', 'Widget')).resolves.toBeUndefined()
    await discovery.resource('', 'v1', 'Pod')
    discovery.invalidate()
    await discovery.resource('', 'v1', 'Pod')
    expect(client.stats.byVerb).toEqual({ discovery: 3 })
  })

  test('a failed read is not cached', async () => {
    api.intercept({ path: '/api/v1', method: 'GET' }).reply(403, status(403, 'Forbidden', 'no'))
    replyDiscovery(api, '/api/v1', CORE_RESOURCES)
    const discovery = new Discovery(testClient(agent))
    await expect(discovery.resource('', 'v1', 'Pod')).rejects.toThrow('discovery: no')
    await expect(discovery.resource('', 'v1', 'Pod')).resolves.toMatchObject({ resource: 'pods' })
  })
})

// An inventory entry recorded at a version since retired is read at one still served (§7.2).
describe('Discovery: a kind at any version its group serves', () => {
  const GADGETS = [{ name: 'gadgets', kind: 'Gadget', namespaced: true, verbs: ['get', 'delete'] }]
  const group = (preferred: string, versions: string[]) => ({
    kind: 'APIGroup',
    name: 'example.com',
    versions: versions.map(version => ({ groupVersion: `example.com/${version}`, version })),
    preferredVersion: { groupVersion: `example.com/${preferred}`, version: preferred }
  })
  const replyGroup = (body: object) =>
    api.intercept({ path: '/apis/example.com', method: 'GET' }).reply(200, body, { headers: JSON_HEADERS })

  test('the preferred version first, when it serves the kind', async () => {
    replyGroup(group('v2', ['v1', 'v2']))
    replyDiscovery(api, '/apis/example.com/v2', GADGETS)
    const discovery = new Discovery(testClient(agent))
    await expect(discovery.resourceOfKind('example.com', 'Gadget')).resolves.toMatchObject({
      version: 'v2',
      resource: 'gadgets'
    })
  })

  test('another listed version when the preferred one does not serve the kind', async () => {
    replyGroup(group('v2', ['v2', 'v1']))
    replyDiscovery(api, '/apis/example.com/v2', [])
    replyDiscovery(api, '/apis/example.com/v1', GADGETS)
    const discovery = new Discovery(testClient(agent))
    await expect(discovery.resourceOfKind('example.com', 'Gadget')).resolves.toMatchObject({ version: 'v1' })
  })

  test('the core group lists its versions at /api', async () => {
    api
      .intercept({ path: '/api', method: 'GET' })
      .reply(200, { kind: 'APIVersions', versions: ['v1'] }, { headers: JSON_HEADERS })
    replyDiscovery(api, '/api/v1', CORE_RESOURCES)
    const discovery = new Discovery(testClient(agent))
    await expect(discovery.resourceOfKind('', 'ConfigMap')).resolves.toMatchObject({ version: 'v1' })
  })

  test.each<[string, () => void]>([
    [
      'the group is gone (404)',
      () =>
        void api
          .intercept({ path: '/apis/example.com', method: 'GET' })
          .reply(404, status(404, 'NotFound', 'not found'))
    ],
    [
      'no version serves the kind',
      () => {
        replyGroup(group('v1', ['v1']))
        replyDiscovery(api, '/apis/example.com/v1', [])
      }
    ]
  ])('undefined when %s', async (_case, reply) => {
    reply()
    await expect(
      new Discovery(testClient(agent)).resourceOfKind('example.com', 'Gadget')
    ).resolves.toBeUndefined()
  })

  test('any other failure of the group read is thrown, not taken for "not served"', async () => {
    api.intercept({ path: '/apis/example.com', method: 'GET' }).reply(403, status(403, 'Forbidden', 'no'))
    await expect(new Discovery(testClient(agent)).resourceOfKind('example.com', 'Gadget')).rejects.toThrow(
      'discovery: no'
    )
  })
})

test('parseResourceList skips subresources and malformed entries', () => {
  const list = parseResourceList(
    {
      resources: [
        { name: 'a/status', kind: 'A' },
        { kind: 'NoName' },
        { name: 'bs', kind: 'B', verbs: ['get', 7] }
      ]
    },
    'g',
    'v1'
  )
  expect([...list.values()]).toEqual([
    { group: 'g', version: 'v1', kind: 'B', resource: 'bs', namespaced: false, verbs: ['get'] }
  ])
})
