import { describe, expect, test } from '@jest/globals'
import type { ObjectRef } from '../../../src/cluster/port.js'
import { previousInventory } from '../../../src/inventory/lifecycle.js'
import type { InventoryObject, InventoryRecord } from '../../../src/inventory/record.js'
import { ClusterError } from '../../../src/model/errors.js'
import { formatKey } from '../../../src/model/key.js'
import type { KubeObject } from '../../../src/model/object.js'
import { FakeClock } from '../../support/fake-clock.js'
import { FakeCluster } from '../../support/fake-cluster.js'

// The previous inventory is read before every operation (sync-semantics §7.2): an entry whose kind
// is gone (CRD uninstalled) is dropped and reported, never fatal; any other failed GET still is.

const NS = 'shop'
const signal = new AbortController().signal

const entry = (kind: string, name: string, group = '', version = 'v1'): InventoryObject => ({
  group,
  version,
  kind,
  namespace: NS,
  name,
  wave: 0,
  createdNamespace: false
})
const CONFIG = entry('ConfigMap', 'settings')
const GONE = entry('ConfigMap', 'vanished')
// No CRD defines example.com Widget: the fake, like the adapter, answers UnknownKind.
const WIDGET = entry('Widget', 'w', 'example.com')

function record(objects: InventoryObject[], retained: InventoryObject[] = []): InventoryRecord {
  return {
    schema: 1,
    app: 'shop',
    revision: 1,
    status: 'deployed',
    source: { commit: 'abc', paths: ['k8s/'] },
    operation: { type: 'sync', mode: 'install', id: '1-1', startedAt: '2024-11-21T12:00:00Z' },
    objects,
    retained: retained.map(o => ({ ...o, reason: 'ignored (requires pruning)' })),
    hooks: [],
    manifests: []
  }
}

function cluster(): FakeCluster {
  const fake = new FakeCluster(new FakeClock(), { namespaces: [NS] })
  const cm = (name: string): KubeObject => ({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name, namespace: NS }
  })
  fake.seed(cm('settings'), cm('kept'))
  return fake
}

const unserved = (o: InventoryObject): string =>
  `${formatKey(o)}: the server no longer serves ${o.group}/${o.version} ${o.kind}; dropped from the inventory`

describe('previousInventory', () => {
  test('no previous record: nothing to read', async () => {
    await expect(previousInventory(undefined, cluster(), signal)).resolves.toBeUndefined()
  })

  test.each<[string, InventoryRecord, { entries: string[]; live: string[]; problems: string[] }]>([
    [
      'live and gone objects are both entries; only the live one has a copy',
      record([CONFIG, GONE]),
      { entries: ['settings', 'vanished'], live: ['settings'], problems: [] }
    ],
    [
      'an unserved kind among objects is dropped and reported, the rest read',
      record([CONFIG, WIDGET, GONE]),
      { entries: ['settings', 'vanished'], live: ['settings'], problems: [unserved(WIDGET)] }
    ],
    [
      'an unserved kind among retained objects too',
      record([CONFIG], [WIDGET, entry('ConfigMap', 'kept')]),
      { entries: ['settings', 'kept'], live: ['settings', 'kept'], problems: [unserved(WIDGET)] }
    ],
    [
      'a version no longer served is an unserved kind',
      record([entry('Deployment', 'web', 'apps', 'v1beta1')]),
      {
        entries: [],
        live: [],
        problems: [unserved(entry('Deployment', 'web', 'apps', 'v1beta1'))]
      }
    ]
  ])('%s', async (_, previous, expected) => {
    const read = await previousInventory(previous, cluster(), signal)
    expect({
      entries: read?.entries.map(e => e.key.name),
      live: [...(read?.live.values() ?? [])].map(o => o.metadata.name).sort(),
      problems: read?.problems
    }).toEqual({ ...expected, live: [...expected.live].sort() })
  })

  test.each<[string, number, string]>([
    ['forbidden', 403, 'configmaps "settings" is forbidden'],
    ['a server error', 500, 'etcd unavailable']
  ])('any other failed GET (%s) fails loudly, naming the object', async (_, status, message) => {
    const fake = cluster()
    fake.inject({ verb: 'get', kind: 'ConfigMap', name: 'settings', status, message })
    const failure = previousInventory(record([WIDGET, CONFIG]), fake, signal)
    await expect(failure).rejects.toThrow(ClusterError)
    await expect(failure).rejects.toThrow(`get /ConfigMap ${NS}/settings: ${message}`)
  })

  test('GETs are bounded: a large record is not read all at once', async () => {
    const fake = new CountingCluster(new FakeClock(), { namespaces: [NS] })
    const many = Array.from({ length: 40 }, (_, i) => entry('ConfigMap', `cm-${i}`))
    const read = await previousInventory(record(many), fake, signal)
    expect(read?.entries).toHaveLength(40)
    expect(fake.peak).toBeGreaterThan(1)
    expect(fake.peak).toBeLessThanOrEqual(8)
  })
})

/** Counts GETs in flight at once. */
class CountingCluster extends FakeCluster {
  peak = 0
  private inFlight = 0

  override async get(ref: ObjectRef, signal?: AbortSignal): Promise<KubeObject | undefined> {
    this.peak = Math.max(this.peak, ++this.inFlight)
    try {
      return await super.get(ref, signal)
    } finally {
      this.inFlight -= 1
    }
  }
}
