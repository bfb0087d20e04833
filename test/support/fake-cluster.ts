import { isDeepStrictEqual } from 'node:util'
import type { Clock } from '../../src/clock.js'
import { isNotFound } from '../../src/cluster/errors.js'
import type {
  ApiResource,
  ApplyOptions,
  Cluster,
  DeleteOptions,
  ListResult,
  NamespaceContents,
  ObjectRef,
  PropagationPolicy,
  WatchEnd,
  WatchEvent,
  WriteOptions,
  WriteResult
} from '../../src/cluster/port.js'
import { listedOrWhyNot, mergeListings, metadataOnly } from '../../src/cluster/namespace-contents.js'
import { ClusterError } from '../../src/model/errors.js'
import type { JsonValue } from '../../src/model/json.js'
import { getPath, isRecord } from '../../src/model/json.js'
import { keyId } from '../../src/model/key.js'
import type { KubeObject } from '../../src/model/object.js'
import { isKubeObject, splitApiVersion } from '../../src/model/object.js'
import * as controllers from './fake-controllers.js'
import { isoSeconds } from './fake-controllers.js'
import type { FakeKind } from './fake-kinds.js'
import { BUILTIN_KINDS, apiResourceOf, crdEstablished, kindOfCrd } from './fake-kinds.js'
import type { Target } from './fake-objects.js'
import * as objects from './fake-objects.js'
import type { Gate, Injection, RequestMatch, RequestRecord } from './fake-requests.js'
import { RequestDesk } from './fake-requests.js'
import type { Watcher } from './fake-watch.js'
import { WatchHub } from './fake-watch.js'
import { PatchError, applyJsonPatch } from './json-patch.js'

export type { Gate, Injection, RequestMatch, RequestRecord, Verb } from './fake-requests.js'

export interface FakeClusterOptions {
  /** Namespaces that exist from the start (default: `default`). */
  namespaces?: readonly string[]
}

const { FOREGROUND, blockingFinalizers, keyIdOf, refOfObject, targetOf, versionOf } = objects

/**
 * An in-memory API server behind the `Cluster` port, stateful and honest where the engine relies
 * on it: server-managed metadata (uid, resourceVersion, generation, creationTimestamp), server-side
 * apply as a merge, create/replace/delete/json-patch with their Status errors (built by the
 * adapter's own `statusError`), finalizers, foreground deletion and terminating objects,
 * namespaces that must exist, a Job's immutable pod template, watch streams that resume from a
 * resourceVersion or answer 410, and discovery that learns CRD kinds once they are established.
 * Nothing moves by itself: tests play the controllers (`completeJob`, `makeDeploymentAvailable` …),
 * each change emitting watch events.
 *
 * Where the port differs from the wire, the fake answers as the adapter does (client-node.ts):
 * GET and json-patch of a missing object give `undefined`; DELETE of a missing object, or with a
 * uid precondition that no longer holds (409 on the wire, logged as such), gives `'not-found'`;
 * logs that cannot be read give `undefined`; an unknown kind is a `ClusterError` with reason
 * `UnknownKind`. Injected errors stand for what the adapter reports after its own retries.
 */
export class FakeCluster implements Cluster {
  discoveryInvalidations = 0
  private readonly desk: RequestDesk
  private readonly hub: WatchHub
  private readonly kinds = new Map<string, FakeKind>()
  private readonly store = new Map<string, KubeObject>()
  private readonly created = new Map<string, number>()
  /** Owners whose dependents the garbage collector is removing (foreground deletion in progress). */
  private readonly collecting = new Set<string>()
  private readonly logs = new Map<string, string>()
  private rv = 1000
  private uids = 0
  private seq = 0

  constructor(
    readonly clock: Clock,
    options: FakeClusterOptions = {}
  ) {
    this.desk = new RequestDesk(clock)
    this.hub = new WatchHub((object, version) => this.served(object, version))
    for (const k of BUILTIN_KINDS) this.kinds.set(`${k.group}/${k.kind}`, k)
    for (const name of options.namespaces ?? ['default'])
      this.seed({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } })
  }

  /** Every request answered and every controller action, in order. */
  get requests(): readonly RequestRecord[] {
    return this.desk.log
  }

  // ---------------------------------------------------------------- the Cluster port

  serverVersion(): Promise<string> {
    return Promise.resolve('v1.34.0-fake')
  }

  resource(group: string, version: string, kind: string): Promise<ApiResource | undefined> {
    const k = this.servedKind(group, version, kind)
    return Promise.resolve(k ? apiResourceOf(k, version) : undefined)
  }

  /** The kind at the first version it is served at (the fake's stand-in for the preferred one). */
  resourceOfKind(group: string, kind: string): Promise<ApiResource | undefined> {
    const k = this.servedKinds().find(served => served.group === group && served.kind === kind)
    const version = k?.versions[0]
    return Promise.resolve(k && version !== undefined ? apiResourceOf(k, version) : undefined)
  }

  invalidateDiscovery(): void {
    this.discoveryInvalidations += 1
  }

  async get(ref: ObjectRef, signal?: AbortSignal): Promise<KubeObject | undefined> {
    try {
      return await this.desk.handle('get', ref, false, signal, () =>
        this.served(this.live('get', this.kindFor(ref, 'get'), ref), ref.version)
      )
    } catch (error) {
      if (isNotFound(error)) return undefined
      throw error
    }
  }

  list(
    ref: Omit<ObjectRef, 'name'>,
    options: { labelSelector?: string; fieldSelector?: string; signal?: AbortSignal } = {}
  ): Promise<ListResult> {
    return this.desk.handle('list', { ...ref, name: '' }, false, options.signal, () => {
      const k = this.kindFor(ref, 'list')
      const labels = objects.parseSelector(options.labelSelector, ['metadata', 'labels'])
      const fields = objects.parseSelector(options.fieldSelector, [])
      const items = [...this.store.values()]
        .filter(o => this.inCollection(o, k, ref.namespace))
        .filter(o => objects.matches(o, labels) && objects.matches(o, fields))
        .map(o => this.served(o, ref.version))
      return { items, resourceVersion: String(this.rv) }
    })
  }

  /**
   * One `list` per namespaced kind served (built-ins, extra kinds, established CRDs), each in the
   * request log and open to injected errors, sorted out by the adapter's own `listedOrWhyNot`.
   */
  async namespaceContents(namespace: string, signal?: AbortSignal): Promise<NamespaceContents> {
    const lists = await Promise.all(
      this.servedKinds()
        .filter(k => k.namespaced)
        .map(k =>
          listedOrWhyNot({ group: k.group, resource: k.plural }, signal, async () => {
            const ref = { group: k.group, version: k.versions[0] ?? 'v1', kind: k.kind, namespace }
            const { items } = await this.list(ref, signal ? { signal } : {})
            return items.flatMap(item => metadataOnly(item, item) ?? [])
          })
        )
    )
    return mergeListings({ objects: [], unlisted: [] }, lists)
  }

  apply(object: KubeObject, options: ApplyOptions): Promise<WriteResult> {
    const dryRun = options.dryRun === true
    return this.desk.handle('apply', targetOf(object), dryRun, options.signal, () => {
      const k = this.kindFor(refOfObject(object), 'apply')
      const ns = this.namespaceOf(k, object)
      const name = object.metadata.name ?? ''
      if (name === '')
        throw this.invalid('apply', k, object, 'metadata.name: Required value: name is required')
      const live = this.store.get(this.id(k, ns, name))
      if (!live)
        return this.createObject(
          'apply',
          k,
          { ...object, metadata: { ...object.metadata, namespace: ns } },
          dryRun
        )
      return this.updateObject(
        'apply',
        k,
        live,
        objects.mergeApply(live, object, k),
        versionOf(object),
        dryRun
      )
    })
  }

  create(object: KubeObject, options: WriteOptions): Promise<WriteResult> {
    const dryRun = options.dryRun === true
    return this.desk.handle('create', targetOf(object), dryRun, options.signal, () => {
      const k = this.kindFor(refOfObject(object), 'create')
      const ns = this.namespaceOf(k, object)
      const name = object.metadata.name ?? this.generatedName(object.metadata.generateName)
      if (name === '')
        throw this.invalid(
          'create',
          k,
          object,
          'metadata.name: Required value: name or generateName is required'
        )
      if (this.store.has(this.id(k, ns, name))) {
        const message = `${this.resourceName(k)} "${name}" already exists`
        throw this.desk.serverError(
          'create',
          { ...targetOf(object), namespace: ns, name },
          409,
          'AlreadyExists',
          message
        )
      }
      return this.createObject(
        'create',
        k,
        { ...object, metadata: { ...object.metadata, name, namespace: ns } },
        dryRun
      )
    })
  }

  replace(object: KubeObject, options: WriteOptions): Promise<WriteResult> {
    const dryRun = options.dryRun === true
    return this.desk.handle('replace', targetOf(object), dryRun, options.signal, () => {
      const k = this.kindFor(refOfObject(object), 'replace')
      const live = this.live('replace', k, { ...targetOf(object), namespace: this.namespaceOf(k, object) })
      const expected = object.metadata.resourceVersion
      if (expected !== undefined && expected !== '' && expected !== live.metadata.resourceVersion) {
        const message = `Operation cannot be fulfilled on ${this.resourceName(k)} "${live.metadata.name ?? ''}": the object has been modified; please apply your changes to the latest version and try again`
        throw this.desk.serverError('replace', targetOf(live), 409, 'Conflict', message)
      }
      return this.updateObject(
        'replace',
        k,
        live,
        objects.replaceWith(live, object, k),
        versionOf(object),
        dryRun
      )
    })
  }

  async delete(ref: ObjectRef, options: DeleteOptions): Promise<'deleted' | 'not-found'> {
    const dryRun = options.dryRun === true
    const detail = `${options.propagationPolicy}${options.uid !== undefined ? ` uid=${options.uid}` : ''}`
    try {
      const work = (): 'deleted' => {
        const k = this.kindFor(ref, 'delete')
        const live = this.live('delete', k, ref)
        if (options.uid !== undefined && options.uid !== live.metadata.uid) {
          const message = `Precondition failed: UID in precondition: ${options.uid}, UID in object meta: ${live.metadata.uid ?? ''}`
          throw this.desk.serverError('delete', ref, 409, 'Conflict', message)
        }
        const version = options.resourceVersion
        if (version !== undefined && version !== live.metadata.resourceVersion) {
          const message = `Precondition failed: ResourceVersion in precondition: ${version}, ResourceVersion in object meta: ${live.metadata.resourceVersion ?? ''}`
          throw this.desk.serverError('delete', ref, 409, 'Conflict', message)
        }
        if (!dryRun) this.deleteObject(k, live, options.propagationPolicy)
        return 'deleted'
      }
      return await this.desk.handle('delete', ref, dryRun, options.signal, work, detail)
    } catch (error) {
      // The adapter's mapping: gone, or a uid precondition that no longer holds, is "not found".
      const precondition =
        error instanceof ClusterError && error.details.status === 409 && /precondition/i.test(error.message)
      const preconditioned = options.uid !== undefined || options.resourceVersion !== undefined
      if (isNotFound(error) || (preconditioned && precondition)) return 'not-found'
      throw error
    }
  }

  async jsonPatch(ref: ObjectRef, patch: JsonValue[], signal?: AbortSignal): Promise<KubeObject | undefined> {
    try {
      return await this.desk.handle('patch', ref, false, signal, () => {
        const k = this.kindFor(ref, 'patch')
        const live = this.live('patch', k, ref)
        const patched = this.patched(ref, live, patch)
        const next = k.statusSubresource ? objects.withStatusOf(patched, live) : patched
        return this.updateObject('patch', k, live, next, ref.version, false).object
      })
    } catch (error) {
      if (isNotFound(error)) return undefined
      throw error
    }
  }

  watch(
    ref: Omit<ObjectRef, 'name'>,
    options: { resourceVersion: string; labelSelector?: string; fieldSelector?: string },
    onEvent: (event: WatchEvent) => void,
    signal: AbortSignal
  ): Promise<WatchEnd> {
    this.desk.record('watch', { ...ref, name: '' }, false, 200, options.resourceVersion)
    const k = this.servedKind(ref.group, ref.version, ref.kind)
    if (!k) return Promise.resolve({ reason: 'error', error: this.unknownKind('watch', ref) })
    if (signal.aborted) return Promise.resolve({ reason: 'aborted' })
    const { resourceVersion } = options
    const from = resourceVersion === '' || resourceVersion === '0' ? undefined : Number(resourceVersion)
    if (from !== undefined && this.hub.expired(from)) return Promise.resolve({ reason: 'expired' })
    return new Promise<WatchEnd>(resolve => {
      const watcher: Watcher = {
        group: k.group,
        kind: k.kind,
        version: ref.version,
        namespace: k.namespaced ? ref.namespace : '',
        labels: objects.parseSelector(options.labelSelector, ['metadata', 'labels']),
        fields: objects.parseSelector(options.fieldSelector, []),
        onEvent,
        closed: false,
        finish: end => {
          if (watcher.closed) return
          watcher.closed = true
          this.hub.close(watcher)
          resolve(end)
        }
      }
      signal.addEventListener('abort', () => watcher.finish({ reason: 'aborted' }), { once: true })
      this.hub.open(watcher, from, this.store.values())
    })
  }

  async podLogs(
    namespace: string,
    pod: string,
    container: string,
    tailLines: number,
    signal?: AbortSignal
  ): Promise<string> {
    const target = { group: '', kind: 'Pod', namespace, name: pod }
    return this.desk.handle('logs', target, false, signal, () => {
      this.live('logs', this.kindFor({ ...target, version: 'v1' }, 'logs'), target)
      const lines = (this.logs.get(`${namespace}/${pod}/${container}`) ?? '').split('\n')
      if (lines[lines.length - 1] === '') lines.pop()
      return lines
        .slice(-tailLines)
        .map(line => `${line}\n`)
        .join('')
    })
  }

  events(namespace: string, uid: string, signal?: AbortSignal): Promise<KubeObject[]> {
    return this.desk.handle('events', { group: '', kind: 'Event', namespace, name: '' }, false, signal, () =>
      [...this.store.values()]
        .filter(o => o.kind === 'Event' && (namespace === '' || o.metadata.namespace === namespace))
        .filter(o => getPath(o, ['involvedObject', 'uid']) === uid)
        .sort((a, b) => (this.created.get(keyIdOf(a)) ?? 0) - (this.created.get(keyIdOf(b)) ?? 0))
        .map(o => structuredClone(o))
    )
  }

  // ---------------------------------------------------------------- requests: errors, gates, log

  /** Fails the next matching request(s) with this Status (see `Injection`). */
  inject(injection: Injection): void {
    this.desk.inject(injection)
  }

  /** Ends every injected error (the outage is over). */
  clearInjections(): void {
    this.desk.clearInjections()
  }

  /** Holds the next matching request until `release()` (see `Gate`). */
  gate(match: RequestMatch & { when?: 'before' | 'after' }): Gate {
    return this.desk.gate(match)
  }

  /** Successful writes that changed (or, with `dryRun`, would have changed) the cluster. */
  writes(options: { dryRun?: boolean } = {}): RequestRecord[] {
    const mutating = new Set(['apply', 'create', 'replace', 'delete', 'patch'])
    return this.requests.filter(
      r => mutating.has(r.verb) && r.dryRun === (options.dryRun ?? false) && r.status < 300
    )
  }

  /** The log index of the first request matching every given field, or -1. */
  indexOf(match: Partial<Omit<RequestRecord, 'seq'>>): number {
    const wanted = Object.entries(match)
    return this.requests.findIndex(r =>
      wanted.every(([field, value]) => Object.entries(r).some(([f, v]) => f === field && v === value))
    )
  }

  // ---------------------------------------------------------------- watches

  /** Watch events queue up instead of being delivered, until released or resumed. */
  holdWatchEvents(): void {
    this.hub.hold()
  }

  /** Delivers up to `max` queued watch events (all by default), in order; holding goes on. */
  releaseWatchEvents(max?: number): number {
    return this.hub.release(max)
  }

  /** Stops holding: queued and future watch events flow again. */
  resumeWatchEvents(): void {
    this.hub.resume()
  }

  get queuedWatchEvents(): number {
    return this.hub.queuedEvents
  }

  get openWatches(): number {
    return this.hub.count
  }

  /** Ends every open watch as a closed stream; undelivered events are lost (a resume replays them). */
  dropWatches(): void {
    this.hub.endAll({ reason: 'closed' })
  }

  /** Forgets the event history (etcd compaction): a watch from an older resourceVersion gets 410. */
  compact(): void {
    this.hub.compact(this.rv)
  }

  /** Compacts and ends every open watch with 410 Gone, as after a long disconnection. */
  expireWatches(): void {
    this.compact()
    this.hub.endAll({ reason: 'expired' })
  }

  /** Sends a BOOKMARK with the current resourceVersion on every open watch. */
  bookmark(): void {
    this.hub.bookmark(this.rv)
  }

  // ---------------------------------------------------------------- state: seed, inspect, change

  /** Serves an extra kind (besides the built-ins and established CRDs). */
  serveKind(kind: FakeKind): void {
    this.kinds.set(`${kind.group}/${kind.kind}`, kind)
  }

  /**
   * Stores objects as they are, status included, as if they existed before (or were created by a
   * controller): server fields are filled in when absent; ADDED is emitted. Returns the copies.
   */
  seed(...seeds: KubeObject[]): KubeObject[] {
    return seeds.map(object => {
      const k = this.kindFor(refOfObject(object), 'seed')
      const ns = this.namespaceOf(k, object)
      const stored = structuredClone(object)
      stored.metadata = { ...this.serverFields(k), ...stored.metadata, ...(ns ? { namespace: ns } : {}) }
      if (!k.namespaced) Reflect.deleteProperty(stored.metadata, 'namespace')
      this.desk.record('controller', targetOf(stored), false, 201, 'create')
      return this.commitCreate(stored, versionOf(object))
    })
  }

  /** The live object (a copy) by kind and name, and namespace when several match. */
  find(kind: string, name: string, namespace?: string): KubeObject | undefined {
    const found = [...this.store.values()].filter(
      o =>
        o.kind === kind &&
        o.metadata.name === name &&
        (namespace === undefined || o.metadata.namespace === namespace)
    )
    if (found.length > 1) throw new Error(`several ${kind} named ${name}: pass the namespace`)
    return found[0] ? structuredClone(found[0]) : undefined
  }

  /** Like `find`, but the object must exist. */
  mustFind(kind: string, name: string, namespace?: string): KubeObject {
    const found = this.find(kind, name, namespace)
    if (!found) throw new Error(`no ${kind} named ${name}${namespace ? ` in ${namespace}` : ''}`)
    return found
  }

  /** Every stored object (copies) of a kind or all kinds, by group, kind, namespace and name. */
  all(kind?: string): KubeObject[] {
    return [...this.store.values()]
      .filter(o => kind === undefined || o.kind === kind)
      .sort((a, b) => objects.compareText(keyIdOf(a), keyIdOf(b)))
      .map(o => structuredClone(o))
  }

  /** Scripts what a container printed (read by `podLogs`). */
  setLog(namespace: string, pod: string, container: string, text: string): void {
    this.logs.set(`${namespace}/${pod}/${container}`, text)
  }

  /**
   * A controller's write: `change` edits a copy of the stored object (status included); the
   * result is stored with a new resourceVersion (and generation, for spec changes) and MODIFIED
   * is emitted. Logged as `controller` with `why`.
   */
  update(
    kind: string,
    name: string,
    namespace: string | undefined,
    why: string,
    change: (object: KubeObject) => void
  ): KubeObject {
    const live = this.store.get(keyIdOf(this.mustFind(kind, name, namespace)))
    if (!live) throw new Error(`no ${kind} named ${name}`)
    const next = structuredClone(live)
    change(next)
    this.desk.record('controller', targetOf(live), false, 200, why)
    return this.commitUpdate(this.kindFor(refOfObject(live), 'controller'), live, next, versionOf(live))
  }

  /** Someone else removes every finalizer (the object disappears if it was terminating). */
  removeFinalizers(kind: string, name: string, namespace?: string): void {
    this.update(kind, name, namespace, 'remove finalizers', o =>
      Reflect.deleteProperty(o.metadata, 'finalizers')
    )
  }

  /** Someone removes the object at once, finalizers or not (a force delete, etcd surgery). */
  forceDelete(kind: string, name: string, namespace?: string): void {
    const live = this.mustFind(kind, name, namespace)
    this.desk.record('controller', targetOf(live), false, 200, 'force delete')
    this.commitDelete(this.kindFor(refOfObject(live), 'controller'), live, 'Background')
  }

  /** Someone deletes the object as `kubectl delete` would (finalizers honoured, background propagation). */
  deleteAsUser(kind: string, name: string, namespace?: string): void {
    const live = this.mustFind(kind, name, namespace)
    this.desk.record('controller', targetOf(live), false, 200, 'user delete')
    this.deleteObject(this.kindFor(refOfObject(live), 'controller'), live, 'Background')
  }

  /** Records an Event about an object (read by `events`). */
  recordEvent(
    about: KubeObject,
    event: { type?: 'Normal' | 'Warning'; reason: string; message: string }
  ): void {
    const ns = about.metadata.namespace ?? 'default'
    const { apiVersion, kind } = about
    const involvedObject = {
      apiVersion,
      kind,
      name: about.metadata.name ?? '',
      namespace: ns,
      uid: about.metadata.uid ?? ''
    }
    const name = `${about.metadata.name ?? 'x'}.${(this.seq + 1).toString(16)}`
    const common = { type: event.type ?? 'Normal', reason: event.reason, message: event.message }
    this.seed({
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name, namespace: ns },
      involvedObject,
      ...common
    })
  }

  makeDeploymentAvailable(name: string, namespace?: string): KubeObject {
    return controllers.makeDeploymentAvailable(this, name, namespace)
  }

  makeDeploymentProgressing(name: string, namespace?: string): KubeObject {
    return controllers.makeDeploymentProgressing(this, name, namespace)
  }

  failDeployment(name: string, namespace?: string, message?: string): KubeObject {
    return controllers.failDeployment(this, name, namespace, message)
  }

  startJob(name: string, namespace?: string): KubeObject {
    return controllers.startJob(this, name, namespace)
  }

  completeJob(name: string, options: controllers.JobEnd = {}): KubeObject {
    return controllers.completeJob(this, name, options)
  }

  failJob(name: string, options: controllers.JobFailure = {}): KubeObject {
    return controllers.failJob(this, name, options)
  }

  makePodRunning(name: string, options: { namespace?: string; ready?: boolean } = {}): KubeObject {
    return controllers.makePodRunning(this, name, options)
  }

  makePodSucceeded(name: string, options: controllers.JobEnd = {}): KubeObject {
    return controllers.makePodSucceeded(this, name, options)
  }

  makePodFailed(name: string, options: controllers.JobFailure = {}): KubeObject {
    return controllers.makePodFailed(this, name, options)
  }

  establishCrd(name: string): KubeObject {
    return controllers.establishCrd(this, name)
  }

  // ---------------------------------------------------------------- server internals

  private servedKind(group: string, version: string, kind: string): FakeKind | undefined {
    const builtin = this.kinds.get(`${group}/${kind}`)
    if (builtin) return builtin.versions.includes(version) ? builtin : undefined
    for (const crd of this.store.values()) {
      if (crd.kind !== 'CustomResourceDefinition' || !crdEstablished(crd)) continue
      const k = kindOfCrd(crd)
      if (k && k.group === group && k.kind === kind && k.versions.includes(version)) return k
    }
    return undefined
  }

  /** Every kind served now: built-ins, extra kinds, and the kinds of established CRDs. */
  private servedKinds(): FakeKind[] {
    const crds = [...this.store.values()]
      .filter(o => o.kind === 'CustomResourceDefinition' && crdEstablished(o))
      .flatMap(crd => kindOfCrd(crd) ?? [])
    return [...this.kinds.values(), ...crds]
  }

  private kindFor(
    ref: Pick<ObjectRef, 'group' | 'version' | 'kind'> & Partial<ObjectRef>,
    verb: string
  ): FakeKind {
    const k = this.servedKind(ref.group, ref.version, ref.kind)
    if (!k) throw this.unknownKind(verb, ref)
    return k
  }

  /** What the adapter says when discovery does not know the kind (no HTTP request is made). */
  private unknownKind(
    verb: string,
    ref: Pick<ObjectRef, 'group' | 'version' | 'kind'> & Partial<ObjectRef>
  ): ClusterError {
    const apiVersion = ref.group === '' ? ref.version : `${ref.group}/${ref.version}`
    const key =
      ref.name !== undefined
        ? { key: { group: ref.group, kind: ref.kind, namespace: ref.namespace ?? '', name: ref.name } }
        : {}
    return new ClusterError(`the server does not serve kind ${ref.kind} in ${apiVersion}`, {
      verb,
      ...key,
      reason: 'UnknownKind',
      retryable: false
    })
  }

  /** The stored object, or the API server's 404. */
  private live(verb: string, k: FakeKind, target: Target): KubeObject {
    const found = this.store.get(this.id(k, target.namespace, target.name))
    if (!found)
      throw this.desk.serverError(
        verb,
        target,
        404,
        'NotFound',
        `${this.resourceName(k)} "${target.name}" not found`
      )
    return found
  }

  private patched(ref: ObjectRef, live: KubeObject, patch: JsonValue[]): KubeObject {
    let patched: unknown
    try {
      patched = applyJsonPatch(live, patch)
    } catch (error) {
      if (!(error instanceof PatchError)) throw error
      const message = `the server rejected our request due to an error in our request: ${error.message}`
      throw this.desk.serverError('patch', ref, 422, 'Invalid', message)
    }
    if (
      !isKubeObject(patched) ||
      patched.metadata.uid !== live.metadata.uid ||
      patched.metadata.name !== live.metadata.name
    )
      throw this.desk.serverError('patch', ref, 422, 'Invalid', 'the patch changes the object identity')
    // A resourceVersion in the patched object is a precondition, checked as etcd does: 409.
    if (patched.metadata.resourceVersion !== live.metadata.resourceVersion) {
      const message = `Operation cannot be fulfilled on ${ref.kind.toLowerCase()}s "${ref.name}": the object has been modified; please apply your changes to the latest version and try again`
      throw this.desk.serverError('patch', ref, 409, 'Conflict', message)
    }
    return patched
  }

  private invalid(verb: string, k: FakeKind, object: KubeObject, detail: string): ClusterError {
    const what = `${k.kind}${k.group ? `.${k.group}` : ''} "${object.metadata.name ?? ''}"`
    return this.desk.serverError(verb, targetOf(object), 422, 'Invalid', `${what} is invalid: ${detail}`)
  }

  private resourceName(k: FakeKind): string {
    return k.group === '' ? k.plural : `${k.plural}.${k.group}`
  }

  private id(k: FakeKind, namespace: string, name: string): string {
    return keyId({ group: k.group, kind: k.kind, namespace: k.namespaced ? namespace : '', name })
  }

  private namespaceOf(k: FakeKind, object: KubeObject): string {
    return k.namespaced ? (object.metadata.namespace ?? '') : ''
  }

  /** POST or apply of a new object: NamespaceLifecycle admission, server fields, status reset. */
  private createObject(verb: string, k: FakeKind, object: KubeObject, dryRun: boolean): WriteResult {
    this.checkNamespace(verb, k, object.metadata.namespace ?? '', object.metadata.name ?? '')
    const fresh = this.prepareCreate(k, object)
    return {
      object: dryRun ? this.served(fresh, versionOf(object)) : this.commitCreate(fresh, versionOf(object)),
      warnings: []
    }
  }

  private updateObject(
    verb: string,
    k: FakeKind,
    live: KubeObject,
    next: KubeObject,
    version: string,
    dryRun: boolean
  ): WriteResult {
    this.checkImmutable(verb, k, live, next)
    return {
      object: dryRun ? this.served(next, version) : this.commitUpdate(k, live, next, version),
      warnings: []
    }
  }

  /** Namespaced objects need an existing namespace that is not terminating. */
  private checkNamespace(verb: string, k: FakeKind, namespace: string, name: string): void {
    if (!k.namespaced) return
    const target = { group: k.group, kind: k.kind, namespace, name }
    const ns = this.store.get(keyId({ group: '', kind: 'Namespace', namespace: '', name: namespace }))
    if (namespace === '' || !ns)
      throw this.desk.serverError(verb, target, 404, 'NotFound', `namespaces "${namespace}" not found`)
    if (ns.metadata.deletionTimestamp !== undefined) {
      const message = `${this.resourceName(k)} "${name}" is forbidden: unable to create new content in namespace ${namespace} because it is being terminated`
      throw this.desk.serverError(verb, target, 403, 'Forbidden', message)
    }
  }

  /** A Job's pod template and selector never change (the API server's validation). */
  private checkImmutable(verb: string, k: FakeKind, live: KubeObject, next: KubeObject): void {
    if (k.group !== 'batch' || k.kind !== 'Job') return
    for (const field of ['template', 'selector']) {
      if (!isDeepStrictEqual(getPath(live, ['spec', field]), getPath(next, ['spec', field])))
        throw this.invalid(verb, k, live, `spec.${field}: Invalid value: "object": field is immutable`)
    }
  }

  private generatedName(prefix: string | undefined): string {
    if (prefix === undefined) return ''
    this.seq += 1
    return `${prefix}${(0x10000 + this.seq).toString(36).slice(-5)}`
  }

  private serverFields(k: FakeKind): KubeObject['metadata'] {
    this.uids += 1
    const uid = `00000000-0000-4000-8000-${String(this.uids).padStart(12, '0')}`
    return {
      uid,
      creationTimestamp: isoSeconds(this.clock.now()),
      ...(k.generation ? { generation: 1 } : {})
    }
  }

  private prepareCreate(k: FakeKind, object: KubeObject): KubeObject {
    const fresh = structuredClone(object)
    for (const field of [
      'resourceVersion',
      'uid',
      'generation',
      'deletionTimestamp',
      'creationTimestamp',
      'managedFields',
      'generateName'
    ])
      Reflect.deleteProperty(fresh.metadata, field)
    fresh.metadata = { ...fresh.metadata, ...this.serverFields(k) }
    if (!k.namespaced) Reflect.deleteProperty(fresh.metadata, 'namespace')
    if (k.statusSubresource) Reflect.deleteProperty(fresh, 'status')
    const initial: Record<string, unknown> = {
      Namespace: { phase: 'Active' },
      Pod: { phase: 'Pending' },
      Service: { loadBalancer: {} }
    }
    if (k.group === '' && initial[k.kind] !== undefined) fresh['status'] = initial[k.kind]
    return fresh
  }

  private commitCreate(object: KubeObject, version: string): KubeObject {
    const stored = structuredClone(object)
    stored.metadata.resourceVersion = String(++this.rv)
    const id = keyIdOf(stored)
    this.store.set(id, stored)
    this.created.set(id, ++this.seq)
    this.hub.emit('ADDED', stored)
    return this.served(stored, version)
  }

  /** Stores `next` over `live` if anything changed (no-op writes keep the resourceVersion, as SSA does). */
  private commitUpdate(k: FakeKind, live: KubeObject, next: KubeObject, version: string): KubeObject {
    const stored = structuredClone(next)
    objects.copyFields(live, stored, [
      'uid',
      'resourceVersion',
      'creationTimestamp',
      ...(k.generation ? ['generation'] : [])
    ])
    if (isDeepStrictEqual(stored, live)) return this.served(live, version)
    if (k.generation && !isDeepStrictEqual(objects.specOf(stored), objects.specOf(live)))
      stored.metadata.generation = (live.metadata.generation ?? 1) + 1
    stored.metadata.resourceVersion = String(++this.rv)
    this.store.set(keyIdOf(stored), stored)
    this.hub.emit('MODIFIED', stored)
    const answer = this.served(stored, version)
    const released =
      stored.metadata.deletionTimestamp !== undefined && blockingFinalizers(stored).length === 0
    if (released && !this.collecting.has(keyIdOf(stored))) {
      if (isNamespace(k)) this.reapNamespace(stored.metadata.name ?? '')
      else this.commitDelete(k, stored, 'Background')
    }
    return answer
  }

  /**
   * DELETE: an object with finalizers becomes terminating; one without disappears and its
   * dependents follow. Foreground propagation first marks the object terminating with the
   * `foregroundDeletion` finalizer (one MODIFIED event), then the garbage collector removes the
   * dependents and the object, as the real API server and garbage collector do.
   */
  private deleteObject(k: FakeKind, live: KubeObject, propagation: PropagationPolicy): void {
    if (live.metadata.deletionTimestamp !== undefined) return
    if ((live.metadata.finalizers ?? []).length === 0 && !isNamespace(k) && propagation !== 'Foreground')
      return this.commitDelete(k, live, propagation)
    const terminating = structuredClone(live)
    terminating.metadata.deletionTimestamp = isoSeconds(this.clock.now())
    terminating.metadata.deletionGracePeriodSeconds = 0
    if (isNamespace(k)) {
      terminating['status'] = { phase: 'Terminating' }
      this.commitUpdate(k, live, terminating, versionOf(live))
      return this.emptyNamespace(live.metadata.name ?? '')
    }
    if (propagation !== 'Foreground') {
      this.commitUpdate(k, live, terminating, versionOf(live))
      return
    }
    terminating.metadata.finalizers = [...(live.metadata.finalizers ?? []), FOREGROUND]
    const id = keyIdOf(terminating)
    this.collecting.add(id)
    this.commitUpdate(k, live, terminating, versionOf(live))
    this.collectDependents(terminating, 'Foreground')
    this.collecting.delete(id)
    const now = this.store.get(id)
    if (now && blockingFinalizers(now).length === 0) this.commitDelete(k, now, 'Foreground')
  }

  private commitDelete(k: FakeKind, live: KubeObject, propagation: PropagationPolicy): void {
    const id = keyIdOf(live)
    if (!this.store.has(id)) return
    this.store.delete(id)
    const gone = structuredClone(live)
    gone.metadata.resourceVersion = String(++this.rv)
    this.hub.emit('DELETED', gone)
    this.collectDependents(live, propagation)
    const ns = live.metadata.namespace
    if (k.namespaced && ns) this.reapNamespace(ns)
  }

  /** The garbage collector: dependents go with their owner, or lose the reference (Orphan). */
  private collectDependents(owner: KubeObject, propagation: PropagationPolicy): void {
    const owned = (r: unknown): boolean => isRecord(r) && r['uid'] === owner.metadata.uid
    for (const object of [...this.store.values()]) {
      const refs = Array.isArray(object.metadata['ownerReferences']) ? object.metadata['ownerReferences'] : []
      if (!refs.some(owned)) continue
      const k = this.kindFor(refOfObject(object), 'gc')
      if (propagation !== 'Orphan') this.deleteObject(k, object, 'Background')
      else {
        const orphan = {
          ...object,
          metadata: { ...object.metadata, ownerReferences: refs.filter(r => !owned(r)) }
        }
        this.commitUpdate(k, object, orphan, versionOf(object))
      }
    }
  }

  private emptyNamespace(namespace: string): void {
    for (const object of [...this.store.values()]) {
      if (object.metadata.namespace !== namespace || object.kind === 'Namespace') continue
      this.deleteObject(this.kindFor(refOfObject(object), 'namespace-controller'), object, 'Background')
    }
    this.reapNamespace(namespace)
  }

  private reapNamespace(namespace: string): void {
    const ns = this.store.get(keyId({ group: '', kind: 'Namespace', namespace: '', name: namespace }))
    if (!ns || ns.metadata.deletionTimestamp === undefined || (ns.metadata.finalizers ?? []).length > 0)
      return
    if ([...this.store.values()].some(o => o.metadata.namespace === namespace && o.kind !== 'Namespace'))
      return
    this.commitDelete(this.kindFor(refOfObject(ns), 'namespace-controller'), ns, 'Background')
  }

  /** The object as served in `version` (a copy: callers never share the stored one). */
  private served(object: KubeObject, version: string): KubeObject {
    const copy = structuredClone(object)
    const { group } = splitApiVersion(object.apiVersion)
    copy.apiVersion = group === '' ? version : `${group}/${version}`
    return copy
  }

  private inCollection(object: KubeObject, k: FakeKind, namespace: string): boolean {
    const { group } = splitApiVersion(object.apiVersion)
    if (group !== k.group || object.kind !== k.kind) return false
    return !k.namespaced || namespace === '' || object.metadata.namespace === namespace
  }
}

function isNamespace(k: FakeKind): boolean {
  return k.group === '' && k.kind === 'Namespace'
}
