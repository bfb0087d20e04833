import { describe, expect, test } from '@jest/globals'
import { OUTPUT_MESSAGE_LIMIT } from '../../../src/report/budget.js'
import { actionOutputs } from '../../../src/report/render-outputs.js'
import { loadIssues, loadReport } from './load.js'

describe('actionOutputs', () => {
  test('success', () => {
    expect(actionOutputs(loadReport('success'), [])).toEqual({
      result: 'succeeded',
      revision: '2',
      'failed-phase': '',
      'failed-hook': '',
      message: 'successfully synced (all tasks run)'
    })
  })

  test('a failed PreSync hook: phase, <phase>/<name>, the message on one line', () => {
    expect(actionOutputs(loadReport('failed-hook'), [])).toEqual({
      result: 'failed',
      revision: '1',
      'failed-phase': 'PreSync',
      'failed-hook': 'PreSync/migrate',
      message:
        'one or more synchronization tasks completed unsuccessfully, reason: Failed (BackoffLimitExceeded): Job has reached the specified backoff limit; ' +
        'one or more SyncFail hooks failed, reason: Failed (BackoffLimitExceeded): Job has reached the specified backoff limit'
    })
  })

  test('a resource failure has a phase but no hook', () => {
    const outputs = actionOutputs(loadReport('object-timeout'), [])
    expect([outputs['result'], outputs['failed-phase'], outputs['failed-hook']]).toEqual([
      'failed',
      'Sync',
      ''
    ])
  })

  test.each([
    ['cancelled', 'cancelled', 'Operation terminated'],
    ['timed-out', 'timed-out', 'operation timed out after 3s']
  ])('%s', (fixture, result, message) => {
    expect(actionOutputs(loadReport(fixture), [])).toEqual({
      result,
      revision: '1',
      'failed-phase': 'Sync',
      'failed-hook': '',
      message
    })
  })

  test('invalid manifests: no report, the count and the first error', () => {
    expect(actionOutputs(undefined, loadIssues('invalid-issues'))).toEqual({
      result: 'invalid',
      revision: '',
      'failed-phase': '',
      'failed-hook': '',
      message:
        '3 invalid manifest problems, nothing was applied; first: deploy/shop/config.yaml:5: error: invalid YAML: tab characters must not be used in indentation'
    })
  })

  test('errors found after planning, before any write (a report with nothing started), are invalid too', () => {
    const base = loadReport('failed-hook')
    const report = {
      ...base,
      revision: null,
      tasks: base.tasks.map(t => ({
        ...t,
        state: 'pending' as const,
        result: null,
        startedAt: null,
        finishedAt: null
      }))
    }
    const issues = [{ severity: 'error' as const, message: 'unknown kind Foo', file: '(manifests)', line: 0 }]
    expect(actionOutputs(report, issues)['result']).toBe('invalid')
  })

  test('message: one line, at most 300 characters', () => {
    const report = { ...loadReport('failed-hook'), message: `first line\n${'x'.repeat(1000)}\r\nlast` }
    const { message } = actionOutputs(report, [])
    expect(message).not.toMatch(/[\r\n]/)
    expect(message?.length).toBe(OUTPUT_MESSAGE_LIMIT)
    expect(message?.endsWith('…')).toBe(true)
  })
})
