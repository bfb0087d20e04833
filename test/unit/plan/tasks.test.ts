import { describe, expect, test } from '@jest/globals'
import type { Task } from '../../../src/model/task.js'
import type { OperationKind } from '../../../src/model/vocabulary.js'
import type { ObjectSpec } from '../../support/manifest-builders.js'
import {
  DELETE,
  ROLLBACK,
  SYNC_INSTALL,
  SYNC_UPGRADE,
  TEST,
  errorsOf,
  manifest,
  manifests,
  plan,
  taskRows
} from '../../support/manifest-builders.js'

const HOOK = 'argocd.argoproj.io/hook'
const POLICY = 'argocd.argoproj.io/hook-delete-policy'
const JOB = { apiVersion: 'batch/v1', kind: 'Job' } as const

function hookRows(tasks: readonly Task[]): string[] {
  return tasks.map(
    t =>
      `${t.phase} ${t.key.name} ${t.hook ? `${t.hook.family}:${t.hook.trigger} [${t.hook.deletePolicies.join(',')}]` : t.type}`
  )
}

// hook tasks and names (sync-semantics §5.2)

/** A Job hook with generateName, listed in two phases. */
const WARMUP: ObjectSpec = {
  ...JOB,
  generateName: 'warmup-',
  annotations: { [HOOK]: 'PreSync,PostSync', [POLICY]: 'HookSucceeded' }
}

test('a generateName hook in two phases: two tasks with distinct generated names, one source', () => {
  const result = plan([manifest(WARMUP, 'k8s/warmup.yaml')])
  expect(result.issues).toEqual([])
  expect(result.tasks.map(t => [t.id, t.type, t.phase, t.key.name, t.generateName])).toEqual([
    [
      'PreSync:batch\u0000Job\u0000dest\u0000warmup-3f9c2ab-presync-1732190000',
      'hook',
      'PreSync',
      'warmup-3f9c2ab-presync-1732190000',
      'warmup-'
    ],
    [
      'PostSync:batch\u0000Job\u0000dest\u0000warmup-3f9c2ab-postsync-1732190000',
      'hook',
      'PostSync',
      'warmup-3f9c2ab-postsync-1732190000',
      'warmup-'
    ]
  ])
  // Both come from one document; the object to create has its name and no generateName.
  expect(result.tasks.map(t => [t.source, t.object?.metadata.name, t.object?.metadata.generateName])).toEqual(
    [
      [{ file: 'k8s/warmup.yaml', docIndex: 0, line: 1 }, 'warmup-3f9c2ab-presync-1732190000', undefined],
      [{ file: 'k8s/warmup.yaml', docIndex: 0, line: 1 }, 'warmup-3f9c2ab-postsync-1732190000', undefined]
    ]
  )
  expect(result.tasks.map(t => t.hook)).toEqual([
    {
      family: 'argo',
      types: ['PreSync', 'PostSync'],
      trigger: 'PreSync',
      deletePolicies: ['HookSucceeded'],
      logPolicy: []
    },
    {
      family: 'argo',
      types: ['PreSync', 'PostSync'],
      trigger: 'PostSync',
      deletePolicies: ['HookSucceeded'],
      logPolicy: []
    }
  ])
})

test('a named hook keeps its name in every phase and is not a duplicate of itself', () => {
  const result = plan(manifests({ ...JOB, name: 'smoke', annotations: { [HOOK]: 'Sync,PostSync' } }))
  expect(result.issues).toEqual([])
  expect(taskRows(result.tasks)).toEqual([
    'Sync 0 hook batch/Job dest/smoke',
    'PostSync 0 hook batch/Job dest/smoke'
  ])
  expect(result.tasks.map(t => t.generateName)).toEqual([undefined, undefined])
})

test('a hook without a delete policy gets BeforeHookCreation', () => {
  const result = plan(manifests({ ...JOB, name: 'h', annotations: { 'helm.sh/hook': 'pre-install' } }))
  expect(result.tasks.map(t => t.hook?.deletePolicies)).toEqual([['BeforeHookCreation']])
})

test('generateName on a non-hook is an error at the generateName line and yields no task', () => {
  const result = plan([manifest({ kind: 'ConfigMap', generateName: 'cfg-' }, 'k8s/cfg.yaml')])
  expect(result.tasks).toEqual([])
  expect(result.issues).toEqual([
    {
      severity: 'error',
      message:
        'metadata.generateName is only allowed on hooks: a resource is applied by name; set metadata.name',
      file: 'k8s/cfg.yaml',
      line: 4,
      docIndex: 0,
      key: { group: '', kind: 'ConfigMap', namespace: 'dest', name: 'cfg-*' }
    }
  ])
})

test('Skip alone: no task and not reported as a skipped hook', () => {
  const result = plan(manifests({ name: 'local', annotations: { [HOOK]: 'Skip' } }, { name: 'cfg' }))
  expect(taskRows(result.tasks)).toEqual(['Sync 0 resource /ConfigMap dest/cfg'])
  expect(result.skipped).toEqual([])
})

/** One object per hook flavour; each operation picks its own (sync-semantics §5.1, §9.2). */
const FLAVOURS: ObjectSpec[] = [
  { ...JOB, name: 'argo-pre', annotations: { [HOOK]: 'PreSync' } },
  { ...JOB, name: 'argo-sync', annotations: { [HOOK]: 'Sync' } },
  { ...JOB, name: 'argo-post', annotations: { [HOOK]: 'PostSync' } },
  { ...JOB, name: 'argo-fail', annotations: { [HOOK]: 'SyncFail' } },
  { ...JOB, name: 'argo-predelete', annotations: { [HOOK]: 'PreDelete' } },
  { ...JOB, name: 'argo-postdelete', annotations: { [HOOK]: 'PostDelete' } },
  { ...JOB, name: 'helm-install', annotations: { 'helm.sh/hook': 'pre-install,post-install' } },
  { ...JOB, name: 'helm-upgrade', annotations: { 'helm.sh/hook': 'pre-upgrade' } },
  { ...JOB, name: 'helm-rollback', annotations: { 'helm.sh/hook': 'pre-rollback,post-rollback' } },
  { ...JOB, name: 'helm-delete', annotations: { 'helm.sh/hook': 'pre-delete,post-delete' } },
  { ...JOB, name: 'helm-test', annotations: { 'helm.sh/hook': 'test-success' } },
  { ...JOB, name: 'sherpack-during', annotations: { 'sherpack.io/hook': 'during-install,during-upgrade' } },
  { kind: 'ConfigMap', name: 'resource' }
]

// hooks per operation

test.each([
  [
    'sync (install)',
    SYNC_INSTALL,
    [
      'PreSync argo-pre argo:PreSync [BeforeHookCreation]',
      'PreSync helm-install helm:pre-install [BeforeHookCreation]',
      'Sync resource resource',
      'Sync argo-sync argo:Sync [BeforeHookCreation]',
      'Sync sherpack-during sherpack:during-install [BeforeHookCreation]',
      'PostSync argo-post argo:PostSync [BeforeHookCreation]',
      'PostSync helm-install helm:post-install [BeforeHookCreation]',
      'SyncFail argo-fail argo:SyncFail [BeforeHookCreation]'
    ],
    [
      'argo-postdelete: PostDelete hooks do not run in a sync (install)',
      'argo-predelete: PreDelete hooks do not run in a sync (install)',
      'helm-delete: pre-delete,post-delete hooks do not run in a sync (install)',
      'helm-rollback: pre-rollback,post-rollback hooks do not run in a sync (install)',
      'helm-test: test-success hooks do not run in a sync (install)',
      'helm-upgrade: pre-upgrade hooks do not run in a sync (install)'
    ]
  ],
  [
    'sync (upgrade)',
    SYNC_UPGRADE,
    [
      'PreSync argo-pre argo:PreSync [BeforeHookCreation]',
      'PreSync helm-upgrade helm:pre-upgrade [BeforeHookCreation]',
      'Sync resource resource',
      'Sync argo-sync argo:Sync [BeforeHookCreation]',
      'Sync sherpack-during sherpack:during-upgrade [BeforeHookCreation]',
      'PostSync argo-post argo:PostSync [BeforeHookCreation]',
      'SyncFail argo-fail argo:SyncFail [BeforeHookCreation]'
    ],
    [
      'argo-postdelete: PostDelete hooks do not run in a sync (upgrade)',
      'argo-predelete: PreDelete hooks do not run in a sync (upgrade)',
      'helm-delete: pre-delete,post-delete hooks do not run in a sync (upgrade)',
      'helm-install: pre-install,post-install hooks do not run in a sync (upgrade)',
      'helm-rollback: pre-rollback,post-rollback hooks do not run in a sync (upgrade)',
      'helm-test: test-success hooks do not run in a sync (upgrade)'
    ]
  ],
  [
    'rollback',
    ROLLBACK,
    [
      'PreSync argo-pre argo:PreSync [BeforeHookCreation]',
      'PreSync helm-rollback helm:pre-rollback [BeforeHookCreation]',
      'Sync resource resource',
      'Sync argo-sync argo:Sync [BeforeHookCreation]',
      'PostSync argo-post argo:PostSync [BeforeHookCreation]',
      'PostSync helm-rollback helm:post-rollback [BeforeHookCreation]',
      'SyncFail argo-fail argo:SyncFail [BeforeHookCreation]'
    ],
    [
      'argo-postdelete: PostDelete hooks do not run in a rollback',
      'argo-predelete: PreDelete hooks do not run in a rollback',
      'helm-delete: pre-delete,post-delete hooks do not run in a rollback',
      'helm-install: pre-install,post-install hooks do not run in a rollback',
      'helm-test: test-success hooks do not run in a rollback',
      'helm-upgrade: pre-upgrade hooks do not run in a rollback',
      'sherpack-during: during-install,during-upgrade hooks do not run in a rollback'
    ]
  ],
  [
    'delete',
    DELETE,
    [
      'PreDelete argo-predelete argo:PreDelete [BeforeHookCreation]',
      'PreDelete helm-delete helm:pre-delete [BeforeHookCreation]',
      'Delete resource delete',
      'PostDelete argo-postdelete argo:PostDelete [BeforeHookCreation]',
      'PostDelete helm-delete helm:post-delete [BeforeHookCreation]'
    ],
    [
      'argo-fail: SyncFail hooks do not run in a delete',
      'argo-post: PostSync hooks do not run in a delete',
      'argo-pre: PreSync hooks do not run in a delete',
      'argo-sync: Sync hooks do not run in a delete',
      'helm-install: pre-install,post-install hooks do not run in a delete',
      'helm-rollback: pre-rollback,post-rollback hooks do not run in a delete',
      'helm-test: test-success hooks do not run in a delete',
      'helm-upgrade: pre-upgrade hooks do not run in a delete',
      'sherpack-during: during-install,during-upgrade hooks do not run in a delete'
    ]
  ],
  [
    // Test: only test hooks; no resources at all.
    'test',
    TEST,
    ['Test helm-test helm:test-success [BeforeHookCreation]'],
    [
      'argo-fail: SyncFail hooks do not run in a test',
      'argo-post: PostSync hooks do not run in a test',
      'argo-postdelete: PostDelete hooks do not run in a test',
      'argo-pre: PreSync hooks do not run in a test',
      'argo-predelete: PreDelete hooks do not run in a test',
      'argo-sync: Sync hooks do not run in a test',
      'helm-delete: pre-delete,post-delete hooks do not run in a test',
      'helm-install: pre-install,post-install hooks do not run in a test',
      'helm-rollback: pre-rollback,post-rollback hooks do not run in a test',
      'helm-upgrade: pre-upgrade hooks do not run in a test',
      'sherpack-during: during-install,during-upgrade hooks do not run in a test'
    ]
  ]
] as const)('hooks in a %s', (_, operation: OperationKind, tasks, skipped) => {
  const result = plan(manifests(...FLAVOURS), { operation })
  expect(result.issues).toEqual([])
  expect(hookRows(result.tasks)).toEqual(tasks)
  expect(result.skipped.map(s => `${s.key.name}: ${s.reason}`)).toEqual(skipped)
  // Skipped hooks are located at their manifest.
  expect(result.skipped.every(s => /^m\d+\.yaml$/.test(s.source.file) && s.source.line === 1)).toBe(true)
})

describe('no-hooks and skip-hooks in a plan (sync-semantics §5.8)', () => {
  const items = (): ReturnType<typeof manifests> =>
    manifests(
      { ...JOB, name: 'argo-pre', annotations: { [HOOK]: 'PreSync' } },
      { ...JOB, name: 'argo-both', annotations: { [HOOK]: 'PreSync,PostSync' } },
      { ...JOB, name: 'helm-pre', annotations: { 'helm.sh/hook': 'pre-install' } },
      { ...JOB, name: 'sherpack-pre', annotations: { 'sherpack.io/hook': 'pre-install' } },
      { kind: 'ConfigMap', name: 'cfg' }
    )

  test.each([
    [
      // An Argo phase name skips only Argo hooks of that phase; the other phase of a two-phase hook stays.
      { skip: ['PreSync'] },
      [
        'PreSync helm-pre helm:pre-install [BeforeHookCreation]',
        'PreSync sherpack-pre sherpack:pre-install [BeforeHookCreation]',
        'Sync cfg resource',
        'PostSync argo-both argo:PostSync [BeforeHookCreation]'
      ],
      [
        'argo-both: PreSync hook skipped (skip-hooks PreSync)',
        'argo-pre: PreSync hook skipped (skip-hooks PreSync)'
      ]
    ],
    [
      // A Helm event name skips Helm and Sherpack hooks of that event only.
      { skip: ['pre-install'] },
      [
        'PreSync argo-both argo:PreSync [BeforeHookCreation]',
        'PreSync argo-pre argo:PreSync [BeforeHookCreation]',
        'Sync cfg resource',
        'PostSync argo-both argo:PostSync [BeforeHookCreation]'
      ],
      [
        'helm-pre: pre-install hook skipped (skip-hooks pre-install)',
        'sherpack-pre: pre-install hook skipped (skip-hooks pre-install)'
      ]
    ],
    [
      // no-hooks: only resources remain; every hook phase is reported, sorted by object then reason.
      { none: true },
      ['Sync cfg resource'],
      [
        'argo-both: PostSync hook skipped (no-hooks)',
        'argo-both: PreSync hook skipped (no-hooks)',
        'argo-pre: PreSync hook skipped (no-hooks)',
        'helm-pre: pre-install hook skipped (no-hooks)',
        'sherpack-pre: pre-install hook skipped (no-hooks)'
      ]
    ]
  ])('%j', (hooks, tasks, skipped) => {
    const result = plan(items(), { hooks })
    expect(result.issues).toEqual([])
    expect(hookRows(result.tasks)).toEqual(tasks)
    expect(result.skipped.map(s => `${s.key.name}: ${s.reason}`)).toEqual(skipped)
  })
})

// namespaces (sync-semantics §4.1.4, §5.2.4)

test.each([
  // Namespaced kinds without a namespace get the destination namespace.
  [{ kind: 'ConfigMap', name: 'a' }, 'dest', []],
  [{ ...JOB, name: 'hook', annotations: { [HOOK]: 'PreSync' } }, 'dest', []],
  // Their own namespace is kept.
  [{ kind: 'ConfigMap', name: 'a', namespace: 'other' }, 'other', []],
  // Unknown kinds are taken as namespaced offline.
  [{ apiVersion: 'example.com/v1', kind: 'Gadget', name: 'g' }, 'dest', []],
  // Cluster-scoped kinds drop a namespace, with a warning at its line.
  [
    { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', name: 'reader', namespace: 'dest' },
    '',
    ["warning 5: metadata.namespace 'dest' is ignored: ClusterRole is cluster-scoped"]
  ],
  [{ kind: 'Namespace', name: 'ns' }, '', []],
  [{ apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', name: 'high' }, '', []]
])('namespace of %j → %j', (spec, namespace, issues) => {
  const result = plan(manifests(spec))
  expect(result.issues.map(i => `${i.severity} ${i.line}: ${i.message}`)).toEqual(issues)
  expect(result.tasks.map(t => [t.key.namespace, t.object?.metadata.namespace])).toEqual([
    [namespace, namespace === '' ? undefined : namespace]
  ])
})

test.each([
  // A CRD's spec.scope decides for its custom resources (offlineScope).
  ['Cluster', 'dest', '', ["warning 5: metadata.namespace 'dest' is ignored: Widget is cluster-scoped"]],
  ['Namespaced', undefined, 'dest', []]
] as const)('CRD scope %s: a Widget with namespace %j → %j', (scope, given, namespace, issues) => {
  const crd: ObjectSpec = {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    name: 'widgets.example.com',
    extra: `spec:\n  group: example.com\n  scope: ${scope}\n  names:\n    kind: Widget\n    plural: widgets`
  }
  const widget: ObjectSpec = {
    apiVersion: 'example.com/v1',
    kind: 'Widget',
    name: 'w',
    ...(given ? { namespace: given } : {})
  }
  const result = plan(manifests(crd, widget))
  expect(result.issues.map(i => `${i.severity} ${i.line}: ${i.message}`)).toEqual(issues)
  expect(result.tasks.find(t => t.key.kind === 'Widget')?.key.namespace).toBe(namespace)
})

test('planning never mutates the manifests it is given', () => {
  const items = manifests(
    { kind: 'ConfigMap', name: 'a' },
    { ...JOB, generateName: 'h-', annotations: { [HOOK]: 'PreSync' } }
  )
  const before = structuredClone(items.map(m => m.object))
  plan(items)
  expect(items.map(m => m.object)).toEqual(before)
})

// validation of names and identities (sync-semantics §5.2.3)

test('duplicate objects across files: an error naming both locations', () => {
  const result = plan([
    manifest({ kind: 'ConfigMap', name: 'cfg' }, 'a.yaml'),
    // Same identity once the namespace is defaulted.
    manifest({ kind: 'ConfigMap', name: 'cfg', namespace: 'dest' }, 'b.yaml')
  ])
  expect(result.issues).toEqual([
    {
      severity: 'error',
      message: 'duplicate object /ConfigMap dest/cfg; also defined at a.yaml:1',
      file: 'b.yaml',
      line: 1,
      docIndex: 0,
      key: { group: '', kind: 'ConfigMap', namespace: 'dest', name: 'cfg' }
    }
  ])
})

test('the API version is not part of identity: two versions of one object are duplicates', () => {
  const result = plan([
    manifest({ apiVersion: 'autoscaling/v1', kind: 'HorizontalPodAutoscaler', name: 'web' }, 'a.yaml'),
    manifest({ apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', name: 'web' }, 'b.yaml')
  ])
  expect(errorsOf(result.issues)).toEqual([
    '1: duplicate object autoscaling/HorizontalPodAutoscaler dest/web; also defined at a.yaml:1'
  ])
})

test('a resource and a hook on one object are duplicates too', () => {
  const result = plan([
    manifest({ kind: 'ConfigMap', name: 'cfg' }, 'a.yaml'),
    manifest({ kind: 'ConfigMap', name: 'cfg', annotations: { [HOOK]: 'PreSync' } }, 'b.yaml')
  ])
  expect(errorsOf(result.issues)).toEqual([
    '1: duplicate object /ConfigMap dest/cfg; also defined at a.yaml:1'
  ])
})

test('two generateName hooks resolving to one name: an error (argo-cd#9184)', () => {
  const spec: ObjectSpec = { ...JOB, generateName: 'migrate-', annotations: { [HOOK]: 'PreSync' } }
  const result = plan([manifest(spec, 'a.yaml'), manifest(spec, 'b.yaml')])
  expect(errorsOf(result.issues)).toEqual([
    '1: two hooks resolve to batch/Job dest/migrate-3f9c2ab-presync-1732190000; also defined at a.yaml:1'
  ])
})

test('the same object in two namespaces is not a duplicate', () => {
  const result = plan(
    manifests(
      { kind: 'ConfigMap', name: 'cfg', namespace: 'a' },
      { kind: 'ConfigMap', name: 'cfg', namespace: 'b' }
    )
  )
  expect(result.issues).toEqual([])
})

test.each([
  // 45 + 26 = 71 characters: too long for a Job (its name goes into the job-name label).
  [
    {
      ...JOB,
      generateName: 'very-long-hook-name-for-a-database-migration-',
      annotations: { [HOOK]: 'PreSync' }
    },
    "Job name 'very-long-hook-name-for-a-database-migration-3f9c2ab-presync-1732190000' has 71 characters; at most 63 (a DNS-1123 subdomain of at most 63 characters)"
  ],
  // The prefix keeps its case, so an upper-case prefix makes an invalid name.
  [
    { ...JOB, generateName: 'Cache-', annotations: { [HOOK]: 'PostSync' } },
    "Job name 'Cache-3f9c2ab-postsync-1732190000' must be a DNS-1123 subdomain of at most 63 characters: lower-case letters, digits and '-'"
  ],
  [
    { kind: 'ConfigMap', name: 'Bad_Name' },
    "ConfigMap name 'Bad_Name' must be a DNS-1123 subdomain: lower-case letters, digits and '-'"
  ]
])('name of %j → error', (spec, message) => {
  const result = plan([manifest(spec, 'k8s/x.yaml')])
  // At the line of the name (or generateName) field, not the document's start.
  expect(result.issues.map(i => [i.severity, i.file, i.line, i.message])).toEqual([
    ['error', 'k8s/x.yaml', 4, message]
  ])
})

test('a too-long named hook in two phases is reported once', () => {
  const name = 'x'.repeat(64)
  const result = plan(manifests({ ...JOB, name, annotations: { [HOOK]: 'PreSync,PostSync' } }))
  expect(errorsOf(result.issues)).toEqual([
    `4: Job name '${name}' has 64 characters; at most 63 (a DNS-1123 subdomain of at most 63 characters)`
  ])
})
