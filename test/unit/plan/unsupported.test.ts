import { expect, test } from '@jest/globals'
import { appOptionIssues } from '../../../src/plan/unsupported.js'

test.each([
  // Refused: wavesync only does server-side apply.
  [
    { ServerSideApply: 'false' },
    [
      'error: ServerSideApply=false (client-side apply) is not supported: wavesync always uses server-side apply; remove the option'
    ]
  ],
  // The default value of an option is fine and says nothing.
  [{ ServerSideApply: 'true', ApplyOutOfSyncOnly: 'false', ClientSideApplyMigration: 'true' }, []],
  // Implemented: nothing to say.
  [{ ApplyOutOfSyncOnly: 'true', FailOnSharedResource: 'true', ClientSideApplyMigration: 'false' }, []]
])('%j', (options, expected) => {
  expect(appOptionIssues(options).map(i => `${i.severity}: ${i.message}`)).toEqual(expected)
})
