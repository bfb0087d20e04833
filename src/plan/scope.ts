import type { Manifest } from '../model/manifest.js'
import { getString } from '../model/json.js'

/** Answers whether a kind is namespaced; from discovery in a sync, from built-in facts offline. */
export type ScopeResolver = (group: string, kind: string) => 'Namespaced' | 'Cluster' | undefined

/** Built-in cluster-scoped kinds, by `group/kind` (core group empty). */
const CLUSTER_SCOPED = new Set([
  '/Namespace',
  '/Node',
  '/PersistentVolume',
  '/ComponentStatus',
  'storage.k8s.io/StorageClass',
  'storage.k8s.io/CSIDriver',
  'storage.k8s.io/CSINode',
  'storage.k8s.io/VolumeAttachment',
  'apiextensions.k8s.io/CustomResourceDefinition',
  'apiregistration.k8s.io/APIService',
  'rbac.authorization.k8s.io/ClusterRole',
  'rbac.authorization.k8s.io/ClusterRoleBinding',
  'scheduling.k8s.io/PriorityClass',
  'networking.k8s.io/IngressClass',
  'networking.k8s.io/IPAddress',
  'networking.k8s.io/ServiceCIDR',
  'admissionregistration.k8s.io/MutatingWebhookConfiguration',
  'admissionregistration.k8s.io/ValidatingWebhookConfiguration',
  'admissionregistration.k8s.io/ValidatingAdmissionPolicy',
  'admissionregistration.k8s.io/ValidatingAdmissionPolicyBinding',
  'admissionregistration.k8s.io/MutatingAdmissionPolicy',
  'admissionregistration.k8s.io/MutatingAdmissionPolicyBinding',
  'node.k8s.io/RuntimeClass',
  'certificates.k8s.io/CertificateSigningRequest',
  'policy/PodSecurityPolicy',
  'flowcontrol.apiserver.k8s.io/FlowSchema',
  'flowcontrol.apiserver.k8s.io/PriorityLevelConfiguration',
  'resource.k8s.io/DeviceClass'
])

/**
 * Scope without a cluster: built-in kinds, plus the CRDs among the manifests (their `spec.scope`).
 * Unknown kinds are taken as namespaced, the common case; a sync asks discovery instead.
 */
export function offlineScope(manifests: readonly Manifest[]): ScopeResolver {
  const crds = new Map<string, 'Namespaced' | 'Cluster'>()
  for (const { object } of manifests) {
    if (object.kind !== 'CustomResourceDefinition') continue
    const group = getString(object, ['spec', 'group'])
    const kind = getString(object, ['spec', 'names', 'kind'])
    const scope = getString(object, ['spec', 'scope'])
    if (group && kind) crds.set(`${group}/${kind}`, scope === 'Cluster' ? 'Cluster' : 'Namespaced')
  }
  return (group, kind) =>
    crds.get(`${group}/${kind}`) ?? (CLUSTER_SCOPED.has(`${group}/${kind}`) ? 'Cluster' : 'Namespaced')
}
