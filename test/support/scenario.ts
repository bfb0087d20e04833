import { InventoryStore } from '../../src/inventory/store.js'
import type { InventoryRecord } from '../../src/inventory/record.js'
import type { KubeObject } from '../../src/model/object.js'
import type { HookFamily } from '../../src/model/vocabulary.js'
import type { OperationResult } from '../../src/sync/operation.js'
import { runSyncOperation } from '../../src/sync/operation.js'
import type { SyncSettings } from '../../src/sync/settings.js'
import type { ProgressEvent } from '../../src/sync/types.js'
import { FakeClock, settle } from './fake-clock.js'
import { FakeCluster } from './fake-cluster.js'
import { NS, memorySource, syncSettings } from './sync-builders.js'

/** A running operation: settles into a result (or an error that escaped the engine). */
export interface OperationHandle {
  readonly promise: Promise<OperationResult>
  readonly done: boolean
  readonly result: OperationResult | undefined
  readonly error: unknown
  readonly events: ProgressEvent[]
  readonly abort: AbortController
}

interface Reaction {
  kind: string
  name: string
  seen: Set<string>
  act: (object: KubeObject) => void
}

/**
 * One cluster, one clock, and operations run against them. `run` drives time like a patient CI
 * runner: it lets every promise settle, lets the test's "controllers" react to new objects, and
 * only when nothing else can happen moves the clock to the next pending timer. No real sleeping.
 */
export class Scenario {
  readonly clock = new FakeClock()
  readonly cluster: FakeCluster
  private readonly reactions: Reaction[] = []

  constructor(namespaces: readonly string[] = ['default', NS]) {
    this.cluster = new FakeCluster(this.clock, { namespaces })
  }

  /** Starts a sync of these files (all under `app/`) with these settings; returns at once. */
  start(files: Readonly<Record<string, string>>, overrides: Partial<SyncSettings> = {}): OperationHandle {
    const abort = new AbortController()
    const events: ProgressEvent[] = []
    const handle: { done: boolean; result: OperationResult | undefined; error: unknown } = {
      done: false,
      result: undefined,
      error: undefined
    }
    const promise = runSyncOperation(syncSettings(overrides), {
      cluster: this.cluster,
      clock: this.clock,
      source: memorySource(files),
      emit: event => events.push(event),
      signal: abort.signal
    })
    promise.then(
      result => Object.assign(handle, { done: true, result }),
      (error: unknown) => Object.assign(handle, { done: true, error })
    )
    return {
      promise,
      events,
      abort,
      get done() {
        return handle.done
      },
      get result() {
        return handle.result
      },
      get error() {
        return handle.error
      }
    }
  }

  /** Plays a controller: `act` runs once for every new object (by uid) of this kind and name (`*`: any name). */
  whenCreated(kind: string, name: string, act: (object: KubeObject) => void): void {
    this.reactions.push({ kind, name, seen: new Set(), act })
  }

  /** Like `whenCreated`, but `act` runs `delayMs` of clock time after the object appeared. */
  whenCreatedAfter(kind: string, name: string, delayMs: number, act: (object: KubeObject) => void): void {
    this.whenCreated(kind, name, object => {
      void this.clock.sleep(delayMs).then(() => {
        const current = this.cluster.find(kind, object.metadata.name ?? '', object.metadata.namespace)
        if (current && current.metadata.uid === object.metadata.uid) act(current)
      })
    })
  }

  /** Deployments become available and Jobs complete as soon as they appear (a healthy cluster), but for `except` names. */
  healthyControllers(except: readonly string[] = []): void {
    const mine = (object: KubeObject): boolean => !except.includes(object.metadata.name ?? '')
    this.whenCreated('Deployment', '*', d => {
      if (mine(d)) this.cluster.makeDeploymentAvailable(d.metadata.name ?? '', d.metadata.namespace)
    })
    this.whenCreated('Job', '*', j => {
      if (mine(j)) this.cluster.completeJob(j.metadata.name ?? '', { namespace: j.metadata.namespace ?? '' })
    })
  }

  /**
   * Drives everything until `condition` holds: settle, react, and when idle advance the clock to
   * the next timer. Fails when nothing can happen any more, or past `maxMs` of clock time.
   */
  async until(condition: () => boolean, maxMs = 2 * 3600_000): Promise<void> {
    const limit = this.clock.now() + maxMs
    for (;;) {
      await settle()
      if (this.react()) continue
      if (condition()) return
      if (this.clock.now() > limit) throw new Error(`condition not reached within ${maxMs} ms of clock time`)
      if (!(await this.clock.runNext())) {
        await settle()
        if (this.react() || condition()) continue
        throw new Error('stuck: no timer is set, nothing reacts and the condition does not hold')
      }
    }
  }

  /** Drives until the operation ends; returns its result (an escaped error fails the test). */
  async finish(op: OperationHandle, maxMs?: number): Promise<OperationResult> {
    await this.until(() => op.done, maxMs)
    if (op.error !== undefined) throw op.error instanceof Error ? op.error : new Error(String(op.error))
    if (!op.result) throw new Error('the operation ended without a result')
    return op.result
  }

  /** Runs one sync to its end. */
  async sync(
    files: Readonly<Record<string, string>>,
    overrides: Partial<SyncSettings> = {}
  ): Promise<OperationResult> {
    return this.finish(this.start(files, overrides))
  }

  /** The application's inventory records, oldest first. */
  async records(app = 'shop', namespace = NS): Promise<InventoryRecord[]> {
    return (await new InventoryStore(this.cluster, app, namespace).history()).records
  }

  private react(): boolean {
    let acted = false
    for (const reaction of this.reactions) {
      for (const object of this.cluster.all(reaction.kind)) {
        const uid = object.metadata.uid ?? ''
        if (reaction.seen.has(uid) || object.metadata.deletionTimestamp !== undefined) continue
        if (reaction.name !== '*' && object.metadata.name !== reaction.name) continue
        reaction.seen.add(uid)
        reaction.act(object)
        acted = true
      }
    }
    return acted
  }
}

/** Kubernetes objects as manifest text: JSON documents are YAML, one per `---`. */
export function manifestText(...objects: readonly object[]): string {
  return objects.map(object => JSON.stringify(object, null, 2)).join('\n---\n') + '\n'
}

/** These objects as the repository's one manifest file, `app/manifests.yaml` (what syncs read). */
export function manifestFiles(...objects: readonly object[]): Record<string, string> {
  return { 'app/manifests.yaml': manifestText(...objects) }
}

export interface ObjectOptions {
  namespace?: string
  annotations?: Record<string, string>
  wave?: number
}

function meta(name: string, options: ObjectOptions): KubeObject['metadata'] {
  const annotations = {
    ...options.annotations,
    ...(options.wave !== undefined ? { 'argocd.argoproj.io/sync-wave': String(options.wave) } : {})
  }
  return {
    name,
    ...(options.namespace ? { namespace: options.namespace } : {}),
    ...(Object.keys(annotations).length > 0 ? { annotations } : {})
  }
}

export function configMapManifest(
  name: string,
  options: ObjectOptions & { data?: Record<string, string> } = {}
): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: meta(name, options),
    data: options.data ?? { key: name }
  }
}

export function deploymentManifest(
  name: string,
  options: ObjectOptions & { image?: string } = {}
): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: meta(name, options),
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { containers: [{ name, image: options.image ?? `example/${name}:1.0` }] }
      }
    }
  }
}

/** What `crdManifest` defines: a custom kind and the versions the API server serves for it. */
export interface CrdSpec {
  kind: string
  /** The resource name; the kind in lower case plus `s` unless told (`Widget` → `widgets`). */
  plural?: string
  /** example.com unless told; the CRD is named `<plural>.<group>`, as the API server requires. */
  group?: string
  scope?: 'Namespaced' | 'Cluster'
  /** Version name → served; a served version is also marked stored. Only v1, served, unless told. */
  versions?: Readonly<Record<string, boolean>>
  /** `spec.conversion.strategy` (None, Webhook); left out unless told, as most CRDs leave it. */
  conversion?: string | undefined
  /**
   * With the Established condition already, for objects seeded into the fake; without it a CRD
   * serves nothing until `establishCrd` (or a controller) establishes it, as after a real apply.
   */
  established?: boolean
}

/** A CustomResourceDefinition with only the fields discovery and conversion decisions read. */
export function crdManifest(spec: CrdSpec): KubeObject {
  const plural = spec.plural ?? `${spec.kind.toLowerCase()}s`
  const group = spec.group ?? 'example.com'
  const versions = Object.entries(spec.versions ?? { v1: true })
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${plural}.${group}` },
    spec: {
      group,
      scope: spec.scope ?? 'Namespaced',
      names: { kind: spec.kind, plural },
      versions: versions.map(([name, served]) => ({ name, served, storage: served })),
      ...(spec.conversion ? { conversion: { strategy: spec.conversion } } : {})
    },
    ...(spec.established ? { status: { conditions: [{ type: 'Established', status: 'True' }] } } : {})
  }
}

export interface HookOptions extends ObjectOptions {
  hook: string
  policy?: string
  generateName?: string
  /** Shorthand for `family: 'helm'`. */
  helm?: boolean
  /** The annotation family of `hook` and `policy`; argo unless told otherwise. */
  family?: HookFamily
}

const HOOK_PREFIX: Record<HookFamily, string> = {
  argo: 'argocd.argoproj.io',
  helm: 'helm.sh',
  sherpack: 'sherpack.io'
}

/** A Job hook (argo annotations, or helm/sherpack ones with `helm: true` or `family`). */
export function jobHookManifest(name: string, options: HookOptions): KubeObject {
  const annotations: Record<string, string> = { ...options.annotations }
  const prefix = HOOK_PREFIX[options.family ?? (options.helm ? 'helm' : 'argo')]
  annotations[`${prefix}/hook`] = options.hook
  if (options.policy) annotations[`${prefix}/hook-delete-policy`] = options.policy
  const metadata = meta(name, { ...options, annotations })
  if (options.generateName) {
    delete metadata.name
    metadata.generateName = options.generateName
  }
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata,
    spec: {
      backoffLimit: 0,
      template: {
        spec: {
          restartPolicy: 'Never',
          containers: [{ name: 'main', image: 'example/tool:1.0', command: ['run', name] }]
        }
      }
    }
  }
}
