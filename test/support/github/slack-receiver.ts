// A local stand-in for a Slack incoming webhook (hooks.slack.com/services/T…/B…/…): accepts POSTs
// of JSON, records each attempt, checks the payload has what Slack requires (`text`, or `blocks`
// / `attachments`), and answers `ok` like Slack does, or what a test queued (429 with Retry-After,
// 500) to exercise retries.
import http from 'node:http'
import type { AddressInfo } from 'node:net'

export interface SlackRequest {
  seq: number
  method: string
  path: string
  headers: Record<string, string>
  rawBody: string
  /** The parsed JSON payload; undefined when the body was not JSON. */
  payload: unknown
  response: { status: number; body: string; headers: Record<string, string> }
  at: Date
}

export interface SlackReceiver {
  /** The webhook URL to give the action (`…/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX`). */
  url: string
  /** Every JSON payload received, one per attempt (retries included), in order. */
  payloads: unknown[]
  requests: SlackRequest[]
  failures: string[]
  /** Queues one answer for the next request (call it again for more); afterwards Slack's 200 `ok`. */
  respondWith(status: number, headers?: Record<string, string>, body?: string): void
  /** Resolves once `count` requests have been received (already or later). */
  waitForRequests(count: number, timeoutMs?: number): Promise<SlackRequest[]>
  close(): Promise<void>
}

const WEBHOOK_PATH = '/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX'

function slackBody(status: number): string {
  if (status === 200) return 'ok'
  if (status === 429) return 'rate_limited'
  if (status === 404) return 'no_service'
  if (status === 403) return 'invalid_token'
  if (status >= 500) return 'internal_error'
  return 'invalid_payload'
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** Why Slack would refuse the request, or undefined when it would take it. */
function payloadProblem(
  method: string,
  path: string,
  contentType: string,
  payload: unknown
): { status: number; body: string; problem: string } | undefined {
  if (path !== WEBHOOK_PATH)
    return { status: 404, body: 'no_service', problem: `POST went to ${path}, not the webhook path` }
  if (method !== 'POST') return { status: 405, body: 'invalid_method', problem: `${method} instead of POST` }
  if (!/^application\/json\b/i.test(contentType))
    return {
      status: 400,
      body: 'invalid_payload',
      problem: `Content-Type ${contentType || 'none'} instead of application/json`
    }
  if (!isRecord(payload))
    return { status: 400, body: 'invalid_payload', problem: 'the body is not a JSON object' }
  const hasText = typeof payload['text'] === 'string' && payload['text'] !== ''
  const hasBlocks = Array.isArray(payload['blocks']) && payload['blocks'].length > 0
  const hasAttachments = Array.isArray(payload['attachments']) && payload['attachments'].length > 0
  if (!hasText && !hasBlocks && !hasAttachments)
    return { status: 400, body: 'no_text', problem: 'the payload has no text, blocks or attachments' }
  return undefined
}

export async function startSlackReceiver(): Promise<SlackReceiver> {
  const requests: SlackRequest[] = []
  const payloads: unknown[] = []
  const failures: string[] = []
  const queue: { status: number; headers: Record<string, string>; body: string | undefined }[] = []
  const waiters: { count: number; resolve: () => void }[] = []

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => {
      const rawBody = Buffer.concat(chunks).toString('utf8')
      const headers: Record<string, string> = {}
      for (const [k, v] of Object.entries(req.headers))
        if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(', ') : v
      let payload: unknown
      try {
        payload = JSON.parse(rawBody)
      } catch {
        payload = undefined
      }
      const method = req.method ?? 'GET'
      const path = new URL(req.url ?? '/', 'http://slack').pathname
      const problem = payloadProblem(method, path, headers['content-type'] ?? '', payload)
      const queued = problem === undefined ? queue.shift() : undefined
      const status = problem?.status ?? queued?.status ?? 200
      const response = {
        status,
        body: problem?.body ?? queued?.body ?? slackBody(status),
        headers: { 'content-type': 'text/plain; charset=utf-8', ...(queued?.headers ?? {}) }
      }
      if (problem !== undefined) failures.push(`slack webhook: ${problem.problem}`)
      const record: SlackRequest = {
        seq: requests.length + 1,
        method,
        path,
        headers,
        rawBody,
        payload,
        response,
        at: new Date()
      }
      requests.push(record)
      if (payload !== undefined) payloads.push(payload)
      res.writeHead(response.status, response.headers).end(response.body)
      for (const w of waiters.filter(x => requests.length >= x.count)) {
        waiters.splice(waiters.indexOf(w), 1)
        w.resolve()
      }
    })
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const address: AddressInfo | string | null = server.address()
  if (address === null || typeof address === 'string')
    throw new Error('the Slack receiver did not get a TCP port')
  return {
    url: `http://127.0.0.1:${address.port}${WEBHOOK_PATH}`,
    payloads,
    requests,
    failures,
    respondWith(status, headers = {}, body) {
      queue.push({ status, headers, body })
    },
    waitForRequests(count, timeoutMs = 10_000) {
      if (requests.length >= count) return Promise.resolve(requests.slice())
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () =>
            reject(
              new Error(`Slack receiver: ${requests.length} of ${count} requests within ${timeoutMs} ms`)
            ),
          timeoutMs
        )
        waiters.push({
          count,
          resolve: () => {
            clearTimeout(timer)
            resolve(requests.slice())
          }
        })
      })
    },
    close() {
      server.closeAllConnections()
      return new Promise<void>(resolve => server.close(() => resolve()))
    }
  }
}
