import type { Issue } from '../model/issue.js'
import type { ResourceKey } from '../model/key.js'
import { formatKey, keyId } from '../model/key.js'
import type { KubeObject } from '../model/object.js'
import type { Removal, Task } from '../model/task.js'
import { newTask } from '../model/task.js'
import { TRACKING_ANNOTATION, trackingId } from '../model/tracking.js'
import type { Directives } from './annotations/directives.js'
import { readDirectives } from './annotations/directives.js'
import type { SyncOptions } from './annotations/sync-options.js'
import { optionValue } from './annotations/sync-options.js'

/** One entry of the previous inventory record (sync-semantics §7.2). */
export interface PreviousEntry {
  key: ResourceKey
  version: string
  /** The destination namespace wavesync created for CreateNamespace=true. */
  createdNamespace: boolean
}

/** The previous record's objects, and the live copy of each that still exists (by `keyId`). */
export interface PreviousInventory {
  entries: readonly PreviousEntry[]
  live: ReadonlyMap<string, KubeObject>
}

export interface PruneSettings {
  /** `prune: true`; off by default, like Argo CD: obsolete objects are reported, not deleted. */
  enabled: boolean
  /** `confirm-prune`: allows deleting objects marked `Prune=confirm`. */
  confirmed: boolean
}

export interface PruneContext {
  app: string
  desired: ReadonlySet<string>
  /** Namespaces holding desired objects: such a Namespace is never pruned. */
  desiredNamespaces: ReadonlySet<string>
  appOptions: SyncOptions
  settings: PruneSettings
  issues: Issue[]
}

/**
 * Prune tasks for obsolete objects (sync-semantics §7.3): only what the previous inventory lists,
 * is not desired, and still carries this application's tracking id; never hooks, `Skip` objects or
 * a namespace created by CreateNamespace. Entries whose object is gone or no longer ours are reported.
 */
export function pruneTasks(previous: PreviousInventory, ctx: PruneContext): Task[] {
  const tasks: Task[] = []
  for (const entry of previous.entries) {
    const id = keyId(entry.key)
    if (ctx.desired.has(id) || entry.createdNamespace) continue
    const live = previous.live.get(id)
    const tracked = live?.metadata.annotations?.[TRACKING_ANNOTATION] === trackingId(ctx.app, entry.key)
    if (!live || !tracked) {
      const why = live ? "no longer carries this application's tracking id" : 'no longer exists'
      ctx.issues.push({
        severity: 'notice',
        file: '(inventory)',
        line: 0,
        key: entry.key,
        message: `${formatKey(entry.key)} ${why}; dropped from the inventory`
      })
      continue
    }
    const directives = liveDirectives(live, entry.key, ctx.issues)
    if (directives.hook || directives.skip) continue
    tasks.push(pruneTask(entry, live, directives, ctx))
  }
  return tasks
}

function pruneTask(entry: PreviousEntry, live: KubeObject, directives: Directives, ctx: PruneContext): Task {
  return newTask({
    type: 'prune',
    phase: 'Sync',
    wave: directives.wave,
    key: entry.key,
    version: entry.version,
    syncOptions: directives.syncOptions,
    timeoutMs: directives.timeoutMs,
    keep: directives.keep,
    removal: removalDecision(entry.key, live, directives, ctx)
  })
}

/** Whether a prune will delete or be skipped, and why (sync-semantics §7.4 items 1–3). */
function removalDecision(
  key: ResourceKey,
  live: KubeObject,
  directives: Directives,
  ctx: PruneContext
): Removal {
  const skip = (reason: string): Removal => ({ uid: live.metadata.uid, action: 'skip', reason })
  if (!ctx.settings.enabled) return skip('ignored (requires pruning)')
  const prune = optionValue('Prune', directives.syncOptions, ctx.appOptions)
  if (prune === 'false' || directives.keep) return skip('ignored (no prune)')
  if (prune === 'confirm' && !ctx.settings.confirmed) return skip('ignored (requires confirmation)')
  if (key.group === '' && key.kind === 'Namespace' && ctx.desiredNamespaces.has(key.name))
    return skip('namespace still in use')
  return { uid: live.metadata.uid, action: 'remove', reason: undefined }
}

/** Reads a live object's annotations; problems there are the cluster's, so they become warnings. */
function liveDirectives(live: KubeObject, key: ResourceKey, issues: Issue[]): Directives {
  const found: Issue[] = []
  const source = { file: '(live)', docIndex: 0, line: 0 }
  const directives = readDirectives({ object: live, source, fieldLines: new Map() }, found, { live: true })
  for (const issue of found.filter(issue => issue.severity === 'error')) {
    issues.push({
      ...issue,
      severity: 'warning',
      file: '(live)',
      key,
      message: `live ${formatKey(key)}: ${issue.message}`
    })
  }
  return directives
}

/**
 * Reverses prune waves symmetrically (smallest ↔ largest; sync-semantics §3.5), then moves
 * PruneLast prunes after every Sync wave. Returns new tasks; the input is untouched.
 */
export function arrangePruneWaves(tasks: readonly Task[], appOptions: SyncOptions): Task[] {
  const waves = [...new Set(tasks.filter(t => t.type === 'prune').map(t => t.wave))].sort((a, b) => a - b)
  const swapped = new Map(waves.map((wave, i) => [wave, waves[waves.length - 1 - i] ?? wave]))
  const reversed = tasks.map(t => (t.type === 'prune' ? { ...t, wave: swapped.get(t.wave) ?? t.wave } : t))
  const syncWaves = reversed.filter(t => t.phase === 'Sync').map(t => t.wave)
  const lastWave = Math.max(0, ...syncWaves) + 1
  return reversed.map(t =>
    t.type === 'prune' && optionValue('PruneLast', t.syncOptions, appOptions) === 'true'
      ? { ...t, wave: lastWave }
      : t
  )
}
