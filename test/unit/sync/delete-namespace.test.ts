import { describe, expect, test } from '@jest/globals'
import type { KubeObject } from '../../../src/model/object.js'
import type { OperationResult } from '../../../src/sync/operation.js'
import type { SyncSettings } from '../../../src/sync/settings.js'
import { Scenario, configMapManifest, manifestFiles } from '../../support/scenario.js'

// The delete operation's last step on the in-memory API server (sync-semantics §10.1.6, §10.2): a
// namespace is listed, every kind, before it is deleted; another application's objects or inventory
// records in it keep it, and so does a kind that could not be listed.

const SHARED = 'shared'
/** `app` syncs into the shared namespace, its records there too; each records the namespace as created. */
const into = (app: string, overrides: Partial<SyncSettings> = {}): Partial<SyncSettings> => ({
  app,
  namespace: SHARED,
  inventoryNamespace: SHARED,
  syncOptions: { CreateNamespace: 'true' },
  ...overrides
})
const remove = (s: Scenario, app: string): Promise<OperationResult> =>
  s.sync({}, into(app, { operation: 'delete', operationId: `delete-${app}` }))

function namespaceTask(result: OperationResult) {
  const task = result.report?.tasks.find(t => t.kind === 'Namespace' && t.name === SHARED)
  if (!task) throw new Error(`no Namespace task in ${JSON.stringify(result.report?.tasks.map(t => t.name))}`)
  return { phase: task.phase, result: task.result, state: task.state, message: task.message }
}

/** A scenario where `shop` created the shared namespace and synced one ConfigMap into it. */
async function shopInstalled(): Promise<Scenario> {
  const s = new Scenario(['default'])
  expect((await s.sync(manifestFiles(configMapManifest('shop-settings')), into('shop'))).exitCode).toBe(0)
  return s
}

/** Objects any namespace gets without an application: none carries a tracking id. */
function bystanders(s: Scenario): void {
  const meta = (name: string): KubeObject['metadata'] => ({ name, namespace: SHARED })
  s.cluster.seed(
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: meta('default') },
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: meta('kube-root-ca.crt'), data: { 'ca.crt': 'x' } },
    { apiVersion: 'v1', kind: 'Pod', metadata: meta('debug'), spec: { containers: [] } },
    { apiVersion: 'v1', kind: 'Event', metadata: meta('debug.1'), reason: 'Scheduled' }
  )
}

describe('a namespace shared by two applications (§10.2)', () => {
  test('deleting the first keeps it and says why; deleting the second then removes it', async () => {
    const s = await shopInstalled()
    expect((await s.sync(manifestFiles(configMapManifest('settings')), into('other'))).exitCode).toBe(0)

    const first = await remove(s, 'shop')
    expect(first.exitCode).toBe(0)
    expect(first.report?.phase).toBe('Succeeded')
    expect(namespaceTask(first)).toEqual({
      phase: 'NamespaceCleanup',
      result: 'DeleteSkipped',
      state: 'Succeeded',
      message:
        'namespace kept: it holds objects of other applications (ConfigMap shared/settings (tracked by other), Secret shared/wavesync.v1.other.v1 (inventory record of other))'
    })
    expect(s.cluster.find('Namespace', SHARED)?.metadata.deletionTimestamp).toBeUndefined()
    expect(s.cluster.find('ConfigMap', 'shop-settings')).toBeUndefined()
    expect(s.cluster.find('ConfigMap', 'settings')).toBeDefined()
    expect(s.cluster.writes().filter(w => w.verb === 'delete' && w.kind === 'Namespace')).toEqual([])

    bystanders(s)
    const second = await remove(s, 'other')
    expect(second.exitCode).toBe(0)
    expect(namespaceTask(second)).toMatchObject({ result: 'Deleted', state: 'Succeeded' })
    expect(s.cluster.find('Namespace', SHARED)).toBeUndefined()
    // The records went with their namespace (§10.1.7): said once, not as failed writes.
    expect(second.report?.warnings).toEqual([])
    expect(second.report?.notes).toContain('the inventory records went with namespace shared')
  })

  test('every namespaced kind served is listed in the namespace before the DELETE', async () => {
    const s = await shopInstalled()
    const from = s.cluster.requests.length
    await remove(s, 'shop')
    const requests = s.cluster.requests.slice(from)
    const deleted = requests.findIndex(r => r.verb === 'delete' && r.kind === 'Namespace' && !r.dryRun)
    const listed = requests
      .slice(0, deleted)
      .filter(r => r.verb === 'list' && r.namespace === SHARED && r.detail === '')
      .map(r => r.kind)
    for (const kind of ['ConfigMap', 'Deployment', 'Event', 'Job', 'Lease', 'Pod', 'Secret', 'Service'])
      expect(listed).toContain(kind)
    expect(s.cluster.find('Namespace', SHARED)).toBeUndefined()
  })
})

describe('what keeps a namespace, and what does not (§10.2)', () => {
  test('objects without a tracking id and the application’s own records do not keep it', async () => {
    const s = await shopInstalled()
    bystanders(s)
    const result = await remove(s, 'shop')
    expect(namespaceTask(result)).toMatchObject({ result: 'Deleted', message: 'deleted' })
    expect(s.cluster.find('Namespace', SHARED)).toBeUndefined()
  })

  test('a custom resource tracked by another application keeps it', async () => {
    const s = await shopInstalled()
    s.cluster.serveKind({
      group: 'example.com',
      versions: ['v1'],
      kind: 'Widget',
      plural: 'widgets',
      namespaced: true,
      generation: true,
      statusSubresource: false
    })
    const annotations = { 'wavesync.dev/tracking-id': 'other:example.com/Widget:shared/w' }
    s.cluster.seed({
      apiVersion: 'example.com/v1',
      kind: 'Widget',
      metadata: { name: 'w', namespace: SHARED, annotations }
    })
    const result = await remove(s, 'shop')
    expect(namespaceTask(result)).toMatchObject({
      result: 'DeleteSkipped',
      message:
        'namespace kept: it holds objects of other applications (example.com/Widget shared/w (tracked by other))'
    })
  })

  test('a kind that cannot be listed keeps it, and is named', async () => {
    const s = await shopInstalled()
    s.cluster.inject({
      verb: 'list',
      kind: 'Lease',
      namespace: SHARED,
      status: 403,
      message: 'leases.coordination.k8s.io is forbidden: User "ci" cannot list resource "leases"',
      times: Infinity
    })
    const result = await remove(s, 'shop')
    expect(result.exitCode).toBe(0)
    expect(namespaceTask(result)).toMatchObject({
      result: 'DeleteSkipped',
      message:
        "namespace kept: it could not be shown free of other applications' objects: cannot list leases.coordination.k8s.io (forbidden)"
    })
    expect(s.cluster.find('Namespace', SHARED)?.metadata.deletionTimestamp).toBeUndefined()
  })

  test('many objects of other applications: a few are named, the rest counted', async () => {
    const s = await shopInstalled()
    const tracked = (name: string): KubeObject => ({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: {
        name,
        namespace: SHARED,
        annotations: { 'wavesync.dev/tracking-id': `other:/ConfigMap:shared/${name}` }
      }
    })
    s.cluster.seed(...['e', 'd', 'c', 'b', 'a'].map(tracked))
    const result = await remove(s, 'shop')
    expect(namespaceTask(result).message).toBe(
      'namespace kept: it holds objects of other applications (ConfigMap shared/a (tracked by other), ConfigMap shared/b (tracked by other), ConfigMap shared/c (tracked by other) and 2 more)'
    )
  })
})

describe('a pruned Namespace holding another application’s objects (§10.2 applied to §7.4)', () => {
  const namespace = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: SHARED } }
  const shop = (...objects: object[]) =>
    manifestFiles(configMapManifest('shop-home', { namespace: 'default' }), ...objects)

  test('is kept, PruneSkipped, naming them; without them it is pruned', async () => {
    const s = new Scenario(['default'])
    const sync = (app: string, manifests: Record<string, string>) =>
      s.sync(manifests, { app, namespace: SHARED, inventoryNamespace: 'default', prune: true })
    expect((await sync('shop', shop(namespace, configMapManifest('shop-settings')))).exitCode).toBe(0)
    expect((await sync('other', manifestFiles(configMapManifest('settings')))).exitCode).toBe(0)

    const pruned = await sync('shop', shop())
    expect(pruned.exitCode).toBe(0)
    expect(namespaceTask(pruned)).toEqual({
      phase: 'Sync',
      result: 'PruneSkipped',
      state: 'Succeeded',
      message:
        'namespace kept: it holds objects of other applications (ConfigMap shared/settings (tracked by other))'
    })
    expect(s.cluster.find('Namespace', SHARED)).toBeDefined()
    expect(s.cluster.find('ConfigMap', 'settings', SHARED)).toBeDefined()
  })
})

describe('dry-run: true of a delete (§8.4) predicts what the real run keeps (§10.2)', () => {
  test('a namespace another application lives in is predicted kept, the rest deleted; nothing written', async () => {
    const s = await shopInstalled()
    expect((await s.sync(manifestFiles(configMapManifest('settings')), into('other'))).exitCode).toBe(0)
    const from = s.cluster.requests.length

    const dry = await s.sync({}, into('shop', { operation: 'delete', dryRun: true, operationId: 'dry' }))
    expect(dry.exitCode).toBe(0)
    const predicted = dry.report?.tasks.map(t => [t.kind, t.name, t.wouldBe, t.message])
    expect(predicted).toContainEqual([
      'Namespace',
      SHARED,
      'skipped',
      'namespace kept: it holds objects of other applications (ConfigMap shared/settings (tracked by other), Secret shared/wavesync.v1.other.v1 (inventory record of other))'
    ])
    expect(predicted).toContainEqual(['ConfigMap', 'shop-settings', 'deleted', 'deleted (dry run)'])
    expect(s.cluster.writes().filter(w => w.seq >= from)).toEqual([])
  })
})
