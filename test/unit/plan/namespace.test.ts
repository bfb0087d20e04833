import { expect, test } from '@jest/globals'
import type { OperationKind } from '../../../src/model/vocabulary.js'
import {
  DELETE,
  ROLLBACK,
  SYNC_UPGRADE,
  TEST,
  manifests,
  plan,
  taskRows
} from '../../support/manifest-builders.js'

// CreateNamespace=true (sync-semantics §2.5, §3.3)

test('adds the destination namespace as a PreSync wave-0 resource, recorded as created', () => {
  const result = plan(manifests({ kind: 'ConfigMap', name: 'cfg' }), {
    appOptions: { CreateNamespace: 'true' }
  })
  expect(result.issues).toEqual([])
  expect(taskRows(result.tasks)).toEqual([
    'PreSync 0 resource /Namespace dest',
    'Sync 0 resource /ConfigMap dest/cfg'
  ])
  expect(result.tasks[0]).toEqual({
    id: 'PreSync:\u0000Namespace\u0000\u0000dest',
    type: 'resource',
    phase: 'PreSync',
    wave: 0,
    key: { group: '', kind: 'Namespace', namespace: '', name: 'dest' },
    version: 'v1',
    object: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'dest' } },
    source: undefined,
    generateName: undefined,
    hook: undefined,
    syncOptions: {},
    timeoutMs: undefined,
    keep: false,
    removal: undefined,
    pulledUpFor: undefined,
    createdNamespace: true
  })
})

test('namespace-metadata labels and annotations go onto the created namespace', () => {
  const result = plan(manifests({ kind: 'ConfigMap', name: 'cfg' }), {
    appOptions: { CreateNamespace: 'true' },
    namespaceMetadata: { labels: { team: 'a' }, annotations: { owner: 'ops' } }
  })
  expect(result.tasks[0]?.object?.metadata).toEqual({
    name: 'dest',
    labels: { team: 'a' },
    annotations: { owner: 'ops' }
  })
})

test('no extra task when a manifest defines the namespace: the manifest wins', () => {
  const result = plan(manifests({ kind: 'Namespace', name: 'dest' }, { kind: 'ConfigMap', name: 'cfg' }), {
    appOptions: { CreateNamespace: 'true' }
  })
  expect(taskRows(result.tasks)).toEqual([
    'Sync 0 resource /Namespace dest',
    'Sync 0 resource /ConfigMap dest/cfg'
  ])
  expect(result.tasks.map(t => t.createdNamespace)).toEqual([false, false])
})

test.each<[string, OperationKind, string[]]>([
  // Rollbacks and upgrades create it too.
  ['rollback', ROLLBACK, ['PreSync 0 resource /Namespace dest', 'Sync 0 resource /ConfigMap dest/cfg']],
  ['upgrade', SYNC_UPGRADE, ['PreSync 0 resource /Namespace dest', 'Sync 0 resource /ConfigMap dest/cfg']],
  // Delete and test never create a namespace.
  ['delete', DELETE, ['Delete 0 delete /ConfigMap dest/cfg']],
  ['test', TEST, []]
])('CreateNamespace in a %s', (_, operation, rows) => {
  const result = plan(manifests({ kind: 'ConfigMap', name: 'cfg' }), {
    operation,
    appOptions: { CreateNamespace: 'true' }
  })
  expect(taskRows(result.tasks)).toEqual(rows)
})

test('CreateNamespace=false or absent: nothing added', () => {
  expect(
    taskRows(
      plan(manifests({ kind: 'ConfigMap', name: 'cfg' }), { appOptions: { CreateNamespace: 'false' } }).tasks
    )
  ).toEqual(['Sync 0 resource /ConfigMap dest/cfg'])
  expect(taskRows(plan(manifests({ kind: 'ConfigMap', name: 'cfg' })).tasks)).toEqual([
    'Sync 0 resource /ConfigMap dest/cfg'
  ])
})
