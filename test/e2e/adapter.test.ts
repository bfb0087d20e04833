import { afterAll, beforeAll, describe, expect, jest, test } from '@jest/globals'
import { createCluster } from '../../src/cluster/client-node.js'
import { loadKubeConfig } from '../../src/cluster/kubeconfig.js'
import { KUBECONFIG } from './support/cluster.js'
import { freshNamespace, kubeClients } from './support/kube.js'

jest.setTimeout(60_000)
const NS = 'e2e-dry-run'
const { core } = kubeClients()
const cluster = createCluster(loadKubeConfig({ kind: 'file', path: KUBECONFIG }))

// The dry run promises that nothing is written (sync-semantics §8). On the real API server,
// every dry-run verb the engine uses must leave the cluster exactly as it was.
describe('dry runs on the real API server write nothing', () => {
  beforeAll(async () => {
    await freshNamespace(core, NS)
    await core.createNamespace({ body: { metadata: { name: NS } } })
    await core.createNamespacedConfigMap({
      namespace: NS,
      body: { metadata: { name: 'kept' }, data: { v: '1' } }
    })
  })
  afterAll(async () => {
    await cluster.close()
  })

  test('a dry-run DELETE (with propagation policy and uid precondition) deletes nothing', async () => {
    const ref = { group: '', version: 'v1', kind: 'ConfigMap', namespace: NS, name: 'kept' }
    const live = await cluster.get(ref)
    await expect(
      cluster.delete(ref, { propagationPolicy: 'Foreground', uid: live?.metadata.uid ?? '', dryRun: true })
    ).resolves.toBe('deleted')
    const after = await cluster.get(ref)
    expect(after?.metadata.uid).toBe(live?.metadata.uid)
    expect(after?.metadata.deletionTimestamp).toBeUndefined()
    const nsRef = { group: '', version: 'v1', kind: 'Namespace', namespace: '', name: NS }
    await cluster.delete(nsRef, { propagationPolicy: 'Foreground', dryRun: true })
    expect((await cluster.get(nsRef))?.metadata.deletionTimestamp).toBeUndefined()
  })

  test('a dry-run apply and a dry-run create create nothing', async () => {
    const object = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'new', namespace: NS },
      data: { v: '1' }
    }
    await cluster.apply(object, { force: true, dryRun: true })
    await cluster.create({ ...object, metadata: { ...object.metadata, name: 'created' } }, { dryRun: true })
    const ref = { group: '', version: 'v1', kind: 'ConfigMap', namespace: NS }
    expect(await cluster.get({ ...ref, name: 'new' })).toBeUndefined()
    expect(await cluster.get({ ...ref, name: 'created' })).toBeUndefined()
  })
})
