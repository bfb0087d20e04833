// Namespaces shared by applications on the real control plane (sync-semantics §10.2): the delete
// operation lists a namespace before deleting it and keeps it while another application lives
// there. Run through the shipped bundle and checked in its JSON report and in the cluster; the
// metadata-only listing it relies on is checked against the real API server too.
import { afterAll, beforeAll, describe, expect, jest, test } from '@jest/globals'
import { kubeConfigAuthenticator } from '../../src/cluster/auth.js'
import { createCluster } from '../../src/cluster/client-node.js'
import { ApiClient } from '../../src/cluster/http.js'
import { loadKubeConfig } from '../../src/cluster/kubeconfig.js'
import { METADATA_ACCEPT } from '../../src/cluster/namespace-contents.js'
import { ClusterError } from '../../src/model/errors.js'
import { getArray, getString } from '../../src/model/json.js'
import type { Report, TaskReport } from '../../src/report/model.js'
import type { CliRun } from './support/cli.js'
import { runWavesync } from './support/cli.js'
import { KUBECONFIG } from './support/cluster.js'
import { exists, freshNamespace, kubeClients } from './support/kube.js'

jest.setTimeout(180_000)
const { core } = kubeClients()
const FIXTURES = 'test/fixtures/e2e/shared-namespace'

function reportOf(run: CliRun): Report {
  if (!run.report) throw new Error(`no report (exit ${String(run.code)}):\n${run.stderr}\n${run.stdout}`)
  return run.report
}

function namespaceTask(report: Report, namespace: string): TaskReport {
  const found = report.tasks.find(t => t.kind === 'Namespace' && t.name === namespace)
  if (!found) throw new Error(`no Namespace task among ${report.tasks.map(t => t.name).join(', ')}`)
  return found
}

describe('two applications in one namespace: delete keeps it until the last one goes (§10.2)', () => {
  const NS = 'e2e-shared-ns'
  const FIRST = 'e2e-shared-a'
  const SECOND = 'e2e-shared-b'
  /** Each application syncs into the shared namespace and records that it created it. */
  const sync = (app: string, folder: string) =>
    runWavesync([
      'sync',
      ...['--manifests', `${FIXTURES}/${folder}`, '--app', app, '--namespace', NS],
      ...['--sync-options', 'CreateNamespace=true']
    ])
  const remove = (app: string) => runWavesync(['delete', '--app', app, '--namespace', NS])
  const configMapExists = (name: string) =>
    exists(() => core.readNamespacedConfigMap({ name, namespace: NS }))

  beforeAll(async () => {
    await freshNamespace(core, NS)
    expect((await sync(FIRST, 'first')).code).toBe(0)
    expect((await sync(SECOND, 'second')).code).toBe(0)
  })

  test('deleting the first keeps the namespace, says whose objects are in it, and deletes its own', async () => {
    const run = await remove(FIRST)
    const report = reportOf(run)
    expect(run.code).toBe(0)
    expect(report).toMatchObject({ operation: 'delete', phase: 'Succeeded' })
    expect(namespaceTask(report, NS)).toMatchObject({
      phase: 'NamespaceCleanup',
      result: 'DeleteSkipped',
      state: 'Succeeded',
      message: `namespace kept: it holds objects of other applications (ConfigMap ${NS}/second-settings (tracked by ${SECOND}), Secret ${NS}/wavesync.v1.${SECOND}.v1 (inventory record of ${SECOND}))`
    })
    // What every namespace holds (the default ServiceAccount, kube-root-ca.crt) is not mentioned.
    const namespace = await core.readNamespace({ name: NS })
    expect(namespace.metadata?.deletionTimestamp).toBeUndefined()
    expect(await configMapExists('first-settings')).toBe(false)
    expect(await configMapExists('second-settings')).toBe(true)
  })

  test('deleting the second, the last application there, deletes the namespace', async () => {
    const run = await remove(SECOND)
    const report = reportOf(run)
    expect(run.code).toBe(0)
    expect(namespaceTask(report, NS)).toMatchObject({ result: 'Deleted', state: 'Succeeded' })
    expect(await exists(() => core.readNamespace({ name: NS }))).toBe(false)
  })
})

describe('the namespace listing on the real API server', () => {
  const NS = 'e2e-ns-contents'
  const BIG = 'x'.repeat(512 * 1024)
  const loaded = loadKubeConfig({ kind: 'file', path: KUBECONFIG })
  const cluster = createCluster(loaded)
  const client = new ApiClient(loaded.server, kubeConfigAuthenticator(loaded.config, loaded.server))
  const secrets = `/api/v1/namespaces/${NS}/secrets`
  const list = (accept: string) => client.json({ method: 'GET', path: secrets, accept, verb: 'list' })

  beforeAll(async () => {
    await freshNamespace(core, NS)
    await core.createNamespace({ body: { metadata: { name: NS } } })
    const annotations = { 'wavesync.dev/tracking-id': `other:/Secret:${NS}/big` }
    await core.createNamespacedSecret({
      namespace: NS,
      body: { metadata: { name: 'big', annotations }, stringData: { blob: BIG } }
    })
  })
  afterAll(async () => {
    await cluster.close()
    await client.close()
    await freshNamespace(core, NS)
  })

  test('every listable kind is listed, nothing refused, and objects carry metadata only', async () => {
    const contents = await cluster.namespaceContents(NS)
    expect(contents.unlisted).toEqual([])
    const secret = contents.objects.find(o => o.kind === 'Secret' && o.metadata.name === 'big')
    expect(secret).toMatchObject({
      apiVersion: 'v1',
      metadata: { annotations: { 'wavesync.dev/tracking-id': `other:/Secret:${NS}/big` } }
    })
    expect(Object.keys(secret ?? {}).sort()).toEqual(['apiVersion', 'kind', 'metadata'])
    expect(secret?.metadata['managedFields']).toBeUndefined()
  })

  test('the API server answers the metadata-only Accept header with a PartialObjectMetadataList', async () => {
    const { body } = await list(METADATA_ACCEPT)
    expect(getString(body, ['kind'])).toBe('PartialObjectMetadataList')
    const items = getArray(body, ['items'])
    expect(items.map(item => getString(item, ['kind']))).toEqual(['PartialObjectMetadata'])
    // The 512 KiB of data stay on the server.
    expect(JSON.stringify(body).length).toBeLessThan(16 * 1024)
  })

  test('a form it cannot produce: refused alone (406), or answered by the next choice, plain JSON', async () => {
    const bogus = 'application/json;as=NoSuchList;g=meta.k8s.io;v=v1'
    const refused = await list(bogus).catch((error: unknown) => error)
    expect(refused).toBeInstanceOf(ClusterError)
    expect(refused instanceof ClusterError ? refused.details.status : undefined).toBe(406)
    const { body } = await list(`${bogus}, application/json`)
    expect(getString(body, ['kind'])).toBe('SecretList')
    expect(JSON.stringify(body).length).toBeGreaterThan(512 * 1024)
  })
})
