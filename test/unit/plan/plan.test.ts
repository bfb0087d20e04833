import { describe, expect, test } from '@jest/globals'
import { appOption } from '../../../src/plan/plan.js'
import { planText } from '../../../src/plan/render.js'
import type { ObjectSpec } from '../../support/manifest-builders.js'
import { manifest, permutations, plan } from '../../support/manifest-builders.js'

const HOOK = 'argocd.argoproj.io/hook'
const WAVE = 'argocd.argoproj.io/sync-wave'

const SPECS: ObjectSpec[] = [
  { kind: 'Namespace', name: 'team', annotations: { [WAVE]: '1' } },
  {
    apiVersion: 'batch/v1',
    kind: 'Job',
    generateName: 'migrate-',
    namespace: 'team',
    annotations: { [HOOK]: 'PreSync,PostSync' }
  },
  { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', namespace: 'team', annotations: { [WAVE]: '2' } },
  { kind: 'Service', name: 'web', namespace: 'team', annotations: { [WAVE]: '2' } },
  { kind: 'ConfigMap', name: 'web', namespace: 'team' },
  { kind: 'ConfigMap', name: 'web', namespace: 'other' },
  { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', name: 'reader' },
  {
    apiVersion: 'example.com/v1',
    kind: 'Widget',
    name: 'w',
    annotations: { 'helm.sh/hook': 'post-install', 'helm.sh/hook-weight': '-1' }
  },
  { kind: 'ConfigMap', name: 'typo', annotations: { 'argocd.argoproj.io/sync-wav': '1' } }
]

describe('buildPlan', () => {
  test('deterministic: the same manifests in any order give the same plan text', () => {
    const items = SPECS.map((spec, index) => manifest(spec, `f${index}.yaml`))
    const expected = planText(plan(items))
    for (const order of permutations(items)) expect(planText(plan(order))).toBe(expected)
  })

  test('issues are sorted by file, line and message', () => {
    const items = [
      manifest({ kind: 'ConfigMap', name: 'b', annotations: { [WAVE]: 'x', [HOOK]: 'presync' } }, 'b.yaml'),
      manifest({ kind: 'ConfigMap', name: 'a', annotations: { [WAVE]: 'y' } }, 'a.yaml')
    ]
    expect(plan(items).issues.map(i => `${i.file}:${i.line} ${i.severity}`)).toEqual([
      'a.yaml:6 error',
      'b.yaml:6 error',
      'b.yaml:7 error'
    ])
  })

  test('the plan echoes its input', () => {
    const result = plan([], { app: 'shop', namespace: 'prod', revision: 'abc' })
    expect([result.app, result.namespace, result.revision, result.operation]).toEqual([
      'shop',
      'prod',
      'abc',
      { type: 'sync', mode: 'install' }
    ])
    expect(result.tasks).toEqual([])
  })
})

describe('appOption', () => {
  test.each([
    [{ CreateNamespace: 'true' }, true],
    [{ CreateNamespace: 'false' }, false],
    [{}, false]
  ])('%j → %s', (options, on) => {
    expect(appOption(options, 'CreateNamespace')).toBe(on)
  })
})
