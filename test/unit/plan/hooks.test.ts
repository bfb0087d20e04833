import { describe, expect, test } from '@jest/globals'
import type { OperationKind, Phase } from '../../../src/model/vocabulary.js'
import type { HookSpec } from '../../../src/plan/annotations/directives.js'
import { generatedHookName, hookPhases } from '../../../src/plan/hooks.js'

describe('generatedHookName (sync-semantics §5.2)', () => {
  test.each([
    // Argo CD's documented PreSync Job: prefix + rev7 + phase + start.
    ['schema-migrate-', '3f9c2ab8d1e4', 'PreSync', 1732190000, 'schema-migrate-3f9c2ab-presync-1732190000'],
    // A revision of exactly 8 characters is cut to 7.
    ['job-', 'abcd1234', 'Sync', 1, 'job-abcd123-sync-1'],
    // Shorter than 8: kept whole.
    ['job-', 'abc1234', 'Sync', 1, 'job-abc1234-sync-1'],
    ['job-', 'local', 'PostSync', 1, 'job-local-postsync-1'],
    // The generated part is lower-cased, revision included…
    ['job-', 'ABCDEF123456', 'SyncFail', 5, 'job-abcdef1-syncfail-5'],
    // …the prefix keeps its case.
    ['Cache-', '3f9c2ab8d1e4', 'PostSync', 1732190000, 'Cache-3f9c2ab-postsync-1732190000'],
    // Delete phases.
    ['cleanup-', '3f9c2ab8d1e4', 'PostDelete', 1732190000, 'cleanup-3f9c2ab-postdelete-1732190000'],
    ['pre-', '3f9c2ab8d1e4', 'PreDelete', 1732190000, 'pre-3f9c2ab-predelete-1732190000'],
    // Seconds, not fractions.
    ['job-', 'abc', 'Test', 1732190000.9, 'job-abc-test-1732190000']
  ] as const)('%s + %s + %s + %d → %s', (prefix, revision, phase, startedAt, name) => {
    expect(generatedHookName(prefix, revision, phase, startedAt)).toBe(name)
  })
})

const INSTALL: OperationKind = { type: 'sync', mode: 'install' }
const UPGRADE: OperationKind = { type: 'sync', mode: 'upgrade' }
const ROLLBACK: OperationKind = { type: 'rollback' }
const DELETE: OperationKind = { type: 'delete' }
const TEST: OperationKind = { type: 'test' }

const ALL_ARGO: HookSpec = {
  family: 'argo',
  types: ['PreSync', 'Sync', 'PostSync', 'SyncFail', 'PreDelete', 'PostDelete']
}
const ALL_HELM: HookSpec = {
  family: 'helm',
  events: [
    'pre-install',
    'post-install',
    'pre-upgrade',
    'post-upgrade',
    'pre-rollback',
    'post-rollback',
    'pre-delete',
    'post-delete',
    'test',
    'test-success'
  ]
}
const DURING: HookSpec = { family: 'sherpack', events: ['during-install', 'during-upgrade'] }

function phases(spec: HookSpec, operation: OperationKind): string[] {
  return hookPhases(spec, operation).map(
    ({ phase, trigger }: { phase: Phase; trigger: string }) => `${phase}:${trigger}`
  )
}

describe('hookPhases: which hooks an operation runs (sync-semantics §5.1, §9.2)', () => {
  test.each<[HookSpec, OperationKind, string[]]>([
    // Argo sync types run in sync (both modes) and rollback, one task per type.
    [ALL_ARGO, INSTALL, ['PreSync:PreSync', 'Sync:Sync', 'PostSync:PostSync', 'SyncFail:SyncFail']],
    [ALL_ARGO, UPGRADE, ['PreSync:PreSync', 'Sync:Sync', 'PostSync:PostSync', 'SyncFail:SyncFail']],
    [ALL_ARGO, ROLLBACK, ['PreSync:PreSync', 'Sync:Sync', 'PostSync:PostSync', 'SyncFail:SyncFail']],
    // Argo delete types only in delete.
    [ALL_ARGO, DELETE, ['PreDelete:PreDelete', 'PostDelete:PostDelete']],
    // No Argo hook runs in test.
    [ALL_ARGO, TEST, []],
    // Helm events follow Helm's lifecycle: install vs upgrade vs rollback vs delete vs test.
    [ALL_HELM, INSTALL, ['PreSync:pre-install', 'PostSync:post-install']],
    [ALL_HELM, UPGRADE, ['PreSync:pre-upgrade', 'PostSync:post-upgrade']],
    [ALL_HELM, ROLLBACK, ['PreSync:pre-rollback', 'PostSync:post-rollback']],
    [ALL_HELM, DELETE, ['PreDelete:pre-delete', 'PostDelete:post-delete']],
    // test and test-success are one phase: one task, the first event listed names it.
    [ALL_HELM, TEST, ['Test:test']],
    [{ family: 'helm', events: ['test-success'] }, TEST, ['Test:test-success']],
    // A sync without a mode plans as install.
    [ALL_HELM, { type: 'sync' }, ['PreSync:pre-install', 'PostSync:post-install']],
    // Sherpack during-* run in the Sync phase of the matching mode only.
    [DURING, INSTALL, ['Sync:during-install']],
    [DURING, UPGRADE, ['Sync:during-upgrade']],
    [DURING, ROLLBACK, []],
    [DURING, DELETE, []],
    // pre-install alone does not run on upgrade.
    [{ family: 'sherpack', events: ['pre-install'] }, UPGRADE, []]
  ])('%j in %j → %j', (spec, operation, expected) => {
    expect(phases(spec, operation)).toEqual(expected)
  })
})
