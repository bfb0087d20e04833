import { describe, expect, test } from '@jest/globals'
import type { HookFamily } from '../../../src/model/vocabulary.js'
import type { OperationResult } from '../../../src/sync/operation.js'
import { Scenario, configMapManifest, jobHookManifest, manifestFiles } from '../../support/scenario.js'

// The delete operation's hook cleanup on the in-memory API server (sync-semantics §10.1.5): the
// outcome of every PreDelete and PostDelete hook is aggregated, worst wins, and the policy matching
// that aggregate decides which hooks go — for every family alike. §5.6 routes delete hooks there
// ("PreDelete/PostDelete cleanup: §10.1 step 5"); Helm's own per-hook timing does not apply, as in
// Argo CD's controller/hook.go, which cleans helm.sh/hook pre-delete/post-delete hooks the same way.

interface Family {
  family: HookFamily
  pre: string
  post: string
  succeeded: string
  failed: string
}

const FAMILIES: readonly Family[] = [
  { family: 'argo', pre: 'PreDelete', post: 'PostDelete', succeeded: 'HookSucceeded', failed: 'HookFailed' },
  {
    family: 'helm',
    pre: 'pre-delete',
    post: 'post-delete',
    succeeded: 'hook-succeeded',
    failed: 'hook-failed'
  },
  {
    family: 'sherpack',
    pre: 'pre-delete',
    post: 'post-delete',
    succeeded: 'hook-succeeded',
    failed: 'hook-failed'
  }
]

/** Installs `config` with these hooks (delete hooks never run in a sync), then deletes the application. */
async function installThenDelete(
  s: Scenario,
  hooks: readonly object[]
): Promise<{ result: OperationResult; from: number }> {
  expect((await s.sync(manifestFiles(configMapManifest('config'), ...hooks))).exitCode).toBe(0)
  const from = s.cluster.requests.length
  const result = await s.sync({}, { operation: 'delete', operationId: 'delete-1' })
  return { result, from }
}

/** The Jobs the delete operation deleted (non-dry-run DELETEs), in request order. */
function deletedJobs(s: Scenario, from: number): string[] {
  return s.cluster
    .writes()
    .filter(r => r.seq >= from && r.verb === 'delete' && r.kind === 'Job')
    .map(r => r.name)
}

function deleteSeq(s: Scenario, kind: string, name: string, from: number): number {
  const request = s.cluster
    .writes()
    .find(r => r.seq >= from && r.verb === 'delete' && r.kind === kind && r.name === name)
  if (!request) throw new Error(`${kind}/${name} was not deleted`)
  return request.seq
}

describe.each(FAMILIES)('$family delete hooks: cleanup by the aggregate (§10.1.5)', f => {
  const hook = (name: string, event: string, policy: string): object =>
    jobHookManifest(name, { hook: event, policy, family: f.family })

  test('all succeeded: HookSucceeded hooks go after the objects are gone, not at the end of their phase; HookFailed ones stay', async () => {
    const s = new Scenario()
    s.healthyControllers()
    const { result, from } = await installThenDelete(s, [
      hook('backup', f.pre, f.succeeded),
      hook('audit', f.pre, f.failed),
      hook('notify', f.post, f.succeeded)
    ])
    expect(result.exitCode).toBe(0)
    expect(result.report?.phase).toBe('Succeeded')
    expect(deletedJobs(s, from).sort()).toEqual(['backup', 'notify'])
    // A PreDelete hook outlives the objects: the cleanup comes after PostDelete (step 5), Helm's
    // phase-end deletion would have come before the Delete step.
    expect(deleteSeq(s, 'Job', 'backup', from)).toBeGreaterThan(deleteSeq(s, 'ConfigMap', 'config', from))
    expect(deleteSeq(s, 'Job', 'backup', from)).toBeGreaterThan(
      s.cluster.indexOf({ verb: 'create', name: 'notify', dryRun: false })
    )
    expect(s.cluster.find('Job', 'audit')).toBeDefined()
  })

  test('a PreDelete hook failed: every HookFailed hook goes, the succeeded one too; HookSucceeded hooks stay; nothing else is deleted', async () => {
    const s = new Scenario()
    s.whenCreated('Job', 'check', () => s.cluster.failJob('check', { exitCode: 1 }))
    s.healthyControllers(['check'])
    const { result, from } = await installThenDelete(s, [
      hook('backup', f.pre, f.succeeded),
      hook('probe', f.pre, f.failed),
      hook('check', f.pre, f.failed)
    ])
    expect(result.exitCode).toBe(1)
    expect(result.report?.tasks.find(t => t.name === 'check')).toMatchObject({ state: 'Failed', exitCode: 1 })
    expect(deletedJobs(s, from).sort()).toEqual(['check', 'probe'])
    expect(s.cluster.find('Job', 'backup')).toBeDefined()
    expect(s.cluster.find('ConfigMap', 'config')).toBeDefined()
    // Not deleted the moment it failed (Helm's timing) but in one cleanup with probe, which had
    // succeeded: no other request of the operation lies between the two deletions.
    const [first, second] = [deleteSeq(s, 'Job', 'check', from), deleteSeq(s, 'Job', 'probe', from)].sort(
      (a, b) => a - b
    )
    const between = s.cluster.requests.filter(r => r.seq > (first ?? 0) && r.seq < (second ?? 0))
    expect(between.filter(r => !(r.kind === 'Job' && ['check', 'probe'].includes(r.name)))).toEqual([])
  })

  test('the hooks all succeeded but an object could not be deleted: the aggregate is still success', async () => {
    const s = new Scenario()
    s.healthyControllers()
    s.cluster.inject({
      verb: 'delete',
      kind: 'ConfigMap',
      name: 'config',
      dryRun: false,
      status: 403,
      message: 'configmaps "config" is forbidden',
      times: Infinity
    })
    const { result, from } = await installThenDelete(s, [
      hook('backup', f.pre, f.succeeded),
      hook('probe', f.pre, f.failed)
    ])
    expect(result.exitCode).toBe(1)
    expect(deletedJobs(s, from)).toEqual(['backup'])
    expect(s.cluster.find('Job', 'probe')).toBeDefined()
  })
})
