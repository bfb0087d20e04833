import { describe, expect, test } from '@jest/globals'
import { serviceHealth } from '../../../src/health/service.js'
import type { HealthStatus } from '../../../src/health/types.js'
import { fixture, judgedAs } from './fixtures.js'

describe('serviceHealth (sync-semantics §6.3)', () => {
  test.each<[string, HealthStatus, string]>([
    // not a LoadBalancer: usable at once
    ['service-clusterip', 'Healthy', 'ClusterIP Service'],
    // LoadBalancer without status.loadBalancer.ingress
    ['service-loadbalancer-pending', 'Progressing', 'Waiting for the load balancer to get an address'],
    // LoadBalancer with an address
    ['service-loadbalancer-ready', 'Healthy', 'Load balancer address assigned: 203.0.113.10']
  ])('%s → %s', (name, status, message) => {
    expect(serviceHealth(fixture(name))).toEqual(judgedAs(status, message))
  })
})
