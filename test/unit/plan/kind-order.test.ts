import { describe, expect, test } from '@jest/globals'
import { UNLISTED_RANK, kindRank, kindReason } from '../../../src/plan/kind-order.js'

/** sync-semantics §3.2, Argo CD's 35 kinds in order (gitops-engine pkg/sync/sync_tasks.go). */
const TABLE = [
  'Namespace',
  'NetworkPolicy',
  'ResourceQuota',
  'LimitRange',
  'PodSecurityPolicy',
  'PodDisruptionBudget',
  'ServiceAccount',
  'Secret',
  'SecretList',
  'ConfigMap',
  'StorageClass',
  'PersistentVolume',
  'PersistentVolumeClaim',
  'CustomResourceDefinition',
  'ClusterRole',
  'ClusterRoleList',
  'ClusterRoleBinding',
  'ClusterRoleBindingList',
  'Role',
  'RoleList',
  'RoleBinding',
  'RoleBindingList',
  'Service',
  'DaemonSet',
  'Pod',
  'ReplicationController',
  'ReplicaSet',
  'Deployment',
  'HorizontalPodAutoscaler',
  'StatefulSet',
  'Job',
  'CronJob',
  'IngressClass',
  'Ingress',
  'APIService'
] as const

describe('kindRank (sync-semantics §3.2)', () => {
  test.each(TABLE.map((kind, index) => [kind, index + 1] as const))('%s ranks %d', (kind, rank) => {
    expect(kindRank(kind)).toBe(rank)
  })

  test.each([
    // Everything else ranks 36: custom resources, webhooks, PriorityClass (first in Helm's order, not here).
    'Widget',
    'MutatingWebhookConfiguration',
    'PriorityClass',
    'Workflow',
    // Kinds are matched exactly.
    'namespace',
    'Services',
    ''
  ])('%s is unlisted: 36', kind => {
    expect(UNLISTED_RANK).toBe(36)
    expect(kindRank(kind)).toBe(36)
  })
})

describe('kindReason', () => {
  test.each([
    ['Namespace', 'everything namespaced lives in one'],
    ['Secret', 'mounted and referenced by workloads'],
    ['CustomResourceDefinition', 'custom kinds must be served before their objects'],
    ['Job', 'workloads, after their dependencies'],
    ['APIService', 'aggregated APIs once their backing service runs'],
    ['Widget', 'not in the kind table: after all listed kinds']
  ])('%s: %s', (kind, reason) => {
    expect(kindReason(kind)).toBe(reason)
  })
})
