// Issue 8, item 4: guardrails and a restricted service account. The RBAC manifest of docs/rbac.md
// (read from that page, so the documentation stays true) is applied for a ServiceAccount in
// e2e-rbac-app; wavesync then runs with a kubeconfig holding only that account's token:
//   (a) an application inside its namespace syncs, hooks and all;
//   (a') a failing hook is reported with its diagnostics (events, pods, log) under the same Role;
//   (b) manifests with a ClusterRoleBinding and an object in another namespace, with the
//       guardrails on, end with exit 2 and one error per escape, with file and line, before
//       anything reaches the cluster;
//   (c) without guardrails, an object in a namespace the account cannot write fails the
//       server-side dry run with the server's forbidden message, exit 1, nothing written.
// What was (not) written is checked with the admin credentials.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, jest, test } from '@jest/globals'
import type { KubernetesObject } from '@kubernetes/client-node'
import { CoordinationV1Api, KubeConfig, KubernetesObjectApi } from '@kubernetes/client-node'
import { dump, loadAll } from 'js-yaml'
import type { CliRun } from './support/cli.js'
import { runWavesync } from './support/cli.js'
import { KUBECONFIG, ROOT } from './support/cluster.js'
import { exists, freshNamespace, kubeClients } from './support/kube.js'

jest.setTimeout(120_000)
const { core, batch, config } = kubeClients()
const objects = KubernetesObjectApi.makeApiClient(config)
const leases = config.makeApiClient(CoordinationV1Api)

const NAMESPACE = 'e2e-rbac-app'
const OTHER = 'e2e-rbac-other'
const FIXTURES = 'test/fixtures/e2e/rbac'
const scratch = mkdtempSync(path.join(os.tmpdir(), 'wavesync-rbac-'))
let kubeconfig = ''

/** The manifest between the rbac-manifest markers of docs/rbac.md, for namespace `my-app`. */
function documentedRbac(): KubernetesObject[] {
  const page = readFileSync(path.join(ROOT, 'docs/rbac.md'), 'utf8')
  const block = /<!-- rbac-manifest:start -->\n```yaml\n([\s\S]*?)```\n<!-- rbac-manifest:end -->/.exec(page)
  if (!block?.[1]) throw new Error('docs/rbac.md has no rbac-manifest block')
  // The cluster-scoped names get the e2e-rbac- prefix too: the control plane is shared.
  const text = block[1]
    .replaceAll('my-app', NAMESPACE)
    .replaceAll('name: wavesync-discovery', 'name: e2e-rbac-wavesync-discovery')
  return loadAll(text) as KubernetesObject[]
}

/** A kubeconfig with the cluster's CA and URL from the admin one, and only the ServiceAccount's token. */
async function serviceAccountKubeconfig(): Promise<string> {
  const answer = await core.createNamespacedServiceAccountToken({
    name: 'wavesync',
    namespace: NAMESPACE,
    body: { spec: { audiences: [], expirationSeconds: 3600 } }
  })
  const token = answer.status?.token
  if (!token) throw new Error('the TokenRequest returned no token')
  const admin = new KubeConfig()
  admin.loadFromFile(KUBECONFIG)
  const cluster = admin.getCurrentCluster()
  if (!cluster?.caData) throw new Error('the admin kubeconfig has no inline CA')
  const doc = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [
      { name: 'sim', cluster: { server: cluster.server, 'certificate-authority-data': cluster.caData } }
    ],
    users: [{ name: 'wavesync', user: { token } }],
    contexts: [{ name: 'wavesync', context: { cluster: 'sim', user: 'wavesync', namespace: NAMESPACE } }],
    'current-context': 'wavesync'
  }
  const file = path.join(scratch, 'kubeconfig')
  writeFileSync(file, dump(doc), { mode: 0o600 })
  return file
}

beforeAll(async () => {
  await Promise.all([freshNamespace(core, NAMESPACE), freshNamespace(core, OTHER)])
  await core.createNamespace({ body: { metadata: { name: NAMESPACE } } })
  await core.createNamespace({ body: { metadata: { name: OTHER } } })
  for (const object of documentedRbac()) {
    if (object.metadata?.namespace === undefined) await objects.delete(object).catch(() => undefined)
    await objects.create(object)
  }
  kubeconfig = await serviceAccountKubeconfig()
})

afterAll(async () => {
  for (const object of documentedRbac().filter(o => o.metadata?.namespace === undefined))
    await objects.delete(object).catch(() => undefined)
  rmSync(scratch, { recursive: true, force: true })
})

/** `wavesync sync` as the ServiceAccount (its kubeconfig only). */
function syncAsServiceAccount(fixture: string, app: string, ...extra: string[]): Promise<CliRun> {
  return runWavesync([
    'sync',
    '--manifests',
    `${FIXTURES}/${fixture}`,
    '--app',
    app,
    '--namespace',
    NAMESPACE,
    '--kubeconfig',
    kubeconfig,
    ...extra
  ])
}

/** Nothing of application `app` in the cluster: no record, no Lease. */
async function expectNoTrace(app: string): Promise<void> {
  const records = await core.listNamespacedSecret({
    namespace: NAMESPACE,
    labelSelector: `wavesync.dev/application=${app}`
  })
  expect(records.items.map(s => s.metadata?.name)).toEqual([])
  expect(
    await exists(() => leases.readNamespacedLease({ name: `wavesync.${app}`, namespace: NAMESPACE }))
  ).toBe(false)
}

describe('a restricted service account with the documented RBAC', () => {
  test('the documented Role is namespaced and has no wildcard', () => {
    const rbac = documentedRbac()
    const role = rbac.find(o => o.kind === 'Role') as { rules: { resources?: string[]; verbs: string[] }[] }
    expect(JSON.stringify(role.rules)).not.toContain('*')
    expect(rbac.filter(o => o.metadata?.namespace === undefined).map(o => o.kind)).toEqual([
      'ClusterRole',
      'ClusterRoleBinding'
    ])
    const clusterRole = rbac.find(o => o.kind === 'ClusterRole') as { rules: { resources?: string[] }[] }
    expect(clusterRole.rules.every(r => r.resources === undefined)).toBe(true)
  })

  test('(a) syncs an application inside its namespace: hooks, waves, inventory, lock', async () => {
    const run = await syncAsServiceAccount('app', 'e2e-rbac-ok')
    expect({ code: run.code, message: run.report?.message, stderr: run.stderr.slice(-1500) }).toMatchObject({
      code: 0,
      message: 'successfully synced (all tasks run)'
    })
    expect(run.report?.tasks.map(t => [t.name, t.state])).toEqual([
      ['migrate', 'Succeeded'],
      ['settings', 'Succeeded'],
      ['web', 'Succeeded'],
      ['web', 'Succeeded'],
      ['smoke', 'Succeeded']
    ])
    const records = await core.listNamespacedSecret({
      namespace: NAMESPACE,
      labelSelector: 'wavesync.dev/application=e2e-rbac-ok'
    })
    expect(records.items.map(s => s.metadata?.labels?.['wavesync.dev/status'])).toEqual(['deployed'])
    expect(
      await exists(() => leases.readNamespacedLease({ name: 'wavesync.e2e-rbac-ok', namespace: NAMESPACE }))
    ).toBe(false)
    const migrate = await batch.readNamespacedJob({ name: 'migrate', namespace: NAMESPACE })
    expect(migrate.metadata?.finalizers ?? []).not.toContain('wavesync.dev/hook-finalizer')
    // A second sync (an upgrade: BeforeHookCreation deletes, a record superseded) works as well.
    const again = await syncAsServiceAccount('app', 'e2e-rbac-ok')
    expect({ code: again.code, message: again.report?.message }).toEqual({
      code: 0,
      message: 'successfully synced (all tasks run)'
    })
    const history = await core.listNamespacedSecret({
      namespace: NAMESPACE,
      labelSelector: 'wavesync.dev/application=e2e-rbac-ok'
    })
    expect(history.items.map(s => s.metadata?.labels?.['wavesync.dev/status']).sort()).toEqual([
      'deployed',
      'superseded'
    ])
  })

  test("(a') a failing hook is reported with events, exit code and log tail under the same Role", async () => {
    const run = await syncAsServiceAccount('failing', 'e2e-rbac-failing')
    expect(run.code).toBe(1)
    const hook = run.report?.tasks.find(t => t.name === 'broken-migrate')
    expect(hook?.state).toBe('Failed')
    expect(hook?.exitCode).toBe(4)
    expect(hook?.logTail).toContain('ERROR: permission denied for table orders')
    expect(hook?.events?.length ?? 0).toBeGreaterThan(0)
    expect(run.stderr).not.toMatch(/forbidden/i)
  })

  test('(b) guardrails: a ClusterRoleBinding and an object in another namespace → exit 2, file and line, nothing applied', async () => {
    const run = await syncAsServiceAccount(
      'escape',
      'e2e-rbac-escape',
      '--allowed-namespaces',
      NAMESPACE,
      '--allowed-cluster-kinds',
      '/Namespace'
    )
    expect(run.code).toBe(2)
    expect(run.report).toBeUndefined()
    const errors = run.stderr.split('\n').filter(l => l.includes(': error: '))
    expect(errors).toEqual([
      `${FIXTURES}/escape/app.yaml:10: error: cluster-scoped kind rbac.authorization.k8s.io/ClusterRoleBinding is not allowed (allowed-cluster-kinds: /Namespace) [rbac.authorization.k8s.io/ClusterRoleBinding e2e-rbac-escape-admin]`,
      `${FIXTURES}/escape/app.yaml:23: error: namespace ${OTHER} is not allowed (allowed-namespaces: ${NAMESPACE}) [/ConfigMap ${OTHER}/escape-elsewhere]`
    ])
    // Nothing applied: not the escapes, not the allowed ConfigMap, no record, no lock.
    expect(
      await exists(() =>
        objects.read({
          apiVersion: 'rbac.authorization.k8s.io/v1',
          kind: 'ClusterRoleBinding',
          metadata: { name: 'e2e-rbac-escape-admin' }
        })
      )
    ).toBe(false)
    expect(
      await exists(() => core.readNamespacedConfigMap({ name: 'escape-elsewhere', namespace: OTHER }))
    ).toBe(false)
    expect(
      await exists(() => core.readNamespacedConfigMap({ name: 'escape-settings', namespace: NAMESPACE }))
    ).toBe(false)
    await expectNoTrace('e2e-rbac-escape')
  })

  test("(c) no guardrails: an object in a namespace it cannot write fails the dry run with the server's forbidden message", async () => {
    const run = await syncAsServiceAccount('forbidden', 'e2e-rbac-forbidden')
    expect(run.code).toBe(1)
    expect(run.report?.phase).toBe('Failed')
    expect(run.report?.message).toBe('one or more objects failed to apply (dry run)')
    const remote = run.report?.tasks.find(t => t.name === 'forbidden-remote')
    expect(remote?.result).toBe('SyncFailed')
    expect(remote?.message).toContain(
      `configmaps "forbidden-remote" is forbidden: User "system:serviceaccount:${NAMESPACE}:wavesync" cannot patch resource "configmaps" in API group "" in the namespace "${OTHER}"`
    )
    // The allowed ConfigMap passed its dry run but was not written either.
    expect(run.report?.tasks.find(t => t.name === 'forbidden-local')?.state).toBe('pending')
    expect(run.stdout).toContain('is forbidden')
    expect(
      await exists(() => core.readNamespacedConfigMap({ name: 'forbidden-remote', namespace: OTHER }))
    ).toBe(false)
    expect(
      await exists(() => core.readNamespacedConfigMap({ name: 'forbidden-local', namespace: NAMESPACE }))
    ).toBe(false)
    await expectNoTrace('e2e-rbac-forbidden')
  })
})
