import { describe, expect, test } from '@jest/globals'
import type { OperationResult } from '../../../src/sync/operation.js'
import type { Injection } from '../../support/fake-requests.js'
import { Scenario, configMapManifest, jobHookManifest, manifestFiles } from '../../support/scenario.js'

// A failed hook's diagnostics (sync-semantics §5.4) when the credentials may not read all of them
// (RBAC without events, pods or pods/log is common for CI): each part that could not be read is
// said with the server's reason, never left to look like "no events" or "no log lines", and never
// changes the hook's or the operation's outcome.

const forbidden = (verb: string, resource: string): string =>
  `${resource} is forbidden: User "ci" cannot ${verb} resource "${resource}" in API group "" in the namespace "shop"`
const EVENTS_FORBIDDEN: Injection = {
  verb: 'events',
  status: 403,
  message: forbidden('list', 'events'),
  times: Infinity
}
const PODS_FORBIDDEN: Injection = {
  verb: 'list',
  kind: 'Pod',
  status: 403,
  message: forbidden('list', 'pods'),
  times: Infinity
}
const LOGS_FORBIDDEN: Injection = {
  verb: 'logs',
  status: 403,
  message: forbidden('get', 'pods/log'),
  times: Infinity
}
const BACKOFF = 'Warning BackoffLimitExceeded: Job has reached the specified backoff limit'

async function failingHook(injections: readonly Injection[]): Promise<OperationResult> {
  const s = new Scenario()
  for (const injection of injections) s.cluster.inject(injection)
  s.whenCreated('Job', 'migrate', () => s.cluster.failJob('migrate', { exitCode: 3, log: 'boom\n' }))
  return s.sync(manifestFiles(jobHookManifest('migrate', { hook: 'PreSync' }), configMapManifest('config')))
}

describe('a failed hook whose diagnostics cannot all be read (§5.4)', () => {
  const cases: {
    name: string
    injections: Injection[]
    events: string[]
    logTail: string[]
    exitCode: number | undefined
    reason: string
    unavailable: string[] | undefined
  }[] = [
    {
      name: 'everything readable: nothing said unavailable',
      injections: [],
      events: [BACKOFF],
      logTail: ['boom'],
      exitCode: 3,
      reason: 'exit code 3',
      unavailable: undefined
    },
    {
      name: 'events forbidden',
      injections: [EVENTS_FORBIDDEN],
      events: [],
      logTail: ['boom'],
      exitCode: 3,
      reason: 'exit code 3',
      unavailable: [`events unavailable: ${forbidden('list', 'events')}`]
    },
    {
      name: 'pods forbidden: no exit code, no logs asked for, the Job’s reason',
      injections: [PODS_FORBIDDEN],
      events: [BACKOFF],
      logTail: [],
      exitCode: undefined,
      reason: 'BackoffLimitExceeded',
      unavailable: [`pods unavailable: ${forbidden('list', 'pods')}`]
    },
    {
      name: 'the first pod list fails, the fallback label finds the pod: nothing is missing',
      injections: [{ ...PODS_FORBIDDEN, status: 503, message: 'etcd leader changed', times: 1 }],
      events: [BACKOFF],
      logTail: ['boom'],
      exitCode: 3,
      reason: 'exit code 3',
      unavailable: undefined
    },
    {
      name: 'both pod lists fail: the first failure is said',
      injections: [
        { ...PODS_FORBIDDEN, times: 1 },
        { ...PODS_FORBIDDEN, message: 'second', times: 1 }
      ],
      events: [BACKOFF],
      logTail: [],
      exitCode: undefined,
      reason: 'BackoffLimitExceeded',
      unavailable: [`pods unavailable: ${forbidden('list', 'pods')}`]
    },
    {
      name: 'pods/log forbidden: the exit code still read',
      injections: [LOGS_FORBIDDEN],
      events: [BACKOFF],
      logTail: [],
      exitCode: 3,
      reason: 'exit code 3',
      unavailable: [`logs unavailable: ${forbidden('get', 'pods/log')}`]
    },
    {
      name: 'events and pods/log forbidden: both said, in reading order',
      injections: [LOGS_FORBIDDEN, EVENTS_FORBIDDEN],
      events: [],
      logTail: [],
      exitCode: 3,
      reason: 'exit code 3',
      unavailable: [
        `events unavailable: ${forbidden('list', 'events')}`,
        `logs unavailable: ${forbidden('get', 'pods/log')}`
      ]
    }
  ]

  test.each(cases)('$name', async ({ injections, events, logTail, exitCode, reason, unavailable }) => {
    const result = await failingHook(injections)
    const migrate = result.report?.tasks.find(t => t.name === 'migrate')
    expect(migrate).toMatchObject({ state: 'Failed', events, logTail, reason })
    expect(migrate?.exitCode).toBe(exitCode)
    expect(migrate?.unavailable).toEqual(unavailable)
    // Reading failures change nothing else: the same outcome and message as a readable cluster.
    expect(result.exitCode).toBe(1)
    expect(result.report?.phase).toBe('Failed')
    expect(result.report?.message).toBe(
      'one or more synchronization tasks completed unsuccessfully, reason: Failed (BackoffLimitExceeded): Job has reached the specified backoff limit'
    )
  })
})

describe('a succeeded hook whose logs are printed (hook-output-log-policy, §2.6)', () => {
  test('unreadable logs are said, and the operation still succeeds', async () => {
    const s = new Scenario()
    s.cluster.inject(LOGS_FORBIDDEN)
    s.whenCreated('Job', 'smoke', () => s.cluster.completeJob('smoke', { log: 'ok\n' }))
    const annotations = { 'helm.sh/hook-output-log-policy': 'hook-succeeded' }
    const result = await s.sync(
      manifestFiles(
        jobHookManifest('smoke', { hook: 'post-install', helm: true, annotations }),
        configMapManifest('config')
      )
    )
    expect(result.exitCode).toBe(0)
    expect(result.report?.phase).toBe('Succeeded')
    expect(result.report?.tasks.find(t => t.name === 'smoke')).toMatchObject({
      state: 'Succeeded',
      logTail: [],
      unavailable: [`logs unavailable: ${forbidden('get', 'pods/log')}`]
    })
  })
})
