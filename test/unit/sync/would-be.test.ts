import { expect, test } from '@jest/globals'
import type { Task } from '../../../src/model/task.js'
import type { DryOutcome } from '../../../src/sync/dry-run.js'
import type { Verdict } from '../../../src/sync/live-check.js'
import type { RunUpdate } from '../../../src/sync/types.js'
import { wouldBeRuns } from '../../../src/sync/would-be.js'
import { deployment, hook, prune, resource } from '../../support/sync-builders.js'

// `dry-run: true` (sync-semantics §8.4): each task's would-be result; every task stays pending.

const web = deployment('web')
const config = resource('config')
const migrate = hook('migrate')
const old = prune('old')

test.each<
  [string, Task, { verdict?: Verdict; outcome?: DryOutcome; skip?: string }, [string, string] | undefined]
>([
  [
    'a new resource',
    web,
    { verdict: { result: 'created' } },
    ['created', 'deployment/web created (dry run)']
  ],
  [
    'a changed one',
    config,
    { verdict: { result: 'configured' } },
    ['configured', 'configmap/config configured (dry run)']
  ],
  [
    'an unchanged one',
    config,
    { verdict: { result: 'unchanged' } },
    ['unchanged', 'configmap/config unchanged (dry run)']
  ],
  [
    'Force=true on an immutable field',
    web,
    { verdict: { result: 'recreated', why: 'Force=true and an immutable field changed' } },
    ['recreated', 'deployment/web recreated (dry run: Force=true and an immutable field changed)']
  ],
  [
    'a hook created',
    migrate,
    { verdict: { result: 'created' } },
    ['created', 'job/migrate created (dry run)']
  ],
  [
    'a hook BeforeHookCreation replaces',
    migrate,
    { verdict: { result: 'recreated', why: 'BeforeHookCreation deletes the existing one first' } },
    ['recreated', 'job/migrate recreated (dry run: BeforeHookCreation deletes the existing one first)']
  ],
  ['a prune', old, { outcome: { type: 'removed' } }, ['pruned', 'pruned (dry run)']],
  [
    'a delete',
    { ...old, type: 'delete' },
    { outcome: { type: 'removed' } },
    ['deleted', 'deleted (dry run)']
  ],
  [
    'a prune that is not allowed',
    { ...old, removal: { uid: 'u', action: 'skip', reason: 'ignored (requires pruning)' } },
    {},
    ['skipped', 'ignored (requires pruning)']
  ],
  [
    'a skipped dry run, with its reason',
    config,
    { skip: 'namespace shop is created by this operation' },
    ['skipped', 'dry run skipped: namespace shop is created by this operation']
  ],
  // A failed dry run has no prediction: the operation fails instead.
  ['a failed dry run', config, {}, undefined]
])('%s', (_why, task, found, expected) => {
  const findings = {
    verdicts: new Map(found.verdict ? [[task.id, found.verdict]] : []),
    passed: new Map(found.outcome ? [[task.id, found.outcome]] : []),
    skipReasons: new Map(found.skip !== undefined ? [[task.id, found.skip]] : [])
  }
  const runs: RunUpdate[] = wouldBeRuns([task], findings)
  expect(runs).toEqual(
    expected
      ? [{ taskId: task.id, run: { state: 'pending', wouldBe: expected[0], message: expected[1] } }]
      : []
  )
})
