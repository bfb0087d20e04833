import { getArray, getString } from '../model/json.js'
import type { KubeObject } from '../model/object.js'
import type { ApiClient } from './http.js'
import type { ListResult } from './port.js'
import { withTypeMeta } from './watch.js'

/** A collection, and the apiVersion/kind its items get back. */
export interface ListTarget {
  path: string
  apiVersion: string
  kind: string
  /** The Accept header, when not plain JSON (metadata-only lists). */
  accept?: string
  /** Turns one item into an object; by default the item itself, its apiVersion/kind restored. */
  item?: (item: unknown, meta: { apiVersion: string; kind: string }) => KubeObject | undefined
}

/**
 * Reads a whole collection page by page (`limit`/`continue`, so a big namespace does not become one
 * huge response). All pages belong to one snapshot; its resourceVersion is where a watch resumes.
 */
export async function listAll(
  client: ApiClient,
  target: ListTarget,
  query: { labelSelector?: string; fieldSelector?: string; limit: number },
  signal?: AbortSignal
): Promise<ListResult> {
  const items: KubeObject[] = []
  let resourceVersion = ''
  let token: string | undefined
  const read = target.item ?? withTypeMeta
  const accept = target.accept !== undefined ? { accept: target.accept } : {}
  do {
    const page = { ...query, continue: token }
    const request = { method: 'GET', path: target.path, query: page, verb: 'list', ...accept } as const
    const { body } = await client.json(signal !== undefined ? { ...request, signal } : request)
    // Lists omit apiVersion/kind per item: restore them so items look like any other object.
    for (const item of getArray(body, ['items'])) {
      const object = read(item, target)
      if (object !== undefined) items.push(object)
    }
    resourceVersion = getString(body, ['metadata', 'resourceVersion']) ?? resourceVersion
    token = getString(body, ['metadata', 'continue']) || undefined
  } while (token !== undefined)
  return { items, resourceVersion }
}
