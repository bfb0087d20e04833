import type { KubeObject } from './object.js'
import { splitApiVersion } from './object.js'

/** Identity of an object: the API version is not part of it (sync-semantics §1). */
export interface ResourceKey {
  group: string
  kind: string
  namespace: string
  name: string
}

/** The key of an object as written (namespace as given, '' when absent). */
export function keyOf(object: KubeObject): ResourceKey {
  return {
    group: splitApiVersion(object.apiVersion).group,
    kind: object.kind,
    namespace: object.metadata.namespace ?? '',
    name: object.metadata.name ?? ''
  }
}

/**
 * The one key format used in messages, logs and reports: `apps/Deployment ns/name`,
 * `/ConfigMap ns/name` for the core group, `/Namespace name` for cluster-scoped objects.
 */
export function formatKey(key: ResourceKey): string {
  const where = key.namespace === '' ? key.name : `${key.namespace}/${key.name}`
  return `${key.group}/${key.kind} ${where}`
}

/** Argo CD's waiting-message form: `<group>/<kind>/<name>` (core group prints empty). */
export function formatShortKey(key: ResourceKey): string {
  return `${key.group}/${key.kind}/${key.name}`
}

/** A stable string usable as a map key. */
export function keyId(key: ResourceKey): string {
  return `${key.group}\u0000${key.kind}\u0000${key.namespace}\u0000${key.name}`
}

/** True when both keys name the same object. */
export function sameKey(a: ResourceKey, b: ResourceKey): boolean {
  return a.group === b.group && a.kind === b.kind && a.namespace === b.namespace && a.name === b.name
}

/** Ordinal order of keys: group, kind, namespace, name. */
export function compareKeys(a: ResourceKey, b: ResourceKey): number {
  return (
    compareText(a.group, b.group) ||
    compareText(a.kind, b.kind) ||
    compareText(a.namespace, b.namespace) ||
    compareText(a.name, b.name)
  )
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}
