import { getString } from '../model/json.js'
import type { KubeObject } from '../model/object.js'
import type { Health } from './types.js'
import { judged } from './types.js'

/**
 * Health of an Argo `argoproj.io` Workflow, any version (sync-semantics §6.4, gitops-engine
 * `health_argo.go`, which reads only `status.phase` and `status.message`).
 */
export function workflowHealth(object: KubeObject): Health {
  const phase = getString(object, ['status', 'phase']) ?? ''
  const message = getString(object, ['status', 'message']) ?? ''
  switch (phase) {
    case '':
      return judged('Progressing', message || 'Waiting for the workflow controller to start the workflow')
    case 'Pending':
    case 'Running':
      return judged('Progressing', message || `Waiting for the workflow to finish (${phase})`)
    case 'Succeeded':
      return judged('Healthy', message || 'Workflow succeeded')
    case 'Failed':
    case 'Error':
      return judged('Degraded', message || `Workflow ended with phase ${phase}`)
    default:
      return judged('Unknown', message || `Workflow reports unexpected phase ${phase}`)
  }
}
