import { describe, expect, test } from '@jest/globals'
import { hookFilter, skipHooksProblems } from '../../../src/plan/hook-filter.js'

describe('hookFilter: no-hooks and skip-hooks (sync-semantics §5.8)', () => {
  test.each([
    // Nothing asked: every hook runs.
    [{}, 'argo', 'PreSync', undefined],
    // no-hooks: every hook of every family is left out.
    [{ none: true }, 'argo', 'PostSync', 'skipped (no-hooks)'],
    [{ none: true }, 'sherpack', 'pre-install', 'skipped (no-hooks)'],
    // An Argo phase name skips Argo hooks of that phase…
    [{ skip: ['PostSync'] }, 'argo', 'PostSync', 'skipped (skip-hooks PostSync)'],
    [{ skip: ['PostSync'] }, 'argo', 'PreSync', undefined],
    // …and never a Helm/Sherpack hook, even one running in that phase.
    [{ skip: ['PreSync'] }, 'helm', 'pre-install', undefined],
    // A Helm event name skips Helm and Sherpack hooks of that event.
    [{ skip: ['pre-upgrade'] }, 'helm', 'pre-upgrade', 'skipped (skip-hooks pre-upgrade)'],
    [{ skip: ['pre-upgrade'] }, 'sherpack', 'pre-upgrade', 'skipped (skip-hooks pre-upgrade)'],
    [{ skip: ['pre-upgrade'] }, 'helm', 'post-upgrade', undefined],
    // Several entries.
    [
      { skip: ['PreSync', 'during-install'] },
      'sherpack',
      'during-install',
      'skipped (skip-hooks during-install)'
    ]
  ] as const)('%j: %s hook triggered by %s → %j', (options, family, trigger, reason) => {
    expect(hookFilter(options)(family, trigger)).toBe(reason)
  })
})

describe('skipHooksProblems', () => {
  const VALID =
    'valid: PreSync, Sync, PostSync, SyncFail, PreDelete, PostDelete, pre-install, post-install, pre-upgrade, post-upgrade, pre-rollback, post-rollback, pre-delete, post-delete, test, test-success, during-install, during-upgrade'

  test.each([
    [['PreSync', 'pre-install', 'during-upgrade', 'PostDelete'], []],
    // Skip is not a phase; names are case-sensitive; unknown names are errors.
    [['Skip'], [`skip-hooks: unknown entry 'Skip'; ${VALID}`]],
    [
      ['presync', 'PostSync', 'Pre-Install'],
      [`skip-hooks: unknown entry 'presync'; ${VALID}`, `skip-hooks: unknown entry 'Pre-Install'; ${VALID}`]
    ]
  ])('%j → %j', (entries, problems) => {
    expect(skipHooksProblems(entries)).toEqual(problems)
  })
})
