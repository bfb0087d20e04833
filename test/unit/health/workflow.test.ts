import { describe, expect, test } from '@jest/globals'
import type { HealthStatus } from '../../../src/health/types.js'
import { workflowHealth } from '../../../src/health/workflow.js'
import { fixture, judgedAs } from './fixtures.js'

describe('workflowHealth (sync-semantics §6.4)', () => {
  test.each<[string, HealthStatus, string]>([
    // empty phase: not picked up yet
    ['workflow-pending', 'Progressing', 'Waiting for the workflow controller to start the workflow'],
    // Running
    ['workflow-running', 'Progressing', 'Waiting for the workflow to finish (Running)'],
    // Succeeded
    ['workflow-succeeded', 'Healthy', 'Workflow succeeded'],
    // Failed: status.message
    ['workflow-failed', 'Degraded', 'child "smoke-abc12-1234" failed'],
    // Error: status.message
    ['workflow-error', 'Degraded', 'templates.main.steps failed to resolve {{inputs.parameters.url}}'],
    // any other phase
    ['workflow-unknown-phase', 'Unknown', 'Workflow reports unexpected phase Omitted']
  ])('%s → %s', (name, status, message) => {
    expect(workflowHealth(fixture(name))).toEqual(judgedAs(status, message))
  })
})
