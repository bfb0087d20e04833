import { describe, expect, test } from '@jest/globals'
import { SUMMARY_BUDGET_BYTES, utf8Bytes } from '../../../src/report/budget.js'
import { renderSummary } from '../../../src/report/render-summary.js'
import { expectGolden } from '../../support/golden.js'
import { giantReport } from './giant.js'
import { loadIssues, loadReport } from './load.js'

const RUN = 'https://github.com/acme/shop/actions/runs/12345678901'
const golden = (name: string): string => `test/fixtures/report/summary-${name}.md`

/** toContain for megabyte strings: on failure, name what is missing instead of printing the text. */
function expectIn(markdown: string, ...parts: string[]): void {
  expect(parts.filter(part => !markdown.includes(part))).toEqual([])
}

describe('golden summaries of real runs', () => {
  test.each([
    // Revision 2 of team-a: PreSync, Sync waves -1..2, a prune wave, PostSync; a skipped PostDelete hook, a YAML 1.1 warning.
    ['success', 'success'],
    // PreSync migrate exits 3; Sync never starts; SyncFail wave 0 succeeds, wave 1 fails.
    ['failed-hook', 'failed-hook'],
    // SIGINT while the Sync wave 1 hook ran.
    ['cancelled', 'cancelled'],
    // The overall timeout (3s) struck while the same hook ran.
    ['timed-out', 'timed-out'],
    // A Deployment never became ready: its per-object timeout failed the sync.
    ['object-timeout', 'object-timeout']
  ])('%s', (name, fixture) => {
    const { markdown, truncated } = renderSummary({ report: loadReport(fixture), issues: [], runUrl: RUN })
    expect(truncated).toBe(false)
    expectGolden(golden(name), markdown)
  })

  test('validation errors: no report, three errors and a warning', () => {
    const { markdown, truncated } = renderSummary({
      issues: loadIssues('invalid-issues'),
      runUrl: RUN,
      title: 'wavesync / production'
    })
    expect(truncated).toBe(false)
    expectGolden(golden('invalid'), markdown)
  })
})

describe('what a person sees first', () => {
  test('a failed hook: the headline, then what failed, where and why, before any timeline', () => {
    const { markdown } = renderSummary({ report: loadReport('failed-hook'), issues: [] })
    const order = [
      '## ❌ shop: sync (install) failed — PreSync hook migrate (exit code 3)',
      'What\u00a0failed',
      '<td>PreSync hook <code>batch/Job shop/migrate</code>',
      'deploy/shop/app.yaml:1',
      '<td>exit code 3 — Failed (BackoffLimitExceeded)',
      'ERROR: relation &quot;orders&#95;idx&quot; already exists',
      '### ❌ Failures (2)',
      '<details open>',
      '### 🕒 Timeline'
    ]
    // Each text is found after the one before it.
    let from = 0
    const missing = order.filter(text => {
      const at = markdown.indexOf(text, from)
      from = at < 0 ? from : at + text.length
      return at < 0
    })
    expect(missing).toEqual([])
  })

  test('only the hook that ended the operation is unfolded', () => {
    const { markdown } = renderSummary({ report: loadReport('failed-hook'), issues: [] })
    expect(markdown.match(/<details open>/g)).toHaveLength(1)
    expect(markdown.match(/<details>/g)).toHaveLength(1)
  })

  test('no report and no errors (the job was cancelled before the operation reported)', () => {
    expect(renderSummary({ issues: [], runUrl: RUN }).markdown).toBe(
      '## ⏹️ wavesync: stopped before the operation finished\n\n' +
        'No report was written: the job was cancelled, or the step stopped before the operation finished. ' +
        `The step log has the details. · <a href="${RUN}">workflow run</a>\n`
    )
  })

  test('the run link is escaped, and only http(s) URLs are linked', () => {
    const report = loadReport('success')
    const quoted = renderSummary({ report, issues: [], runUrl: 'https://e.vil/"><script>' }).markdown
    expect(quoted).toContain('<a href="https://e.vil/&quot;&gt;&lt;script&gt;">workflow run</a>')
    expect(renderSummary({ report, issues: [], runUrl: 'javascript:alert(1)' }).markdown).not.toContain('<a ')
  })

  test('a passed dry run shows what each task would do, and counts it, never as done', () => {
    const success = loadReport('success')
    const wouldBe = ['created', 'configured', 'unchanged', 'pruned'] as const
    const report = {
      ...success,
      dryRun: true,
      revision: null,
      message: 'dry run passed: nothing was written',
      tasks: success.tasks.map((t, i) => {
        const would = wouldBe[i % wouldBe.length] ?? 'created'
        return {
          ...t,
          state: 'pending' as const,
          result: null,
          startedAt: null,
          finishedAt: null,
          wouldBe: would,
          message: `${t.kind.toLowerCase()}/${t.name} ${would} (dry run)`
        }
      })
    }
    const { markdown } = renderSummary({ report, issues: [] })
    expect(markdown).toMatch(
      /\d+ tasks \(dry run\): \d+ would be created, \d+ would be configured, \d+ would stay unchanged, \d+ would be pruned/
    )
    expect(markdown).toContain('| would be created | not run |')
    expect(markdown).not.toMatch(/✅ \d+ succeeded/)
  })

  test('a dry run says so in the headline', () => {
    const report = { ...loadReport('success'), dryRun: true }
    expect(renderSummary({ report, issues: [] }).markdown).toMatch(
      /^## ✅ team-a: sync \(upgrade\) dry run succeeded$/m
    )
  })
})

describe('hook diagnostics that could not be read (§5.4)', () => {
  const report = loadReport('failed-hook')
  const FORBIDDEN = 'pods is forbidden: User ci cannot get resource pods/log in the namespace shop'
  /** The failed-hook run with the migrate hook's diagnostics replaced. */
  const withMigrate = (diagnostics: { events: string[]; logTail: string[]; unavailable?: string[] }) => ({
    ...report,
    tasks: report.tasks.map(t => (t.name === 'migrate' ? { ...t, ...diagnostics } : t))
  })
  /** The migrate hook's `<details>` block. */
  const migrateBlock = (markdown: string): string =>
    markdown.slice(markdown.indexOf('<details open>'), markdown.indexOf('</details>'))

  test.each([
    {
      name: 'logs unreadable: said in a "Not read" row, never "left no log lines"',
      diagnostics: {
        events: ['Normal SuccessfulCreate: Created pod: migrate-lzhvv'],
        logTail: [],
        unavailable: [`logs unavailable: ${FORBIDDEN}`]
      },
      shown: ['<th align="left">Not\u00a0read</th>', `logs unavailable: ${FORBIDDEN}`, 'SuccessfulCreate'],
      hidden: ['The container left no log lines.']
    },
    {
      name: 'pods and events unreadable: both lines, one row',
      diagnostics: {
        events: [],
        logTail: [],
        unavailable: ['events unavailable: events is forbidden', 'pods unavailable: pods is forbidden']
      },
      shown: ['events unavailable: events is forbidden<br>pods unavailable: pods is forbidden'],
      hidden: ['The container left no log lines.', '>Events</th>']
    },
    {
      name: 'events unreadable, logs read: the log lines as before',
      diagnostics: {
        events: [],
        logTail: ['migration 0042 failed'],
        unavailable: ['events unavailable: timeout']
      },
      shown: ['events unavailable: timeout', 'Last 1 log line', 'migration 0042 failed'],
      hidden: ['The container left no log lines.']
    },
    {
      name: 'everything read, no log lines: the container left none',
      diagnostics: { events: [], logTail: [] },
      shown: ['The container left no log lines.'],
      hidden: ['Not\u00a0read']
    }
  ])('$name', ({ diagnostics, shown, hidden }) => {
    const block = migrateBlock(renderSummary({ report: withMigrate(diagnostics), issues: [] }).markdown)
    expect(shown.filter(text => !block.includes(text))).toEqual([])
    expect(hidden.filter(text => block.includes(text))).toEqual([])
  })
})

test('a succeeded hook whose logs were asked for but not readable gets a block saying so', () => {
  const success = loadReport('success')
  const unread = 'logs unavailable: pods is forbidden: User ci cannot get resource pods/log'
  const report = {
    ...success,
    tasks: success.tasks.map(t =>
      t.name === 'upgrade-schema' ? { ...t, events: [], logTail: [], unavailable: [unread] } : t
    )
  }
  const markdown = renderSummary({ report, issues: [] }).markdown
  expect(markdown).toContain('### 🔎 Hook logs')
  expect(markdown).toContain(unread)
  expect(markdown).not.toContain('The container left no log lines.')
})

describe('hostile strings from the cluster and the manifests', () => {
  const report = loadReport('failed-hook')
  const evil = '<script>alert(1)</script> | `rm -rf` **bold** [x](http://e.vil)\n\n# heading'
  const hostile = {
    ...report,
    app: 'shop<img src=x onerror=alert(1)>',
    tasks: report.tasks.map(t => ({
      ...t,
      message: evil,
      ...(t.logTail
        ? {
            logTail: [...t.logTail, '</pre><script>x()</script>', '```'],
            unavailable: [`events unavailable: ${evil}`]
          }
        : {})
    }))
  }
  const { markdown } = renderSummary({
    report: hostile,
    issues: [{ severity: 'error', message: evil, file: 'a|b.yaml', line: 3 }]
  })

  test('no raw tag, fence or heading from the data survives', () => {
    expect(markdown).not.toContain('<script>')
    expect(markdown).not.toContain('<img')
    expect(markdown).not.toContain('</pre><script>')
    expect(markdown).not.toMatch(/^# heading/m)
    expect(markdown).not.toContain('**bold**')
  })

  test('every table row keeps its column count', () => {
    for (const table of markdown.split('\n\n').filter(block => block.startsWith('| '))) {
      const [header, , ...rows] = table.split('\n')
      const columns = (header ?? '').split(' | ').length
      for (const row of rows) expect(row.split(' | ')).toHaveLength(columns)
    }
  })
})

describe('the byte budget', () => {
  test('a giant report stays under 900 KiB, keeps the head and the failure, and says what was cut', () => {
    const { markdown, truncated } = renderSummary({ report: giantReport(), issues: [], runUrl: RUN })
    expect(truncated).toBe(true)
    expect(utf8Bytes(markdown)).toBeLessThanOrEqual(SUMMARY_BUDGET_BYTES)
    expectIn(
      markdown,
      '## ❌ shop: sync (install) failed',
      '<th align="left">What\u00a0failed</th>',
      '### ❌ Failures (2)',
      'This summary was shortened',
      'the logs of hooks that succeeded',
      'Last 100 of 10,000 log lines',
      // The log's last lines survive every cut.
      'migration 0042_add_index failed | database left at version 41'
    )
  })

  test.each([200_000, 50_000, 20_000, 8_000, 3_000])('any budget holds (%i bytes)', budget => {
    const { markdown, truncated } = renderSummary({ report: giantReport(), issues: [], budgetBytes: budget })
    expect(truncated).toBe(true)
    expect(utf8Bytes(markdown)).toBeLessThanOrEqual(budget)
    expect(markdown.startsWith('## ❌ shop')).toBe(true)
  })

  test('cuts in order: success logs first, then old failed-hook lines, then the per-wave tables', () => {
    const report = giantReport()
    const full = renderSummary({ report, issues: [], budgetBytes: 100_000_000 })
    expect(full.truncated).toBe(false)
    expect(utf8Bytes(full.markdown)).toBeGreaterThan(2_000_000)
    const at = (budget: number): string => renderSummary({ report, issues: [], budgetBytes: budget }).markdown
    expectIn(at(2_000_000), 'Left out: the logs of hooks that succeeded. The JSON')
    expectIn(
      at(1_000_000),
      'Left out: the logs of hooks that succeeded; failed-hook log lines before the last 100. The JSON'
    )
    expectIn(
      at(200_000),
      'the per-wave task tables (one row per wave instead)',
      '| Step | Tasks | ✅ | ❌ | Not run | Duration | Gap |'
    )
  })

  test('a budget too small for anything yields nothing rather than too much', () => {
    expect(renderSummary({ report: giantReport(), issues: [], budgetBytes: 50 }).markdown).toBe('')
  })

  test('3,000 validation errors: the table is capped with a line saying how many more', () => {
    const issues = Array.from({ length: 3000 }, (_, i) => ({
      severity: 'error' as const,
      message: `missing kind ${'x'.repeat(400)}`,
      file: `deploy/m${i}.yaml`,
      line: i + 1
    }))
    const { markdown } = renderSummary({ issues, budgetBytes: 120_000 })
    expect(utf8Bytes(markdown)).toBeLessThanOrEqual(120_000)
    expect(/…and 2,\d{3} more, left out/.test(markdown)).toBe(true)
  })
})
