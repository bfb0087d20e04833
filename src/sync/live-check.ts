// The I/O half of judging desired objects against the cluster once their dry runs passed: finds
// the live copy each dry run was computed against, then lets live-compare.ts say what the write
// would do (§8.4, ApplyOutOfSyncOnly) and whose object it is (§7.1).
import type { Observer } from '../cluster/observer.js'
import type { Cluster } from '../cluster/port.js'
import type { KubeObject } from '../model/object.js'
import type { Task } from '../model/task.js'
import type { SyncOptions } from '../plan/annotations/sync-options.js'
import { mapLimit } from '../concurrency.js'
import type { DryOutcome } from './dry-run.js'
import type { LiveComparison, Ownership } from './live-compare.js'
import { compareWithLive, notOlder, ownershipOf } from './live-compare.js'
import { awaitsMigration } from './csa-migration.js'
import { refOf, replacedOf } from './objects.js'
import { errorMessage } from '../model/errors.js'
import { collectionsOf } from './write-step.js'

export interface LiveContext {
  cluster: Cluster
  observer: Observer
  app: string
  appOptions: SyncOptions
  parallelism: number
  signal: AbortSignal
  /**
   * Whether anyone reads the created/configured/unchanged verdicts (ApplyOutOfSyncOnly, `dry-run:
   * true`). Otherwise only ownership is judged: no content comparison, no reads to settle one.
   */
  verdicts: boolean
}

/**
 * What a write of a resource or hook would do. `answer`: the dry run's answer, kept for
 * `unchanged` resources (ApplyOutOfSyncOnly compares it with the live object again at write time).
 */
export interface Verdict {
  result: 'created' | 'configured' | 'unchanged' | 'recreated'
  /** For `recreated`: why the object is deleted first. */
  why?: string
  answer?: KubeObject
}

export interface LiveFindings {
  /** By task id, for every resource and hook whose dry run passed. */
  verdicts: Map<string, Verdict>
  /** Desired objects whose live copy another application's tracking id names. */
  shared: { task: Task; app: string }[]
  /** Desired objects whose live copy has no tracking id: wavesync takes them over. */
  adopted: Task[]
  /** Live copies that could not be read (the object is written, its ownership unchecked). */
  unreadable: string[]
}

/**
 * Judges every resource and hook whose dry run passed. The live copy comes from the Observer,
 * which has been listing and watching these collections since the dry run started (no extra
 * request in the common case); only a copy that is not the version the dry run saw costs a GET.
 */
export async function judgeLive(
  tasks: readonly Task[],
  passed: ReadonlyMap<string, DryOutcome>,
  ctx: LiveContext
): Promise<LiveFindings> {
  const writes = tasks.filter(t => (t.type === 'resource' || t.type === 'hook') && passed.has(t.id))
  await ctx.observer.track(collectionsOf(writes), ctx.signal)
  const findings: LiveFindings = { verdicts: new Map(), shared: [], adopted: [], unreadable: [] }
  // Cancelled before every collection was listed: the caller reports the termination, not findings.
  if (ctx.signal.aborted) return findings
  const judged = await mapLimit(writes, ctx.parallelism, async task => {
    const outcome = passed.get(task.id)
    return outcome ? judgeOne(task, outcome, ctx) : undefined
  })
  for (const [index, one] of judged.entries()) {
    const task = writes[index]
    if (task && one) record(findings, task, one)
  }
  return findings
}

interface Judged {
  verdict: Verdict
  ownership: Ownership | undefined
  unreadable?: string
}

function record(findings: LiveFindings, task: Task, one: Judged): void {
  findings.verdicts.set(task.id, one.verdict)
  if (one.ownership?.kind === 'shared') findings.shared.push({ task, app: one.ownership.app })
  if (one.ownership?.kind === 'untracked') findings.adopted.push(task)
  if (one.unreadable) findings.unreadable.push(one.unreadable)
}

async function judgeOne(task: Task, outcome: DryOutcome, ctx: LiveContext): Promise<Judged> {
  switch (outcome.type) {
    case 'applied':
      return judgeApplied(task, outcome.object, ctx)
    case 'created':
      // The hook's POST was accepted: nothing lives under its name.
      return { verdict: { result: 'created' }, ownership: undefined }
    case 'recreated':
      return withLiveOwnership(task, { result: 'recreated', why: outcome.why }, ctx)
    case 'existing':
      return withLiveOwnership(task, { result: 'configured' }, ctx)
    case 'removed':
      throw new Error(`task ${task.id}: a removal is not judged against the live object`)
  }
}

/** A resource's apply: the cached copy when it is not older than what the dry run saw, else a GET. */
async function judgeApplied(task: Task, answer: KubeObject, ctx: LiveContext): Promise<Judged> {
  // A dry run of a new object answers without a resourceVersion: nothing lives there to own.
  if (!answer.metadata.resourceVersion) return { verdict: { result: 'created' }, ownership: undefined }
  if (!ctx.verdicts) return ownershipOnly(task, answer, ctx)
  const seen = ctx.observer.observe(task.key, task.version)
  let live = seen.kind === 'present' ? seen.object : undefined
  const withStatus = task.object?.['status'] !== undefined
  let comparison = compareWithLive(answer, { object: live, source: 'cached' }, withStatus)
  if (comparison === 'stale') {
    try {
      live = await ctx.cluster.get(refOf(task), ctx.signal)
    } catch (error) {
      return { verdict: { result: 'configured' }, ownership: undefined, unreadable: unreadable(task, error) }
    }
    comparison = live ? compareWithLive(answer, { object: live, source: 'read' }, withStatus) : 'created'
  }
  const verdict = verdictOf(task, comparison, answer, ctx)
  const migrates =
    verdict.result === 'unchanged' && live !== undefined && awaitsMigration(live, ctx.appOptions)
  return {
    verdict: migrates ? { result: 'configured' } : verdict,
    ownership: live ? ownershipOf(live, ctx.app) : undefined
  }
}

/**
 * Whose object it is, without comparing contents (nobody reads the verdict): the cached copy when
 * it is not older than what the dry run saw, else one GET, as for a verdict.
 */
async function ownershipOnly(task: Task, answer: KubeObject, ctx: LiveContext): Promise<Judged> {
  const seen = ctx.observer.observe(task.key, task.version)
  const cached = seen.kind === 'present' ? seen.object : undefined
  const version = answer.metadata.resourceVersion ?? ''
  const current = cached !== undefined && notOlder(cached.metadata.resourceVersion, version)
  try {
    const live = current ? cached : await ctx.cluster.get(refOf(task), ctx.signal)
    return { verdict: { result: 'configured' }, ownership: live ? ownershipOf(live, ctx.app) : undefined }
  } catch (error) {
    return { verdict: { result: 'configured' }, ownership: undefined, unreadable: unreadable(task, error) }
  }
}

/**
 * Stale even after a read (another apiVersion): written. Replace=true writes with PUT, which an
 * apply's answer does not predict: never judged unchanged.
 */
function verdictOf(task: Task, comparison: LiveComparison, answer: KubeObject, ctx: LiveContext): Verdict {
  if (comparison === 'created') return { result: 'created' }
  const replace = replacedOf(task, ctx.appOptions)
  if (comparison !== 'unchanged' || replace) return { result: 'configured' }
  return { result: 'unchanged', answer }
}

/** Hooks and recreated resources: the verdict is the dry run's; the live copy says whose it is. */
async function withLiveOwnership(task: Task, verdict: Verdict, ctx: LiveContext): Promise<Judged> {
  const seen = ctx.observer.observe(task.key, task.version)
  try {
    const live = seen.kind === 'present' ? seen.object : await ctx.cluster.get(refOf(task), ctx.signal)
    return { verdict, ownership: live ? ownershipOf(live, ctx.app) : undefined }
  } catch (error) {
    return { verdict, ownership: undefined, unreadable: unreadable(task, error) }
  }
}

function unreadable(task: Task, error: unknown): string {
  return `${task.key.kind} ${task.key.name}: not read after its dry run (${errorMessage(error)}); it is written, its tracking id unchecked`
}
