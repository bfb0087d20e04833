import { apiVersionOf } from '../model/object.js'
import { mapLimit } from '../concurrency.js'
import { getArray, getPath, getString } from '../model/json.js'
import { abortedError, isNotFound } from './errors.js'
import type { ApiClient } from './http.js'
import type { ApiResource } from './port.js'

type GroupVersion = Map<string, ApiResource> | undefined

/** Every kind the server serves in its preferred versions, and the group/versions that could not be read. */
export interface ServedResources {
  resources: ApiResource[]
  failed: { groupVersion: string; error: unknown }[]
}

// Group/versions read at once when every kind is wanted; a cluster serves a few dozen.
const DISCOVERY_CONCURRENCY = 8

/**
 * Maps group/version/kind to the resource serving it, reading only the group-versions asked
 * about (`/api/v1`, `/apis/<group>/<version>`), each once. A kind missing from a cached answer
 * refetches its group-version once: a CRD may have become established since (platform.md §11).
 */
export class Discovery {
  private readonly cache = new Map<string, Promise<GroupVersion>>()

  constructor(private readonly client: ApiClient) {}

  /** The resource for a kind, or undefined when the server does not serve it. */
  async resource(
    group: string,
    version: string,
    kind: string,
    signal?: AbortSignal
  ): Promise<ApiResource | undefined> {
    const id = `${group}/${version}`
    const cached = this.cache.get(id)
    if (cached !== undefined) {
      const found = (await untilAborted(cached, signal))?.get(kind)
      if (found !== undefined) return found
      // Refetch unless a concurrent miss already replaced the entry we looked at.
      if (this.cache.get(id) === cached) this.cache.delete(id)
    }
    return (await untilAborted(this.groupVersion(group, version), signal))?.get(kind)
  }

  /**
   * The resource for a kind at any version its group serves, the preferred version first (as
   * kubectl's REST mapper picks one). Rarely needed, so the group's version list is not cached.
   */
  async resourceOfKind(group: string, kind: string, signal?: AbortSignal): Promise<ApiResource | undefined> {
    for (const version of await this.versionsOf(group, signal)) {
      const found = await this.resource(group, version, kind, signal)
      if (found !== undefined) return found
    }
    return undefined
  }

  /**
   * Every kind of `/api/v1` and of each group's preferred version (`/apis`), read afresh: a CRD may
   * have appeared since the cache was filled. The answers refresh the cache. A group/version that
   * cannot be read (an unavailable aggregated API) is named in `failed`; `/apis` itself must answer.
   */
  async preferred(signal?: AbortSignal): Promise<ServedResources> {
    const request = { method: 'GET', path: '/apis', verb: 'discovery' } as const
    const { body } = await this.client.json(signal !== undefined ? { ...request, signal } : request)
    const versions = [{ group: '', version: 'v1' }, ...preferredVersions(body)]
    const served: ServedResources = { resources: [], failed: [] }
    const read = await mapLimit(versions, DISCOVERY_CONCURRENCY, async ({ group, version }) => {
      this.cache.delete(`${group}/${version}`)
      try {
        return await untilAborted(this.groupVersion(group, version), signal)
      } catch (error) {
        if (signal?.aborted) throw error
        served.failed.push({ groupVersion: apiVersionOf(group, version), error })
        return undefined
      }
    })
    for (const kinds of read) served.resources.push(...(kinds?.values() ?? []))
    return served
  }

  /** Forgets everything (after CRDs became established, or an API service changed). */
  invalidate(): void {
    this.cache.clear()
  }

  /** The versions a group serves, preferred first; none when the server does not know the group (404). */
  private async versionsOf(group: string, signal: AbortSignal | undefined): Promise<string[]> {
    const path = group === '' ? '/api' : `/apis/${group}`
    const request = { method: 'GET', path, verb: 'discovery' } as const
    try {
      const { body } = await this.client.json(signal !== undefined ? { ...request, signal } : request)
      return group === '' ? coreVersions(body) : groupVersions(body)
    } catch (error) {
      if (isNotFound(error)) return []
      throw error
    }
  }

  // Shared by concurrent callers, so it does not follow any one caller's signal.
  private groupVersion(group: string, version: string): Promise<GroupVersion> {
    const id = `${group}/${version}`
    let entry = this.cache.get(id)
    if (entry === undefined) {
      entry = this.fetch(group, version)
      this.cache.set(id, entry)
      // A failed read is not cached: the next caller tries again.
      entry.catch(() => this.cache.get(id) === entry && this.cache.delete(id))
    }
    return entry
  }

  private async fetch(group: string, version: string): Promise<GroupVersion> {
    const path = group === '' ? `/api/${version}` : `/apis/${group}/${version}`
    try {
      const { body } = await this.client.json({ method: 'GET', path, verb: 'discovery' })
      return parseResourceList(body, group, version)
    } catch (error) {
      if (isNotFound(error)) return undefined
      throw error
    }
  }
}

/** The kinds of an APIResourceList, subresources (`deployments/scale`) left out. */
export function parseResourceList(body: unknown, group: string, version: string): Map<string, ApiResource> {
  const byKind = new Map<string, ApiResource>()
  for (const entry of getArray(body, ['resources'])) {
    const name = getString(entry, ['name'])
    const kind = getString(entry, ['kind'])
    if (name === undefined || kind === undefined || name.includes('/') || byKind.has(kind)) continue
    const verbs = getArray(entry, ['verbs']).filter(verb => typeof verb === 'string')
    const namespaced = getPath(entry, ['namespaced']) === true
    byKind.set(kind, { group, version, kind, resource: name, namespaced, verbs })
  }
  return byKind
}

/** The preferred group/version of each group of an APIGroupList (`/apis`). */
function preferredVersions(body: unknown): { group: string; version: string }[] {
  return getArray(body, ['groups']).flatMap(entry => {
    const group = getString(entry, ['name'])
    const version = getString(entry, ['preferredVersion', 'version'])
    return group !== undefined && version !== undefined ? [{ group, version }] : []
  })
}

/** The versions of the core group (`/api` answers an APIVersions: `versions: ["v1"]`). */
function coreVersions(body: unknown): string[] {
  return getArray(body, ['versions']).filter(version => typeof version === 'string')
}

/** The versions of an APIGroup (`/apis/<group>`), its preferred version first. */
function groupVersions(body: unknown): string[] {
  const preferred = getString(body, ['preferredVersion', 'version'])
  const listed = getArray(body, ['versions']).flatMap(entry => getString(entry, ['version']) ?? [])
  return [...new Set([...(preferred !== undefined ? [preferred] : []), ...listed])]
}

/** Waits for a shared promise, but gives up (with an abort error) when this caller's signal fires. */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (signal === undefined) return promise
  if (signal.aborted) return Promise.reject(abortedError({ verb: 'discovery' }))
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(abortedError({ verb: 'discovery' }))
    signal.addEventListener('abort', onAbort, { once: true })
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort))
  })
}
