import { formatKey, keyId } from '../model/key.js'
import { getString } from '../model/json.js'
import type { Task } from '../model/task.js'

/** True when `dependency` must exist before `task` can be written (sync-semantics §3.3). */
function needs(task: Task, dependency: Task): boolean {
  if (task === dependency || task.type === 'prune' || !dependency.object) return false
  if (dependency.key.group === '' && dependency.key.kind === 'Namespace') {
    return task.key.namespace === dependency.key.name
  }
  const group = getString(dependency.object, ['spec', 'group'])
  const kind = getString(dependency.object, ['spec', 'names', 'kind'])
  return task.key.group === group && task.key.kind === kind
}

function isDependency(task: Task): boolean {
  if (task.type === 'prune' || task.type === 'delete') return false
  const { group, kind } = task.key
  return (
    (group === '' && kind === 'Namespace') ||
    (group === 'apiextensions.k8s.io' && kind === 'CustomResourceDefinition')
  )
}

/**
 * Moves each Namespace and CRD task that sorts after the first task needing it to just before
 * that task, taking its phase and wave. Earlier dependencies stay put; no re-sort follows.
 * Takes and returns a sorted list.
 */
export function pullUpDependencies(sorted: readonly Task[]): Task[] {
  const tasks = [...sorted]
  for (const dependency of sorted.filter(isDependency)) {
    const at = tasks.indexOf(dependency)
    const first = tasks.findIndex(task => needs(task, dependency))
    if (first < 0 || first > at) continue
    const target = tasks[first]
    if (!target) continue
    tasks.splice(at, 1)
    tasks.splice(first, 0, {
      ...dependency,
      id: `${target.phase}:${keyId(dependency.key)}`,
      phase: target.phase,
      wave: target.wave,
      pulledUpFor: formatKey(target.key)
    })
  }
  return tasks
}
