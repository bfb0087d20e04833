// URL paths and request bodies for the object endpoints. Pure: objects in, JSON out, nothing mutated.
import type { JsonObject } from '../model/json.js'
import { isRecord } from '../model/json.js'
import type { ResourceKey } from '../model/key.js'
import type { KubeObject } from '../model/object.js'
import { cloneObject } from '../model/object.js'
import type { ApiResource, DeleteOptions, ObjectRef } from './port.js'

/** `/api/v1` for the core group, `/apis/<group>/<version>` otherwise. */
export function groupVersionPath(group: string, version: string): string {
  return group === '' ? `/api/${version}` : `/apis/${group}/${version}`
}

/** The apiVersion string of a group/version: `v1`, `apps/v1`. */
export function apiVersionOf(group: string, version: string): string {
  return group === '' ? version : `${group}/${version}`
}

/** A collection; for a namespaced kind with namespace '' it spans all namespaces. */
export function collectionPath(resource: ApiResource, namespace: string): string {
  const base = groupVersionPath(resource.group, resource.version)
  const scope = resource.namespaced && namespace !== '' ? `/namespaces/${encodeURIComponent(namespace)}` : ''
  return `${base}${scope}/${resource.resource}`
}

/** One object; the namespace is ignored for cluster-scoped kinds. */
export function objectPath(resource: ApiResource, namespace: string, name: string): string {
  return `${collectionPath(resource, namespace)}/${encodeURIComponent(name)}`
}

/** The key of a ref, for error messages. */
export function refKey(ref: Omit<ObjectRef, 'name'> & { name?: string }): ResourceKey {
  return { group: ref.group, kind: ref.kind, namespace: ref.namespace, name: ref.name ?? '' }
}

// Set by the server. In an apply body, managedFields is rejected and resourceVersion/uid act as
// preconditions (platform.md §11); the others would only claim fields wavesync does not own.
const SERVER_METADATA = [
  'managedFields',
  'resourceVersion',
  'uid',
  'creationTimestamp',
  'generation',
  'selfLink',
  'deletionTimestamp',
  'deletionGracePeriodSeconds'
]

/**
 * The server-side apply body: a copy without `status` and server-set metadata. Every other field
 * is kept verbatim, unknown ones included, so the server (with fieldValidation) judges them.
 */
export function applyBody(object: KubeObject, namespaced: boolean): KubeObject {
  const body = cloneObject(object)
  delete body['status']
  // A cluster-scoped kind has no namespace; a stray one would contradict the request path.
  const drop = namespaced ? SERVER_METADATA : [...SERVER_METADATA, 'namespace']
  body.metadata = Object.fromEntries(Object.entries(body.metadata).filter(([field]) => !drop.includes(field)))
  return body
}

/** A create (POST) body: like an apply body (a create must not carry a resourceVersion). */
export function createBody(object: KubeObject, namespaced: boolean): KubeObject {
  return applyBody(object, namespaced)
}

/**
 * A replace (PUT) body: the object as given, resourceVersion kept (it is the optimistic lock),
 * managedFields dropped (omitted means "keep the server's", a given list would overwrite it).
 */
export function replaceBody(object: KubeObject): KubeObject {
  const body = cloneObject(object)
  delete body.metadata['managedFields']
  return body
}

/** A metav1.DeleteOptions body; the uid precondition protects a re-created object. */
export function deleteOptionsBody(options: DeleteOptions): JsonObject {
  const body: JsonObject = {
    apiVersion: 'v1',
    kind: 'DeleteOptions',
    propagationPolicy: options.propagationPolicy
  }
  if (options.uid !== undefined) body['preconditions'] = { uid: options.uid }
  return body
}

/** `dryRun=All` when asked, nothing otherwise. */
export function dryRunQuery(dryRun: boolean | undefined): { dryRun?: string } {
  return dryRun === true ? { dryRun: 'All' } : {}
}

/** When an event last happened, in ms since the epoch (0 when it carries no time). */
export function eventTimeMs(event: KubeObject): number {
  const candidates = [
    event['eventTime'],
    event['lastTimestamp'],
    isRecord(event['series']) ? event['series']['lastObservedTime'] : undefined,
    event['firstTimestamp'],
    event.metadata['creationTimestamp']
  ]
  const times = candidates.map(value => (typeof value === 'string' ? Date.parse(value) : NaN))
  return Math.max(0, ...times.filter(time => !Number.isNaN(time)))
}
