import { describe, expect, test } from '@jest/globals'
import type { Issue } from '../../../src/model/issue.js'
import { allAnnotations, rankAnnotations } from '../../../src/report/render-annotations.js'
import { loadIssues, loadReport } from './load.js'

const invalid = (n: number, severity: Issue['severity'] = 'error'): Issue[] =>
  Array.from({ length: n }, (_, i) => ({
    severity,
    message: `problem ${i + 1}`,
    file: `deploy/m${String(i + 1).padStart(2, '0')}.yaml`,
    line: i + 1
  }))

describe('ranking (platform.md §3)', () => {
  test('(1) validation errors: every offending line, in file order, with the object in the title', () => {
    const annotations = rankAnnotations({ issues: loadIssues('invalid-issues') })
    expect(annotations.map(a => [a.level, a.file, a.startLine, a.title])).toEqual([
      ['error', 'deploy/shop/config.yaml', 5, 'Invalid manifest'],
      ['error', 'deploy/shop/migrate.yaml', 7, 'Invalid manifest (batch/Job shop/migrate)'],
      ['error', 'deploy/shop/migrate.yaml', 8, 'Invalid manifest (batch/Job shop/migrate)'],
      ['warning', 'deploy/shop/settings.yaml', 9, undefined]
    ])
  })

  test('(2) the hook that ended the operation, with reason and last log line; (3) then the first failure of each later wave', () => {
    expect(rankAnnotations({ report: loadReport('failed-hook'), issues: [] })).toEqual([
      {
        level: 'error',
        title: 'PreSync hook batch/Job shop/migrate failed',
        message:
          'exit code 3 — Failed (BackoffLimitExceeded): Job has reached the specified backoff limit\n' +
          'Last log line: 2026-11-21T13:09:16.319Z migration 0042_add_index failed | database left at version 41 (dirty=false)',
        file: 'deploy/shop/app.yaml',
        startLine: 1,
        endLine: 1
      },
      {
        level: 'error',
        title: 'SyncFail wave 1: hook batch/Job shop/page-oncall failed',
        message:
          'exit code 1 — Failed (BackoffLimitExceeded): Job has reached the specified backoff limit\n' +
          'Last log line: pager service unreachable',
        file: 'deploy/shop/app.yaml',
        startLine: 58,
        endLine: 58
      }
    ])
  })

  test('(3) a resource that never became ready, on its manifest line', () => {
    expect(rankAnnotations({ report: loadReport('object-timeout'), issues: [] })).toEqual([
      {
        level: 'error',
        title: 'Sync wave 0: apps/Deployment web/stuck failed',
        message: 'timed out after 4s waiting for Waiting for rollout: 0 of 1 updated replicas available',
        file: 'deploy/web/app.yaml',
        startLine: 1,
        endLine: 1
      }
    ])
  })

  test('(4) the overall timeout names what it waited for', () => {
    expect(rankAnnotations({ report: loadReport('timed-out'), issues: [] })).toEqual([
      {
        level: 'error',
        title: 'operation timed out after 3s',
        message:
          'still waiting for hook batch/Job billing/long-migration (Sync wave 1); 1 task(s) not started',
        file: 'deploy/billing/app.yaml',
        startLine: 7,
        endLine: 7
      }
    ])
  })

  test('a cancellation is a notice, not an error', () => {
    expect(
      rankAnnotations({ report: loadReport('cancelled'), issues: [] }).map(a => [a.level, a.title])
    ).toEqual([['notice', 'Operation cancelled']])
  })

  test('(5) warnings the report carries as formatted issue lines get their file and line back', () => {
    expect(rankAnnotations({ report: loadReport('success'), issues: [] })).toEqual([
      {
        level: 'warning',
        message:
          'data.FEATURE_CACHE: plain \'on\' is the string "on" here (YAML 1.2) but a boolean for kubectl (YAML 1.1); quote it or write true/false',
        file: 'examples/sync-hook-wave/settings.yaml',
        startLine: 7,
        endLine: 7
      }
    ])
  })

  test('a warning passed both as an issue and in the report appears once', () => {
    const issue: Issue = {
      severity: 'warning',
      message:
        'data.FEATURE_CACHE: plain \'on\' is the string "on" here (YAML 1.2) but a boolean for kubectl (YAML 1.1); quote it or write true/false',
      file: 'examples/sync-hook-wave/settings.yaml',
      line: 7,
      key: { group: '', kind: 'ConfigMap', namespace: 'team-a', name: 'backend-settings' }
    }
    expect(allAnnotations({ report: loadReport('success'), issues: [issue] })).toHaveLength(1)
  })

  test('validation errors rank before the operation errors when both exist', () => {
    const annotations = allAnnotations({ report: loadReport('failed-hook'), issues: invalid(2) })
    expect(annotations.map(a => a.title ?? '')).toEqual([
      'Invalid manifest',
      'Invalid manifest',
      'PreSync hook batch/Job shop/migrate failed',
      'SyncFail wave 1: hook batch/Job shop/page-oncall failed'
    ])
  })

  test('a failed report with no failed task still gets one error', () => {
    const report = {
      ...loadReport('success'),
      phase: 'Failed' as const,
      message: 'inventory namespace x does not exist'
    }
    expect(allAnnotations({ report, issues: [] })[0]).toEqual({
      level: 'error',
      title: 'Operation failed',
      message: 'inventory namespace x does not exist'
    })
  })
})

describe('locations', () => {
  test('pseudo-files and line 0 give no file or line', () => {
    const issues: Issue[] = [
      { severity: 'error', message: 'lock held by run 42', file: '(inventory)', line: 0 },
      { severity: 'error', message: 'no resources', file: '(manifests)', line: 0 },
      { severity: 'error', message: 'rendered chart', file: 'charts/web', line: 0 }
    ]
    expect(allAnnotations({ issues })).toEqual([
      { level: 'error', title: 'Invalid manifest', message: 'lock held by run 42' },
      { level: 'error', title: 'Invalid manifest', message: 'no resources' },
      { level: 'error', title: 'Invalid manifest', file: 'charts/web', message: 'rendered chart' }
    ])
  })

  test('tasks without a manifest (prunes, the created namespace) carry no file', () => {
    const base = loadReport('failed-hook')
    const report = {
      ...base,
      tasks: base.tasks.map(t => (t.name === 'migrate' ? { ...t, source: null } : t))
    }
    const first = rankAnnotations({ report, issues: [] })[0]
    expect(first?.file).toBeUndefined()
    expect(first?.startLine).toBeUndefined()
  })
})

describe('per-step caps: 10 per level, the 10th says how many more', () => {
  test('15 validation errors → 9 + "6 more problems in the job summary"', () => {
    const annotations = rankAnnotations({ issues: invalid(15) })
    expect(annotations).toHaveLength(10)
    expect(annotations.slice(0, 9).map(a => a.message)).toEqual(invalid(9).map(i => i.message))
    expect(annotations[9]).toEqual({
      level: 'error',
      title: 'wavesync',
      message: '6 more problems in the job summary'
    })
    expect(allAnnotations({ issues: invalid(15) })).toHaveLength(15)
  })

  test('exactly 10 fit without an overflow line', () => {
    expect(rankAnnotations({ issues: invalid(10) }).map(a => a.message)).toEqual(
      invalid(10).map(i => i.message)
    )
  })

  test('each level is capped on its own', () => {
    const issues = [...invalid(12), ...invalid(12, 'warning'), ...invalid(3, 'notice')]
    const annotations = rankAnnotations({ issues })
    const per = (level: string): number => annotations.filter(a => a.level === level).length
    expect([per('error'), per('warning'), per('notice')]).toEqual([10, 10, 3])
    expect(annotations.filter(a => a.title === 'wavesync').map(a => a.message)).toEqual([
      '3 more problems in the job summary',
      '3 more warnings in the job summary'
    ])
  })

  test('repeats are dropped before counting', () => {
    const one = invalid(1)
    expect(rankAnnotations({ issues: [...one, ...one, ...one] })).toHaveLength(1)
  })
})
