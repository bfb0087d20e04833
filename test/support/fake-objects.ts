import type { ObjectRef } from '../../src/cluster/port.js'
import { getPath } from '../../src/model/json.js'
import type { ResourceKey } from '../../src/model/key.js'
import { keyId } from '../../src/model/key.js'
import type { KubeObject } from '../../src/model/object.js'
import { splitApiVersion } from '../../src/model/object.js'
import type { FakeKind } from './fake-kinds.js'

/** How the fake API server treats objects: pure helpers of its write paths and selectors. */

export type Target = Pick<ResourceKey, 'group' | 'kind' | 'namespace' | 'name'>

/** A parsed label or field selector: every requirement must hold. */
export type Selector = { path: string[]; op: '=' | '!=' | 'exists'; value: string }[]

export const FOREGROUND = 'foregroundDeletion'

/** `k=v`, `k!=v`, `k` (exists), comma-separated; labels are read under `metadata.labels`, fields by dotted path. */
export function parseSelector(text: string | undefined, base: readonly string[]): Selector {
  if (text === undefined || text.trim() === '') return []
  return text.split(',').map(part => {
    const m = /^([^!=]+?)\s*(!=|==|=)?\s*([^=]*)$/.exec(part.trim())
    const key = m?.[1] ?? part
    const path = base.length > 0 ? [...base, key] : key.split('.')
    if (!m?.[2]) return { path, op: 'exists' as const, value: '' }
    return { path, op: m[2] === '!=' ? ('!=' as const) : ('=' as const), value: m[3] ?? '' }
  })
}

export function matches(object: KubeObject, selector: Selector): boolean {
  return selector.every(({ path, op, value }) => {
    const actual = getPath(object, path)
    if (op === 'exists') return actual !== undefined
    return op === '=' ? actual === value : actual !== value
  })
}

/** Finalizers that keep a terminating object; `foregroundDeletion` is the garbage collector's own. */
export function blockingFinalizers(object: KubeObject): string[] {
  return (object.metadata.finalizers ?? []).filter(f => f !== FOREGROUND)
}

/**
 * Server-side apply, good enough: the applied top-level fields replace the live ones (status only
 * for kinds without a status subresource); labels, annotations and finalizers merge.
 */
export function mergeApply(live: KubeObject, applied: KubeObject, k: FakeKind): KubeObject {
  const next = structuredClone(live)
  for (const [field, value] of Object.entries(applied)) {
    if (field === 'metadata' || field === 'apiVersion' || (field === 'status' && k.statusSubresource))
      continue
    next[field] = structuredClone(value)
  }
  const meta = applied.metadata
  if (meta.labels) next.metadata.labels = { ...live.metadata.labels, ...meta.labels }
  if (meta.annotations) next.metadata.annotations = { ...live.metadata.annotations, ...meta.annotations }
  if (meta.finalizers)
    next.metadata.finalizers = [...new Set([...(live.metadata.finalizers ?? []), ...meta.finalizers])]
  if (meta['ownerReferences'] !== undefined)
    next.metadata['ownerReferences'] = structuredClone(meta['ownerReferences'])
  return next
}

/** PUT: the body replaces everything but server-managed metadata (and status, for kinds with a status subresource). */
export function replaceWith(live: KubeObject, body: KubeObject, k: FakeKind): KubeObject {
  const next = structuredClone(body)
  copyFields(live, next, ['name', 'namespace', 'uid', 'deletionTimestamp', 'resourceVersion'])
  return k.statusSubresource ? withStatusOf(next, live) : next
}

/** Copies metadata fields from `source` (deleting those it lacks). */
export function copyFields(source: KubeObject, target: KubeObject, fields: readonly string[]): void {
  for (const field of fields) {
    const value = source.metadata[field]
    if (value === undefined) Reflect.deleteProperty(target.metadata, field)
    else target.metadata[field] = value
  }
}

export function withStatusOf(object: KubeObject, source: KubeObject): KubeObject {
  const next = structuredClone(object)
  if (source['status'] === undefined) Reflect.deleteProperty(next, 'status')
  else next['status'] = structuredClone(source['status'])
  return next
}

/** Everything generation tracks: the object minus metadata and status. */
export function specOf(object: KubeObject): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(object).filter(([field]) => field !== 'metadata' && field !== 'status')
  )
}

export function targetOf(object: KubeObject): Target {
  return {
    group: splitApiVersion(object.apiVersion).group,
    kind: object.kind,
    namespace: object.metadata.namespace ?? '',
    name: object.metadata.name ?? ''
  }
}

export function pickTarget(target: Target): Target {
  return { group: target.group, kind: target.kind, namespace: target.namespace, name: target.name }
}

export function refOfObject(object: KubeObject): ObjectRef {
  return { ...targetOf(object), version: versionOf(object) }
}

export function versionOf(object: KubeObject): string {
  return splitApiVersion(object.apiVersion).version
}

export function keyIdOf(object: KubeObject): string {
  return keyId(targetOf(object))
}

/** Code-unit order, like the engine's sort keys (not locale order). */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}
