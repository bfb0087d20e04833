import { describe, expect, test } from '@jest/globals'
import type { Task } from '../../../src/model/task.js'
import type { Observation } from '../../../src/sync/refresh.js'
import type { Decision, StepSettings } from '../../../src/sync/step.js'
import { decide } from '../../../src/sync/step.js'
import type { Action, EngineState, TaskRun } from '../../../src/sync/types.js'
import {
  ABSENT,
  actionTypes,
  deployment,
  deploymentStatus,
  hook,
  jobStatus,
  live,
  observations,
  present,
  prune,
  resource,
  run,
  stateOf
} from '../../support/sync-builders.js'

// Ticks of the pure step function (sync-semantics §4.3–§4.7, §5.6): what the engine knows and
// the cluster shows → the actions it asks for, the state it moves to and what it says.

const NOW = 60_000
const WAIT: StepSettings = { wait: true, waveDelayMs: 0 }

function tick(
  state: EngineState,
  seen: readonly (readonly [Task, Observation])[] = [],
  settings: StepSettings = WAIT,
  now = NOW
): Decision {
  return decide(state, observations(seen), now, settings)
}

function runAfter(decision: Decision, task: Task): TaskRun | undefined {
  return decision.state.runs.get(task.id)
}

function writeStep(decision: Decision): string[] {
  const write = decision.actions.find(
    (a): a is Extract<Action, { type: 'write-step' }> => a.type === 'write-step'
  )
  return write?.taskIds ?? []
}

function deletions(decision: Decision): { taskIds: string[]; why: string } | undefined {
  const action = decision.actions.find(
    (a): a is Extract<Action, { type: 'delete-hooks' }> => a.type === 'delete-hooks'
  )
  return action ? { taskIds: action.taskIds, why: action.why } : undefined
}

const ids = (...tasks: Task[]): string[] => tasks.map(t => t.id)

describe('choosing the next step (§4.3.7, §3.4)', () => {
  const pre = hook('migrate', { phase: 'PreSync' })
  const cmA = resource('a')
  const cmB = resource('b')
  const web = deployment('web', { wave: 1 })
  const post = hook('notify', { phase: 'PostSync' })
  const tasks = [pre, cmA, cmB, web, post]

  test('the first step is every pending task sharing the first pending task’s phase and wave', () => {
    const decision = tick(stateOf(tasks))
    expect(actionTypes(decision.actions)).toEqual(['write-step'])
    expect(writeStep(decision)).toEqual(ids(pre))
    expect(decision.state.stepsStarted).toBe(1)
  })

  test('after the PreSync hook succeeded, the next step is Sync wave 0 only (not wave 1)', () => {
    const decision = tick(stateOf(tasks, [[pre, run('Succeeded')]], { stepsStarted: 1 }))
    expect(writeStep(decision)).toEqual(ids(cmA, cmB))
  })

  test('waves never cross phases: PreSync wave 10 runs before Sync wave −5', () => {
    const late = hook('late', { phase: 'PreSync', wave: 10 })
    const early = resource('early', { wave: -5 })
    expect(writeStep(tick(stateOf([late, early])))).toEqual(ids(late))
  })

  test('a Sync hook runs in the same step as the resources of its wave', () => {
    const cm = resource('config')
    const syncHook = hook('seed', { phase: 'Sync' })
    expect(writeStep(tick(stateOf([cm, syncHook])))).toEqual(ids(cm, syncHook))
  })

  test('SyncFail tasks never take part in normal step selection: success without running them', () => {
    const cm = resource('config')
    const syncFail = hook('alert', { phase: 'SyncFail' })
    const decision = tick(stateOf([cm, syncFail], [[cm, run('Succeeded')]]))
    expect(writeStep(decision)).toEqual([])
    expect(decision.state.outcome).toEqual({
      phase: 'Succeeded',
      message: 'successfully synced (all tasks run)'
    })
    expect(runAfter(decision, syncFail)).toBeUndefined()
  })

  test('wave-delay sleeps before every step but the first', () => {
    const settings = { wait: true, waveDelayMs: 2000 }
    expect(actionTypes(tick(stateOf(tasks), [], settings).actions)).toEqual(['write-step'])
    const second = tick(stateOf(tasks, [[pre, run('Succeeded')]], { stepsStarted: 1 }), [], settings)
    expect(second.actions[0]).toEqual({ type: 'sleep', ms: 2000 })
    expect(actionTypes(second.actions)).toEqual(['sleep', 'write-step'])
  })
})

describe('waiting messages (§4.3.4, §4.10)', () => {
  const cm = resource('config')
  const web = deployment('web')
  const api = deployment('api')
  const smoke = hook('smoke', { phase: 'Sync' })
  const later = resource('later', { wave: 1 })

  test('a Running resource holds the next wave: no action, Argo CD’s waiting message', () => {
    const state = stateOf(
      [cm, web, later],
      [
        [cm, run('Succeeded')],
        [web, run('Running')]
      ]
    )
    const decision = tick(state, [[web, present(live(web, { status: deploymentStatus.progressing }))]])
    expect(decision.actions).toEqual([])
    expect(decision.waiting).toBe('waiting for healthy state of apps/Deployment/web')
    expect(runAfter(decision, web)?.message).toBe('Waiting for rollout: 0 of 1 updated replicas available')
  })

  test('the message names hooks first, then counts the rest', () => {
    const state = stateOf(
      [web, api, smoke, later],
      [
        [web, run('Running')],
        [api, run('Running')],
        [smoke, run('Running', { uid: 'uid-smoke' })]
      ]
    )
    const progressing = (t: Task): Observation => present(live(t, { status: deploymentStatus.progressing }))
    const decision = tick(state, [
      [web, progressing(web)],
      [api, progressing(api)],
      [smoke, present(live(smoke, { status: jobStatus.running }))]
    ])
    expect(decision.waiting).toBe('waiting for completion of hook batch/Job/smoke and 2 more hooks')
  })
})

describe('waiting for deletions (§4.3.4, §7.4.4)', () => {
  const later = resource('later', { wave: 1 })

  test('several resources: "and N more resources"; core group prints empty', () => {
    const a = resource('svc-a', { kind: 'Service' })
    const b = resource('svc-b', { kind: 'Service' })
    const lb = { spec: { type: 'LoadBalancer' }, status: { loadBalancer: {} } }
    const state = stateOf(
      [a, b, later],
      [
        [a, run('Running')],
        [b, run('Running')]
      ]
    )
    const decision = tick(state, [
      [a, present({ ...live(a), ...lb })],
      [b, present({ ...live(b), ...lb })]
    ])
    expect(decision.waiting).toBe('waiting for healthy state of /Service/svc-a and 1 more resources')
  })

  test('a pruned object still present is waited for: "waiting for deletion of …"', () => {
    const old = prune('old')
    const state = stateOf([old, later], [[old, { ...run('Running'), result: 'Pruned', message: 'pruned' }]])
    const decision = tick(state, [
      [
        old,
        present(live(old, { deletionTimestamp: '2024-11-21T12:00:00Z', finalizers: ['example.com/cleanup'] }))
      ]
    ])
    expect(decision.actions).toEqual([])
    expect(decision.waiting).toBe('waiting for deletion of /ConfigMap/old')
  })

  test('once the pruned object is gone the prune succeeds and the next step starts', () => {
    const old = prune('old')
    const state = stateOf([old, later], [[old, { ...run('Running'), result: 'Pruned', message: 'pruned' }]])
    const decision = tick(state, [[old, ABSENT]])
    expect(runAfter(decision, old)).toMatchObject({ state: 'Succeeded', result: 'Pruned' })
    expect(writeStep(decision)).toEqual(ids(later))
  })
})

describe('health → task state while waiting (§4.5, §6.7)', () => {
  const cm = resource('config')
  const web = deployment('web')
  const later = resource('later', { wave: 1 })

  test('Healthy → Succeeded; a kind without conventions succeeds on its first observation', () => {
    const state = stateOf(
      [cm, web, later],
      [
        [cm, run('Running')],
        [web, run('Running')]
      ]
    )
    const decision = tick(state, [
      [cm, present(live(cm))],
      [web, present(live(web, { status: deploymentStatus.available }))]
    ])
    expect(runAfter(decision, cm)?.state).toBe('Succeeded')
    expect(runAfter(decision, web)).toMatchObject({
      state: 'Succeeded',
      message: '1/1 replicas available',
      finishedAt: NOW
    })
    expect(writeStep(decision)).toEqual(ids(later))
  })

  test('Unknown health keeps a resource Running (§6.7)', () => {
    const old = deployment('old', { version: 'v1beta1' })
    const state = stateOf([old, later], [[old, run('Running')]])
    const decision = tick(state, [[old, present(live(old))]])
    expect(runAfter(decision, old)?.state).toBe('Running')
    expect(decision.actions).toEqual([])
  })

  test('Unknown health fails a hook (§6.7)', () => {
    const odd = hook('odd', { phase: 'Sync', version: 'v2' })
    const state = stateOf([odd, later], [[odd, run('Running', { uid: 'uid-odd' })]])
    const decision = tick(state, [[odd, present(live(odd))]])
    expect(runAfter(decision, odd)?.state).toBe('Failed')
  })

  test('a task whose collection is not listed yet (unknown) keeps waiting', () => {
    const state = stateOf([web, later], [[web, run('Running', { message: 'deployment/web created' })]])
    const decision = tick(state)
    expect(runAfter(decision, web)?.state).toBe('Running')
    expect(decision.actions).toEqual([])
    expect(decision.wakeAt).toBe(0 + 5 * 60_000)
  })
})

describe('hooks completing (§5.4, §5.5)', () => {
  const job = hook('migrate', { phase: 'PreSync' })
  const next = resource('config')

  test('a completed hook is recorded and its finalizer removal is asked for (no capture on success)', () => {
    const state = stateOf([job, next], [[job, run('Running', { uid: 'uid-migrate' })]])
    const decision = tick(state, [[job, present(live(job, { status: jobStatus.complete }))]])
    expect(decision.actions).toEqual([
      { type: 'finish-hook', taskId: job.id, capture: false, deleteNow: false }
    ])
    expect(runAfter(decision, job)).toMatchObject({
      state: 'Succeeded',
      message: 'Job complete: 1 succeeded',
      terminalSeen: true,
      finishedAt: NOW
    })
  })

  test('a failed hook is recorded with its reason and its diagnostics are captured', () => {
    const state = stateOf([job, next], [[job, run('Running', { uid: 'uid-migrate' })]])
    const decision = tick(state, [[job, present(live(job, { status: jobStatus.failed() }))]])
    expect(decision.actions).toEqual([
      { type: 'finish-hook', taskId: job.id, capture: true, deleteNow: false }
    ])
    expect(runAfter(decision, job)).toMatchObject({
      state: 'Failed',
      message: 'Failed (BackoffLimitExceeded): Job has reached the specified backoff limit'
    })
  })

  test('helm-output-log-policy hook-succeeded captures logs of a successful hook', () => {
    const logged = hook('logged', { phase: 'PreSync', family: 'helm', logPolicy: ['hook-succeeded'] })
    const state = stateOf([logged], [[logged, run('Running', { uid: 'uid-logged' })]])
    const decision = tick(state, [[logged, present(live(logged, { status: jobStatus.complete }))]])
    expect(decision.actions).toEqual([
      { type: 'finish-hook', taskId: logged.id, capture: true, deleteNow: false }
    ])
  })

  test('a hook is judged only on the object its create returned: a stale copy of the predecessor never completes it (§4.2)', () => {
    const state = stateOf([job, next], [[job, run('Running', { uid: 'uid-new' })]])
    const decision = tick(state, [[job, present(live(job, { uid: 'uid-old', status: jobStatus.complete }))]])
    expect(runAfter(decision, job)?.state).not.toBe('Succeeded')
  })

  test('…nor fails it: a stale copy of the predecessor is not a judgement on the new hook (§4.2)', () => {
    const state = stateOf([job, next], [[job, run('Running', { uid: 'uid-new' })]])
    const decision = tick(state, [[job, present(live(job, { uid: 'uid-old', status: jobStatus.complete }))]])
    expect(runAfter(decision, job)?.state).toBe('Running')
  })
})

describe('hooks deleted by others while Running (§5.7.1)', () => {
  const job = hook('migrate', { phase: 'PreSync' })
  const next = resource('config')

  test('a hook terminating under its finalizer (TTL controller) is judged on its final status (§5.7.1)', () => {
    const state = stateOf([job, next], [[job, run('Running', { uid: 'uid-migrate' })]])
    const ttlDeleted = live(job, { status: jobStatus.complete, deletionTimestamp: '2024-11-21T12:00:00Z' })
    const decision = tick(state, [[job, present(ttlDeleted)]])
    expect(runAfter(decision, job)?.state).toBe('Succeeded')
  })
})

describe('vanished objects (§4.3.2, §5.7)', () => {
  const web = deployment('web')
  const job = hook('migrate', { phase: 'Sync' })

  test.each([
    ['a Running resource', web],
    ['a Running hook', job]
  ])('%s whose object is gone is confirmed with a GET before anything is decided', (_, task) => {
    const state = stateOf([task], [[task, run('Running', { uid: 'uid-x' })]])
    const decision = tick(state, [[task, ABSENT]])
    expect(decision.actions).toEqual([{ type: 'confirm-missing', taskId: task.id }])
    expect(runAfter(decision, task)?.state).toBe('Running')
  })

  test('a task already terminal is not confirmed again when its object vanishes', () => {
    const state = stateOf([web], [[web, run('Succeeded')]])
    const decision = tick(state, [[web, ABSENT]])
    expect(decision.actions.some(a => a.type === 'confirm-missing')).toBe(false)
  })

  test('the confirmed vanished object fails the operation as a task failure ("completed unsuccessfully"), not a write failure', () => {
    // §4.3.2: SyncFailed/Error "Resource … is missing"; §4.6: a vanished object is a task turning
    // Failed/Error, not a write error, so the head is "one or more synchronization tasks completed unsuccessfully".
    const missing = {
      state: 'Error' as const,
      result: 'SyncFailed' as const,
      message: 'Resource apps/Deployment/web is missing, it might have been deleted'
    }
    const state = stateOf([web], [[web, run('Running', missing)]])
    const decision = tick(state)
    expect(decision.state.outcome).toEqual({
      phase: 'Failed',
      message:
        'one or more synchronization tasks completed unsuccessfully, reason: Resource apps/Deployment/web is missing, it might have been deleted'
    })
  })
})

describe('per-object timeouts (§4.8)', () => {
  const web = deployment('web')
  const job = hook('migrate', { phase: 'PreSync' })
  const startedAt = NOW - 5 * 60_000
  const deadline = NOW

  test('before the deadline the task keeps waiting and the loop is told when to wake', () => {
    const state = stateOf([web], [[web, run('Running', { startedAt, deadline: deadline + 1 })]])
    const decision = tick(state, [[web, present(live(web, { status: deploymentStatus.progressing }))]])
    expect(runAfter(decision, web)?.state).toBe('Running')
    expect(decision.wakeAt).toBe(deadline + 1)
  })

  test('a resource past its deadline fails with "timed out after 5m waiting for <last health message>"', () => {
    const state = stateOf([web], [[web, run('Running', { startedAt, deadline })]])
    const decision = tick(state, [[web, present(live(web, { status: deploymentStatus.progressing }))]])
    expect(runAfter(decision, web)).toMatchObject({
      state: 'Failed',
      message: 'timed out after 5m waiting for Waiting for rollout: 0 of 1 updated replicas available'
    })
    expect(decision.state.outcome).toEqual({
      phase: 'Failed',
      message:
        'one or more synchronization tasks completed unsuccessfully, reason: timed out after 5m waiting for Waiting for rollout: 0 of 1 updated replicas available'
    })
  })

  test('a hook past its deadline fails, and its diagnostics are captured', () => {
    const state = stateOf([job], [[job, run('Running', { startedAt, deadline, uid: 'uid-migrate' })]])
    const decision = tick(state, [[job, present(live(job, { status: jobStatus.running }))]])
    expect(decision.actions).toEqual([
      { type: 'finish-hook', taskId: job.id, capture: true, deleteNow: false }
    ])
    expect(runAfter(decision, job)?.message).toBe(
      'timed out after 5m waiting for Waiting for the Job to complete: 1 active, 0 succeeded, 0 failed'
    )
  })

  test('a wavesync.dev/timeout of 90s is named as such', () => {
    const quick = deployment('quick', { timeoutMs: 90_000 })
    const state = stateOf([quick], [[quick, run('Running', { startedAt: NOW - 90_000, deadline: NOW })]])
    const decision = tick(state, [[quick, present(live(quick, { status: deploymentStatus.progressing }))]])
    expect(runAfter(decision, quick)?.message).toMatch(/^timed out after 1m30s waiting for /)
  })
})

describe('per-object timeouts of removals (§4.8)', () => {
  const startedAt = NOW - 5 * 60_000
  const deadline = NOW

  test('a prune whose object does not go away times out waiting for its deletion', () => {
    const old = prune('old')
    const state = stateOf([old], [[old, { ...run('Running', { startedAt, deadline }), result: 'Pruned' }]])
    const decision = tick(state, [
      [old, present(live(old, { deletionTimestamp: '2024-11-21T12:00:00Z', finalizers: ['x/y'] }))]
    ])
    expect(runAfter(decision, old)).toMatchObject({
      state: 'Failed',
      message: 'timed out after 5m waiting for deletion of /ConfigMap/old'
    })
  })
})

describe('failure messages (§4.6.4)', () => {
  const cm = resource('config')
  const web = deployment('web')
  const api = deployment('api')
  const later = resource('later', { wave: 1 })
  const post = hook('notify', { phase: 'PostSync' })

  test('a Degraded resource fails the operation: no later step, message names the reason', () => {
    const state = stateOf(
      [cm, web, later, post],
      [
        [cm, run('Succeeded')],
        [web, run('Running')]
      ]
    )
    const decision = tick(state, [[web, present(live(web, { status: deploymentStatus.degraded }))]])
    expect(writeStep(decision)).toEqual([])
    expect(decision.state.mode).toBe('done')
    expect(decision.state.outcome).toEqual({
      phase: 'Failed',
      message:
        'one or more synchronization tasks completed unsuccessfully, reason: Progress deadline exceeded: ReplicaSet "web-1" has timed out progressing.'
    })
    expect(runAfter(decision, later)).toBeUndefined()
    expect(runAfter(decision, post)).toBeUndefined()
  })

  test('write errors: "one or more objects failed to apply", distinct reasons comma-joined', () => {
    const bad = (message: string): TaskRun => run('Failed', { result: 'SyncFailed', message })
    const state = stateOf(
      [cm, web, api, later],
      [
        [cm, bad('field is immutable')],
        [web, bad('admission webhook denied')],
        [api, bad('field is immutable')]
      ]
    )
    expect(tick(state).state.outcome).toEqual({
      phase: 'Failed',
      message: 'one or more objects failed to apply, reason: field is immutable, admission webhook denied'
    })
  })

  test('an Error task counts as failed', () => {
    const state = stateOf([cm, later], [[cm, run('Error', { message: 'boom' })]])
    expect(tick(state).state.outcome?.phase).toBe('Failed')
  })
})

describe('SyncFail waves (§4.7.2)', () => {
  const cm = resource('config')
  const web = deployment('web')
  const later = resource('later', { wave: 1 })
  const sf0a = hook('alert-a', { phase: 'SyncFail', wave: 0 })
  const sf0b = hook('alert-b', { phase: 'SyncFail', wave: 0 })
  const sf1 = hook('cleanup', { phase: 'SyncFail', wave: 1 })

  test('SyncFail hooks start at once, one wave at a time, and the others still wait', () => {
    const tasks = [cm, web, later, sf0a, sf0b, sf1]
    const failed = tick(
      stateOf(tasks, [
        [cm, run('Succeeded')],
        [web, run('Failed', { message: 'Degraded' })]
      ])
    )
    expect(failed.state.mode).toBe('failing')
    expect(failed.state.failure).toEqual({ kind: 'task' })
    expect(writeStep(failed)).toEqual(ids(sf0a, sf0b))

    const firstWave = failed.state
    const running = tick(
      {
        ...firstWave,
        runs: new Map([
          ...firstWave.runs,
          [sf0a.id, run('Running', { uid: 'a' })],
          [sf0b.id, run('Succeeded')]
        ])
      },
      [[sf0a, present(live(sf0a, { uid: 'a', status: jobStatus.running }))]]
    )
    expect(running.actions).toEqual([])
    expect(running.waiting).toBe('waiting for completion of hook batch/Job/alert-a')

    const secondWave = tick({
      ...firstWave,
      runs: new Map([
        ...firstWave.runs,
        [sf0a.id, run('Failed', { message: 'Failed (exit code 2)' })],
        [sf0b.id, run('Succeeded')]
      ])
    })
    expect(writeStep(secondWave)).toEqual(ids(sf1))
  })
})

describe('SyncFail on the failure path (§4.6.3, §4.7)', () => {
  const cm = resource('config')
  const web = deployment('web')
  const later = resource('later', { wave: 1 })
  const smoke = hook('smoke', { phase: 'Sync' })
  const sf0a = hook('alert-a', { phase: 'SyncFail', wave: 0 })
  const sf1 = hook('cleanup', { phase: 'SyncFail', wave: 1 })

  test('a failed SyncFail hook does not stop later SyncFail waves, and is appended to the message', () => {
    const tasks = [cm, later, sf0a, sf1]
    const state = stateOf(
      tasks,
      [
        [cm, run('Failed', { message: 'Degraded' })],
        [sf0a, run('Failed', { message: 'Failed (exit code 2)' })],
        [sf1, run('Succeeded')]
      ],
      { mode: 'failing', failure: { kind: 'task' } }
    )
    expect(tick(state).state.outcome).toEqual({
      phase: 'Failed',
      message:
        'one or more synchronization tasks completed unsuccessfully, reason: Degraded\none or more SyncFail hooks failed, reason: Failed (exit code 2)'
    })
  })

  test('SyncFail hooks start immediately even while another hook is still running', () => {
    const state = stateOf(
      [web, smoke, later, sf0a],
      [
        [web, run('Failed', { message: 'Degraded' })],
        [smoke, run('Running', { uid: 's' })]
      ]
    )
    const decision = tick(state, [[smoke, present(live(smoke, { uid: 's', status: jobStatus.running }))]])
    expect(writeStep(decision)).toEqual(ids(sf0a))
  })
})

describe('what is awaited after a failure (§4.6.2)', () => {
  const web = deployment('web')
  const api = deployment('api')
  const later = resource('later', { wave: 1 })
  const smoke = hook('smoke', { phase: 'Sync' })

  test('Running hooks are still awaited after a failure; Running resources are not', () => {
    const state = stateOf(
      [web, api, smoke, later],
      [
        [web, run('Failed', { message: 'Degraded' })],
        [api, run('Running')],
        [smoke, run('Running', { uid: 's' })]
      ]
    )
    const progressing = present(live(api, { status: deploymentStatus.progressing }))
    const waiting = tick(state, [
      [api, progressing],
      [smoke, present(live(smoke, { uid: 's', status: jobStatus.running }))]
    ])
    expect(waiting.actions).toEqual([])
    expect(waiting.waiting).toBe('waiting for completion of hook batch/Job/smoke')
    expect(waiting.state.outcome).toBeUndefined()

    const hookDone = {
      ...waiting.state,
      runs: new Map([...waiting.state.runs, [smoke.id, run('Succeeded')]])
    }
    const done = tick(hookDone, [[api, progressing]])
    expect(done.state.outcome?.phase).toBe('Failed')
    expect(runAfter(done, api)?.state).toBe('Running')
  })
})

describe('argo HookSucceeded (§5.6)', () => {
  const cm = resource('config')
  const later = resource('later', { wave: 1 })

  test('argo HookSucceeded: deleted at the end of a successful operation, every phase', () => {
    const pre = hook('pre', { policies: ['HookSucceeded'] })
    const post = hook('post', { phase: 'PostSync', policies: ['HookSucceeded'] })
    const keep = hook('keep', { phase: 'PostSync', policies: ['BeforeHookCreation'] })
    const decision = tick(
      stateOf(
        [pre, cm, post, keep],
        [
          [pre, run('Succeeded')],
          [cm, run('Succeeded')],
          [post, run('Succeeded')],
          [keep, run('Succeeded')]
        ]
      )
    )
    expect(decision.state.outcome?.phase).toBe('Succeeded')
    expect(deletions(decision)).toEqual({ taskIds: ids(pre, post), why: 'HookSucceeded' })
  })

  test('argo HookSucceeded hooks are never deleted when the operation fails, even the ones that succeeded', () => {
    const pre = hook('pre', { policies: ['HookSucceeded'] })
    const decision = tick(
      stateOf(
        [pre, cm, later],
        [
          [pre, run('Succeeded')],
          [cm, run('Failed', { message: 'Degraded' })]
        ]
      )
    )
    expect(decision.state.outcome?.phase).toBe('Failed')
    expect(deletions(decision)).toBeUndefined()
  })
})

describe('argo HookFailed (§5.6)', () => {
  const cm = resource('config')

  test('argo HookFailed: at the end of a failed operation, after SyncFail, including hooks that succeeded', () => {
    const ok = hook('ok', { policies: ['HookFailed'] })
    const bad = hook('bad', { phase: 'Sync', policies: ['HookFailed'] })
    const never = hook('never', { phase: 'PostSync', policies: ['HookFailed'] })
    const sf = hook('alert', { phase: 'SyncFail' })
    const state = stateOf(
      [ok, cm, bad, never, sf],
      [
        [ok, run('Succeeded')],
        [cm, run('Succeeded')],
        [bad, run('Failed', { message: 'Failed (exit code 1)' })]
      ]
    )
    const first = tick(state)
    expect(writeStep(first)).toEqual(ids(sf))
    expect(deletions(first)).toBeUndefined()
    const after = tick({ ...first.state, runs: new Map([...first.state.runs, [sf.id, run('Succeeded')]]) })
    expect(deletions(after)).toEqual({ taskIds: ids(ok, bad), why: 'HookFailed' })
  })

  test('argo HookFailed hooks are not deleted when the operation succeeds', () => {
    const ok = hook('ok', { policies: ['HookFailed'] })
    const decision = tick(
      stateOf(
        [ok, cm],
        [
          [ok, run('Succeeded')],
          [cm, run('Succeeded')]
        ]
      )
    )
    expect(deletions(decision)).toBeUndefined()
  })
})

describe('SyncFail hooks’ delete policies (§5.6, §11 #12)', () => {
  const cm = resource('config')

  test('SyncFail hooks: policies judged by their own outcome', () => {
    const okSucceeded = hook('ok-hs', { phase: 'SyncFail', policies: ['HookSucceeded'] })
    const okFailed = hook('ok-hf', { phase: 'SyncFail', policies: ['HookFailed'] })
    const badSucceeded = hook('bad-hs', { phase: 'SyncFail', policies: ['HookSucceeded'] })
    const badFailed = hook('bad-hf', { phase: 'SyncFail', policies: ['HookFailed'] })
    const state = stateOf(
      [cm, okSucceeded, okFailed, badSucceeded, badFailed],
      [
        [cm, run('Failed', { message: 'Degraded' })],
        [okSucceeded, run('Succeeded')],
        [okFailed, run('Succeeded')],
        [badSucceeded, run('Failed', { message: 'x' })],
        [badFailed, run('Failed', { message: 'x' })]
      ],
      { mode: 'failing', failure: { kind: 'task' } }
    )
    expect(deletions(tick(state))).toEqual({ taskIds: ids(okSucceeded, badFailed), why: 'HookFailed' })
  })
})

describe('helm HookSucceeded at phase end (§5.6)', () => {
  const cm = resource('config')

  test('helm HookSucceeded: deleted as soon as its phase completed, before the next phase starts, in reverse creation order', () => {
    const config = hook('hook-config', {
      family: 'helm',
      kind: 'ConfigMap',
      group: '',
      policies: ['HookSucceeded']
    })
    const job = hook('hook-job', { family: 'helm', policies: ['HookSucceeded'] })
    const state = stateOf(
      [config, job, cm],
      [
        [config, run('Succeeded', { startedAt: 100 })],
        [job, run('Succeeded', { startedAt: 200 })]
      ],
      { stepsStarted: 1 }
    )
    const decision = tick(state)
    expect(deletions(decision)).toEqual({ taskIds: ids(job, config), why: 'HookSucceeded' })
    expect(writeStep(decision)).toEqual([])
    expect(decision.state.phasesClosed.has('PreSync')).toBe(true)
    const next = tick({
      ...decision.state,
      runs: new Map([
        ...decision.state.runs,
        [config.id, run('Succeeded', { deleted: true })],
        [job.id, run('Succeeded', { deleted: true })]
      ])
    })
    expect(writeStep(next)).toEqual(ids(cm))
  })
})

describe('helm HookSucceeded ordering and exceptions (§5.6)', () => {
  const cm = resource('config')

  test('helm HookSucceeded: reverse creation order also when both were created in the same millisecond (one step, two kind batches)', () => {
    // The ConfigMap batch is written before the Job batch (kind order), so the Job was created last
    // and must be deleted first, whatever the clock resolution (§5.6: a ConfigMap hook outlives the Job that reads it).
    const config = hook('hook-config', {
      family: 'helm',
      kind: 'ConfigMap',
      group: '',
      policies: ['HookSucceeded']
    })
    const job = hook('hook-job', { family: 'helm', policies: ['HookSucceeded'] })
    const state = stateOf(
      [config, job, cm],
      [
        [config, run('Succeeded', { startedAt: 100 })],
        [job, run('Succeeded', { startedAt: 100 })]
      ],
      { stepsStarted: 1 }
    )
    expect(deletions(tick(state))).toEqual({ taskIds: ids(job, config), why: 'HookSucceeded' })
  })

  test('helm HookSucceeded: a failed phase still deletes its hooks that succeeded', () => {
    const ok = hook('ok', { family: 'helm', policies: ['HookSucceeded'] })
    const bad = hook('bad', { family: 'helm', policies: ['HookSucceeded'] })
    const decision = tick(
      stateOf(
        [ok, bad, cm],
        [
          [ok, run('Succeeded')],
          [bad, run('Failed', { message: 'x' })]
        ]
      )
    )
    expect(deletions(decision)).toEqual({ taskIds: ids(ok), why: 'HookFailed' })
  })

  test('helm CRD hooks are never deleted by a policy', () => {
    const crd = hook('widgets.example.com', {
      family: 'helm',
      kind: 'CustomResourceDefinition',
      group: 'apiextensions.k8s.io',
      namespace: '',
      policies: ['HookSucceeded']
    })
    const decision = tick(stateOf([crd, cm], [[crd, run('Succeeded')]], { stepsStarted: 1 }))
    expect(deletions(decision)).toBeUndefined()
    expect(writeStep(decision)).toEqual(ids(cm))
  })
})

describe('helm HookFailed right after the failure (§5.6)', () => {
  const cm = resource('config')

  test('helm HookFailed: deleted right after the hook failed (finish-hook deleteNow), argo HookFailed waits for the end', () => {
    const helm = hook('helm-bad', { family: 'helm', policies: ['HookFailed'] })
    const argo = hook('argo-bad', { policies: ['HookFailed'] })
    const state = stateOf(
      [helm, argo, cm],
      [
        [helm, run('Running', { uid: 'h' })],
        [argo, run('Running', { uid: 'a' })]
      ]
    )
    const decision = tick(state, [
      [helm, present(live(helm, { uid: 'h', status: jobStatus.failed() }))],
      [argo, present(live(argo, { uid: 'a', status: jobStatus.failed() }))]
    ])
    expect(decision.actions).toEqual([
      { type: 'finish-hook', taskId: helm.id, capture: true, deleteNow: true },
      { type: 'finish-hook', taskId: argo.id, capture: true, deleteNow: false }
    ])
  })

  test('a hook already deleted by a policy is not deleted twice', () => {
    const pre = hook('pre', { policies: ['HookSucceeded'] })
    const decision = tick(
      stateOf(
        [pre, cm],
        [
          [pre, run('Succeeded', { deleted: true })],
          [cm, run('Succeeded')]
        ]
      )
    )
    expect(deletions(decision)).toBeUndefined()
  })
})

describe('prune tasks reported without writes (§7.4)', () => {
  const cm = resource('config')

  test('skipped prunes are reported by a skip action, the step’s writes go on', () => {
    const skipped = prune('old', { removal: { action: 'skip', reason: 'ignored (requires pruning)' } })
    const removed = prune('gone')
    const decision = tick(stateOf([skipped, cm, removed]))
    expect(decision.actions).toEqual([
      { type: 'skip-tasks', taskIds: ids(skipped) },
      { type: 'write-step', taskIds: ids(cm, removed) }
    ])
  })

  test('a step of skipped prunes only: no write at all', () => {
    const skipped = prune('old', { wave: 3, removal: { action: 'skip', reason: 'ignored (no prune)' } })
    const decision = tick(stateOf([cm, skipped], [[cm, run('Succeeded')]]))
    expect(decision.actions).toEqual([{ type: 'skip-tasks', taskIds: ids(skipped) }])
  })

  test('PruneSkipped never fails an operation', () => {
    const skipped = prune('old', { removal: { action: 'skip', reason: 'ignored (requires pruning)' } })
    const state = stateOf(
      [skipped, cm],
      [
        [skipped, run('Succeeded', { result: 'PruneSkipped', message: 'ignored (requires pruning)' })],
        [cm, run('Succeeded')]
      ]
    )
    expect(tick(state).state.outcome?.phase).toBe('Succeeded')
  })
})

describe('wait: false (§4.5.3, §11 #8)', () => {
  const cm = resource('config')
  const web = deployment('web', { wave: 1 })
  const progressing = (t: Task): Observation => present(live(t, { status: deploymentStatus.progressing }))
  const relaxed = { wait: false, waveDelayMs: 0 }

  test('a last step without hooks ends Succeeded right after its writes', () => {
    const state = stateOf(
      [cm, web],
      [
        [cm, run('Succeeded')],
        [web, run('Running')]
      ]
    )
    expect(tick(state, [[web, progressing(web)]], relaxed).state.outcome).toEqual({
      phase: 'Succeeded',
      message: 'successfully synced (all tasks run)'
    })
  })

  test('with wait: true the same last step is health-gated', () => {
    const state = stateOf(
      [cm, web],
      [
        [cm, run('Succeeded')],
        [web, run('Running')]
      ]
    )
    expect(tick(state, [[web, progressing(web)]], WAIT).state.outcome).toBeUndefined()
  })

  test('earlier steps are always gated', () => {
    const web0 = deployment('web0')
    const state = stateOf([web0, cm, web], [[web0, run('Running')]])
    const decision = tick(state, [[web0, progressing(web0)]], relaxed)
    expect(decision.state.outcome).toBeUndefined()
    expect(writeStep(decision)).toEqual([])
  })
})

describe('wait: false with hooks (§4.5.3)', () => {
  const cm = resource('config')
  const web = deployment('web', { wave: 1 })
  const smoke = hook('smoke', { phase: 'Sync', wave: 1 })
  const progressing = (t: Task): Observation => present(live(t, { status: deploymentStatus.progressing }))
  const relaxed = { wait: false, waveDelayMs: 0 }

  test('a last step with a running hook still waits for the hook', () => {
    const state = stateOf(
      [cm, web, smoke],
      [
        [cm, run('Succeeded')],
        [web, run('Running')],
        [smoke, run('Running', { uid: 's' })]
      ]
    )
    const decision = tick(
      state,
      [
        [web, progressing(web)],
        [smoke, present(live(smoke, { uid: 's', status: jobStatus.running }))]
      ],
      relaxed
    )
    expect(decision.state.outcome).toBeUndefined()
  })
})

describe('the done state', () => {
  test('a finished operation asks for nothing more', () => {
    const cm = resource('config')
    const state = stateOf([cm], [], { mode: 'done', outcome: { phase: 'Succeeded', message: 'x' } })
    expect(tick(state)).toEqual({ state, actions: [], waiting: undefined, wakeAt: undefined, updated: [] })
  })
})

describe('a failed PostDelete hook still tears down (§10.4)', () => {
  const namespace: Task = {
    ...resource('shop', { kind: 'Namespace', phase: 'NamespaceCleanup' }),
    type: 'delete',
    key: { group: '', kind: 'Namespace', namespace: '', name: 'shop' },
    removal: { uid: 'uid-ns', action: 'remove', reason: undefined }
  }
  const cleanup = hook('cleanup', { phase: 'PostDelete' })

  test('the namespace is still deleted; the operation still ends Failed', () => {
    const failing = stateOf(
      [cleanup, namespace],
      [[cleanup, run('Failed', { message: 'Failed (exit code 1)' })]],
      {
        mode: 'failing',
        failure: { kind: 'task' }
      }
    )
    const first = tick(failing)
    expect(first.actions).toEqual([{ type: 'write-step', taskIds: [namespace.id] }])
    expect(first.state.mode).toBe('failing')
    const gone = stateOf(
      [cleanup, namespace],
      [
        [cleanup, run('Failed', { message: 'Failed (exit code 1)' })],
        [namespace, run('Succeeded', { result: 'Deleted' })]
      ],
      { mode: 'failing', failure: { kind: 'task' } }
    )
    const last = tick(gone)
    expect(last.state.outcome).toEqual({
      phase: 'Failed',
      message: 'one or more synchronization tasks completed unsuccessfully, reason: Failed (exit code 1)'
    })
  })

  test('a failure before PostDelete (a PreDelete hook) keeps everything: no teardown', () => {
    const pre = hook('backup', { phase: 'PreDelete' })
    const failing = stateOf([pre, namespace], [[pre, run('Failed', { message: 'Failed (exit code 2)' })]], {
      mode: 'failing',
      failure: { kind: 'task' }
    })
    expect(tick(failing).actions.filter(a => a.type === 'write-step')).toEqual([])
  })
})

describe('delete hooks of every family: one cleanup by the aggregate (§10.1.5, §5.6 common rules)', () => {
  const removed: Task = {
    ...resource('config', { phase: 'Delete' }),
    type: 'delete',
    removal: { uid: 'uid-config', action: 'remove', reason: undefined }
  }
  const FAMILIES = ['argo', 'helm', 'sherpack'] as const

  test.each(FAMILIES)(
    '%s: a completed PreDelete phase deletes nothing yet; the Delete step starts',
    family => {
      const backup = hook('backup', { phase: 'PreDelete', family, policies: ['HookSucceeded'] })
      const decision = tick(stateOf([backup, removed], [[backup, run('Succeeded')]], { stepsStarted: 1 }))
      expect(deletions(decision)).toBeUndefined()
      expect(writeStep(decision)).toEqual(ids(removed))
    }
  )

  test.each(FAMILIES)(
    '%s: a failed delete hook carrying HookFailed is not deleted at once (no deleteNow)',
    family => {
      const check = hook('check', { phase: 'PreDelete', family, policies: ['HookFailed'] })
      const decision = tick(stateOf([check, removed], [[check, run('Running', { uid: 'c' })]]), [
        [check, present(live(check, { uid: 'c', status: jobStatus.failed() }))]
      ])
      expect(decision.actions).toEqual([
        { type: 'finish-hook', taskId: check.id, capture: true, deleteNow: false }
      ])
    }
  )

  // Hooks: ok-hs / ok-hf succeeded (HookSucceeded / HookFailed), post-hs PostDelete (HookSucceeded).
  // The aggregate is the worst delete-hook outcome, whatever the operation's outcome.
  const cases: {
    name: string
    bad: 'none' | 'hook' | 'object'
    expected: { ids: ('ok-hs' | 'ok-hf' | 'post-hs' | 'bad')[]; why: string } | undefined
  }[] = [
    {
      name: 'all succeeded → HookSucceeded hooks, both phases',
      bad: 'none',
      expected: { ids: ['ok-hs', 'post-hs'], why: 'HookSucceeded' }
    },
    {
      name: 'a PreDelete hook failed → HookFailed hooks, the succeeded one too',
      bad: 'hook',
      expected: { ids: ['ok-hf', 'bad'], why: 'HookFailed' }
    },
    {
      name: 'an object failed, the hooks succeeded → still HookSucceeded',
      bad: 'object',
      expected: { ids: ['ok-hs'], why: 'HookSucceeded' }
    }
  ]
  describe.each(FAMILIES)('%s', family => {
    test.each(cases)('$name', ({ bad, expected }) => {
      const okHs = hook('ok-hs', { phase: 'PreDelete', family, policies: ['HookSucceeded'] })
      const okHf = hook('ok-hf', { phase: 'PreDelete', family, policies: ['HookFailed'] })
      const failing = hook('bad', { phase: 'PreDelete', family, policies: ['HookFailed'] })
      const postHs = hook('post-hs', { phase: 'PostDelete', family, policies: ['HookSucceeded'] })
      const byName = { 'ok-hs': okHs, 'ok-hf': okHf, bad: failing, 'post-hs': postHs }
      const pre = bad === 'hook' ? [okHs, okHf, failing] : [okHs, okHf]
      const runs: [Task, TaskRun][] = pre.map(t => [
        t,
        run(t === failing ? 'Failed' : 'Succeeded', { message: 'x' })
      ])
      if (bad !== 'hook')
        runs.push([removed, run(bad === 'object' ? 'Failed' : 'Succeeded', { message: 'x' })])
      if (bad === 'none') runs.push([postHs, run('Succeeded')])
      const decision = tick(
        stateOf([...pre, removed, postHs], runs, { phasesClosed: new Set(['PreDelete']) })
      )
      expect(decision.state.outcome?.phase).toBe(bad === 'none' ? 'Succeeded' : 'Failed')
      expect(deletions(decision)).toEqual(
        expected && { taskIds: ids(...expected.ids.map(n => byName[n])), why: expected.why }
      )
    })
  })

  test('helm and sherpack CustomResourceDefinition delete hooks are never deleted; argo ones are', () => {
    const crd = (name: string, family: 'argo' | 'helm' | 'sherpack'): Task =>
      hook(name, {
        phase: 'PostDelete',
        family,
        kind: 'CustomResourceDefinition',
        group: 'apiextensions.k8s.io',
        namespace: '',
        policies: ['HookSucceeded']
      })
    const [argo, helm, sherpack] = [
      crd('a.example.com', 'argo'),
      crd('h.example.com', 'helm'),
      crd('s.example.com', 'sherpack')
    ]
    const runs: [Task, TaskRun][] = [argo, helm, sherpack, removed].map(t => [t, run('Succeeded')])
    expect(deletions(tick(stateOf([removed, argo, helm, sherpack], runs)))).toEqual({
      taskIds: ids(argo),
      why: 'HookSucceeded'
    })
  })

  test('a sync’s hooks keep their family’s timing: helm HookSucceeded at phase end, argo at the end', () => {
    const helm = hook('helm-pre', { family: 'helm', policies: ['HookSucceeded'] })
    const argo = hook('argo-pre', { policies: ['HookSucceeded'] })
    const cm = resource('config')
    const state = stateOf(
      [helm, argo, cm],
      [
        [helm, run('Succeeded')],
        [argo, run('Succeeded')]
      ],
      { stepsStarted: 1 }
    )
    expect(deletions(tick(state))).toEqual({ taskIds: ids(helm), why: 'HookSucceeded' })
  })
})
