// URL paths and request bodies for the object endpoints. Pure: objects in, JSON out, nothing mutated.
import { ClusterError } from '../model/errors.js'
import type { JsonObject } from '../model/json.js'
import { isRecord } from '../model/json.js'
import type { ResourceKey } from '../model/key.js'
import type { KubeObject } from '../model/object.js'
import { apiVersionOf, isKubeObject, splitApiVersion } from '../model/object.js'
import type { ApiResource, DeleteOptions, ObjectRef } from './port.js'

/** `/api/v1` for the core group, `/apis/<group>/<version>` otherwise. */
export function groupVersionPath(group: string, version: string): string {
  return group === '' ? `/api/${version}` : `/apis/${group}/${version}`
}

/** A collection; for a namespaced kind with namespace '' it spans all namespaces. */
export function collectionPath(resource: ApiResource, namespace: string): string {
  const base = groupVersionPath(resource.group, resource.version)
  const scope = resource.namespaced && namespace !== '' ? `/namespaces/${encodeURIComponent(namespace)}` : ''
  return `${base}${scope}/${resource.resource}`
}

/**
 * Where a request goes: the collection (`name` undefined) or one object. A namespaced object
 * without a namespace would address the all-namespaces collection instead: refused.
 */
export function targetPath(
  resource: ApiResource,
  namespace: string,
  name: string | undefined,
  verb: string,
  key: ResourceKey
): string {
  if (name === undefined) return collectionPath(resource, namespace)
  if (resource.namespaced && namespace === '') {
    throw new ClusterError(`${resource.kind} is namespaced: metadata.namespace is required`, {
      verb,
      key,
      reason: 'Invalid',
      retryable: false
    })
  }
  return `${collectionPath(resource, namespace)}/${encodeURIComponent(name)}`
}

/** Group, version and kind of an object. */
export function objectGvk(object: KubeObject): { group: string; version: string; kind: string } {
  return { ...splitApiVersion(object.apiVersion), kind: object.kind }
}

/** apiVersion and kind for a group/version/kind, to restore on list items. */
export function typeMeta(ref: { group: string; version: string; kind: string }): {
  apiVersion: string
  kind: string
} {
  return { apiVersion: apiVersionOf(ref.group, ref.version), kind: ref.kind }
}

/** The body as an object, or an error naming the request. */
export function expectObject(body: unknown, identity: { verb: string; key?: ResourceKey }): KubeObject {
  if (isKubeObject(body)) return body
  throw new ClusterError('the server answered with something that is not an object', {
    ...identity,
    retryable: false
  })
}

/** A failed uid precondition: the object meant is gone already (a new one took its name). */
export function isPreconditionFailure(error: unknown): boolean {
  return error instanceof ClusterError && error.details.status === 409 && /precondition/i.test(error.message)
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
 * The server-side apply body: the object without `status` and server-set metadata. Every other field
 * is kept verbatim, unknown ones included, so the server (with fieldValidation) judges them. A
 * shallow copy: the body is only serialised, and the nested fields are shared, not copied.
 */
export function applyBody(object: KubeObject, namespaced: boolean): KubeObject {
  const body: KubeObject = { ...object, metadata: {} }
  delete body['status']
  // A cluster-scoped kind has no namespace; a stray one would contradict the request path.
  const drop = namespaced ? SERVER_METADATA : [...SERVER_METADATA, 'namespace']
  body.metadata = withoutFields(object.metadata, drop)
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
  return { ...object, metadata: withoutFields(object.metadata, ['managedFields']) }
}

function withoutFields(metadata: KubeObject['metadata'], drop: readonly string[]): KubeObject['metadata'] {
  const kept: KubeObject['metadata'] = {}
  for (const [field, value] of Object.entries(metadata)) if (!drop.includes(field)) kept[field] = value
  return kept
}

/** A metav1.DeleteOptions body; the uid precondition protects a re-created object. */
export function deleteOptionsBody(options: DeleteOptions): JsonObject {
  const body: JsonObject = {
    apiVersion: 'v1',
    kind: 'DeleteOptions',
    propagationPolicy: options.propagationPolicy
  }
  const preconditions: JsonObject = {}
  if (options.uid !== undefined) preconditions['uid'] = options.uid
  if (options.resourceVersion !== undefined) preconditions['resourceVersion'] = options.resourceVersion
  if (Object.keys(preconditions).length > 0) body['preconditions'] = preconditions
  // With a DeleteOptions body the API server reads the options from the body and ignores the
  // `dryRun` query parameter: a dry run must say so here, or it deletes for real.
  if (options.dryRun === true) body['dryRun'] = ['All']
  return body
}

/** `dryRun=All` when asked, nothing otherwise. */
export function dryRunQuery(dryRun: boolean | undefined): { dryRun?: string } {
  return dryRun === true ? { dryRun: 'All' } : {}
}

/** Events oldest first, by the newest of each one's timestamps; ties keep the server's order. */
export function sortEvents(events: readonly KubeObject[]): KubeObject[] {
  return events
    .map((event, index) => ({ event, index, at: eventTimeMs(event) }))
    .sort((a, b) => a.at - b.at || a.index - b.index)
    .map(entry => entry.event)
}

// Events carry eventTime (events.k8s.io), lastTimestamp/firstTimestamp (core) or a series.
function eventTimeMs(event: KubeObject): number {
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
