import type { KubeObject } from '../model/object.js'
import { conditionText, findCondition, findTrue, statusConditions } from './conditions.js'
import type { Health } from './types.js'
import { judged } from './types.js'

/**
 * Health of an `apiextensions.k8s.io` CustomResourceDefinition (sync-semantics §6.5, a wavesync
 * rule; Argo CD has none): custom resources of a later wave can only be applied once the API
 * server serves the new type, which `Established=True` announces.
 */
export function customResourceDefinitionHealth(object: KubeObject): Health {
  const conditions = statusConditions(object)
  if (findTrue(conditions, 'Established')) return judged('Healthy', 'CRD is established')
  // NamesAccepted=False: the plural/kind clashes with another CRD; it will never be served.
  const names = findCondition(conditions, 'NamesAccepted')
  if (names?.status === 'False')
    return judged('Degraded', conditionText(names, 'CRD names were not accepted'))
  return judged('Progressing', 'Waiting for the CRD to be established')
}
