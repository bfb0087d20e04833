import type { TaskRun } from './types.js'

// Above this many overlaid entries, the next update folds them into a new base.
const MAX_OVERLAY = 64

/**
 * The task runs of one engine state: an immutable map whose updates cost the size of the update,
 * not of the table. The loop applies a few updates per watch event to a table of every task; a
 * full copy each time made a 1000-object wave allocate a Map per event. A new table shares the
 * base with its predecessor and overlays the changed runs, folded into a fresh base only once the
 * overlay has grown, so the copying is amortised over many updates.
 *
 * Iteration follows Map's insertion order: base entries (with their newest runs), then runs of
 * tasks that had none in the base.
 */
export class RunTable implements ReadonlyMap<string, TaskRun> {
  private constructor(
    private readonly base: ReadonlyMap<string, TaskRun>,
    private readonly overlay: ReadonlyMap<string, TaskRun>
  ) {}

  static readonly EMPTY = new RunTable(new Map(), new Map())

  /** A table with these runs set; this one is untouched. */
  static with(runs: ReadonlyMap<string, TaskRun>, changes: Iterable<[string, TaskRun]>): RunTable {
    const table = runs instanceof RunTable ? runs : new RunTable(runs, new Map())
    const overlay = new Map(table.overlay)
    for (const [taskId, run] of changes) overlay.set(taskId, run)
    if (overlay.size <= MAX_OVERLAY) return new RunTable(table.base, overlay)
    const base = new Map<string, TaskRun>()
    table.base.forEach((run, taskId) => base.set(taskId, overlay.get(taskId) ?? run))
    overlay.forEach((run, taskId) => base.set(taskId, run))
    return new RunTable(base, new Map())
  }

  get size(): number {
    let added = 0
    this.overlay.forEach((_run, taskId) => (added += this.base.has(taskId) ? 0 : 1))
    return this.base.size + added
  }

  get(taskId: string): TaskRun | undefined {
    return this.overlay.get(taskId) ?? this.base.get(taskId)
  }

  has(taskId: string): boolean {
    return this.overlay.has(taskId) || this.base.has(taskId)
  }

  forEach(callback: (run: TaskRun, taskId: string, table: ReadonlyMap<string, TaskRun>) => void): void {
    this.base.forEach((run, taskId) => callback(this.overlay.get(taskId) ?? run, taskId, this))
    this.overlay.forEach((run, taskId) => {
      if (!this.base.has(taskId)) callback(run, taskId, this)
    })
  }

  *keys(): MapIterator<string> {
    yield* this.base.keys()
    for (const taskId of this.overlay.keys()) if (!this.base.has(taskId)) yield taskId
  }

  *values(): MapIterator<TaskRun> {
    for (const taskId of this.keys()) yield this.get(taskId) as TaskRun
  }

  *entries(): MapIterator<[string, TaskRun]> {
    for (const taskId of this.keys()) yield [taskId, this.get(taskId) as TaskRun]
  }

  [Symbol.iterator](): MapIterator<[string, TaskRun]> {
    return this.entries()
  }
}
