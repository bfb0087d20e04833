import { describe, expect, test } from '@jest/globals'
import { customResourceDefinitionHealth } from '../../../src/health/custom-resource-definition.js'
import type { HealthStatus } from '../../../src/health/types.js'
import { fixture, judgedAs } from './fixtures.js'

describe('customResourceDefinitionHealth (sync-semantics §6.5)', () => {
  test.each<[string, HealthStatus, string]>([
    // Established=True
    ['crd-established', 'Healthy', 'CRD is established'],
    // NamesAccepted=False: will never be served
    ['crd-names-not-accepted', 'Degraded', '"databases" is already in use'],
    // no conditions yet
    ['crd-pending', 'Progressing', 'Waiting for the CRD to be established']
  ])('%s → %s', (name, status, message) => {
    expect(customResourceDefinitionHealth(fixture(name))).toEqual(judgedAs(status, message))
  })
})
