import { expect, test } from '@jest/globals'
import { keyOf } from '../../../src/model/key.js'
import { planJson, planText } from '../../../src/plan/render.js'
import { repoText } from '../../support/fixtures.js'
import { expectGolden } from '../../support/golden.js'
import { inventory, manifestsOf, plan } from '../../support/manifest-builders.js'

const CASE = 'test/fixtures/plans/prune-pull-ups'

/**
 * A plan showing every kind of task line: pulled-up Namespace and CRD, hooks with policies,
 * prunes (reversed waves, PruneLast, skipped), and the warnings section.
 */
function prunePullUps(): ReturnType<typeof plan> {
  const desired = manifestsOf(repoText(`${CASE}/manifests.yaml`), `${CASE}/manifests.yaml`)
  const live = manifestsOf(repoText(`${CASE}/live.yaml`), `${CASE}/live.yaml`).map(m => m.object)
  return plan(desired, {
    app: 'shop',
    namespace: 'shop',
    prune: { enabled: true, confirmed: false },
    previous: inventory(live.map(object => ({ key: keyOf(object), live: object })))
  })
}

test('golden text: pull-ups, prunes and warnings', () => {
  expectGolden(`${CASE}/sync.txt`, planText(prunePullUps()))
})

test('JSON: prune removals and pull-ups as the contract says', () => {
  const json = planJson(prunePullUps())
  expect(
    json.tasks.map(t => [
      t.phase,
      t.wave,
      t.type,
      t.kind,
      t.name,
      t.removal,
      t.pulledUpFor,
      t.source?.line ?? null
    ])
  ).toEqual([
    ['PreSync', -1, 'resource', 'Namespace', 'shop', null, 'example.com/Backup shop/before-upgrade', 3],
    [
      'PreSync',
      -1,
      'resource',
      'CustomResourceDefinition',
      'backups.example.com',
      null,
      'example.com/Backup shop/before-upgrade',
      10
    ],
    ['PreSync', -1, 'hook', 'Backup', 'before-upgrade', null, null, 23],
    ['PreSync', 0, 'hook', 'Job', 'migrate-3f9c2ab-presync-1732190000', null, null, 32],
    // Prune waves 0 (kept-secret, last), 1 (old-config), 5 (old-web) swap to 5, 1, 0;
    // PruneLast then puts `last` after every Sync wave: max(0, 5) + 1 = 6.
    ['Sync', 0, 'resource', 'ConfigMap', 'typo', null, null, 49],
    ['Sync', 0, 'prune', 'Deployment', 'old-web', { action: 'remove', reason: null }, null, null],
    ['Sync', 1, 'prune', 'ConfigMap', 'old-config', { action: 'remove', reason: null }, null, null],
    ['Sync', 1, 'resource', 'Deployment', 'web', null, null, 41],
    [
      'Sync',
      5,
      'prune',
      'Secret',
      'kept-secret',
      { action: 'skip', reason: 'ignored (no prune)' },
      null,
      null
    ],
    ['Sync', 6, 'prune', 'ConfigMap', 'last', { action: 'remove', reason: null }, null, null]
  ])
})

test('with errors, the text lists them and no task; JSON has no tasks', () => {
  const result = plan(
    manifestsOf('apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: BAD\n', 'k8s/bad.yaml')
  )
  expect(planText(result)).toBe(
    [
      'Plan for app: sync (install) into namespace dest, revision 3f9c2ab8d1e4',
      '',
      '1 error(s); nothing would be applied:',
      "  k8s/bad.yaml:4: error: ConfigMap name 'BAD' must be a DNS-1123 subdomain: lower-case letters, digits and '-' [/ConfigMap dest/BAD]",
      ''
    ].join('\n')
  )
  expect(planJson(result).tasks).toEqual([])
})

test('an empty plan says so', () => {
  expect(planText(plan([]))).toBe(
    'Plan for app: sync (install) into namespace dest, revision 3f9c2ab8d1e4\n\nNo tasks.\n'
  )
})
