import { describe, expect, test } from '@jest/globals'
import { loadManifests } from '../../../src/manifests/load.js'
import { fileManifestSource } from '../../../src/manifests/source.js'
import type { OperationKind } from '../../../src/model/vocabulary.js'
import type { SyncOptions } from '../../../src/plan/annotations/sync-options.js'
import { buildPlan } from '../../../src/plan/plan.js'
import { planText } from '../../../src/plan/render.js'
import { offlineScope } from '../../../src/plan/scope.js'
import { REPO_ROOT } from '../../support/fixtures.js'
import { expectGolden } from '../../support/golden.js'
import {
  DELETE,
  REVISION,
  STARTED_AT,
  SYNC_INSTALL,
  SYNC_UPGRADE,
  TEST
} from '../../support/manifest-builders.js'

/**
 * Golden plans of the examples (architecture.md §4 habit 3). Each runs the real loader over the
 * repository and the planner with a fixed revision and start time; the text is compared with
 * test/fixtures/plans/<example>/<operation>.txt. Regenerate on purpose with UPDATE_GOLDEN=1.
 * App and namespace are what `wavesync plan --manifests examples/<example>` defaults to.
 */
const CASES: readonly [
  example: string,
  golden: string,
  operation: OperationKind,
  namespace: string,
  appOptions: SyncOptions
][] = [
  // A Namespace manifest, waves 0-2 and a PostSync hook.
  ['todo', 'sync', SYNC_INSTALL, 'todo', {}],
  // CreateNamespace, a PreSync hook in wave 1, Sync waves -1..3, PostSync waves 0-1.
  ['sync-hook-wave', 'sync', SYNC_INSTALL, 'team-a', { CreateNamespace: 'true' }],
  // generateName hooks, one in two phases, SyncFail, Skip, a PostDelete hook skipped in a sync.
  ['argo-hooks', 'sync', SYNC_INSTALL, 'argo-hooks', {}],
  ['argo-hooks', 'delete', DELETE, 'argo-hooks', {}],
  // Sherpack hooks: install vs upgrade events, weights, the test hook, nothing for delete.
  ['sherpack-myapp', 'sync', SYNC_INSTALL, 'sherpack-myapp', {}],
  ['sherpack-myapp', 'upgrade', SYNC_UPGRADE, 'sherpack-myapp', {}],
  ['sherpack-myapp', 'delete', DELETE, 'sherpack-myapp', {}],
  ['sherpack-myapp', 'test', TEST, 'sherpack-myapp', {}]
]

describe('golden plans of examples/', () => {
  test.each(CASES)('%s %s', async (example, golden, operation, namespace, appOptions) => {
    const loaded = await loadManifests(fileManifestSource(REPO_ROOT), [`examples/${example}`])
    expect(loaded.issues).toEqual([])
    const plan = buildPlan({
      app: example,
      manifests: loaded.manifests,
      operation,
      namespace,
      revision: REVISION,
      startedAt: STARTED_AT,
      scope: offlineScope(loaded.manifests),
      appOptions
    })
    expect(plan.issues.filter(issue => issue.severity === 'error')).toEqual([])
    expectGolden(`test/fixtures/plans/${example}/${golden}.txt`, planText(plan))
  })
})
