import { describe, expect, test } from '@jest/globals'
import { taskStateFromHealth } from '../../../src/health/task-state.js'
import type { Health } from '../../../src/health/types.js'

const judged = (status: Health['status']): Health => ({ status, message: '', conventions: true })

describe('taskStateFromHealth (sync-semantics §6.7)', () => {
  test.each<[Health, 'Running' | 'Succeeded' | 'Failed', 'Running' | 'Succeeded' | 'Failed']>([
    // Healthy
    [judged('Healthy'), 'Succeeded', 'Succeeded'],
    // no status conventions (generic rule item 5)
    [{ status: 'Healthy', message: '', conventions: false }, 'Succeeded', 'Succeeded'],
    // Progressing and Suspended wait until the object timeout
    [judged('Progressing'), 'Running', 'Running'],
    [judged('Suspended'), 'Running', 'Running'],
    // Degraded fails both
    [judged('Degraded'), 'Failed', 'Failed'],
    // Unknown fails a hook but keeps a resource waiting (gitops-engine getOperationPhase)
    [judged('Unknown'), 'Failed', 'Running']
  ])('%j → hook %s, resource %s', (health, hook, resource) => {
    expect(taskStateFromHealth(health, 'hook')).toBe(hook)
    expect(taskStateFromHealth(health, 'resource')).toBe(resource)
  })
})
