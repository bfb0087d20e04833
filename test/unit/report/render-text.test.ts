import { describe, expect, test } from '@jest/globals'
import { reportText } from '../../../src/report/render-text.js'
import { loadReport } from './load.js'

// The CLI's text output of a failed hook's diagnostics (sync-semantics §5.4): what could not be
// read is said after what was, so missing events or log lines are never taken for none.

describe('a failed hook’s details in the text output', () => {
  const report = loadReport('failed-hook')
  const withMigrate = (diagnostics: { events: string[]; logTail: string[]; unavailable?: string[] }) => ({
    ...report,
    tasks: report.tasks.map(t => (t.name === 'migrate' ? { ...t, ...diagnostics } : t))
  })
  /** The migrate hook's details, from its heading to the next blank line. */
  const details = (text: string): string[] => {
    const lines = text.split('\n')
    const from = lines.findIndex(line => line.startsWith('Hook Job migrate:'))
    const to = lines.indexOf('', from)
    return lines.slice(from, to < 0 ? undefined : to)
  }

  test.each([
    {
      name: 'everything read',
      diagnostics: { events: ['Warning BackoffLimitExceeded: limit'], logTail: ['boom'] },
      expected: [
        'Hook Job migrate: Failed (exit code 3)',
        '  exit code: 3',
        '  event: Warning BackoffLimitExceeded: limit',
        '  last log lines:',
        '    | boom'
      ]
    },
    {
      name: 'events and logs unreadable: each said with its reason',
      diagnostics: {
        events: [],
        logTail: [],
        unavailable: ['events unavailable: events is forbidden', 'logs unavailable: pods/log is forbidden']
      },
      expected: [
        'Hook Job migrate: Failed (exit code 3)',
        '  exit code: 3',
        '  events unavailable: events is forbidden',
        '  logs unavailable: pods/log is forbidden'
      ]
    }
  ])('$name', ({ diagnostics, expected }) => {
    expect(details(reportText(withMigrate(diagnostics)))).toEqual(expected)
  })
})
