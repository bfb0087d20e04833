import { expect, test } from '@jest/globals'
import { pullUpDependencies } from '../../../src/plan/pull-ups.js'
import {
  inventory,
  key,
  liveObject,
  manifests,
  plan,
  task,
  taskRows
} from '../../support/manifest-builders.js'

const WAVE = 'argocd.argoproj.io/sync-wave'
const HOOK = 'argocd.argoproj.io/hook'

const CRD = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  name: 'widgets.example.com',
  extra: [
    'spec:',
    '  group: example.com',
    '  scope: Namespaced',
    '  names:',
    '    kind: Widget',
    '    plural: widgets'
  ].join('\n')
}

function pulled(tasks: ReturnType<typeof plan>['tasks']): (string | undefined)[] {
  return tasks.map(t => t.pulledUpFor)
}

// dependency pull-ups (sync-semantics §3.3)

test('a Namespace in Sync wave 1 moves before the PreSync hook living in it, taking its phase and wave', () => {
  const result = plan(
    manifests(
      { kind: 'Namespace', name: 'team', annotations: { [WAVE]: '1' } },
      {
        apiVersion: 'batch/v1',
        kind: 'Job',
        name: 'migrate',
        namespace: 'team',
        annotations: { [HOOK]: 'PreSync', [WAVE]: '-2' }
      },
      { kind: 'ConfigMap', name: 'cfg', namespace: 'team' }
    )
  )
  expect(result.issues).toEqual([])
  expect(taskRows(result.tasks)).toEqual([
    'PreSync -2 resource /Namespace team',
    'PreSync -2 hook batch/Job team/migrate',
    'Sync 0 resource /ConfigMap team/cfg'
  ])
  expect(pulled(result.tasks)).toEqual(['batch/Job team/migrate', undefined, undefined])
  // The moved task gets the id of its new phase.
  expect(result.tasks[0]?.id).toBe('PreSync:\u0000Namespace\u0000\u0000team')
})

test('a CRD in Sync wave 3 is pulled into PreSync when a PreSync hook is one of its custom resources', () => {
  const result = plan(
    manifests(
      { ...CRD, annotations: { [WAVE]: '3' } },
      {
        apiVersion: 'example.com/v1',
        kind: 'Widget',
        name: 'seed',
        annotations: { [HOOK]: 'PreSync', [WAVE]: '4' }
      },
      { apiVersion: 'example.com/v1', kind: 'Widget', name: 'main' }
    )
  )
  expect(result.issues).toEqual([])
  expect(taskRows(result.tasks)).toEqual([
    'PreSync 4 resource apiextensions.k8s.io/CustomResourceDefinition widgets.example.com',
    'PreSync 4 hook example.com/Widget dest/seed',
    'Sync 0 resource example.com/Widget dest/main'
  ])
  expect(pulled(result.tasks)).toEqual(['example.com/Widget dest/seed', undefined, undefined])
})

test('a CRD in a later Sync wave moves before its first custom resource in the same phase', () => {
  const result = plan(
    manifests(
      { ...CRD, annotations: { [WAVE]: '3' } },
      { apiVersion: 'example.com/v1', kind: 'Widget', name: 'early', annotations: { [WAVE]: '1' } },
      { kind: 'ConfigMap', name: 'cfg', annotations: { [WAVE]: '1' } }
    )
  )
  expect(taskRows(result.tasks)).toEqual([
    'Sync 1 resource /ConfigMap dest/cfg',
    'Sync 1 resource apiextensions.k8s.io/CustomResourceDefinition widgets.example.com',
    'Sync 1 resource example.com/Widget dest/early'
  ])
})

test('earlier dependencies stay put and are not marked', () => {
  const result = plan(
    manifests(
      { kind: 'Namespace', name: 'team', annotations: { [WAVE]: '-1' } },
      { ...CRD },
      {
        apiVersion: 'example.com/v1',
        kind: 'Widget',
        name: 'w',
        namespace: 'team',
        annotations: { [WAVE]: '2' }
      },
      { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', namespace: 'team' }
    )
  )
  expect(taskRows(result.tasks)).toEqual([
    'Sync -1 resource /Namespace team',
    'Sync 0 resource apiextensions.k8s.io/CustomResourceDefinition widgets.example.com',
    'Sync 0 resource apps/Deployment team/web',
    'Sync 2 resource example.com/Widget team/w'
  ])
  expect(pulled(result.tasks)).toEqual([undefined, undefined, undefined, undefined])
})

test('no re-sort follows: the Namespace lands just before the task needing it, after other kinds', () => {
  const result = plan(
    manifests(
      { kind: 'Namespace', name: 'team' },
      { kind: 'ServiceAccount', name: 'a-runner', namespace: 'other', annotations: { [HOOK]: 'PreSync' } },
      {
        apiVersion: 'batch/v1',
        kind: 'Job',
        name: 'b-migrate',
        namespace: 'team',
        annotations: { [HOOK]: 'PreSync' }
      }
    )
  )
  expect(taskRows(result.tasks)).toEqual([
    'PreSync 0 hook /ServiceAccount other/a-runner',
    'PreSync 0 resource /Namespace team',
    'PreSync 0 hook batch/Job team/b-migrate'
  ])
})

test('the CreateNamespace task (PreSync wave 0) moves before a PreSync hook of an earlier wave', () => {
  const result = plan(
    manifests({
      apiVersion: 'batch/v1',
      kind: 'Job',
      name: 'migrate',
      annotations: { [HOOK]: 'PreSync', [WAVE]: '-5' }
    }),
    { appOptions: { CreateNamespace: 'true' } }
  )
  expect(taskRows(result.tasks)).toEqual([
    'PreSync -5 resource /Namespace dest',
    'PreSync -5 hook batch/Job dest/migrate'
  ])
  expect(result.tasks[0]?.createdNamespace).toBe(true)
  expect(result.tasks[0]?.pulledUpFor).toBe('batch/Job dest/migrate')
})

test('prune tasks never pull a dependency up', () => {
  const gone = key('ConfigMap', 'old', 'team')
  const result = plan(manifests({ kind: 'Namespace', name: 'team', annotations: { [WAVE]: '5' } }), {
    previous: inventory([{ key: gone, live: liveObject(gone) }]),
    prune: { enabled: true, confirmed: false }
  })
  expect(taskRows(result.tasks)).toEqual([
    'Sync 0 prune /ConfigMap team/old',
    'Sync 5 resource /Namespace team'
  ])
  expect(pulled(result.tasks)).toEqual([undefined, undefined])
})

test('pullUpDependencies leaves a list without dependencies untouched and returns a new array', () => {
  const tasks = [task({ phase: 'PreSync', name: 'a' }), task({ name: 'b' })]
  const result = pullUpDependencies(tasks)
  expect(result).toEqual(tasks)
  expect(result).not.toBe(tasks)
})
