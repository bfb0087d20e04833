// ClientSideApplyMigration (sync-semantics §2.5): an object made with `kubectl apply`
// (client-side) and then synced loses the fields its manifest no longer has, because wavesync first
// takes over the fields kubectl-client-side-apply owned; `ClientSideApplyMigration=false` keeps them.
import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { afterAll, expect, jest, test } from '@jest/globals'
import { runWavesync } from './support/cli.js'
import { KUBECONFIG, ROOT } from './support/cluster.js'
import { freshNamespace, kubeClients } from './support/kube.js'

jest.setTimeout(180_000)
const { core } = kubeClients()
// Manifests must lie inside the workspace: a temporary folder under the e2e fixtures.
const work = mkdtempSync(path.join(ROOT, 'test/fixtures/e2e', 'csa-migration-'))
afterAll(() => rmSync(work, { recursive: true, force: true }))

const configMap = (namespace: string, data: Record<string, string>): string =>
  JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings', namespace }, data })

/** `kubectl apply` (client-side, as `manager`) of a namespace and a ConfigMap with keys a and b. */
function kubectlApply(namespace: string, manager: string): void {
  const file = path.join(work, `${namespace}-kubectl.json`)
  const list = {
    apiVersion: 'v1',
    kind: 'List',
    items: [
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } },
      JSON.parse(configMap(namespace, { a: '1', b: '2' })) as unknown
    ]
  }
  writeFileSync(file, JSON.stringify(list))
  const run = spawnSync(
    'kubectl',
    ['--kubeconfig', KUBECONFIG, 'apply', '--field-manager', manager, '-f', file],
    { encoding: 'utf8' }
  )
  expect(run.stderr.replace(/^Warning: .*\n/gm, '')).toBe('')
  expect(run.status).toBe(0)
}

test.each([
  // The default: kubectl's ownership moves to wavesync, so key b (gone from the manifest) is removed.
  ['e2e-csa-default', 'kubectl-client-side-apply', 'CreateNamespace=true', { a: '1' }],
  // Another client-side applier (Argo CD before server-side apply): found as the owner of the
  // last-applied annotation, and migrated the same way.
  ['e2e-csa-argocd', 'argocd-controller', 'CreateNamespace=true', { a: '1' }],
  // Turned off: kubectl-client-side-apply still owns b, and server-side apply leaves it.
  [
    'e2e-csa-off',
    'kubectl-client-side-apply',
    'CreateNamespace=true,ClientSideApplyMigration=false',
    { a: '1', b: '2' }
  ]
])('%s (%s, %s)', async (namespace, manager, options, expectedData) => {
  await freshNamespace(core, namespace)
  kubectlApply(namespace, manager)
  const manifests = mkdtempSync(path.join(work, `${namespace}-manifests-`))
  writeFileSync(path.join(manifests, 'settings.yaml'), configMap(namespace, { a: '1' }))
  const run = await runWavesync([
    'sync',
    '--manifests',
    path.relative(ROOT, manifests),
    '--app',
    namespace,
    '--namespace',
    namespace,
    '--sync-options',
    options,
    '--object-timeout',
    '1m'
  ])
  expect(run.report?.phase).toBe('Succeeded')
  const live = await core.readNamespacedConfigMap({ name: 'settings', namespace })
  expect(live.data).toEqual(expectedData)
  const managers = (live.metadata?.managedFields ?? []).map(f => `${f.manager} ${f.operation}`)
  expect(managers.includes(`${manager} Update`)).toBe('b' in expectedData)
  expect(managers).toContain('wavesync Apply')
  await freshNamespace(core, namespace)
})
