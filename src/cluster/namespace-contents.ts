// What a namespace holds, read before wavesync deletes it (sync-semantics §10.2): every listable
// namespaced kind, metadata only, so a namespace of large Secrets and ConfigMaps costs little.
import { mapLimit } from '../concurrency.js'
import { ClusterError } from '../model/errors.js'
import { getPath, isRecord } from '../model/json.js'
import type { KubeObject } from '../model/object.js'
import { isKubeObject } from '../model/object.js'
import type { Discovery } from './discovery.js'
import { isNotFound } from './errors.js'
import type { ApiClient } from './http.js'
import { listAll } from './list.js'
import type { ApiResource, NamespaceContents, UnlistedKind } from './port.js'
import { collectionPath, typeMeta } from './requests.js'

/**
 * Metadata-only lists (PartialObjectMetadataList), with plain JSON as the second choice in the same
 * request: the API server answers the first form it can produce, so a server that cannot strip
 * objects sends them whole instead of refusing (the kube-apiserver answers 406 only when no listed
 * form is acceptable).
 */
export const METADATA_ACCEPT =
  'application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1, application/json'

// Kinds listed at once; a cluster serves some forty namespaced kinds.
const LIST_CONCURRENCY = 8

/** Reads a namespace's contents over the API server (the adapter's `namespaceContents`). */
export async function readNamespaceContents(
  client: ApiClient,
  discovery: Discovery,
  namespace: string,
  options: { pageSize: number; signal?: AbortSignal | undefined }
): Promise<NamespaceContents> {
  const { resources, failed } = await discovery.preferred(options.signal)
  const contents: NamespaceContents = {
    objects: [],
    unlisted: failed.map(({ groupVersion, error }) => unlistedKind(groupVersion, error))
  }
  const listable = resources.filter(r => r.namespaced && r.verbs.includes('list'))
  const lists = await mapLimit(listable, LIST_CONCURRENCY, resource =>
    listedOrWhyNot(resource, options.signal, () => listMetadata(client, resource, namespace, options))
  )
  return mergeListings(contents, lists)
}

/** One kind's objects, or why they could not be read. */
export type Listing = { objects: KubeObject[] } | { unlisted: UnlistedKind }

/**
 * Runs one kind's list and sorts out its failure: a kind gone since discovery (404) holds nothing;
 * any other error (forbidden, unavailable) makes the kind unlisted; an abort is thrown.
 */
export async function listedOrWhyNot(
  resource: Pick<ApiResource, 'group' | 'resource'>,
  signal: AbortSignal | undefined,
  list: () => Promise<KubeObject[]>
): Promise<Listing> {
  try {
    return { objects: await list() }
  } catch (error) {
    if (signal?.aborted) throw error
    if (isNotFound(error)) return { objects: [] }
    return { unlisted: unlistedKind(resourceName(resource), error) }
  }
}

/** The listings joined: objects in listing order, unlisted kinds after any already known. */
export function mergeListings(contents: NamespaceContents, lists: readonly Listing[]): NamespaceContents {
  for (const listing of lists) {
    if ('objects' in listing) contents.objects.push(...listing.objects)
    else contents.unlisted.push(listing.unlisted)
  }
  return contents
}

/** A kind as RBAC rules name it: `secrets`, `leases.coordination.k8s.io`. */
export function resourceName(resource: Pick<ApiResource, 'group' | 'resource'>): string {
  return resource.group === '' ? resource.resource : `${resource.resource}.${resource.group}`
}

/** An object reduced to apiVersion, kind and metadata, managedFields left out (they can be most of it). */
export function metadataOnly(
  item: unknown,
  meta: { apiVersion: string; kind: string }
): KubeObject | undefined {
  const metadata = getPath(item, ['metadata'])
  if (!isRecord(metadata)) return undefined
  const kept = Object.fromEntries(Object.entries(metadata).filter(([field]) => field !== 'managedFields'))
  const object = { apiVersion: meta.apiVersion, kind: meta.kind, metadata: kept }
  return isKubeObject(object) ? object : undefined
}

async function listMetadata(
  client: ApiClient,
  resource: ApiResource,
  namespace: string,
  options: { pageSize: number; signal?: AbortSignal | undefined }
): Promise<KubeObject[]> {
  const target = { path: collectionPath(resource, namespace), ...typeMeta(resource), item: metadataOnly }
  const list = (accept: string) =>
    listAll(client, { ...target, accept }, { limit: options.pageSize }, options.signal)
  try {
    return (await list(METADATA_ACCEPT)).items
  } catch (error) {
    // A server that takes the Accept header as one media type: ask for the objects whole.
    if (!(error instanceof ClusterError) || error.details.status !== 406) throw error
    return (await list('application/json')).items
  }
}

function unlistedKind(resource: string, error: unknown): UnlistedKind {
  if (error instanceof ClusterError && error.details.status === 403) return { resource, reason: 'forbidden' }
  return { resource, reason: error instanceof Error ? error.message : String(error) }
}
