import { describe, expect, test } from '@jest/globals'
import type { JsonObject } from '../../../src/model/json.js'
import type { KubeObject } from '../../../src/model/object.js'
import { awaitsMigration, migratedManagedFields, migrationPatch } from '../../../src/sync/csa-migration.js'
import { unionFieldsV1 } from '../../../src/sync/fields-v1.js'

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
      'test on resourceVersion, then the migrated list',
      object({ resourceVersion: '7', managedFields: [csa({ 'f:data': {} })] }),
      [
        { op: 'test', path: '/metadata/resourceVersion', value: '7' },
        {
          op: 'replace',
          path: '/metadata/managedFields',
          value: [{ ...csa({ 'f:data': {} }), manager: 'wavesync', operation: 'Apply' }]
        }
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
