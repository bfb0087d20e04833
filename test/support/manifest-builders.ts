import { decodeDocuments } from '../../src/manifests/decode.js'
import { parseYamlFile } from '../../src/manifests/parse.js'
import type { Issue } from '../../src/model/issue.js'
import type { Manifest } from '../../src/model/manifest.js'
import type { KubeObject } from '../../src/model/object.js'
import type { OperationKind } from '../../src/model/vocabulary.js'
import type { Plan, PlanInput } from '../../src/plan/plan.js'
import { buildPlan } from '../../src/plan/plan.js'
import type { PreviousEntry, PreviousInventory } from '../../src/plan/prune.js'
import { offlineScope } from '../../src/plan/scope.js'
import type { ResourceKey } from '../../src/model/key.js'
import { formatKey, keyId } from '../../src/model/key.js'
import type { Task } from '../../src/model/task.js'
import { newTask } from '../../src/model/task.js'
import { TRACKING_ANNOTATION, trackingId } from '../../src/model/tracking.js'

/** The revision and start time every planner test and golden uses. */
export const REVISION = '3f9c2ab8d1e4'
export const STARTED_AT = 1732190000

/** Parses and decodes YAML text as the loader would, for one file. */
export function decodeYaml(text: string, file = 'test.yaml'): { manifests: Manifest[]; issues: Issue[] } {
  const parsed = parseYamlFile(text, file)
  const decoded = decodeDocuments(parsed.documents, file)
  return { manifests: decoded.manifests, issues: [...parsed.issues, ...decoded.issues] }
}

/** Like `decodeYaml`, but the text must be clean: any issue fails the calling test. */
export function manifestsOf(text: string, file = 'test.yaml'): Manifest[] {
  const { manifests, issues } = decodeYaml(text, file)
  if (issues.length > 0) throw new Error(`fixture has issues: ${JSON.stringify(issues)}`)
  return manifests
}

/** What `objectYaml` writes; annotation values are quoted unless `raw` says otherwise. */
export interface ObjectSpec {
  apiVersion?: string
  kind?: string
  name?: string
  generateName?: string
  namespace?: string
  annotations?: Readonly<Record<string, string>>
  /** Annotations written verbatim after the key (`5`, `true`), to test unquoted values. */
  rawAnnotations?: Readonly<Record<string, string>>
  finalizers?: readonly string[]
  /** Extra top-level YAML lines (already indented), e.g. `spec:\n  group: x`. */
  extra?: string
}

/**
 * One object as YAML with a fixed layout, so lines are predictable: apiVersion 1, kind 2,
 * metadata 3, then name/generateName/namespace, then `annotations:` and one line per annotation.
 */
export function objectYaml(spec: ObjectSpec): string {
  const lines = [`apiVersion: ${spec.apiVersion ?? 'v1'}`, `kind: ${spec.kind ?? 'ConfigMap'}`, 'metadata:']
  if (spec.name !== undefined) lines.push(`  name: ${spec.name}`)
  if (spec.generateName !== undefined) lines.push(`  generateName: ${spec.generateName}`)
  if (spec.namespace !== undefined) lines.push(`  namespace: ${spec.namespace}`)
  const annotations = Object.entries(spec.annotations ?? {})
  const raw = Object.entries(spec.rawAnnotations ?? {})
  if (annotations.length + raw.length > 0) {
    lines.push('  annotations:')
    for (const [key, value] of annotations) lines.push(`    ${key}: ${JSON.stringify(value)}`)
    for (const [key, value] of raw) lines.push(`    ${key}: ${value}`)
  }
  if (spec.finalizers) {
    lines.push('  finalizers:')
    for (const finalizer of spec.finalizers) lines.push(`    - ${finalizer}`)
  }
  if (spec.extra !== undefined) lines.push(spec.extra)
  return lines.join('\n') + '\n'
}

/** A manifest built through the real parser, so its lines are real. */
export function manifest(spec: ObjectSpec, file = 'test.yaml'): Manifest {
  const [first, ...rest] = manifestsOf(objectYaml(spec), file)
  if (!first || rest.length > 0) throw new Error('objectYaml must yield exactly one manifest')
  return first
}

/** Several objects, one file each (`m0.yaml`, `m1.yaml`, …), in the given order. */
export function manifests(...specs: ObjectSpec[]): Manifest[] {
  return specs.map((spec, index) => manifest(spec, `m${index}.yaml`))
}

export const SYNC_INSTALL: OperationKind = { type: 'sync', mode: 'install' }
export const SYNC_UPGRADE: OperationKind = { type: 'sync', mode: 'upgrade' }
export const ROLLBACK: OperationKind = { type: 'rollback' }
export const DELETE: OperationKind = { type: 'delete' }
export const TEST: OperationKind = { type: 'test' }

/** buildPlan with test defaults: app `app`, destination `dest`, sync (install), fixed revision and start. */
export function plan(items: readonly Manifest[], input: Partial<PlanInput> = {}): Plan {
  return buildPlan({
    app: 'app',
    namespace: 'dest',
    operation: SYNC_INSTALL,
    revision: REVISION,
    startedAt: STARTED_AT,
    scope: offlineScope(items),
    ...input,
    manifests: items
  })
}

/** One line per task: `Phase wave type key`, the compact form order assertions compare. */
export function taskRows(tasks: readonly Task[]): string[] {
  return tasks.map(task => `${task.phase} ${task.wave} ${task.type} ${formatKey(task.key)}`)
}

/** Only the errors of an issue list, as `line: message`. */
export function errorsOf(issues: readonly Issue[]): string[] {
  return issues.filter(issue => issue.severity === 'error').map(issue => `${issue.line}: ${issue.message}`)
}

/** A live object as the API server would return it, tracked by `app` unless told otherwise. */
export function liveObject(
  key: ResourceKey,
  options: {
    apiVersion?: string
    annotations?: Record<string, string>
    tracking?: string | null
    uid?: string
    finalizers?: string[]
  } = {}
): KubeObject {
  const annotations: Record<string, string> = { ...options.annotations }
  const tracking = options.tracking === undefined ? trackingId('app', key) : options.tracking
  if (tracking !== null) annotations[TRACKING_ANNOTATION] = tracking
  const metadata: KubeObject['metadata'] = {
    name: key.name,
    uid: options.uid ?? `uid-${key.name}`,
    annotations
  }
  if (key.namespace !== '') metadata.namespace = key.namespace
  if (options.finalizers) metadata.finalizers = options.finalizers
  return {
    apiVersion: options.apiVersion ?? (key.group === '' ? 'v1' : `${key.group}/v1`),
    kind: key.kind,
    metadata
  }
}

/** A previous inventory from entries and the live objects that still exist. */
export function inventory(
  items: readonly { key: ResourceKey; live?: KubeObject; createdNamespace?: boolean }[]
): PreviousInventory {
  const entries: PreviousEntry[] = items.map(item => ({
    key: item.key,
    version: 'v1',
    createdNamespace: item.createdNamespace ?? false
  }))
  const live = new Map<string, KubeObject>()
  for (const item of items) if (item.live) live.set(keyId(item.key), item.live)
  return { entries, live }
}

/** A resource key, core group and destination namespace by default. */
export function key(kind: string, name: string, namespace = 'dest', group = ''): ResourceKey {
  return { group, kind, namespace, name }
}

/** A task for order tests: only what the sort key reads is meaningful. */
export function task(spec: {
  phase?: Task['phase']
  wave?: number
  kind?: string
  name?: string
  namespace?: string
  group?: string
  version?: string
  type?: Task['type']
}): Task {
  const taskKey = {
    group: spec.group ?? '',
    kind: spec.kind ?? 'ConfigMap',
    namespace: spec.namespace ?? 'dest',
    name: spec.name ?? 'x'
  }
  return newTask({
    type: spec.type ?? 'resource',
    phase: spec.phase ?? 'Sync',
    wave: spec.wave ?? 0,
    key: taskKey,
    version: spec.version ?? 'v1'
  })
}

/** Deterministic permutations of a list: reversed, rotated, odd/even interleaved. */
export function permutations<T>(items: readonly T[]): T[][] {
  const rotate = (by: number): T[] => [...items.slice(by), ...items.slice(0, by)]
  const odd = items.filter((_, i) => i % 2 === 1)
  const even = items.filter((_, i) => i % 2 === 0)
  return [
    [...items].reverse(),
    rotate(1),
    rotate(Math.floor(items.length / 2)),
    [...odd, ...even],
    [...even].reverse().concat(odd)
  ]
}
