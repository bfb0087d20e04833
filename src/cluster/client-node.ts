import type { KubeConfig } from '@kubernetes/client-node'
import { ClusterError } from '../model/errors.js'
import type { JsonValue } from '../model/json.js'
import { getArray, getString } from '../model/json.js'
import type { ResourceKey } from '../model/key.js'
import { keyOf } from '../model/key.js'
import type { KubeObject } from '../model/object.js'
import { isKubeObject, splitApiVersion } from '../model/object.js'
import { kubeConfigAuthenticator } from './auth.js'
import { Discovery } from './discovery.js'
import { isNotFound } from './errors.js'
import type { ApiClientOptions, ApiRequest, RequestStats } from './http.js'
import { ApiClient } from './http.js'
import type {
  ApiResource,
  ApplyOptions,
  Cluster,
  DeleteOptions,
  ListResult,
  ObjectRef,
  WatchEnd,
  WatchEvent,
  WriteOptions,
  WriteResult
} from './port.js'
import * as req from './requests.js'
import { watchStream, withTypeMeta } from './watch.js'

export interface ClusterOptions extends ApiClientOptions {
  /** The field manager of every write (`wavesync`). */
  fieldManager?: string
  /** How long the server keeps one watch open (240 s, under undici's 300 s body timeout). */
  watchTimeoutSeconds?: number
  /** Items per list page (500). */
  listPageSize?: number
}

/** The real cluster, plus what only the real one has: request counts and connections to close. */
export interface ClusterAdapter extends Cluster {
  readonly stats: RequestStats
  close(): Promise<void>
}

type GroupVersionKind = Pick<ObjectRef, 'group' | 'version' | 'kind'>

/** The `Cluster` port over a loaded kubeconfig (kubeconfig.ts): raw JSON over undici, no typed models. */
export function createCluster(
  loaded: { config: KubeConfig; server: string },
  options: ClusterOptions = {}
): ClusterAdapter {
  const client = new ApiClient(loaded.server, kubeConfigAuthenticator(loaded.config, loaded.server), options)
  return new ApiServerCluster(client, options)
}

/** Exported for tests that build their own `ApiClient`; use `createCluster` otherwise. */
export class ApiServerCluster implements ClusterAdapter {
  private readonly discovery: Discovery
  private readonly fieldManager: string
  private readonly watchTimeoutSeconds: number
  private readonly pageSize: number

  constructor(
    private readonly client: ApiClient,
    options: ClusterOptions = {}
  ) {
    this.discovery = new Discovery(client)
    this.fieldManager = options.fieldManager ?? 'wavesync'
    this.watchTimeoutSeconds = options.watchTimeoutSeconds ?? 240
    this.pageSize = options.listPageSize ?? 500
  }

  get stats(): RequestStats {
    return this.client.stats
  }

  async close(): Promise<void> {
    await this.client.close()
  }

  async serverVersion(signal?: AbortSignal): Promise<string> {
    const { body } = await this.client.json({
      method: 'GET',
      path: '/version',
      verb: 'version',
      ...opt({ signal })
    })
    return getString(body, ['gitVersion']) ?? 'unknown'
  }

  resource(
    group: string,
    version: string,
    kind: string,
    signal?: AbortSignal
  ): Promise<ApiResource | undefined> {
    return this.discovery.resource(group, version, kind, signal)
  }

  invalidateDiscovery(): void {
    this.discovery.invalidate()
  }

  async get(ref: ObjectRef, signal?: AbortSignal): Promise<KubeObject | undefined> {
    const resource = await this.resolve(ref, 'get', signal)
    const request = {
      method: 'GET',
      path: req.objectPath(resource, ref.namespace, ref.name),
      verb: 'get'
    } as const
    return this.readObject({ ...request, key: req.refKey(ref), ...opt({ signal }) })
  }

  async list(
    ref: Omit<ObjectRef, 'name'>,
    options: { labelSelector?: string; fieldSelector?: string; signal?: AbortSignal } = {}
  ): Promise<ListResult> {
    const resource = await this.resolve(ref, 'list', options.signal)
    const { signal, ...selectors } = options
    return this.listPages(req.collectionPath(resource, ref.namespace), ref, selectors, signal)
  }

  async apply(object: KubeObject, options: ApplyOptions): Promise<WriteResult> {
    const resource = await this.resolve(objectGvk(object), 'apply', options.signal, keyOf(object))
    return this.write({
      method: 'PATCH',
      path: req.objectPath(resource, object.metadata.namespace ?? '', object.metadata.name ?? ''),
      query: { ...this.writeQuery(options), force: options.force },
      body: req.applyBody(object, resource.namespaced),
      // JSON is YAML: client-node itself sends apply bodies this way (+json drew 415s).
      contentType: 'application/apply-patch+yaml',
      idempotent: true,
      verb: 'apply',
      key: keyOf(object),
      ...opt({ signal: options.signal })
    })
  }

  async create(object: KubeObject, options: WriteOptions): Promise<WriteResult> {
    const resource = await this.resolve(objectGvk(object), 'create', options.signal, keyOf(object))
    return this.write({
      method: 'POST',
      path: req.collectionPath(resource, object.metadata.namespace ?? ''),
      query: this.writeQuery(options),
      body: req.createBody(object, resource.namespaced),
      verb: 'create',
      key: keyOf(object),
      ...opt({ signal: options.signal })
    })
  }

  async replace(object: KubeObject, options: WriteOptions): Promise<WriteResult> {
    const resource = await this.resolve(objectGvk(object), 'replace', options.signal, keyOf(object))
    return this.write({
      method: 'PUT',
      path: req.objectPath(resource, object.metadata.namespace ?? '', object.metadata.name ?? ''),
      query: this.writeQuery(options),
      body: req.replaceBody(object),
      verb: 'replace',
      key: keyOf(object),
      ...opt({ signal: options.signal })
    })
  }

  async delete(ref: ObjectRef, options: DeleteOptions): Promise<'deleted' | 'not-found'> {
    const resource = await this.resolve(ref, 'delete', options.signal)
    try {
      await this.client.json({
        method: 'DELETE',
        path: req.objectPath(resource, ref.namespace, ref.name),
        query: req.dryRunQuery(options.dryRun),
        body: req.deleteOptionsBody(options),
        verb: 'delete',
        key: req.refKey(ref),
        ...opt({ signal: options.signal })
      })
      return 'deleted'
    } catch (error) {
      if (isNotFound(error) || (options.uid !== undefined && isPreconditionFailure(error))) return 'not-found'
      throw error
    }
  }

  async jsonPatch(ref: ObjectRef, patch: JsonValue[], signal?: AbortSignal): Promise<KubeObject | undefined> {
    const resource = await this.resolve(ref, 'patch', signal)
    return this.readObject({
      method: 'PATCH',
      path: req.objectPath(resource, ref.namespace, ref.name),
      query: { fieldManager: this.fieldManager },
      body: patch,
      contentType: 'application/json-patch+json',
      verb: 'patch',
      key: req.refKey(ref),
      ...opt({ signal })
    })
  }

  async watch(
    ref: Omit<ObjectRef, 'name'>,
    options: { resourceVersion: string; labelSelector?: string; fieldSelector?: string },
    onEvent: (event: WatchEvent) => void,
    signal: AbortSignal
  ): Promise<WatchEnd> {
    let resource: ApiResource
    try {
      resource = await this.resolve(ref, 'watch', signal)
    } catch (error) {
      if (signal.aborted) return { reason: 'aborted' }
      return { reason: 'error', error: error instanceof Error ? error : new Error(String(error)) }
    }
    const target = { path: req.collectionPath(resource, ref.namespace), ...typeMeta(ref) }
    return watchStream(
      this.client,
      target,
      { ...options, timeoutSeconds: this.watchTimeoutSeconds },
      onEvent,
      signal
    )
  }

  async podLogs(
    namespace: string,
    pod: string,
    container: string,
    tailLines: number,
    signal?: AbortSignal
  ): Promise<string | undefined> {
    const path = `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods/${encodeURIComponent(pod)}/log`
    try {
      const { body } = await this.client.text({
        method: 'GET',
        path,
        query: { container, tailLines },
        accept: '*/*',
        verb: 'logs',
        ...opt({ signal })
      })
      return body
    } catch {
      // Logs are a courtesy in reports: a pod not started, a node gone or RBAC all mean "none".
      return undefined
    }
  }

  async events(namespace: string, uid: string, signal?: AbortSignal): Promise<KubeObject[]> {
    const path =
      namespace === '' ? '/api/v1/events' : `/api/v1/namespaces/${encodeURIComponent(namespace)}/events`
    const ref = { group: '', version: 'v1', kind: 'Event', namespace }
    const { items } = await this.listPages(path, ref, { fieldSelector: `involvedObject.uid=${uid}` }, signal)
    return items
      .map((event, index) => ({ event, index, at: req.eventTimeMs(event) }))
      .sort((a, b) => a.at - b.at || a.index - b.index)
      .map(entry => entry.event)
  }

  private async resolve(
    gvk: GroupVersionKind,
    verb: string,
    signal: AbortSignal | undefined,
    key?: ResourceKey
  ): Promise<ApiResource> {
    const resource = await this.discovery.resource(gvk.group, gvk.version, gvk.kind, signal)
    if (resource !== undefined) return resource
    const apiVersion = req.apiVersionOf(gvk.group, gvk.version)
    return Promise.reject(
      new ClusterError(`the server does not serve kind ${gvk.kind} in ${apiVersion}`, {
        verb,
        ...(key !== undefined ? { key } : {}),
        reason: 'UnknownKind',
        retryable: false
      })
    )
  }

  private writeQuery(options: WriteOptions): Record<string, string> {
    return {
      fieldManager: this.fieldManager,
      fieldValidation: options.fieldValidation ?? 'Strict',
      ...req.dryRunQuery(options.dryRun)
    }
  }

  private async write(request: ApiRequest): Promise<WriteResult> {
    const { body, warnings } = await this.client.json(request)
    return { object: expectObject(body, request), warnings }
  }

  private async readObject(request: ApiRequest): Promise<KubeObject | undefined> {
    try {
      const { body } = await this.client.json(request)
      return expectObject(body, request)
    } catch (error) {
      if (isNotFound(error)) return undefined
      throw error
    }
  }

  private async listPages(
    path: string,
    ref: GroupVersionKind & { namespace: string },
    selectors: { labelSelector?: string; fieldSelector?: string },
    signal: AbortSignal | undefined
  ): Promise<ListResult> {
    const items: KubeObject[] = []
    let resourceVersion = ''
    let token: string | undefined
    do {
      const query = { ...selectors, limit: this.pageSize, continue: token }
      const request = { method: 'GET', path, query, verb: 'list', ...opt({ signal }) } as const
      const { body } = await this.client.json(request)
      // Lists omit apiVersion/kind per item: restore them so items look like any other object.
      for (const item of getArray(body, ['items'])) {
        const object = withTypeMeta(item, typeMeta(ref))
        if (object !== undefined) items.push(object)
      }
      resourceVersion = getString(body, ['metadata', 'resourceVersion']) ?? resourceVersion
      token = getString(body, ['metadata', 'continue']) || undefined
    } while (token !== undefined)
    return { items, resourceVersion }
  }
}

function objectGvk(object: KubeObject): GroupVersionKind {
  return { ...splitApiVersion(object.apiVersion), kind: object.kind }
}

function typeMeta(ref: GroupVersionKind): { apiVersion: string; kind: string } {
  return { apiVersion: req.apiVersionOf(ref.group, ref.version), kind: ref.kind }
}

function expectObject(body: unknown, request: ApiRequest): KubeObject {
  if (isKubeObject(body)) return body
  throw new ClusterError('the server answered with something that is not an object', {
    verb: request.verb,
    ...(request.key !== undefined ? { key: request.key } : {}),
    retryable: false
  })
}

// A uid precondition that fails means the object we meant is already gone (a new one took its name).
function isPreconditionFailure(error: unknown): boolean {
  return error instanceof ClusterError && error.details.status === 409 && /precondition/i.test(error.message)
}

/** `{ signal }` when there is one: exactOptionalPropertyTypes forbids passing `signal: undefined`. */
function opt(value: { signal: AbortSignal | undefined }): { signal?: AbortSignal } {
  return value.signal !== undefined ? { signal: value.signal } : {}
}
