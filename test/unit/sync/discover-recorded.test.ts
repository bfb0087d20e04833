import { describe, expect, test } from '@jest/globals'
import type { Manifest } from '../../../src/model/manifest.js'
import type { KubeObject } from '../../../src/model/object.js'
import type { RetiredKind } from '../../../src/plan/recorded-kinds.js'
import { discoverKinds } from '../../../src/sync/discover.js'
import { FakeClock } from '../../support/fake-clock.js'
import { FakeCluster } from '../../support/fake-cluster.js'
import { crdManifest } from '../../support/scenario.js'

// Discovery of a record's manifests (delete, rollback, test): a kind no longer served at its
// recorded version is looked up at every version, and whether its stored body may be re-sent at
// the served one is asked of its CRD's conversion; nothing is an issue yet (plan/recorded-kinds.ts
// judges each task). The repository's manifests are judged as before (§4.1.2).

const signal = new AbortController().signal

/** An established CRD of example.com serving the versions marked true, with a conversion strategy. */
const crd = (kind: string, versions: Record<string, boolean>, strategy?: string): KubeObject =>
  crdManifest({
    kind,
    // Beacon alone is cluster-scoped: the scope discovery reports must be that of the served version.
    scope: kind === 'Beacon' ? 'Cluster' : 'Namespaced',
    versions,
    conversion: strategy,
    established: true
  })

function cluster(): FakeCluster {
  const fake = new FakeCluster(new FakeClock(), { namespaces: ['shop'] })
  fake.seed(
    crd('Gadget', { v1: false, v2: true, v3: true }),
    crd('Beacon', { v1: false, v2: true }, 'None'),
    crd('Widget', { v1: false, v2: true }, 'Webhook'),
    crd('Thing', { v1: false }),
    crd('Current', { v1: true })
  )
  return fake
}

const manifestOf = (apiVersion: string, kind: string, docIndex: number): Manifest => ({
  object: { apiVersion, kind, metadata: { name: kind.toLowerCase() } },
  source: { file: '(revision 3)', docIndex, line: docIndex + 1 },
  fieldLines: new Map()
})

const CRD_WIDGETS = 'its CustomResourceDefinition widgets.example.com'
const BUILT_IN = (kind: string): string =>
  `${kind} is not a custom resource: the API server converts it between versions itself, and its fields may differ between them`

describe('discoverKinds, manifests from a record', () => {
  test.each<[string, string, string, RetiredKind | undefined]>([
    ['served as recorded', 'example.com/v1', 'Current', undefined],
    [
      'a CRD version retired, conversion None (the default): re-sendable at the preferred one',
      'example.com/v1',
      'Gadget',
      { served: true, version: 'v2', versions: ['v2', 'v3'], unsafe: undefined }
    ],
    [
      'conversion None said outright',
      'example.com/v1',
      'Beacon',
      { served: true, version: 'v2', versions: ['v2'], unsafe: undefined }
    ],
    [
      'conversion by webhook: fields may differ',
      'example.com/v1',
      'Widget',
      {
        served: true,
        version: 'v2',
        versions: ['v2'],
        unsafe: `${CRD_WIDGETS} converts between versions with a Webhook conversion, which may change fields`
      }
    ],
    [
      'a built-in kind at a retired version: converted by the server, fields differ',
      'apps/v1beta1',
      'Deployment',
      { served: true, version: 'v1', versions: ['v1'], unsafe: BUILT_IN('apps/Deployment') }
    ],
    [
      'a core kind likewise',
      'v2',
      'ConfigMap',
      { served: true, version: 'v1', versions: ['v1'], unsafe: BUILT_IN('/ConfigMap') }
    ],
    ['a CRD serving no version', 'example.com/v1', 'Thing', { served: false }],
    ['no CRD at all (uninstalled)', 'example.com/v1', 'Sprocket', { served: false }]
  ])('%s', async (_, apiVersion, kind, expected) => {
    const found = await discoverKinds([manifestOf(apiVersion, kind, 0)], cluster(), {}, signal, 'record')
    const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion]
    expect(found.retired?.(group ?? '', version ?? '', kind)).toEqual(expected)
    expect(found.issues).toEqual([])
  })

  test('a CRD that cannot be read: not re-sendable, and why', async () => {
    const fake = cluster()
    fake.inject({
      verb: 'get',
      kind: 'CustomResourceDefinition',
      status: 403,
      reason: 'Forbidden',
      message: 'customresourcedefinitions.apiextensions.k8s.io "gadgets.example.com" is forbidden'
    })
    const found = await discoverKinds([manifestOf('example.com/v1', 'Gadget', 0)], fake, {}, signal, 'record')
    const now = found.retired?.('example.com', 'v1', 'Gadget')
    expect(now).toMatchObject({ served: true, version: 'v2', versions: ['v2'] })
    expect(now?.served && now.unsafe).toMatch(
      /^its CustomResourceDefinition gadgets\.example\.com could not be read to tell whether the versions hold the same fields \(.*forbidden.*\)$/
    )
  })

  test('served kinds and scope come from the version served now', async () => {
    const found = await discoverKinds(
      [manifestOf('example.com/v1', 'Beacon', 0), manifestOf('example.com/v1', 'Gadget', 1)],
      cluster(),
      {},
      signal,
      'record'
    )
    expect([...found.served].sort()).toEqual(['example.com/v2/Beacon', 'example.com/v2/Gadget'])
    expect(found.scope('example.com', 'Beacon')).toBe('Cluster')
    expect(found.scope('example.com', 'Gadget')).toBe('Namespaced')
  })
})

test("the repository's manifests: an unserved apiVersion stays an error, served elsewhere or not (§4.1.2)", async () => {
  const found = await discoverKinds(
    [
      manifestOf('example.com/v1', 'Gadget', 0),
      manifestOf('example.com/v1', 'Sprocket', 1),
      manifestOf('example.com/v1', 'Current', 2)
    ],
    cluster(),
    {},
    signal
  )
  expect(found.retired).toBeUndefined()
  expect(found.issues.map(i => `${i.line}: ${i.message}`)).toEqual([
    '1: the server does not serve example.com/v1 Gadget; install its CRD first, or set SkipDryRunOnMissingResource=true',
    '2: the server does not serve example.com/v1 Sprocket; install its CRD first, or set SkipDryRunOnMissingResource=true'
  ])
  expect([...found.served]).toEqual(['example.com/v1/Current'])
})
