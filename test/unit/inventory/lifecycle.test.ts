import { expect, test } from '@jest/globals'
import { manifestDigest, pendingRecord } from '../../../src/inventory/lifecycle.js'
import type { KubeObject } from '../../../src/model/object.js'
import { buildPlan } from '../../../src/plan/plan.js'
import { offlineScope } from '../../../src/plan/scope.js'

const cm = (name: string, v: string): KubeObject => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name },
  data: { v }
})

test('the manifest digest changes with content and order, not with object identity', () => {
  expect(manifestDigest([cm('a', '1')])).toBe(manifestDigest([cm('a', '1')]))
  expect(manifestDigest([cm('a', '1')])).not.toBe(manifestDigest([cm('a', '2')]))
  expect(manifestDigest([cm('a', '1'), cm('b', '1')])).not.toBe(manifestDigest([cm('b', '1'), cm('a', '1')]))
  expect(manifestDigest([])).toMatch(/^sha256:[0-9a-f]{64}$/)
})

test('a pending record keeps commit, ref, digest, paths, the documents as read and every planned hook', () => {
  const documents = [
    cm('a', '1'),
    {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { generateName: 'migrate-', annotations: { 'argocd.argoproj.io/hook': 'PreSync' } }
    }
  ]
  const manifests = documents.map((object, docIndex) => ({
    object,
    source: { file: 'k8s/app.yaml', docIndex, line: 1 },
    fieldLines: new Map<string, number>()
  }))
  const plan = buildPlan({
    app: 'shop',
    manifests,
    operation: { type: 'sync', mode: 'install' },
    namespace: 'shop',
    revision: '3f9c2ab8d1e4',
    startedAt: 1732190000,
    scope: offlineScope(manifests)
  })
  const record = pendingRecord(plan, {
    app: 'shop',
    revision: 1,
    operation: plan.operation,
    operationId: '42-1',
    commit: '3f9c2ab8d1e4',
    ref: 'refs/heads/main',
    paths: ['k8s/'],
    manifests: documents,
    startedAt: 0
  })
  expect(record.status).toBe('pending-install')
  expect(record.source).toEqual({
    commit: '3f9c2ab8d1e4',
    ref: 'refs/heads/main',
    paths: ['k8s/'],
    digest: manifestDigest(documents)
  })
  expect(record.manifests).toEqual(documents)
  expect(record.hooks.map(h => `${h.phase} ${h.key.name} ${h.state}`)).toEqual([
    'PreSync migrate-3f9c2ab-presync-1732190000 pending'
  ])
})
