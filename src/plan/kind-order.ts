/**
 * Kind order within a wave: Argo CD's 35 kinds (gitops-engine `pkg/sync/sync_tasks.go`), as data
 * with the reason each group comes where it does. Everything else ranks after them (36).
 */
const GROUPS: readonly { kinds: readonly string[]; reason: string }[] = [
  { kinds: ['Namespace'], reason: 'everything namespaced lives in one' },
  {
    kinds: ['NetworkPolicy', 'ResourceQuota', 'LimitRange', 'PodSecurityPolicy', 'PodDisruptionBudget'],
    reason: 'policies must hold before workloads exist'
  },
  { kinds: ['ServiceAccount'], reason: 'pods reference it at admission' },
  { kinds: ['Secret', 'SecretList', 'ConfigMap'], reason: 'mounted and referenced by workloads' },
  {
    kinds: ['StorageClass', 'PersistentVolume', 'PersistentVolumeClaim'],
    reason: 'storage before the pods that claim it'
  },
  { kinds: ['CustomResourceDefinition'], reason: 'custom kinds must be served before their objects' },
  {
    kinds: [
      'ClusterRole',
      'ClusterRoleList',
      'ClusterRoleBinding',
      'ClusterRoleBindingList',
      'Role',
      'RoleList',
      'RoleBinding',
      'RoleBindingList'
    ],
    reason: 'permissions before the workloads that use them'
  },
  { kinds: ['Service'], reason: 'endpoints and DNS ready as pods start' },
  {
    kinds: [
      'DaemonSet',
      'Pod',
      'ReplicationController',
      'ReplicaSet',
      'Deployment',
      'HorizontalPodAutoscaler',
      'StatefulSet',
      'Job',
      'CronJob'
    ],
    reason: 'workloads, after their dependencies'
  },
  { kinds: ['IngressClass', 'Ingress'], reason: 'traffic routed once backends exist' },
  { kinds: ['APIService'], reason: 'aggregated APIs once their backing service runs' }
]

const RANK: ReadonlyMap<string, number> = new Map(
  GROUPS.flatMap(group => group.kinds).map((kind, index) => [kind, index + 1])
)

/** The rank every kind outside the table gets (custom resources, webhooks, PriorityClass, …). */
export const UNLISTED_RANK = RANK.size + 1

/** The rank of a kind in the order (1 = Namespace … 35 = APIService, 36 = anything else). */
export function kindRank(kind: string): number {
  return RANK.get(kind) ?? UNLISTED_RANK
}

/** Why a kind sorts where it does, for `plan` explanations and docs. */
export function kindReason(kind: string): string {
  return (
    GROUPS.find(group => group.kinds.includes(kind))?.reason ??
    'not in the kind table: after all listed kinds'
  )
}
