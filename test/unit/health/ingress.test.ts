import { describe, expect, test } from '@jest/globals'
import { ingressHealth } from '../../../src/health/ingress.js'
import type { HealthStatus } from '../../../src/health/types.js'
import { fixture, judgedAs } from './fixtures.js'

describe('ingressHealth (sync-semantics §6.3)', () => {
  test.each<[string, HealthStatus, string]>([
    // no address published yet
    ['ingress-pending', 'Progressing', 'Waiting for the ingress controller to assign an address'],
    // hostname and ip entries both count
    ['ingress-ready', 'Healthy', 'Address assigned: lb.example.com, 203.0.113.11'],
    // the extensions group is judged alike
    ['ingress-extensions-ready', 'Healthy', 'Address assigned: 203.0.113.12']
  ])('%s → %s', (name, status, message) => {
    expect(ingressHealth(fixture(name))).toEqual(judgedAs(status, message))
  })
})
