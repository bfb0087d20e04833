import { expect, test } from '@jest/globals'
import type { Task } from '../../../src/model/task.js'
import type { PlanInput } from '../../../src/plan/plan.js'
import type { ObjectSpec } from '../../support/manifest-builders.js'
import { DELETE, liveObject, manifests, plan } from '../../support/manifest-builders.js'
import type { ResourceKey } from '../../../src/model/key.js'
import { keyId } from '../../../src/model/key.js'

const WAVE = 'argocd.argoproj.io/sync-wave'
const OPTIONS = 'argocd.argoproj.io/sync-options'

function rows(tasks: readonly Task[]): string[] {
  return tasks.map(t => {
    const what = t.removal
      ? t.removal.action === 'skip'
        ? `skip (${t.removal.reason ?? ''})`
        : 'remove'
      : (t.hook?.trigger ?? '-')
    return `${t.phase} ${t.wave} ${t.type} ${t.key.group}/${t.key.kind} ${t.key.namespace}/${t.key.name}: ${what}`
  })
}

function deletePlan(specs: ObjectSpec[], input: Partial<PlanInput> = {}) {
  return plan(manifests(...specs), { operation: DELETE, ...input })
}

const CRD: ObjectSpec = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  name: 'widgets.example.com',
  extra: 'spec:\n  group: example.com\n  scope: Namespaced\n  names:\n    kind: Widget\n    plural: widgets'
}

// the delete operation (sync-semantics §10)

test('Delete phase in reverse order, CRDs kept, Namespaces last in NamespaceCleanup, delete hooks around', () => {
  const result = deletePlan([
    { kind: 'Namespace', name: 'team', annotations: { [WAVE]: '-1' } },
    CRD,
    {
      apiVersion: 'example.com/v1',
      kind: 'Widget',
      name: 'w',
      namespace: 'team',
      annotations: { [WAVE]: '2' }
    },
    { kind: 'ConfigMap', name: 'cfg', namespace: 'team' },
    { kind: 'Service', name: 'web', namespace: 'team' },
    { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', namespace: 'team' },
    { apiVersion: 'apiregistration.k8s.io/v1', kind: 'APIService', name: 'v1.example.com' },
    {
      apiVersion: 'batch/v1',
      kind: 'Job',
      name: 'pre',
      namespace: 'team',
      annotations: { 'argocd.argoproj.io/hook': 'PreDelete' }
    },
    {
      apiVersion: 'batch/v1',
      kind: 'Job',
      name: 'post',
      namespace: 'team',
      annotations: { 'helm.sh/hook': 'post-delete' }
    }
  ])
  expect(result.issues).toEqual([])
  expect(rows(result.tasks)).toEqual([
    'PreDelete 0 hook batch/Job team/pre: PreDelete',
    'Delete 2 delete example.com/Widget team/w: remove',
    'Delete 0 delete apiregistration.k8s.io/APIService /v1.example.com: remove',
    'Delete 0 delete apps/Deployment team/web: remove',
    'Delete 0 delete /Service team/web: remove',
    'Delete 0 delete apiextensions.k8s.io/CustomResourceDefinition /widgets.example.com: skip (CRD kept)',
    'Delete 0 delete /ConfigMap team/cfg: remove',
    'PostDelete 0 hook batch/Job team/post: post-delete',
    'NamespaceCleanup 0 delete /Namespace /team: remove'
  ])
  expect(result.tasks.find(t => t.key.kind === 'Namespace')?.id).toBe(
    'NamespaceCleanup:\u0000Namespace\u0000\u0000team'
  )
})

test.each<[string, ObjectSpec, Partial<PlanInput>, string]>([
  [
    'Delete=false on the object',
    { kind: 'ConfigMap', name: 'c', annotations: { [OPTIONS]: 'Delete=false' } },
    {},
    'skip (ignored (Delete=false))'
  ],
  [
    'Delete=false for the app',
    { kind: 'ConfigMap', name: 'c' },
    { appOptions: { Delete: 'false' } },
    'skip (ignored (Delete=false))'
  ],
  [
    'Delete=confirm without confirm-delete',
    { kind: 'ConfigMap', name: 'c', annotations: { [OPTIONS]: 'Delete=confirm' } },
    {},
    'skip (ignored (requires confirmation))'
  ],
  [
    'Delete=confirm with confirm-delete',
    { kind: 'ConfigMap', name: 'c', annotations: { [OPTIONS]: 'Delete=confirm' } },
    { deletion: { confirmed: true } },
    'remove'
  ],
  // The object's option wins over the app's.
  [
    'object Delete=confirm over app Delete=false',
    { kind: 'ConfigMap', name: 'c', annotations: { [OPTIONS]: 'Delete=confirm' } },
    { appOptions: { Delete: 'false' }, deletion: { confirmed: true } },
    'remove'
  ],
  [
    'resource-policy keep',
    { kind: 'ConfigMap', name: 'c', annotations: { 'helm.sh/resource-policy': 'keep' } },
    {},
    'skip (ignored (resource-policy keep))'
  ],
  ['nothing special', { kind: 'ConfigMap', name: 'c' }, {}, 'remove']
])('delete decision: %s → %s', (_, spec, input, decision) => {
  expect(rows(deletePlan([spec], input).tasks)).toEqual([`Delete 0 delete /ConfigMap dest/c: ${decision}`])
})

test('a Namespace holding a kept object is kept; one holding only deleted objects goes', () => {
  const result = deletePlan([
    { kind: 'Namespace', name: 'keep-me' },
    { kind: 'Namespace', name: 'drop-me' },
    { kind: 'ConfigMap', name: 'kept', namespace: 'keep-me', annotations: { [OPTIONS]: 'Delete=false' } },
    { kind: 'ConfigMap', name: 'gone', namespace: 'drop-me' }
  ])
  expect(rows(result.tasks)).toEqual([
    'Delete 0 delete /ConfigMap keep-me/kept: skip (ignored (Delete=false))',
    'Delete 0 delete /ConfigMap drop-me/gone: remove',
    'NamespaceCleanup 0 delete /Namespace /drop-me: remove',
    'NamespaceCleanup 0 delete /Namespace /keep-me: skip (namespace kept: it holds objects that are kept)'
  ])
})

test('an object already gone keeps nothing: its Namespace is still deleted (a re-run after a partial delete)', () => {
  const ns = { group: '', kind: 'Namespace', namespace: '', name: 'drop-me' }
  const kept = { group: '', kind: 'ConfigMap', namespace: 'keep-me', name: 'other' }
  const live = new Map([
    [keyId(ns), liveObject(ns)],
    [keyId({ ...ns, name: 'keep-me' }), liveObject({ ...ns, name: 'keep-me' })],
    [keyId(kept), liveObject(kept, { tracking: 'someone-else' })]
  ])
  const result = deletePlan(
    [
      { kind: 'Namespace', name: 'drop-me' },
      { kind: 'Namespace', name: 'keep-me' },
      { kind: 'ConfigMap', name: 'vanished', namespace: 'drop-me' },
      { kind: 'ConfigMap', name: 'other', namespace: 'keep-me' }
    ],
    { deletion: { live, app: 'app' } }
  )
  expect(rows(result.tasks)).toEqual([
    'Delete 0 delete /ConfigMap drop-me/vanished: skip (already gone)',
    'Delete 0 delete /ConfigMap keep-me/other: skip (no longer tracked by this application)',
    'NamespaceCleanup 0 delete /Namespace /drop-me: remove',
    'NamespaceCleanup 0 delete /Namespace /keep-me: skip (namespace kept: it holds objects that are kept)'
  ])
})

const KEPT_NAMESPACE = 'skip (namespace kept: it holds objects that are kept)'

/** An object with the identity the rows below need. */
type Named = ObjectSpec & { kind: string; name: string }

/** The identity a spec plans to (its namespace is given: no destination default). */
function keyOf(spec: Named): ResourceKey {
  const apiVersion = spec.apiVersion ?? 'v1'
  const group = apiVersion.includes('/') ? (apiVersion.split('/')[0] ?? '') : ''
  return { group, kind: spec.kind, namespace: spec.namespace ?? '', name: spec.name }
}

// §10.1.3, §10.2, §10.4: only an object really kept keeps its namespace; one already gone (a re-run
// after a delete failed halfway, a Job its TTL removed) must not, or the namespace is never removed.
/** why, the objects, which of them are gone or another application's, plan input, the namespace's row. */
type PartlyGone = [string, Named[], { gone: string[]; foreign?: string[] }, Partial<PlanInput>, string]

/** ConfigMap `gone` already gone, `kept` kept by these annotations: the namespace must stay. */
const goneAndKept = (why: string, annotations: Record<string, string>): PartlyGone => [
  `one object gone, one ${why}`,
  [
    { kind: 'ConfigMap', name: 'gone', namespace: 'team' },
    { kind: 'ConfigMap', name: 'kept', namespace: 'team', annotations }
  ],
  { gone: ['gone'] },
  {},
  KEPT_NAMESPACE
]

test.each<PartlyGone>([
  [
    'the only object already gone (a re-run after a partial delete)',
    [{ kind: 'ConfigMap', name: 'cfg', namespace: 'team' }],
    { gone: ['cfg'] },
    {},
    'remove'
  ],
  [
    'a Job its TTL removed, the rest still live',
    [
      { apiVersion: 'batch/v1', kind: 'Job', name: 'migrate', namespace: 'team' },
      { kind: 'ConfigMap', name: 'cfg', namespace: 'team' }
    ],
    { gone: ['migrate'] },
    {},
    'remove'
  ],
  [
    'every object already gone, in a namespace CreateNamespace created',
    [
      { kind: 'ConfigMap', name: 'a', namespace: 'team' },
      { kind: 'Secret', name: 'b', namespace: 'team' }
    ],
    { gone: ['a', 'b'] },
    { deletion: { createdNamespaces: ['team'] } },
    'remove'
  ],
  goneAndKept('Delete=false', { [OPTIONS]: 'Delete=false' }),
  goneAndKept('resource-policy keep', { 'helm.sh/resource-policy': 'keep' }),
  goneAndKept('Delete=confirm without confirm-delete', { [OPTIONS]: 'Delete=confirm' }),
  [
    "one object gone, one now another application's",
    [
      { kind: 'ConfigMap', name: 'gone', namespace: 'team' },
      { kind: 'ConfigMap', name: 'theirs', namespace: 'team' }
    ],
    { gone: ['gone'], foreign: ['theirs'] },
    {},
    KEPT_NAMESPACE
  ]
])('namespace of objects partly gone: %s', (_, objects, cluster, input, decision) => {
  const withNamespace = input.deletion?.createdNamespaces
    ? objects
    : [{ kind: 'Namespace', name: 'team' } satisfies Named, ...objects]
  const live = new Map(
    withNamespace
      .filter(spec => !cluster.gone.includes(spec.name))
      .map(spec => keyOf(spec))
      .map(key => {
        const tracking = cluster.foreign?.includes(key.name) ? `other:${key.kind}` : undefined
        return [keyId(key), liveObject(key, tracking ? { tracking } : {})] as const
      })
  )
  const result = deletePlan(withNamespace, { ...input, deletion: { ...input.deletion, live, app: 'app' } })
  const namespaceRows = rows(result.tasks).filter(row => row.startsWith('NamespaceCleanup'))
  expect(namespaceRows).toEqual([`NamespaceCleanup 0 delete /Namespace /team: ${decision}`])
  // What is gone is skipped as such, and only that.
  const goneRows = rows(result.tasks).filter(row => row.endsWith('skip (already gone)'))
  expect(goneRows.map(row => row.split(' ')[4])).toEqual(cluster.gone.map(name => `team/${name}:`))
})

test('a Namespace with Delete=false keeps its own decision', () => {
  const result = deletePlan([{ kind: 'Namespace', name: 'ns', annotations: { [OPTIONS]: 'Delete=false' } }])
  expect(rows(result.tasks)).toEqual([
    'NamespaceCleanup 0 delete /Namespace /ns: skip (ignored (Delete=false))'
  ])
})

test('Delete-phase waves: highest first, one wave per step', () => {
  const result = deletePlan([
    { kind: 'ConfigMap', name: 'a', annotations: { [WAVE]: '1' } },
    { kind: 'ConfigMap', name: 'b', annotations: { [WAVE]: '5' } },
    { kind: 'ConfigMap', name: 'c', annotations: { [WAVE]: '-2' } },
    { kind: 'Secret', name: 'd', annotations: { [WAVE]: '5' } }
  ])
  expect(rows(result.tasks)).toEqual([
    'Delete 5 delete /ConfigMap dest/b: remove',
    'Delete 5 delete /Secret dest/d: remove',
    'Delete 1 delete /ConfigMap dest/a: remove',
    'Delete -2 delete /ConfigMap dest/c: remove'
  ])
})
