import { describe, expect, test } from '@jest/globals'
import type { KubeObject } from '../../../src/model/object.js'
import type { OperationResult } from '../../../src/sync/operation.js'
import type { SyncSettings } from '../../../src/sync/settings.js'
import {
  Scenario,
  configMapManifest,
  crdManifest,
  jobHookManifest,
  manifestFiles
} from '../../support/scenario.js'

// Whole operations planned from a record (delete, rollback, test) after the Gadget CRD retired the
// version the record names, or was uninstalled (sync-semantics §7.2, §9.9, §9.10, §10). A preview
// must still be torn down; a rollback re-sends its stored objects only where that is safe; a
// repository's manifests stay held to the versions served (§4.1.2).

const PREVIEW = 'pr-7'
const CRD_NAME = 'gadgets.example.com'
const TEARDOWN_FAILED = 'one or more synchronization tasks are not valid'

/** The Gadget CRD (established), serving the versions marked true, converting as `strategy` says. */
const gadgetCrd = (versions: Record<string, boolean>, strategy?: string): KubeObject =>
  crdManifest({ kind: 'Gadget', versions, conversion: strategy, established: true })

const gadget = (name: string, size = 1, annotations?: Record<string, string>): KubeObject => ({
  apiVersion: 'example.com/v1',
  kind: 'Gadget',
  metadata: { name, ...(annotations ? { annotations } : {}) },
  spec: { size }
})

/** Everything in the preview namespace, which the first sync creates and records itself in. */
const preview = (overrides: Partial<SyncSettings> = {}): Partial<SyncSettings> => ({
  namespace: PREVIEW,
  inventoryNamespace: PREVIEW,
  syncOptions: { CreateNamespace: 'true' },
  ...overrides
})

/** The CRD now serves v2 (and v3) only; its objects are untouched: the same objects at v2. */
function retireV1(s: Scenario, strategy?: string): void {
  s.cluster.update('CustomResourceDefinition', CRD_NAME, undefined, 'v1 retired', crd => {
    crd['spec'] = gadgetCrd({ v1: false, v2: true, v3: true }, strategy)['spec']
  })
}

/** As the API server does it: the Gadgets go with their CRD. */
function uninstallCrd(s: Scenario): void {
  for (const g of s.cluster.all('Gadget'))
    s.cluster.forceDelete('Gadget', g.metadata.name ?? '', g.metadata.namespace)
  s.cluster.forceDelete('CustomResourceDefinition', CRD_NAME)
}

/** A first sync of these objects into the preview, with the Gadget CRD serving v1. */
async function installed(...objects: KubeObject[]): Promise<Scenario> {
  const s = new Scenario(['default'])
  s.healthyControllers()
  s.cluster.seed(gadgetCrd({ v1: true }))
  const first = await s.sync(manifestFiles(...objects), preview())
  expect(first.issues.map(i => i.message)).toEqual([])
  expect(first.exitCode).toBe(0)
  await s.clock.advance(60_000)
  return s
}

function taskOf(result: OperationResult, kind: string, name: string) {
  const task = result.report?.tasks.find(t => t.kind === kind && t.name === name)
  if (!task) throw new Error(`no task for ${kind} ${name}`)
  return {
    phase: task.phase,
    version: task.version,
    result: task.result,
    state: task.state,
    message: task.message
  }
}

const errors = (result: OperationResult): string[] =>
  result.issues.filter(i => i.severity === 'error').map(i => `${i.file}:${i.line}: ${i.message}`)

const teardown = (s: Scenario, overrides: Partial<SyncSettings> = {}): Promise<OperationResult> =>
  s.sync({}, preview({ operation: 'delete', operationId: 'teardown', ...overrides }))

/** Runs an operation expected to be refused before its first write, with this one error. */
async function refusedBeforeAnyWrite(
  s: Scenario,
  operation: (s: Scenario) => Promise<OperationResult>,
  error: string
): Promise<void> {
  const writes = s.cluster.writes().length
  const result = await operation(s)
  expect(result.exitCode).toBe(1)
  expect(result.report?.message).toBe(TEARDOWN_FAILED)
  expect(errors(result)).toEqual([error])
  expect(s.cluster.writes().length).toBe(writes)
}

/** The error for manifests from the repository naming the retired v1 (the Gadget on line 12). */
const REPO_NAMES_RETIRED =
  'app/manifests.yaml:12: the server does not serve example.com/v1 Gadget; install its CRD first, or set SkipDryRunOnMissingResource=true'

describe('delete (a preview teardown) after the Gadget CRD changed (§10)', () => {
  const objects = (): KubeObject[] => [
    configMapManifest('settings'),
    gadget('old'),
    jobHookManifest('notify', { hook: 'PostDelete' })
  ]

  test.each([
    ['conversion None', undefined],
    // A DELETE sends no body: however the versions convert, the object is the same.
    ['conversion by webhook', 'Webhook']
  ])('v1 retired (%s): the Gadget is deleted at v2, and the preview goes', async (_, strategy) => {
    const s = await installed(...objects())
    retireV1(s, strategy)
    const result = await teardown(s)
    expect(errors(result)).toEqual([])
    expect(result.report?.phase).toBe('Succeeded')
    expect(taskOf(result, 'Gadget', 'old')).toEqual({
      phase: 'Delete',
      version: 'v2',
      result: 'Deleted',
      state: 'Succeeded',
      message: 'deleted'
    })
    expect(taskOf(result, 'Job', 'notify')).toMatchObject({ phase: 'PostDelete', state: 'Succeeded' })
    expect(s.cluster.find('Gadget', 'old', PREVIEW)).toBeUndefined()
    expect(s.cluster.find('Namespace', PREVIEW)).toBeUndefined()
  })

  test('CRD uninstalled: its object is DeleteSkipped, the rest torn down, PostDelete run', async () => {
    const s = await installed(...objects())
    uninstallCrd(s)
    const result = await teardown(s)
    expect(errors(result)).toEqual([])
    expect(result.exitCode).toBe(0)
    expect(taskOf(result, 'Gadget', 'old')).toEqual({
      phase: 'Delete',
      version: 'v1',
      result: 'DeleteSkipped',
      state: 'Succeeded',
      message: 'kind no longer served: example.com/Gadget (its CRD or API was removed); nothing to delete'
    })
    expect(taskOf(result, 'ConfigMap', 'settings')).toMatchObject({ result: 'Deleted', state: 'Succeeded' })
    expect(taskOf(result, 'Job', 'notify')).toMatchObject({ phase: 'PostDelete', state: 'Succeeded' })
    expect(taskOf(result, 'Namespace', PREVIEW)).toMatchObject({ result: 'Deleted', state: 'Succeeded' })
    expect(s.cluster.find('Namespace', PREVIEW)).toBeUndefined()
    // The inventory read reports the entry it dropped, as for every operation (§7.2).
    expect(result.report?.warnings).toEqual([
      `(inventory):0: warning: inventory: example.com/Gadget ${PREVIEW}/old: the server no longer serves example.com/v1 Gadget, nor Gadget at any other version; dropped from the inventory`
    ])
  })

  /** A preview with a PreDelete hook of kind Gadget, whose CRD is then uninstalled. */
  async function announcingWithoutCrd(): Promise<Scenario> {
    const s = await installed(
      configMapManifest('settings'),
      gadget('announce', 1, { 'argocd.argoproj.io/hook': 'PreDelete' })
    )
    uninstallCrd(s)
    return s
  }

  test('a PreDelete hook of a kind no longer served: a failure before any write, as before', async () => {
    const s = await announcingWithoutCrd()
    await refusedBeforeAnyWrite(
      s,
      teardown,
      '(revision 1):2: PreDelete hook example.com/Gadget pr-7/announce: the server no longer serves example.com/v1 Gadget at any version (its CRD or API was removed), so the hook cannot be created; reinstall the CRD first, or leave the hook out (no-hooks, or skip-hooks PreDelete)'
    )
    expect(s.cluster.find('ConfigMap', 'settings', PREVIEW)).toBeDefined()
  })

  test('the same hook left out (skip-hooks PreDelete): the preview goes', async () => {
    const s = await announcingWithoutCrd()
    const result = await teardown(s, { skipHooks: ['PreDelete'] })
    expect(errors(result)).toEqual([])
    expect(result.exitCode).toBe(0)
    expect(s.cluster.find('Namespace', PREVIEW)).toBeUndefined()
  })

  test('delete-manifests: repo naming a retired version stays an error (§4.1.2)', async () => {
    const s = await installed(configMapManifest('settings'), gadget('old'))
    retireV1(s)
    const result = await s.sync(
      manifestFiles(configMapManifest('settings'), gadget('old')),
      preview({ operation: 'delete', deleteManifests: 'repo', operationId: 'teardown' })
    )
    expect(result.exitCode).toBe(1)
    expect(errors(result)).toEqual([REPO_NAMES_RETIRED])
    expect(s.cluster.find('Gadget', 'old', PREVIEW)).toBeDefined()
  })
})

test("a sync of the repository's manifests naming a retired version stays an error (§4.1.2)", async () => {
  const s = await installed(configMapManifest('settings'), gadget('old'))
  retireV1(s)
  const result = await s.sync(manifestFiles(configMapManifest('settings'), gadget('old', 2)), preview())
  expect(result.exitCode).toBe(1)
  expect(result.report?.message).toBe(TEARDOWN_FAILED)
  expect(errors(result)).toEqual([REPO_NAMES_RETIRED])
})

describe('rollback to a revision recorded at a retired version (§9.9)', () => {
  /** Revision 1: Gadget g (size 1); revision 2: size 2, both at v1; then the CRD changes. */
  async function twoRevisions(change: (s: Scenario) => void): Promise<Scenario> {
    const s = await installed(configMapManifest('settings'), gadget('g', 1))
    const second = await s.sync(manifestFiles(configMapManifest('settings'), gadget('g', 2)), preview())
    expect(second.exitCode).toBe(0)
    change(s)
    return s
  }
  const rollback = (s: Scenario): Promise<OperationResult> =>
    s.sync({}, preview({ operation: 'rollback', rollbackTo: 1, operationId: 'rollback' }))

  test('conversion None: the stored Gadget is applied at v2 and recorded there', async () => {
    const s = await twoRevisions(retireV1)
    const result = await rollback(s)
    expect(errors(result)).toEqual([])
    expect(result.exitCode).toBe(0)
    expect(taskOf(result, 'Gadget', 'g')).toMatchObject({
      version: 'v2',
      result: 'Synced',
      state: 'Succeeded'
    })
    expect(s.cluster.find('Gadget', 'g', PREVIEW)?.['spec']).toEqual({ size: 1 })
    const records = await s.records('shop', PREVIEW)
    const latest = records[records.length - 1]
    expect(latest?.status).toBe('deployed')
    expect(latest?.objects.map(o => `${o.group}/${o.version} ${o.kind} ${o.name}`)).toEqual([
      '/v1 Namespace pr-7',
      '/v1 ConfigMap settings',
      'example.com/v2 Gadget g'
    ])
    // The documents are stored as read: a later replay resolves them against the cluster of then.
    expect(latest?.manifests.map(m => m.apiVersion)).toEqual(['v1', 'example.com/v1'])
  })

  test('conversion by webhook: the stored Gadget may not be valid at v2; nothing is written', async () => {
    const s = await twoRevisions(s => retireV1(s, 'Webhook'))
    await refusedBeforeAnyWrite(
      s,
      rollback,
      '(revision 1):2: example.com/Gadget pr-7/g: the server no longer serves example.com/v1 Gadget, only example.com/v2, example.com/v3, and its CustomResourceDefinition gadgets.example.com converts between versions with a Webhook conversion, which may change fields: the recorded object may not be valid at another version, so it is not sent as one; sync manifests written for a served version instead of rolling back to this revision'
    )
    expect(s.cluster.find('Gadget', 'g', PREVIEW)?.['spec']).toEqual({ size: 2 })
  })

  test('CRD uninstalled: nothing to roll back to', async () => {
    const s = await twoRevisions(uninstallCrd)
    const result = await rollback(s)
    expect(result.exitCode).toBe(1)
    expect(errors(result)).toEqual([
      '(revision 1):2: example.com/Gadget pr-7/g: the server no longer serves example.com/v1 Gadget at any version (its CRD or API was removed), so there is nothing to roll back to: the object cannot be created; reinstall the CRD first'
    ])
    expect((await s.records('shop', PREVIEW)).map(r => r.status)).toEqual(['superseded', 'deployed'])
  })
})

describe('test after the Gadget CRD changed (§9.10)', () => {
  const testHook = (object: KubeObject): KubeObject => ({
    ...object,
    metadata: { ...object.metadata, annotations: { 'helm.sh/hook': 'test' } }
  })
  const runTests = (s: Scenario): Promise<OperationResult> =>
    s.sync({}, preview({ operation: 'test', operationId: 'test' }))

  test('a resource whose CRD was uninstalled does not stop the tests', async () => {
    const s = await installed(gadget('g'), jobHookManifest('smoke', { hook: 'test', helm: true }))
    uninstallCrd(s)
    const result = await runTests(s)
    expect(errors(result)).toEqual([])
    expect(result.exitCode).toBe(0)
    expect(taskOf(result, 'Job', 'smoke')).toMatchObject({ phase: 'Test', state: 'Succeeded' })
  })

  test('a test hook recorded at a retired version is created at v2 (conversion None)', async () => {
    const s = await installed(configMapManifest('settings'), testHook(gadget('probe')))
    retireV1(s)
    const result = await runTests(s)
    expect(errors(result)).toEqual([])
    expect(result.exitCode).toBe(0)
    expect(taskOf(result, 'Gadget', 'probe')).toMatchObject({
      phase: 'Test',
      version: 'v2',
      state: 'Succeeded'
    })
  })
})
