import type { KubeObject } from '../model/object.js'
import { describeAddresses, loadBalancerAddresses } from './load-balancer.js'
import type { Health } from './types.js'
import { judged } from './types.js'

/**
 * Health of an Ingress (`networking.k8s.io`, `extensions`; sync-semantics §6.3): Healthy once the
 * ingress controller published an address. Clusters without a controller that reports addresses
 * keep Ingresses Progressing until the object timeout, as in Argo CD.
 */
export function ingressHealth(object: KubeObject): Health {
  const addresses = loadBalancerAddresses(object)
  if (addresses.length === 0)
    return judged('Progressing', 'Waiting for the ingress controller to assign an address')
  return judged('Healthy', `Address assigned${describeAddresses(addresses)}`)
}
