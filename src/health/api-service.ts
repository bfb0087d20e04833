import type { KubeObject } from '../model/object.js'
import { findCondition, statusConditions } from './conditions.js'
import type { Health } from './types.js'
import { judged } from './types.js'

/**
 * Health of an `apiregistration.k8s.io` APIService (sync-semantics §6.3, gitops-engine
 * `health_apiservice.go`): Available=True → Healthy, otherwise Progressing — never Degraded,
 * since an aggregated API commonly comes up after its backing Deployment.
 */
export function apiServiceHealth(object: KubeObject): Health {
  const available = findCondition(statusConditions(object), 'Available')
  if (!available) return judged('Progressing', 'Waiting to be processed')
  const detail = [available.reason, available.message].filter(part => part !== '').join(': ')
  if (available.status === 'True') return judged('Healthy', detail || 'API service is available')
  return judged(
    'Progressing',
    `Waiting for the API service to become available${detail ? ` (${detail})` : ''}`
  )
}
