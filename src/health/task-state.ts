import type { Health } from './types.js'

/** The state a task's health puts it in; pending and Error are decided by the sync machine. */
export type HealthTaskState = 'Running' | 'Succeeded' | 'Failed'

/**
 * Maps health to a task state (sync-semantics §6.7). Unknown fails a hook but keeps a resource
 * waiting (gitops-engine `getOperationPhase`): a hook must prove it ran, while a resource whose
 * health cannot be read yet may still become Healthy before its object timeout (§4.5.4).
 */
export function taskStateFromHealth(health: Health, kind: 'hook' | 'resource'): HealthTaskState {
  if (!health.conventions) return 'Succeeded'
  switch (health.status) {
    case 'Healthy':
      return 'Succeeded'
    case 'Progressing':
    case 'Suspended':
      return 'Running'
    case 'Degraded':
      return 'Failed'
    case 'Unknown':
      return kind === 'hook' ? 'Failed' : 'Running'
  }
}
