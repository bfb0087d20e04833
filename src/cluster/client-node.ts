import type { KubeConfig } from '@kubernetes/client-node'
import { ClusterError } from '../model/errors.js'
import type { JsonValue } from '../model/json.js'
import { getString } from '../model/json.js'
import type { ResourceKey } from '../model/key.js'
import { keyOf } from '../model/key.js'
import type { KubeObject } from '../model/object.js'
import { apiVersionOf } from '../model/object.js'
import { FIELD_MANAGER } from '../model/tracking.js'
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
  NamespaceContents,
  ObjectRef,
  WatchEnd,
  WatchEvent,
  WriteOptions,
  WriteResult
} from './port.js'
import * as req from './requests.js'
import { listAll } from './list.js'
import { readNamespaceContents } from './namespace-contents.js'
import { watchStream } from './watch.js'

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
  /** Closes kept-alive connections; abort watches first (it waits for open streams). */
  close(): Promise<void>
}

type Gvk = Pick<ObjectRef, 'group' | 'version' | 'kind'>
type Selectors = { labelSelector?: string; fieldSelector?: string }

/** The `Cluster` port over a loaded kubeconfig (kubeconfig.ts): raw JSON over undici, no typed models. */
export function createCluster(
  loaded: { config: KubeConfig; server: string },
  options: ClusterOptions = {}
): ClusterAdapter {
  const client = new ApiClient(loaded.server, kubeConfigAuthenticator(loaded.config, loaded.server), options)
  return new ApiServerCluster(client, options)
}

/** The adapter itself; `createCluster` builds it, tests build it over a MockAgent-backed client. */
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
    this.fieldManager = options.fieldManager ?? FIELD_MANAGER
    this.watchTimeoutSeconds = options.watchTimeoutSeconds ?? 240
    this.pageSize = options.listPageSize ?? 500
  }

  get stats(): RequestStats {
    return this.client.stats
  }

  close(): Promise<void> {
    return this.client.close()
  }

  async serverVersion(signal?: AbortSignal): Promise<string> {
    const { body } = await this.client.json({
      method: 'GET',
      path: '/version',
      verb: 'version',
      ...opt(signal)
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

  resourceOfKind(group: string, kind: string, signal?: AbortSignal): Promise<ApiResource | undefined> {
    return this.discovery.resourceOfKind(group, kind, signal)
  }

  invalidateDiscovery(): void {
    this.discovery.invalidate()
  }

  async get(ref: ObjectRef, signal?: AbortSignal): Promise<KubeObject | undefined> {
    const { path } = await this.target(ref, ref.namespace, ref.name, 'get', signal)
    return this.readObject({ method: 'GET', path, verb: 'get', key: req.refKey(ref), ...opt(signal) })
  }

  async list(
    ref: Omit<ObjectRef, 'name'>,
    options: Selectors & { signal?: AbortSignal } = {}
  ): Promise<ListResult> {
    const { signal, ...selectors } = options
    const { path } = await this.target(ref, ref.namespace, undefined, 'list', signal)
    return this.listPages(path, ref, selectors, signal)
  }

  namespaceContents(namespace: string, signal?: AbortSignal): Promise<NamespaceContents> {
    return readNamespaceContents(this.client, this.discovery, namespace, { pageSize: this.pageSize, signal })
  }

  async apply(object: KubeObject, options: ApplyOptions): Promise<WriteResult> {
    const { resource, path } = await this.objectTarget(object, 'apply', options.signal)
    return this.write({
      method: 'PATCH',
      path,
      query: { ...this.writeQuery(options), force: options.force },
      body: req.applyBody(object, resource.namespaced),
      // JSON is YAML: client-node itself sends apply bodies this way (+json drew 415s).
      contentType: 'application/apply-patch+yaml',
      idempotent: true,
      verb: 'apply',
      key: keyOf(object),
      ...opt(options.signal)
    })
  }

  async create(object: KubeObject, options: WriteOptions): Promise<WriteResult> {
    const namespace = object.metadata.namespace ?? ''
    const { resource } = await this.objectTarget(object, 'create', options.signal)
    const path = req.targetPath(resource, namespace, undefined, 'create', keyOf(object))
    const body = req.createBody(object, resource.namespaced)
    const query = this.writeQuery(options)
    return this.write({
      method: 'POST',
      path,
      query,
      body,
      verb: 'create',
      key: keyOf(object),
      ...opt(options.signal)
    })
  }

  async replace(object: KubeObject, options: WriteOptions): Promise<WriteResult> {
    const { path } = await this.objectTarget(object, 'replace', options.signal)
    const body = req.replaceBody(object)
    const query = this.writeQuery(options)
    return this.write({
      method: 'PUT',
      path,
      query,
      body,
      verb: 'replace',
      key: keyOf(object),
      ...opt(options.signal)
    })
  }

  async delete(ref: ObjectRef, options: DeleteOptions): Promise<'deleted' | 'not-found'> {
    const { path } = await this.target(ref, ref.namespace, ref.name, 'delete', options.signal)
    const body = req.deleteOptionsBody(options)
    const query = req.dryRunQuery(options.dryRun)
    try {
      await this.client.json({
        method: 'DELETE',
        path,
        query,
        body,
        verb: 'delete',
        key: req.refKey(ref),
        ...opt(options.signal)
      })
      return 'deleted'
    } catch (error) {
      const preconditioned = options.uid !== undefined || options.resourceVersion !== undefined
      if (isNotFound(error) || (preconditioned && req.isPreconditionFailure(error))) return 'not-found'
      throw error
    }
  }

  async jsonPatch(ref: ObjectRef, patch: JsonValue[], signal?: AbortSignal): Promise<KubeObject | undefined> {
    const { path } = await this.target(ref, ref.namespace, ref.name, 'patch', signal)
    const query = { fieldManager: this.fieldManager }
    const contentType = 'application/json-patch+json'
    const key = req.refKey(ref)
    return this.readObject({
      method: 'PATCH',
      path,
      query,
      body: patch,
      contentType,
      verb: 'patch',
      key,
      ...opt(signal)
    })
  }

  async watch(
    ref: Omit<ObjectRef, 'name'>,
    options: { resourceVersion: string } & Selectors,
    onEvent: (event: WatchEvent) => void,
    signal: AbortSignal
  ): Promise<WatchEnd> {
    let path: string
    try {
      ;({ path } = await this.target(ref, ref.namespace, undefined, 'watch', signal))
    } catch (error) {
      if (signal.aborted) return { reason: 'aborted' }
      return { reason: 'error', error: error instanceof Error ? error : new Error(String(error)) }
    }
    const params = { ...options, timeoutSeconds: this.watchTimeoutSeconds }
    return watchStream(this.client, { path, ...req.typeMeta(ref) }, params, onEvent, signal)
  }

  async podLogs(
    namespace: string,
    pod: string,
    container: string,
    tailLines: number,
    signal?: AbortSignal
  ): Promise<string> {
    const path = `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods/${encodeURIComponent(pod)}/log`
    const query = { container, tailLines }
    return (
      await this.client.text({ method: 'GET', path, query, accept: '*/*', verb: 'logs', ...opt(signal) })
    ).body
  }

  async events(namespace: string, uid: string, signal?: AbortSignal): Promise<KubeObject[]> {
    const scope = namespace === '' ? '' : `/namespaces/${encodeURIComponent(namespace)}`
    const ref = { group: '', version: 'v1', kind: 'Event' }
    const { items } = await this.listPages(
      `/api/v1${scope}/events`,
      ref,
      { fieldSelector: `involvedObject.uid=${uid}` },
      signal
    )
    return req.sortEvents(items)
  }

  /** The resource serving a kind and the URL of the collection or object, or a ClusterError. */
  private async target(
    gvk: Gvk,
    namespace: string,
    name: string | undefined,
    verb: string,
    signal: AbortSignal | undefined,
    key: ResourceKey = req.refKey({ ...gvk, namespace, ...(name !== undefined ? { name } : {}) })
  ): Promise<{ resource: ApiResource; path: string }> {
    const resource = await this.discovery.resource(gvk.group, gvk.version, gvk.kind, signal)
    if (resource === undefined) {
      const apiVersion = apiVersionOf(gvk.group, gvk.version)
      const message = `the server does not serve kind ${gvk.kind} in ${apiVersion}`
      throw new ClusterError(message, { verb, key, reason: 'UnknownKind', retryable: false })
    }
    return { resource, path: req.targetPath(resource, namespace, name, verb, key) }
  }

  private objectTarget(object: KubeObject, verb: string, signal: AbortSignal | undefined) {
    const { namespace = '', name = '' } = object.metadata
    return this.target(req.objectGvk(object), namespace, name, verb, signal, keyOf(object))
  }

  private writeQuery(options: WriteOptions): Record<string, string> {
    const fieldValidation = options.fieldValidation ?? 'Strict'
    return { fieldManager: this.fieldManager, fieldValidation, ...req.dryRunQuery(options.dryRun) }
  }

  private async write(request: ApiRequest): Promise<WriteResult> {
    const { body, warnings } = await this.client.json(request)
    return { object: req.expectObject(body, request), warnings }
  }

  private async readObject(request: ApiRequest): Promise<KubeObject | undefined> {
    try {
      return req.expectObject((await this.client.json(request)).body, request)
    } catch (error) {
      if (isNotFound(error)) return undefined
      throw error
    }
  }

  private listPages(path: string, ref: Gvk, selectors: Selectors, signal?: AbortSignal): Promise<ListResult> {
    return listAll(
      this.client,
      { path, ...req.typeMeta(ref) },
      { ...selectors, limit: this.pageSize },
      signal
    )
  }
}

/** `{ signal }` when there is one: exactOptionalPropertyTypes forbids passing `signal: undefined`. */
function opt(signal: AbortSignal | undefined): { signal?: AbortSignal } {
  return signal !== undefined ? { signal } : {}
}
