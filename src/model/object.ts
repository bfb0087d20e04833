import { isRecord } from './json.js'

/** Kubernetes object metadata, as far as wavesync reads it. Everything else passes through. */
export interface ObjectMeta {
  name?: string
  generateName?: string
  namespace?: string
  uid?: string
  resourceVersion?: string
  generation?: number
  deletionTimestamp?: string
  labels?: Record<string, string>
  annotations?: Record<string, unknown>
  finalizers?: string[]
  [field: string]: unknown
}

/** A Kubernetes object as plain JSON. Fields wavesync does not know are kept verbatim. */
export interface KubeObject {
  apiVersion: string
  kind: string
  metadata: ObjectMeta
  [field: string]: unknown
}

/** True when the value has the shape of a Kubernetes object (apiVersion, kind, metadata object). */
export function isKubeObject(value: unknown): value is KubeObject {
  return (
    isRecord(value) &&
    typeof value['apiVersion'] === 'string' &&
    typeof value['kind'] === 'string' &&
    isRecord(value['metadata'])
  )
}

/** Splits an apiVersion into group and version: `apps/v1` → apps, v1; `v1` → core (''), v1. */
export function splitApiVersion(apiVersion: string): { group: string; version: string } {
  const slash = apiVersion.lastIndexOf('/')
  if (slash < 0) return { group: '', version: apiVersion }
  return { group: apiVersion.slice(0, slash), version: apiVersion.slice(slash + 1) }
}

/** The other way round: group and version → `apps/v1`, or `v1` for the core group (''). */
export function apiVersionOf(group: string, version: string): string {
  return group === '' ? version : `${group}/${version}`
}

/** The object's annotations that are strings (non-strings are validation errors reported elsewhere). */
export function stringAnnotations(object: KubeObject): Record<string, string> {
  const result: Record<string, string> = {}
  for (const [key, value] of Object.entries(object.metadata.annotations ?? {})) {
    if (typeof value === 'string') result[key] = value
  }
  return result
}

/** A deep copy of a JSON object; wavesync never mutates objects it was given. */
export function cloneObject<T>(value: T): T {
  return structuredClone(value)
}
