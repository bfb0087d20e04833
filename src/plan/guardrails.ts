import type { Issue } from '../model/issue.js'
import { issueAt } from '../model/issue.js'
import type { Task } from '../model/task.js'

/**
 * What a workflow may touch (issue 8): the namespaces its objects may live in, and the
 * cluster-scoped kinds it may write. Like an Argo CD AppProject's destinations and cluster
 * resource whitelist; checked on the plan, before anything is applied.
 */
export interface Guardrails {
  /** Namespaces objects may live in; patterns with a trailing `*` match a prefix. Undefined: any. */
  namespaces: readonly string[] | undefined
  /** Cluster-scoped kinds allowed, as `group/Kind` (`/Namespace`, `rbac.authorization.k8s.io/*`). Undefined: any. */
  clusterKinds: readonly string[] | undefined
}

/** Every task outside the guardrails is an error at its manifest's line; nothing runs. */
export function guardrailIssues(tasks: readonly Task[], guardrails: Guardrails): Issue[] {
  const issues: Issue[] = []
  for (const task of tasks) {
    const problem = violation(task, guardrails)
    if (!problem) continue
    if (task.source) issues.push(issueAt('error', task.source, problem, { key: task.key }))
    else issues.push({ severity: 'error', file: '(plan)', line: 0, key: task.key, message: problem })
  }
  return issues
}

function violation(task: Task, guardrails: Guardrails): string | undefined {
  const { key } = task
  const clusterScoped = key.namespace === ''
  if (clusterScoped && guardrails.clusterKinds !== undefined) {
    const kind = `${key.group}/${key.kind}`
    if (!guardrails.clusterKinds.some(allowed => matches(allowed, kind))) {
      const allowed = guardrails.clusterKinds.length > 0 ? guardrails.clusterKinds.join(', ') : 'none'
      return `cluster-scoped kind ${kind} is not allowed (allowed-cluster-kinds: ${allowed})`
    }
  }
  if (
    !clusterScoped &&
    guardrails.namespaces !== undefined &&
    !guardrails.namespaces.some(allowed => matches(allowed, key.namespace))
  ) {
    return `namespace ${key.namespace} is not allowed (allowed-namespaces: ${guardrails.namespaces.join(', ')})`
  }
  // A Namespace object is itself a namespace the workflow touches.
  if (
    key.group === '' &&
    key.kind === 'Namespace' &&
    guardrails.namespaces !== undefined &&
    !guardrails.namespaces.some(allowed => matches(allowed, key.name))
  ) {
    return `namespace ${key.name} is not allowed (allowed-namespaces: ${guardrails.namespaces.join(', ')})`
  }
  return undefined
}

function matches(pattern: string, value: string): boolean {
  return pattern.endsWith('*') ? value.startsWith(pattern.slice(0, -1)) : pattern === value
}
