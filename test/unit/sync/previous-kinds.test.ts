import { describe, expect, test } from '@jest/globals'
import type { KubeObject } from '../../../src/model/object.js'
import { Scenario, configMapManifest, crdManifest, manifestFiles } from '../../support/scenario.js'
import { NS } from '../../support/sync-builders.js'

// Whole syncs after the kind of a previously applied object changed on the server (sync-semantics
// §7.2): a version its CRD retired is read and pruned at the version served now; a CRD uninstalled
// drops the entry with a notice instead of failing this and every later operation.

const CRD_NAME = 'gadgets.example.com'

/** The Gadget CRD (established), serving the versions marked true. */
const gadgetCrd = (versions: Record<string, boolean>): KubeObject =>
  crdManifest({ kind: 'Gadget', versions, established: true })

const gadget = (name: string): KubeObject => ({
  apiVersion: 'example.com/v1',
  kind: 'Gadget',
  metadata: { name },
  spec: { size: 1 }
})

/** A first sync applies ConfigMap `keep` and Gadget `old` (example.com/v1); then the CRD changes. */
async function afterFirstSync(change: (s: Scenario) => void): Promise<Scenario> {
  const s = new Scenario()
  s.healthyControllers()
  s.cluster.seed(gadgetCrd({ v1: true }))
  expect((await s.sync(manifestFiles(configMapManifest('keep'), gadget('old')))).exitCode).toBe(0)
  change(s)
  await s.clock.advance(60_000)
  return s
}

const retireV1 = (s: Scenario): void => {
  s.cluster.update('CustomResourceDefinition', CRD_NAME, undefined, 'v1 retired', crd => {
    crd['spec'] = gadgetCrd({ v1: false, v2: true })['spec']
  })
}

describe('a previous object whose version its CRD retired (§7.2, §7.4)', () => {
  test('prune on: it is pruned at the version served now', async () => {
    const s = await afterFirstSync(retireV1)
    const result = await s.sync(manifestFiles(configMapManifest('keep')), {
      prune: true,
      operationId: 'run-2'
    })
    expect(result.exitCode).toBe(0)
    expect(result.report?.tasks.find(t => t.name === 'old')).toMatchObject({
      type: 'prune',
      result: 'Pruned',
      state: 'Succeeded'
    })
    expect(s.cluster.find('Gadget', 'old', NS)).toBeUndefined()
    expect(result.issues.map(i => i.message)).toEqual([])
  })

  test('prune off: it is retained, recorded at the version served now', async () => {
    const s = await afterFirstSync(retireV1)
    const result = await s.sync(manifestFiles(configMapManifest('keep')), { operationId: 'run-2' })
    expect(result.exitCode).toBe(0)
    expect(s.cluster.find('Gadget', 'old', NS)).toBeDefined()
    const retained = (await s.records())[1]?.retained
    expect(retained?.map(o => `${o.group}/${o.version} ${o.kind} ${o.name}: ${o.reason}`)).toEqual([
      'example.com/v2 Gadget old: ignored (requires pruning)'
    ])
  })
})

describe('a previous object whose CRD was uninstalled (§7.2)', () => {
  test.each([
    ['prune on', true],
    ['prune off', false]
  ])('%s: the sync succeeds; the entry is dropped and reported', async (_case, prune) => {
    const s = await afterFirstSync(s => s.cluster.forceDelete('CustomResourceDefinition', CRD_NAME))
    const result = await s.sync(manifestFiles(configMapManifest('keep')), { prune, operationId: 'run-2' })
    expect(result.exitCode).toBe(0)
    expect(result.report?.tasks.map(t => `${t.type} ${t.kind}/${t.name}`)).toEqual([
      'resource ConfigMap/keep'
    ])
    expect(result.issues.map(i => `${i.file}: ${i.message}`)).toEqual([
      `(inventory): inventory: example.com/Gadget ${NS}/old: the server no longer serves example.com/v1 Gadget, nor Gadget at any other version; dropped from the inventory`
    ])
    const latest = (await s.records())[1]
    expect(latest?.status).toBe('deployed')
    expect(latest?.retained).toEqual([])
  })
})
