import { describe, expect, test } from '@jest/globals'
import { slackPayload } from '../../../src/report/render-slack.js'
import { loadIssues, loadReport } from './load.js'

const RUN = 'https://github.com/acme/shop/actions/runs/12345678901'

describe('slackPayload', () => {
  test('a failed PreSync hook: app, operation, failed phase and hook, why, last log line, link', () => {
    expect(
      slackPayload({ report: loadReport('failed-hook'), issues: [], runUrl: RUN, repository: 'acme/shop' })
    ).toEqual({
      text: ':x: shop: sync (install) failed (PreSync migrate: exit code 3 — Failed (BackoffLimitExceeded): Job has reached the specified backoff limit)',
      blocks: [
        { type: 'header', text: { type: 'plain_text', text: 'shop: sync (install) failed', emoji: true } },
        {
          type: 'section',
          fields: [
            { type: 'mrkdwn', text: '*Application*\nshop' },
            { type: 'mrkdwn', text: '*Operation*\nsync (install) in shop' },
            { type: 'mrkdwn', text: '*Failed phase*\nPreSync' },
            { type: 'mrkdwn', text: '*Failed hook*\nPreSync/migrate' }
          ]
        },
        {
          type: 'section',
          text: {
            type: 'mrkdwn',
            text:
              '*What failed*\nPreSync wave 0: hook batch/Job shop/migrate\n' +
              '*Why*\nexit code 3 — Failed (BackoffLimitExceeded): Job has reached the specified backoff limit\n' +
              '*Last log line*\n```2026-11-21T13:09:16.319Z migration 0042_add_index failed | database left at version 41 (dirty=false)```'
          }
        },
        {
          type: 'context',
          elements: [{ type: 'mrkdwn', text: 'acme/shop · revision 1 · source 3f9c2ab8d1e4' }]
        },
        {
          type: 'actions',
          elements: [
            {
              type: 'button',
              text: { type: 'plain_text', text: 'Open the workflow run', emoji: true },
              url: RUN
            }
          ]
        }
      ]
    })
  })

  test('hostile strings are escaped for mrkdwn and cannot close the code block', () => {
    const base = loadReport('failed-hook')
    const report = {
      ...base,
      app: 'shop <!channel> & co',
      tasks: base.tasks.map(t =>
        t.name === 'migrate'
          ? { ...t, message: 'see <https://e.vil|here>', logTail: ['boom ``` <@U123> & done'] }
          : t
      )
    }
    const payload = slackPayload({ report, issues: [] })
    const texts = JSON.stringify(payload.blocks.filter(b => b.type !== 'header')) + payload.text
    expect(texts).not.toMatch(/<!channel>|<@U123>|<https:/)
    expect(texts).toContain('shop &lt;!channel&gt; &amp; co')
    expect(texts).toContain('see &lt;https://e.vil|here&gt;')
    // One ``` opens the block and one closes it; the log's backticks are broken up.
    const why = payload.blocks[2]
    const text = why?.type === 'section' ? (why.text?.text ?? '') : ''
    expect(text.match(/```/g)).toHaveLength(2)
    expect(text).toContain('boom `\u200b`\u200b`\u200b &lt;@U123&gt; &amp; done')
    // plain_text headers are not parsed by Slack, so they stay literal.
    expect(payload.blocks[0]).toEqual({
      type: 'header',
      text: { type: 'plain_text', text: 'shop <!channel> & co: sync (install) failed', emoji: true }
    })
  })

  test('invalid manifests: the first problems with their location', () => {
    const payload = slackPayload({ issues: loadIssues('invalid-issues'), runUrl: RUN })
    expect(payload.text).toBe(':x: wavesync: invalid manifests, nothing was applied')
    expect(payload.blocks[1]).toEqual({
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: [
          '*Problems*',
          '• deploy/shop/config.yaml:5: error: invalid YAML: tab characters must not be used in indentation',
          "• deploy/shop/migrate.yaml:7: error: unknown hook type 'presync' (values are case-sensitive: PreSync); valid: PreSync, Sync, PostSync, SyncFail, Skip, PreDelete, PostDelete [batch/Job shop/migrate]",
          '• deploy/shop/migrate.yaml:8: error: annotation argocd.argoproj.io/sync-wave: \'1.5\' is not an integer (write a whole number such as "-1" or "5", within 32 bits) [batch/Job shop/migrate]'
        ].join('\n')
      }
    })
  })

  test('a success has no failure fields', () => {
    const payload = slackPayload({ report: loadReport('success'), issues: [] })
    expect(payload.text).toBe(':white_check_mark: team-a: sync (upgrade) succeeded')
    expect(payload.blocks.map(b => b.type)).toEqual(['header', 'section', 'context'])
  })

  test('the timeout says so and names the phase where it struck', () => {
    const payload = slackPayload({ report: loadReport('timed-out'), issues: [] })
    expect(payload.text).toBe(':stopwatch: billing: sync (install) timed out')
    expect(JSON.stringify(payload.blocks)).toContain('*Failed phase*\\nSync')
  })

  test('Block Kit limits hold for huge values', () => {
    const base = loadReport('failed-hook')
    const report = { ...base, app: 'a'.repeat(500), message: 'm'.repeat(10_000) }
    const payload = slackPayload({ report, issues: [] })
    const header = payload.blocks[0]
    expect(header?.type === 'header' ? header.text.text.length : 0).toBeLessThanOrEqual(150)
    for (const block of payload.blocks) {
      if (block.type !== 'section') continue
      expect(block.text?.text.length ?? 0).toBeLessThanOrEqual(3000)
      for (const field of block.fields ?? []) expect(field.text.length).toBeLessThanOrEqual(2000)
    }
  })
})
