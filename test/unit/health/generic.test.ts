import { describe, expect, test } from '@jest/globals'
import { genericHealth } from '../../../src/health/generic.js'
import type { Health } from '../../../src/health/types.js'
import { fixture, judgedAs } from './fixtures.js'

describe('genericHealth (sync-semantics §6.6, kstatus conventions)', () => {
  test.each<[string, Health]>([
    // 1. observedGeneration present and ≠ generation: a Ready=True about the old spec is not trusted
    [
      'generic-observed-generation-old',
      judgedAs('Progressing', 'Waiting for the Database controller to observe generation 3 (observed 2)')
    ],
    // 2. Stalled=True beats a Reconciling=True listed before it
    ['generic-stalled', judgedAs('Degraded', 'storage quota exceeded: requested 500Gi, limit 100Gi')],
    // 3. Reconciling=True (Stalled=False does not count)
    ['generic-reconciling', judgedAs('Progressing', 'Reconciling: creating volume')],
    // 4. Ready=True
    ['generic-ready-true', judgedAs('Healthy', 'Certificate is up to date and has not expired')],
    // 4. Ready=False waits with its message (§12.1)
    [
      'generic-ready-false',
      judgedAs('Progressing', 'Waiting for Ready: Issuing certificate as Secret does not exist')
    ],
    // 4. Ready=Unknown without a message
    ['generic-ready-unknown', judgedAs('Progressing', 'Waiting for Ready: Ready is Unknown')],
    // 5. no status conventions: healthy on sight, told apart by conventions=false
    [
      'generic-no-conventions',
      {
        status: 'Healthy',
        message: 'ConfigMap has no status conventions; healthy once observed',
        conventions: false
      }
    ],
    // 5. a current observedGeneration alone says nothing about readiness
    [
      'generic-status-without-conditions',
      {
        status: 'Healthy',
        message: 'Database has no status conventions; healthy once observed',
        conventions: false
      }
    ]
  ])('%s', (name, expected) => {
    expect(genericHealth(fixture(name))).toEqual(expected)
  })
})
