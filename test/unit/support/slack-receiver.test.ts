import { afterEach, beforeEach, expect, test } from '@jest/globals'
import { expectNoApiViolations } from '../../support/github/api-server.js'
import { type SlackReceiver, startSlackReceiver } from '../../support/github/slack-receiver.js'

let slack: SlackReceiver

beforeEach(async () => {
  slack = await startSlackReceiver()
})
afterEach(async () => {
  await slack.close()
})

function post(body: string, contentType = 'application/json', url = slack.url): Promise<Response> {
  return fetch(url, { method: 'POST', headers: { 'content-type': contentType }, body })
}

const payload = {
  text: 'wavesync: shop failed in PreSync (hook db-migrate)',
  blocks: [{ type: 'section', text: { type: 'mrkdwn', text: '*shop* failed' } }]
}

test('an incoming-webhook payload is recorded and answered `ok`', async () => {
  const res = await post(JSON.stringify(payload))
  expect(res.status).toBe(200)
  expect(await res.text()).toBe('ok')
  expect(slack.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/services\/T\w+\/B\w+\/\w+$/)
  expect(slack.payloads).toEqual([payload])
  expect(slack.requests[0]?.headers['content-type']).toBe('application/json')
  expectNoApiViolations(slack, 'Slack receiver')
})

test('queued answers: 429 with Retry-After, then 500, then ok; every attempt is recorded', async () => {
  slack.respondWith(429, { 'retry-after': '1' })
  slack.respondWith(500)
  const first = await post(JSON.stringify(payload))
  expect(first.status).toBe(429)
  expect(first.headers.get('retry-after')).toBe('1')
  expect(await first.text()).toBe('rate_limited')
  const second = await post(JSON.stringify(payload))
  expect([second.status, await second.text()]).toEqual([500, 'internal_error'])
  expect((await post(JSON.stringify(payload))).status).toBe(200)
  expect(slack.payloads).toHaveLength(3)
  expect(slack.requests.map(r => r.response.status)).toEqual([429, 500, 200])
  expectNoApiViolations(slack, 'Slack receiver')
})

test('what Slack refuses is answered like Slack and recorded as a failure', async () => {
  expect((await post(JSON.stringify({ username: 'wavesync' }))).status).toBe(400)
  expect((await post('text=hello', 'application/x-www-form-urlencoded')).status).toBe(400)
  expect(
    (
      await post(
        JSON.stringify(payload),
        'application/json',
        slack.url.replace(/\/services\/.*/, '/services/wrong')
      )
    ).status
  ).toBe(404)
  expect(slack.requests.map(r => r.response.body)).toEqual(['no_text', 'invalid_payload', 'no_service'])
  expect(() => expectNoApiViolations(slack, 'Slack receiver')).toThrow(
    'Slack receiver recorded 3 problem(s):\n' +
      '  - slack webhook: the payload has no text, blocks or attachments\n' +
      '  - slack webhook: Content-Type application/x-www-form-urlencoded instead of application/json\n' +
      '  - slack webhook: POST went to /services/wrong, not the webhook path'
  )
})

test('a queued answer is kept for a valid request; waitForRequests counts attempts', async () => {
  slack.respondWith(503)
  const waiting = slack.waitForRequests(2, 5_000)
  await post(JSON.stringify({}))
  await post(JSON.stringify(payload))
  const requests = await waiting
  expect(requests.map(r => r.response.status)).toEqual([400, 503])
  slack.failures.splice(0)
})
