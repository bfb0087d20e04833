import { describe, expect, test } from '@jest/globals'
import type { JsonObject } from '../../../src/model/json.js'
import type { KubeObject } from '../../../src/model/object.js'
import {
  awaitsMigration,
  clientSideManagers,
  migratedManagedFields,
  migrationPatch
} from '../../../src/sync/csa-migration.js'
import { unionFieldsV1 } from '../../../src/sync/fields-v1.js'
import { NS } from '../../support/sync-builders.js'
import { Scenario, configMapManifest, manifestFiles } from '../../support/scenario.js'

// ClientSideApplyMigration (sync-semantics §2.5): kubectl client-side-apply ownership moves to
// wavesync's Apply entry before the first server-side apply, so removed fields get dropped.

describe('unionFieldsV1', () => {
  test.each<[string, JsonObject, JsonObject, JsonObject]>([
    ['empty sets', {}, {}, {}],
    ['one side empty', { 'f:data': { 'f:a': {} } }, {}, { 'f:data': { 'f:a': {} } }],
    ['other side empty', {}, { 'f:data': { 'f:a': {} } }, { 'f:data': { 'f:a': {} } }],
    [
      'disjoint leaves under one node',
      { 'f:data': { 'f:a': {} } },
      { 'f:data': { 'f:b': {} } },
      { 'f:data': { 'f:a': {}, 'f:b': {} } }
    ],
    [
      'the same path owned twice appears once',
      { 'f:data': { '.': {}, 'f:a': {} } },
      { 'f:data': { '.': {}, 'f:a': {} } },
      { 'f:data': { '.': {}, 'f:a': {} } }
    ],
    [
      'list items by key, deep',
      { 'f:spec': { 'f:containers': { 'k:{"name":"app"}': { '.': {}, 'f:image': {} } } } },
      {
        'f:spec': {
          'f:containers': { 'k:{"name":"app"}': { 'f:env': {} }, 'k:{"name":"side"}': { '.': {} } }
        }
      },
      {
        'f:spec': {
          'f:containers': {
            'k:{"name":"app"}': { '.': {}, 'f:image': {}, 'f:env': {} },
            'k:{"name":"side"}': { '.': {} }
          }
        }
      }
    ],
    [
      'set values and a leaf that is a node on the other side',
      { 'f:finalizers': { 'v:"a"': {} }, 'f:x': {} },
      { 'f:finalizers': { 'v:"b"': {} }, 'f:x': { 'f:y': {} } },
      { 'f:finalizers': { 'v:"a"': {}, 'v:"b"': {} }, 'f:x': { 'f:y': {} } }
    ]
  ])('%s', (_, a, b, expected) => {
    const before = JSON.stringify([a, b])
    expect(unionFieldsV1(a, b)).toEqual(expected)
    expect(JSON.stringify([a, b])).toBe(before)
  })
})

const csa = (fields: JsonObject, extra: JsonObject = {}): JsonObject => ({
  manager: 'kubectl-client-side-apply',
  operation: 'Update',
  apiVersion: 'v1',
  time: '2026-01-01T00:00:00Z',
  fieldsType: 'FieldsV1',
  fieldsV1: fields,
  ...extra
})
const ssa = (fields: JsonObject): JsonObject => ({
  manager: 'wavesync',
  operation: 'Apply',
  apiVersion: 'v1',
  time: '2026-01-02T00:00:00Z',
  fieldsType: 'FieldsV1',
  fieldsV1: fields
})
const other: JsonObject = { manager: 'kube-controller-manager', operation: 'Update', fieldsV1: { 'f:x': {} } }
const LAST_APPLIED = {
  'f:metadata': { 'f:annotations': { 'f:kubectl.kubernetes.io/last-applied-configuration': {} } }
}
/** Argo CD's client-side apply before server-side apply: an Update manager of its own name. */
const argocd = (fields: JsonObject): JsonObject => ({ ...csa(fields), manager: 'argocd-controller' })

describe('clientSideManagers: kubectl, and every Update manager owning the last-applied annotation', () => {
  test.each<[string, JsonObject[], string[]]>([
    ['none but kubectl', [other, ssa({})], ['kubectl-client-side-apply']],
    [
      'Argo CD client-side apply owns the annotation',
      [argocd(LAST_APPLIED), other],
      ['argocd-controller', 'kubectl-client-side-apply']
    ],
    [
      'an Apply entry owning it is server-side apply',
      [{ ...argocd(LAST_APPLIED), operation: 'Apply' }],
      ['kubectl-client-side-apply']
    ],
    [
      'a status writer is not an applier',
      [argocd(LAST_APPLIED), { ...argocd(LAST_APPLIED), manager: 'x', subresource: 'status' }],
      ['argocd-controller', 'kubectl-client-side-apply']
    ],
    [
      "wavesync's own Update entries are never migrated",
      [{ ...ssa(LAST_APPLIED), operation: 'Update' }],
      ['kubectl-client-side-apply']
    ]
  ])('%s', (_, entries, expected) => {
    expect(clientSideManagers(entries)).toEqual(expected)
  })
})

describe('migratedManagedFields', () => {
  test.each<[string, JsonObject[], JsonObject[] | undefined]>([
    ['no managedFields: nothing to do', [], undefined],
    ['only wavesync: nothing to do', [ssa({ 'f:data': {} })], undefined],
    [
      'a CSA Apply entry is not client-side apply: nothing to do',
      [{ ...csa({}), operation: 'Apply' }],
      undefined
    ],
    ['a CSA entry on a subresource stays', [csa({}, { subresource: 'status' })], undefined],
    [
      'no wavesync entry: the CSA entry becomes it, in place',
      [other, csa({ 'f:data': { 'f:a': {}, 'f:b': {} } })],
      [other, { ...csa({ 'f:data': { 'f:a': {}, 'f:b': {} } }), manager: 'wavesync', operation: 'Apply' }]
    ],
    [
      'a wavesync entry: fields merged into it, the CSA entry removed',
      [csa({ 'f:data': { 'f:b': {} } }), other, ssa({ 'f:data': { 'f:a': {} } })],
      [other, ssa({ 'f:data': { 'f:a': {}, 'f:b': {} } })]
    ],
    [
      "only the CSA entry of the Apply entry's apiVersion is merged; every CSA entry goes",
      [csa({ 'f:b': {} }, { apiVersion: 'v2' }), csa({ 'f:c': {} }), ssa({ 'f:a': {} })],
      [ssa({ 'f:a': {}, 'f:c': {} })]
    ],
    [
      'no wavesync entry: the first CSA entry becomes it, merged with another of its apiVersion, the rest go',
      [csa({ 'f:a': {} }), other, csa({ 'f:b': {} }, { apiVersion: 'v2' }), csa({ 'f:c': {} })],
      [{ ...csa({ 'f:a': {}, 'f:c': {} }), manager: 'wavesync', operation: 'Apply' }, other]
    ],
    [
      "Argo CD client-side apply (owner of the last-applied annotation) moves as kubectl's does",
      [argocd({ ...LAST_APPLIED, 'f:data': { 'f:b': {} } }), ssa({ 'f:data': { 'f:a': {} } })],
      [ssa({ ...LAST_APPLIED, 'f:data': { 'f:a': {}, 'f:b': {} } })]
    ],
    [
      'two client-side appliers both move into one Apply entry',
      [argocd({ ...LAST_APPLIED, 'f:x': {} }), csa({ 'f:y': {} })],
      [{ ...argocd({ ...LAST_APPLIED, 'f:x': {}, 'f:y': {} }), manager: 'wavesync', operation: 'Apply' }]
    ],
    [
      'wavesync Update entries are not the Apply entry',
      [{ ...ssa({}), operation: 'Update' }, csa({ 'f:a': {} })],
      [
        { ...ssa({}), operation: 'Update' },
        { ...csa({ 'f:a': {} }), manager: 'wavesync', operation: 'Apply' }
      ]
    ]
  ])('%s', (_, entries, expected) => {
    expect(migratedManagedFields(entries)).toEqual(expected)
  })
})

describe('migrationPatch', () => {
  const object = (metadata: JsonObject): KubeObject => ({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'web', namespace: 'shop', ...metadata }
  })
  test.each<[string, KubeObject, unknown]>([
    ['no managedFields', object({ resourceVersion: '7' }), undefined],
    ['nothing to migrate', object({ resourceVersion: '7', managedFields: [ssa({})] }), undefined],
    ['no resourceVersion to test', object({ managedFields: [csa({})] }), undefined],
    [
      'the migrated list, then the resourceVersion read (a precondition: 409 if the object moved on)',
      object({ resourceVersion: '7', managedFields: [csa({ 'f:data': {} })] }),
      [
        {
          op: 'replace',
          path: '/metadata/managedFields',
          value: [{ ...csa({ 'f:data': {} }), manager: 'wavesync', operation: 'Apply' }]
        },
        { op: 'replace', path: '/metadata/resourceVersion', value: '7' }
      ]
    ]
  ])('%s', (_, live, expected) => {
    expect(migrationPatch(live)).toEqual(expected)
  })
})

describe('awaitsMigration: an object kubectl client-side-applied is never judged unchanged', () => {
  const live = (managedFields: JsonObject[]): KubeObject => ({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'web', namespace: 'shop', resourceVersion: '7', managedFields }
  })
  test.each<[string, KubeObject, Record<string, string>, boolean]>([
    ['kubectl client-side-apply owns fields', live([csa({ 'f:data': {} })]), {}, true],
    ['only wavesync owns fields', live([ssa({ 'f:data': {} })]), {}, false],
    ['migration turned off', live([csa({ 'f:data': {} })]), { ClientSideApplyMigration: 'false' }, false]
  ])('%s', (_, object, options, expected) => {
    expect(awaitsMigration(object, options)).toBe(expected)
  })
})

describe('migrateClientSideApply on a cluster: conflicts re-read and retried, other errors said', () => {
  /** A ConfigMap `kubectl apply` made, and a sync of it whose patches meet these injected errors. */
  async function syncOverKubectl(status: number, times: number, message: string) {
    const s = new Scenario()
    s.cluster.seed({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: {
        name: 'config',
        namespace: NS,
        managedFields: [csa({ ...LAST_APPLIED, 'f:data': { 'f:b': {} } })]
      },
      data: { b: '2' }
    })
    s.cluster.inject({ verb: 'patch', kind: 'ConfigMap', name: 'config', status, message, times })
    const result = await s.sync(manifestFiles(configMapManifest('config')))
    const verbs = s.cluster.requests
      .filter(
        r =>
          r.kind === 'ConfigMap' &&
          r.name === 'config' &&
          !r.dryRun &&
          ['get', 'patch', 'apply'].includes(r.verb)
      )
      .map(r => `${r.verb} ${r.status}`)
    return { result, verbs, task: result.report?.tasks.find(t => t.name === 'config') }
  }
  const CONFLICT = 'Operation cannot be fulfilled on configmaps "config": the object has been modified'

  test('two conflicts: a fresh GET after each, the third patch passes, then the apply', async () => {
    const { result, verbs } = await syncOverKubectl(409, 2, CONFLICT)
    expect(result.report?.phase).toBe('Succeeded')
    expect(verbs).toEqual(['patch 409', 'get 200', 'patch 409', 'get 200', 'patch 200', 'apply 200'])
  })

  test('a conflict on every one of 5 attempts fails the write, saying so and what to do', async () => {
    const { result, verbs, task } = await syncOverKubectl(409, Infinity, CONFLICT)
    expect(result.report?.phase).toBe('Failed')
    expect(verbs.filter(v => v.startsWith('patch'))).toHaveLength(5)
    expect(verbs).not.toContain('apply 200')
    expect(task?.message).toMatch(
      /^could not move client-side apply field ownership to wavesync \(the object changed during each of 5 attempts\): .*the object has been modified; sync again, or set ClientSideApplyMigration=false$/
    )
  })

  test('another rejection is not retried: the server message, once', async () => {
    const forbidden = 'configmaps "config" is forbidden: User "ci" cannot patch resource "configmaps"'
    const { verbs, task } = await syncOverKubectl(403, 1, forbidden)
    expect(verbs).toEqual(['patch 403'])
    expect(task?.message).toContain(`could not move client-side apply field ownership to wavesync: `)
    expect(task?.message).toContain(forbidden)
  })
})
