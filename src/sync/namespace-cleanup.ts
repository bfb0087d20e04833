import type { Cluster } from '../cluster/port.js'
import type { Task } from '../model/task.js'
import { namespaceKeptReason } from '../plan/namespace-occupants.js'
import type { ExecDeps } from './execute.js'
import type { RunUpdate } from './types.js'

/**
 * The last check before a namespace is deleted (NamespaceCleanup, sync-semantics §10.2): deleting
 * it deletes everything in it, so it is listed first, every listable kind, and kept when it holds
 * other applications' objects or records, or could not be listed whole. The plan could not know:
 * another application may have moved in since. A pruned Namespace gets the same check (§7.4 is
 * silent; deleting another application's objects with it is what nobody expects of a prune).
 * Returns the task's end (`DeleteSkipped` / `PruneSkipped`, naming a few of those objects) or
 * undefined when the namespace may go.
 */
export async function keptNamespace(task: Task, deps: ExecDeps): Promise<RunUpdate | undefined> {
  const reason = await namespaceKeptFor(task, deps.cluster, deps.settings.app, deps.signal)
  if (reason === undefined) return undefined
  const now = deps.clock.now()
  return {
    taskId: task.id,
    run: {
      state: 'Succeeded',
      result: task.type === 'prune' ? 'PruneSkipped' : 'DeleteSkipped',
      message: reason,
      startedAt: now,
      finishedAt: now
    }
  }
}

/**
 * Why a removal task's namespace must stay (§10.2), or undefined when it may go or the task does
 * not remove a Namespace. Also asked by `dry-run: true`, so its report says what the run would keep.
 */
export async function namespaceKeptFor(
  task: Task,
  cluster: Cluster,
  app: string,
  signal: AbortSignal
): Promise<string | undefined> {
  const removal = task.type === 'delete' || task.type === 'prune'
  if (!removal || task.key.group !== '' || task.key.kind !== 'Namespace') return undefined
  return namespaceKeptReason(app, await cluster.namespaceContents(task.key.name, signal))
}
