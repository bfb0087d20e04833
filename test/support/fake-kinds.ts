import type { ApiResource } from '../../src/cluster/port.js'
import { getArray, getString, isRecord } from '../../src/model/json.js'
import type { KubeObject } from '../../src/model/object.js'

/** How the fake API server stores and serves one kind. */
export interface FakeKind {
  group: string
  versions: readonly string[]
  kind: string
  plural: string
  namespaced: boolean
  /** metadata.generation is kept and bumped when anything outside metadata and status changes. */
  generation: boolean
  /** status is a subresource: writes to the main resource never change it. */
  statusSubresource: boolean
}

const kind = (
  group: string,
  k: string,
  plural: string,
  namespaced: boolean,
  generation: boolean,
  statusSubresource: boolean
): FakeKind => ({ group, versions: ['v1'], kind: k, plural, namespaced, generation, statusSubresource })

/** The kinds every fake cluster serves, as a real API server's discovery would list them. */
export const BUILTIN_KINDS: readonly FakeKind[] = [
  kind('', 'Namespace', 'namespaces', false, false, true),
  kind('', 'ConfigMap', 'configmaps', true, false, false),
  kind('', 'Secret', 'secrets', true, false, false),
  kind('', 'Service', 'services', true, false, true),
  kind('', 'ServiceAccount', 'serviceaccounts', true, false, false),
  kind('', 'Pod', 'pods', true, false, true),
  kind('', 'Event', 'events', true, false, false),
  kind('apps', 'Deployment', 'deployments', true, true, true),
  kind('batch', 'Job', 'jobs', true, true, true),
  kind('apiextensions.k8s.io', 'CustomResourceDefinition', 'customresourcedefinitions', false, true, true),
  kind('coordination.k8s.io', 'Lease', 'leases', true, false, false)
]

const VERBS = ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'] as const

/** The discovery answer for one kind and version. */
export function apiResourceOf(k: FakeKind, version: string): ApiResource {
  return { group: k.group, version, kind: k.kind, resource: k.plural, namespaced: k.namespaced, verbs: VERBS }
}

/** True when a CRD carries `Established=True` (its kinds are served from then on). */
export function crdEstablished(crd: KubeObject): boolean {
  return getArray(crd, ['status', 'conditions']).some(
    c => isRecord(c) && c['type'] === 'Established' && c['status'] === 'True'
  )
}

/** The kind an established CRD serves, or undefined when it does not describe one. */
export function kindOfCrd(crd: KubeObject): FakeKind | undefined {
  const group = getString(crd, ['spec', 'group'])
  const k = getString(crd, ['spec', 'names', 'kind'])
  const plural = getString(crd, ['spec', 'names', 'plural'])
  if (group === undefined || k === undefined || plural === undefined) return undefined
  const versions = getArray(crd, ['spec', 'versions'])
    .filter(isRecord)
    .filter(v => v['served'] !== false)
    .map(v => (typeof v['name'] === 'string' ? v['name'] : ''))
    .filter(name => name !== '')
  const subresources = getArray(crd, ['spec', 'versions'])
    .filter(isRecord)
    .some(v => isRecord(v['subresources']) && isRecord(v['subresources']['status']))
  return {
    group,
    versions,
    kind: k,
    plural,
    namespaced: getString(crd, ['spec', 'scope']) !== 'Cluster',
    generation: true,
    statusSubresource: subresources
  }
}
