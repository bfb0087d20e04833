import type { JsonValue } from '../model/json.js'
import type { KubeObject } from '../model/object.js'

/** How the API server serves a kind, from discovery. */
export interface ApiResource {
  group: string
  version: string
  kind: string
  /** The plural used in URLs (`deployments`). */
  resource: string
  namespaced: boolean
  verbs: readonly string[]
}

/** Names one object. `namespace` is '' for cluster-scoped kinds. The version picks the endpoint. */
export interface ObjectRef {
  group: string
  version: string
  kind: string
  namespace: string
  name: string
}

export type FieldValidation = 'Strict' | 'Warn' | 'Ignore'
export type PropagationPolicy = 'Foreground' | 'Background' | 'Orphan'

export interface WriteOptions {
  dryRun?: boolean
  fieldValidation?: FieldValidation
  signal?: AbortSignal
}

export interface ApplyOptions extends WriteOptions {
  /** Take over fields owned by other managers (the repository wins; sync-semantics §4.4.5). */
  force: boolean
}

export interface DeleteOptions {
  propagationPolicy: PropagationPolicy
  /** Precondition: delete only the object with this uid (never a re-created one). */
  uid?: string
  /**
   * Precondition: delete only while the object is at this resourceVersion (unchanged since we
   * last wrote it); when it moved on, the object meant is gone: `'not-found'`, as for `uid`.
   */
  resourceVersion?: string
  dryRun?: boolean
  signal?: AbortSignal
}

/** The server's answer to a write: the object as stored, and any `Warning:` headers it sent. */
export interface WriteResult {
  object: KubeObject
  warnings: string[]
}

export type WatchEvent =
  | { type: 'ADDED' | 'MODIFIED' | 'DELETED'; object: KubeObject }
  | { type: 'BOOKMARK'; resourceVersion: string }

/** Why a watch stream ended: `expired` (410, relist), `closed` (resume from the last version), `aborted`. */
export type WatchEnd = { reason: 'expired' | 'closed' | 'aborted' } | { reason: 'error'; error: Error }

export interface ListResult {
  items: KubeObject[]
  resourceVersion: string
}

/** A kind (or a whole group/version) whose objects in a namespace could not be read, and why. */
export interface UnlistedKind {
  /** As RBAC names it: `secrets`, `leases.coordination.k8s.io`; a group/version when its discovery failed. */
  resource: string
  /** `forbidden`, or what the server said. */
  reason: string
}

/** What a namespace holds, as far as the server let wavesync see it. */
export interface NamespaceContents {
  /** One entry per object of every listable namespaced kind: apiVersion, kind and metadata only. */
  objects: KubeObject[]
  /** Kinds not listed: the namespace may hold objects of them too. Empty when the listing is whole. */
  unlisted: UnlistedKind[]
}

/**
 * The cluster as wavesync uses it: plain JSON objects in and out, errors as `ClusterError`
 * (model/errors.ts) carrying verb, object, HTTP status, reason and whether a retry may help.
 * One adapter talks to a real API server (client-node.ts); tests use an in-memory fake.
 */
export interface Cluster {
  /** `v1.34.2`, for reports. */
  serverVersion(signal?: AbortSignal): Promise<string>
  /** The resource serving group/version/kind, or undefined when the server does not serve it. */
  resource(
    group: string,
    version: string,
    kind: string,
    signal?: AbortSignal
  ): Promise<ApiResource | undefined>
  /**
   * The resource serving group/kind at whichever version the server serves it, the group's
   * preferred version first; undefined when no version does. An object is one object at every
   * version of its kind: an inventory entry recorded at a version since retired is found this way.
   */
  resourceOfKind(group: string, kind: string, signal?: AbortSignal): Promise<ApiResource | undefined>
  /** Forgets cached discovery (after CRDs became established). */
  invalidateDiscovery(): void
  /** The object, or undefined when it does not exist. */
  get(ref: ObjectRef, signal?: AbortSignal): Promise<KubeObject | undefined>
  list(
    ref: Omit<ObjectRef, 'name'>,
    options?: { labelSelector?: string; fieldSelector?: string; signal?: AbortSignal }
  ): Promise<ListResult>
  /**
   * The metadata of everything in a namespace: every namespaced kind the server serves with the
   * `list` verb (each group's preferred version, discovered afresh). A kind that cannot be listed
   * (forbidden, unavailable) is named in `unlisted`, never silently left out.
   */
  namespaceContents(namespace: string, signal?: AbortSignal): Promise<NamespaceContents>
  /** Server-side apply (field manager `wavesync`), sent as raw JSON so no field is dropped. */
  apply(object: KubeObject, options: ApplyOptions): Promise<WriteResult>
  /** POST; for hooks, which wavesync names itself (generateName cannot be applied). */
  create(object: KubeObject, options: WriteOptions): Promise<WriteResult>
  /** PUT with the object's `resourceVersion` (Replace=true). */
  replace(object: KubeObject, options: WriteOptions): Promise<WriteResult>
  /** `deleted` (accepted, maybe still terminating) or `not-found`. */
  delete(ref: ObjectRef, options: DeleteOptions): Promise<'deleted' | 'not-found'>
  /** JSON patch (RFC 6902); undefined when the object is gone. Use `test` ops for safe concurrent edits. */
  jsonPatch(ref: ObjectRef, patch: JsonValue[], signal?: AbortSignal): Promise<KubeObject | undefined>
  /** Streams changes from `resourceVersion` until the stream ends; resolves with why it ended. */
  watch(
    ref: Omit<ObjectRef, 'name'>,
    options: { resourceVersion: string; labelSelector?: string; fieldSelector?: string },
    onEvent: (event: WatchEvent) => void,
    signal: AbortSignal
  ): Promise<WatchEnd>
  /**
   * The last lines a container printed. Rejects when they cannot be had (RBAC, a pod not started,
   * a node gone), so the caller can say why; diagnostics report that, never fail on it.
   */
  podLogs(
    namespace: string,
    pod: string,
    container: string,
    tailLines: number,
    signal?: AbortSignal
  ): Promise<string>
  /** Events about one object (by uid), oldest first. */
  events(namespace: string, uid: string, signal?: AbortSignal): Promise<KubeObject[]>
}
