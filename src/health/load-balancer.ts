import { getArray, getString, isRecord } from '../model/json.js'
import type { KubeObject } from '../model/object.js'

/**
 * The addresses in `status.loadBalancer.ingress` (Services of type LoadBalancer and Ingresses
 * share the shape): each entry's ip, else hostname. An entry with neither still counts as assigned.
 */
export function loadBalancerAddresses(object: KubeObject): string[] {
  return getArray(object, ['status', 'loadBalancer', 'ingress']).map(entry =>
    isRecord(entry) ? (getString(entry, ['ip']) ?? getString(entry, ['hostname']) ?? '') : ''
  )
}

/** "assigned: 1.2.3.4, lb.example.com" for messages; blank addresses are left out. */
export function describeAddresses(addresses: readonly string[]): string {
  const shown = addresses.filter(address => address !== '')
  return shown.length > 0 ? `: ${shown.join(', ')}` : ''
}
