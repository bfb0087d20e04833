import { describe, expect, test } from '@jest/globals'
import type { ApiResource, ObjectRef } from '../../../src/cluster/port.js'
import { previousInventory } from '../../../src/inventory/lifecycle.js'
import type { InventoryObject, InventoryRecord } from '../../../src/inventory/record.js'
import { ClusterError } from '../../../src/model/errors.js'
import { formatKey } from '../../../src/model/key.js'
import type { KubeObject } from '../../../src/model/object.js'
import { FakeClock } from '../../support/fake-clock.js'
import { FakeCluster } from '../../support/fake-cluster.js'
import { inventoryRecord } from '../../support/inventory-builders.js'
import { crdManifest } from '../../support/scenario.js'

// The previous inventory is read before every operation (sync-semantics §7.2): an entry whose kind
// the server serves at no version (CRD uninstalled) is dropped and reported, never fatal; one whose
// recorded version was retired is read at a version still served (an object is the same at every
// version of its kind, as kubectl and Argo CD treat it); any other failed GET is still fatal.

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
// gadgets.example.com serves v2 only now: v1, which the record names, was retired.
const GADGET_V1 = entry('Gadget', 'g', 'example.com', 'v1')
// things.example.com still exists, but serves no version at all.
const THING = entry('Thing', 't', 'example.com')
// apps/v1beta1 Deployments were retired in Kubernetes 1.16; apps/v1 serves the same objects.
const DEPLOYMENT_V1BETA1 = entry('Deployment', 'web', 'apps', 'v1beta1')

/** A deployed revision holding `objects`, and `retained` ones left in place because pruning was off. */
function record(objects: InventoryObject[], retained: InventoryObject[] = []): InventoryRecord {
  return inventoryRecord({
    status: 'deployed',
    objects,
    retained: retained.map(o => ({ ...o, reason: 'ignored (requires pruning)' }))
  })
}

/** An established CRD of example.com serving only the versions marked served. */
const crd = (kind: string, versions: Record<string, boolean>): KubeObject =>
  crdManifest({ kind, versions, established: true })

function cluster(): FakeCluster {
  const fake = new FakeCluster(new FakeClock(), { namespaces: [NS] })
  const object = (apiVersion: string, kind: string, name: string): KubeObject => ({
    apiVersion,
    kind,
    metadata: { name, namespace: NS }
  })
  fake.seed(
    crd('Gadget', { v1: true, v2: true }),
    crd('Thing', { v1: true }),
    object('v1', 'ConfigMap', 'settings'),
    object('v1', 'ConfigMap', 'kept'),
    object('apps/v1', 'Deployment', 'web'),
    object('example.com/v1', 'Gadget', 'g'),
    object('example.com/v1', 'Thing', 't')
  )
  // The CRDs move on after their objects were written: Gadget to v2 only, Thing to no version.
  fake.update('CustomResourceDefinition', 'gadgets.example.com', undefined, 'retire v1', o => {
    o['spec'] = crd('Gadget', { v1: false, v2: true })['spec']
  })
  fake.update('CustomResourceDefinition', 'things.example.com', undefined, 'retire v1', o => {
    o['spec'] = crd('Thing', { v1: false })['spec']
  })
  return fake
}

const unserved = (o: InventoryObject): string =>
  `${formatKey(o)}: the server no longer serves ${o.group}/${o.version} ${o.kind}, nor ${o.kind} at any other version; dropped from the inventory`

describe('previousInventory', () => {
  test('no previous record: nothing to read', async () => {
    await expect(previousInventory(undefined, cluster(), signal)).resolves.toBeUndefined()
  })

  // entries: `name version` as read (the version a prune deletes at); live: `name apiVersion`.
  test.each<[string, InventoryRecord, { entries: string[]; live: string[]; problems: string[] }]>([
    [
      'live and gone objects are both entries; only the live one has a copy',
      record([CONFIG, GONE]),
      { entries: ['settings v1', 'vanished v1'], live: ['settings v1'], problems: [] }
    ],
    [
      'a kind served at no version (no CRD) among objects is dropped and reported, the rest read',
      record([CONFIG, WIDGET, GONE]),
      { entries: ['settings v1', 'vanished v1'], live: ['settings v1'], problems: [unserved(WIDGET)] }
    ],
    [
      'a kind served at no version among retained objects too',
      record([CONFIG], [WIDGET, entry('ConfigMap', 'kept')]),
      { entries: ['settings v1', 'kept v1'], live: ['kept v1', 'settings v1'], problems: [unserved(WIDGET)] }
    ],
    [
      'a CRD that still exists but serves no version: its kind is not served, dropped',
      record([THING, CONFIG]),
      { entries: ['settings v1'], live: ['settings v1'], problems: [unserved(THING)] }
    ],
    [
      'a built-in kind recorded at a retired version is read at the version served now',
      record([DEPLOYMENT_V1BETA1]),
      { entries: ['web v1'], live: ['web apps/v1'], problems: [] }
    ],
    [
      'a custom kind recorded at a version its CRD retired is read at the one it serves',
      record([GADGET_V1], [entry('Gadget', 'gone', 'example.com', 'v1')]),
      { entries: ['g v2', 'gone v2'], live: ['g example.com/v2'], problems: [] }
    ],
    [
      'a retired version and an unserved kind side by side: only the unserved one is dropped',
      record([GADGET_V1, WIDGET, DEPLOYMENT_V1BETA1]),
      { entries: ['g v2', 'web v1'], live: ['g example.com/v2', 'web apps/v1'], problems: [unserved(WIDGET)] }
    ]
  ])('%s', async (_, previous, expected) => {
    const read = await previousInventory(previous, cluster(), signal)
    expect({
      entries: read?.entries.map(e => `${e.key.name} ${e.version}`),
      live: [...(read?.live.values() ?? [])].map(o => `${o.metadata.name ?? ''} ${o.apiVersion}`).sort(),
      problems: read?.problems
    }).toEqual(expected)
  })

  test('one discovery lookup per recorded kind, however many entries share it', async () => {
    const fake = new CountingCluster(new FakeClock(), { namespaces: [NS] })
    const many = Array.from({ length: 20 }, (_, i) => entry('Deployment', `web-${i}`, 'apps', 'v1beta1'))
    const read = await previousInventory(record([...many, CONFIG]), fake, signal)
    expect(read?.entries.map(e => e.version)).toEqual([...many.map(() => 'v1'), 'v1'])
    expect([...fake.lookups].sort()).toEqual([
      'kind apps/Deployment',
      'resource /v1/ConfigMap',
      'resource apps/v1beta1/Deployment'
    ])
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

/** Counts GETs in flight at once, and lists the discovery lookups. */
class CountingCluster extends FakeCluster {
  peak = 0
  readonly lookups: string[] = []
  private inFlight = 0

  override resource(group: string, version: string, kind: string): Promise<ApiResource | undefined> {
    this.lookups.push(`resource ${group}/${version}/${kind}`)
    return super.resource(group, version, kind)
  }

  override resourceOfKind(group: string, kind: string): Promise<ApiResource | undefined> {
    this.lookups.push(`kind ${group}/${kind}`)
    return super.resourceOfKind(group, kind)
  }

  override async get(ref: ObjectRef, signal?: AbortSignal): Promise<KubeObject | undefined> {
    this.peak = Math.max(this.peak, ++this.inFlight)
    try {
      return await super.get(ref, signal)
    } finally {
      this.inFlight -= 1
    }
  }
}
