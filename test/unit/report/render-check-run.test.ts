import { describe, expect, test } from '@jest/globals'
import type { Issue } from '../../../src/model/issue.js'
import { CHECK_RUN_TEXT_LIMIT } from '../../../src/report/budget.js'
import type { Report } from '../../../src/report/model.js'
import { checkRunPayloads, conclusionOf, startPayload } from '../../../src/report/render-check-run.js'
import { giantReport } from './giant.js'
import { loadIssues, loadReport } from './load.js'

const SHA = '9e1b7d3c0a5f42e8b6d1c7a9f03e5b2d4c8a1f60'
const URL = 'https://github.com/acme/shop/actions/runs/12345678901'

describe('start', () => {
  test('in_progress on the head SHA, with the run URL and id', () => {
    expect(startPayload('wavesync / production', SHA, URL, '12345678901-1')).toEqual({
      name: 'wavesync / production',
      head_sha: SHA,
      status: 'in_progress',
      details_url: URL,
      external_id: '12345678901-1'
    })
    expect(startPayload('wavesync', SHA)).toEqual({ name: 'wavesync', head_sha: SHA, status: 'in_progress' })
  })
})

describe('conclusion', () => {
  const with_ = (name: string, patch: Partial<Report> = {}): Report => ({ ...loadReport(name), ...patch })
  test.each([
    ['Succeeded', { report: with_('success') }, 'success'],
    ['a dry run that succeeded', { report: with_('success', { dryRun: true }) }, 'success'],
    ['Failed (a hook)', { report: with_('failed-hook') }, 'failure'],
    ['Error (termination had errors)', { report: with_('failed-hook', { phase: 'Error' }) }, 'failure'],
    ['Terminated (cancelled)', { report: with_('cancelled') }, 'cancelled'],
    ['Terminated by the overall timeout', { report: with_('timed-out') }, 'timed_out'],
    ['invalid manifests, no report', { issues: loadIssues('invalid-issues') }, 'failure'],
    ['post completing a run main left open', { cancelled: true }, 'cancelled'],
    ['post after a success main had finished', { report: with_('success'), cancelled: true }, 'success']
  ] as const)('%s → %s', (_, input, expected) => {
    expect(conclusionOf({ issues: [], ...input })).toBe(expected)
  })
})

describe('completion', () => {
  const { create, complete, updates } = checkRunPayloads({
    name: 'wavesync / production',
    headSha: SHA,
    report: loadReport('failed-hook'),
    issues: [],
    detailsUrl: URL,
    externalId: '12345678901-1'
  })

  test('create is a whole checks/create body; complete a checks/update body without head_sha', () => {
    expect(create).toMatchObject({
      name: 'wavesync / production',
      head_sha: SHA,
      status: 'completed',
      conclusion: 'failure',
      completed_at: '2026-11-21T13:09:21.744Z',
      details_url: URL,
      external_id: '12345678901-1'
    })
    expect(complete).not.toHaveProperty('head_sha')
    expect(complete).not.toHaveProperty('name')
    expect(complete.status).toBe('completed')
    expect(complete.output).toEqual(create.output)
  })

  test('the title says what failed; summary is the head, text the rest', () => {
    expect(create.output?.title).toBe(
      'shop: sync (install) failed: PreSync hook batch/Job shop/migrate: exit code 3 — Failed (BackoffLimitExceeded): Job has reached the specified backoff limit'
    )
    expect(create.output?.summary).toMatch(
      /^## ❌ shop: sync \(install\) failed — PreSync hook migrate \(exit code 3\)/
    )
    expect(create.output?.summary).toContain('### ❌ Failures (2)')
    expect(create.output?.text).toMatch(/^### 🔎 Failed hooks/)
    expect(create.output).not.toHaveProperty('annotations')
  })

  test('annotations go in updates, with the API level names and line ranges', () => {
    expect(updates).toHaveLength(1)
    expect(updates[0]?.output?.annotations).toEqual([
      expect.objectContaining({
        path: 'deploy/shop/app.yaml',
        start_line: 1,
        end_line: 1,
        annotation_level: 'failure'
      }),
      expect.objectContaining({
        path: 'deploy/shop/app.yaml',
        start_line: 58,
        end_line: 58,
        annotation_level: 'failure'
      })
    ])
    expect(updates[0]?.output?.title).toBe(create.output?.title)
    expect(updates[0]?.output?.summary).toBe(create.output?.summary)
    expect(updates[0]).not.toHaveProperty('conclusion')
  })
})

describe('annotation batches', () => {
  const issues = (n: number): Issue[] =>
    Array.from({ length: n }, (_, i) => ({
      severity: i % 3 === 0 ? 'error' : i % 3 === 1 ? 'warning' : 'notice',
      message: `problem ${i}`,
      file: `deploy/m${String(i).padStart(3, '0')}.yaml`,
      line: i + 1
    }))

  test('120 annotations → updates of 50, 50 and 20, every one sent (no per-step cap)', () => {
    const { updates } = checkRunPayloads({ name: 'w', headSha: SHA, issues: issues(120) })
    expect(updates.map(u => u.output?.annotations?.length)).toEqual([50, 50, 20])
    const all = updates.flatMap(u => u.output?.annotations ?? [])
    expect(new Set(all.map(a => a.path)).size).toBe(120)
    expect(new Set(all.map(a => a.annotation_level))).toEqual(new Set(['failure', 'warning', 'notice']))
  })

  test('annotations without a file are left out (the API needs a path); a file without a line starts at 1', () => {
    const { updates } = checkRunPayloads({
      name: 'w',
      headSha: SHA,
      issues: [
        { severity: 'error', message: 'lock held', file: '(inventory)', line: 0 },
        { severity: 'error', message: 'chart failed to render', file: 'charts/web', line: 0 }
      ]
    })
    expect(updates.flatMap(u => u.output?.annotations ?? [])).toEqual([
      {
        path: 'charts/web',
        start_line: 1,
        end_line: 1,
        annotation_level: 'failure',
        message: 'chart failed to render',
        title: 'Invalid manifest'
      }
    ])
  })

  test('no annotations, no updates', () => {
    const report = { ...loadReport('success'), warnings: [] }
    expect(checkRunPayloads({ name: 'w', headSha: SHA, report, issues: [] }).updates).toEqual([])
  })

  test('a cancellation: a notice on the interrupted hook, and a title that says cancelled', () => {
    const { create, updates } = checkRunPayloads({
      name: 'w',
      headSha: SHA,
      report: loadReport('cancelled'),
      issues: []
    })
    expect(create.output?.title).toBe('billing: sync (install) cancelled: Operation terminated')
    expect(updates.flatMap(u => u.output?.annotations ?? [])).toEqual([
      {
        path: 'deploy/billing/app.yaml',
        start_line: 7,
        end_line: 7,
        annotation_level: 'notice',
        title: 'Operation cancelled',
        message:
          'still waiting for hook batch/Job billing/long-migration (Sync wave 1); 1 task(s) not started'
      }
    ])
  })
})

describe('the 65,535-character limit', () => {
  test('a giant report: summary and text fit, and say they were cut', () => {
    const { create } = checkRunPayloads({ name: 'w', headSha: SHA, report: giantReport(), issues: [] })
    const output = create.output
    expect(output?.summary.length).toBeLessThanOrEqual(CHECK_RUN_TEXT_LIMIT)
    expect(output?.text?.length ?? 0).toBeLessThanOrEqual(CHECK_RUN_TEXT_LIMIT)
    expect(output?.text?.includes('This summary was shortened')).toBe(true)
  })

  test('thousands of long validation errors: the summary fits and says how many were left out', () => {
    const many: Issue[] = Array.from({ length: 5000 }, (_, i) => ({
      severity: 'error',
      message: `invalid ${'<x>'.repeat(300)}`,
      file: `deploy/m${i}.yaml`,
      line: 1
    }))
    const { create, updates } = checkRunPayloads({ name: 'w', headSha: SHA, issues: many })
    expect(create.output?.summary.length).toBeLessThanOrEqual(CHECK_RUN_TEXT_LIMIT)
    expect(/…and [\d,]+ more, left out/.test(create.output?.summary ?? '')).toBe(true)
    expect(create.output?.title).toBe('Invalid manifests: 5000 errors, nothing was applied')
    expect(updates).toHaveLength(100)
  })

  test('a huge message is clipped in annotations and title', () => {
    const base = loadReport('failed-hook')
    const report = {
      ...base,
      tasks: base.tasks.map(t => (t.name === 'migrate' ? { ...t, message: 'm'.repeat(200_000) } : t))
    }
    const { create, updates } = checkRunPayloads({ name: 'w', headSha: SHA, report, issues: [] })
    expect(create.output?.title.length).toBeLessThanOrEqual(1000)
    for (const a of updates.flatMap(u => u.output?.annotations ?? []))
      expect(a.message.length).toBeLessThanOrEqual(CHECK_RUN_TEXT_LIMIT)
  })
})
