import { getString } from '../model/json.js'
import type { KubeObject } from '../model/object.js'
import { describeAddresses, loadBalancerAddresses } from './load-balancer.js'
import type { Health } from './types.js'
import { judged } from './types.js'

/**
 * Health of a `v1` Service (sync-semantics §6.3): a LoadBalancer waits for its external address;
 * every other type is usable as soon as it exists.
 */
export function serviceHealth(object: KubeObject): Health {
  const type = getString(object, ['spec', 'type']) ?? 'ClusterIP'
  if (type !== 'LoadBalancer') return judged('Healthy', `${type} Service`)
  const addresses = loadBalancerAddresses(object)
  if (addresses.length === 0) return judged('Progressing', 'Waiting for the load balancer to get an address')
  return judged('Healthy', `Load balancer address assigned${describeAddresses(addresses)}`)
}
