import { describe, expect, test } from '@jest/globals'
import type { ResourceKey } from '../../../src/model/key.js'
import type { Task } from '../../../src/model/task.js'
import { arrangePruneWaves } from '../../../src/plan/prune.js'
import type { PlanInput } from '../../../src/plan/plan.js'
import type { ObjectSpec } from '../../support/manifest-builders.js'
import {
  DELETE,
  TEST,
  errorsOf,
  inventory,
  key,
  liveObject,
  manifests,
  plan,
  task,
  taskRows
} from '../../support/manifest-builders.js'

const WAVE = 'argocd.argoproj.io/sync-wave'
const OPTIONS = 'argocd.argoproj.io/sync-options'
const ON = { enabled: true, confirmed: false }
const DESIRED: ObjectSpec = { kind: 'ConfigMap', name: 'desired' }

function removals(tasks: readonly Task[]): string[] {
  return tasks
    .filter(t => t.type === 'prune')
    .map(
      t =>
        `${t.key.kind} ${t.key.name} w${t.wave} ${t.removal?.action ?? '-'}${t.removal?.reason ? ` (${t.removal.reason})` : ''} uid=${t.removal?.uid ?? '-'}`
    )
}

function notices(result: ReturnType<typeof plan>): string[] {
  return result.issues
    .filter(i => i.severity !== 'error')
    .map(i => `${i.severity} ${i.file}:${i.line}: ${i.message}`)
}

// prune candidates (sync-semantics §7.3)

test('only previous entries that are not desired, still live and carrying this exact tracking id', () => {
  const obsolete = key('ConfigMap', 'obsolete')
  const gone = key('ConfigMap', 'gone')
  const untracked = key('ConfigMap', 'untracked')
  const otherApp = key('ConfigMap', 'other-app')
  const wrongIdentity = key('ConfigMap', 'copied')
  const desired = key('ConfigMap', 'desired')
  const result = plan(manifests(DESIRED), {
    prune: ON,
    previous: inventory([
      { key: desired, live: liveObject(desired) },
      { key: obsolete, live: liveObject(obsolete) },
      { key: gone },
      { key: untracked, live: liveObject(untracked, { tracking: null }) },
      { key: otherApp, live: liveObject(otherApp, { tracking: 'other:/ConfigMap:dest/other-app' }) },
      // A copied manifest: tracked by this app, but under another identity.
      { key: wrongIdentity, live: liveObject(wrongIdentity, { tracking: 'app:/ConfigMap:dest/original' }) }
    ])
  })
  expect(taskRows(result.tasks)).toEqual([
    'Sync 0 resource /ConfigMap dest/desired',
    'Sync 0 prune /ConfigMap dest/obsolete'
  ])
  expect(removals(result.tasks)).toEqual(['ConfigMap obsolete w0 remove uid=uid-obsolete'])
  expect(notices(result)).toEqual(
    [
      'notice (inventory):0: /ConfigMap dest/gone no longer exists; dropped from the inventory',
      "notice (inventory):0: /ConfigMap dest/other-app no longer carries this application's tracking id; dropped from the inventory",
      "notice (inventory):0: /ConfigMap dest/copied no longer carries this application's tracking id; dropped from the inventory",
      "notice (inventory):0: /ConfigMap dest/untracked no longer carries this application's tracking id; dropped from the inventory"
    ].sort()
  )
})

test('a prune candidate carries the tracking id wavesync wrote: that is not reported as a problem', () => {
  const k = key('ConfigMap', 'obsolete')
  const result = plan(manifests(DESIRED), {
    prune: ON,
    previous: inventory([{ key: k, live: liveObject(k) }])
  })
  expect(removals(result.tasks)).toEqual(['ConfigMap obsolete w0 remove uid=uid-obsolete'])
  expect(result.issues).toEqual([])
})

test('the prune task carries what the live object says: version, wave, options; no object, no source', () => {
  const k = key('Deployment', 'old', 'dest', 'apps')
  const result = plan(manifests(DESIRED), {
    prune: ON,
    previous: inventory([
      { key: k, live: liveObject(k, { annotations: { [WAVE]: '3', [OPTIONS]: 'PruneLast=false' } }) }
    ])
  })
  const prune = result.tasks.find(t => t.type === 'prune')
  expect(prune).toEqual({
    id: 'Sync:apps\u0000Deployment\u0000dest\u0000old',
    type: 'prune',
    phase: 'Sync',
    wave: 3,
    key: k,
    version: 'v1',
    object: undefined,
    source: undefined,
    generateName: undefined,
    hook: undefined,
    syncOptions: { PruneLast: 'false' },
    timeoutMs: undefined,
    keep: false,
    removal: { uid: 'uid-old', action: 'remove', reason: undefined },
    pulledUpFor: undefined,
    createdNamespace: false
  })
})

test.each([
  // Live hooks are run, never pruned; what wavesync itself wrote on them (tracking id, hook
  // finalizer) is no problem of the live object.
  ['a live argo hook', { 'argocd.argoproj.io/hook': 'PostSync' }, ['wavesync.dev/hook-finalizer']],
  ['a live helm hook', { 'helm.sh/hook': 'post-install' }, []],
  // Skip objects are never pruned.
  ['a live Skip object', { 'argocd.argoproj.io/hook': 'Skip' }, []]
])('%s is never pruned', (_, annotations, finalizers) => {
  const k = key('Job', 'h', 'dest', 'batch')
  const live = liveObject(k, { annotations, finalizers })
  const result = plan(manifests(DESIRED), { prune: ON, previous: inventory([{ key: k, live }]) })
  expect(result.tasks.filter(t => t.type === 'prune')).toEqual([])
  expect(result.issues).toEqual([])
})

test('an object now marked Skip in the manifests is never pruned, whatever its live annotations (§2.2)', () => {
  const k = key('ConfigMap', 'local-overrides')
  const result = plan(
    manifests(DESIRED, {
      kind: 'ConfigMap',
      name: 'local-overrides',
      annotations: { 'argocd.argoproj.io/hook': 'Skip' }
    }),
    {
      prune: ON,
      previous: inventory([{ key: k, live: liveObject(k) }])
    }
  )
  expect(taskRows(result.tasks)).toEqual(['Sync 0 resource /ConfigMap dest/desired'])
})

test('the namespace created by CreateNamespace is never pruned (only the delete operation removes it)', () => {
  const ns = key('Namespace', 'old-dest', '')
  const result = plan(manifests(DESIRED), {
    prune: ON,
    previous: inventory([{ key: ns, live: liveObject(ns), createdNamespace: true }])
  })
  expect(result.tasks.filter(t => t.type === 'prune')).toEqual([])
  expect(result.issues).toEqual([])
})

test.each([
  ['delete', DELETE],
  ['test', TEST]
])('a %s operation plans no prunes', (_, operation) => {
  const k = key('ConfigMap', 'obsolete')
  const result = plan(manifests(DESIRED), {
    operation,
    prune: ON,
    previous: inventory([{ key: k, live: liveObject(k) }])
  })
  expect(result.tasks.filter(t => t.type === 'prune')).toEqual([])
})

test('errors in live annotations are the cluster’s: reported as warnings, the prune still planned', () => {
  const k = key('ConfigMap', 'odd')
  const result = plan(manifests(DESIRED), {
    prune: ON,
    previous: inventory([{ key: k, live: liveObject(k, { annotations: { [WAVE]: '1.5' } }) }])
  })
  expect(removals(result.tasks)).toEqual(['ConfigMap odd w0 remove uid=uid-odd'])
  expect(result.issues.map(i => [i.severity, i.file, i.message])).toEqual([
    [
      'warning',
      '(live)',
      `live /ConfigMap dest/odd: annotation ${WAVE}: '1.5' is not an integer (write a whole number such as "-1" or "5", within 32 bits)`
    ]
  ])
})

// prune decisions (sync-semantics §7.4)

type Case = [string, Partial<PlanInput>, Record<string, string>, string]
test.each<Case>([
  // Pruning off (the default): reported, not deleted.
  ['pruning off', { prune: { enabled: false, confirmed: false } }, {}, 'skip (ignored (requires pruning))'],
  ['no prune settings at all', {}, {}, 'skip (ignored (requires pruning))'],
  // Pruning off wins over everything else.
  ['pruning off, Prune=false', {}, { [OPTIONS]: 'Prune=false' }, 'skip (ignored (requires pruning))'],
  ['pruning on', { prune: ON }, {}, 'remove'],
  // Prune=false on the live object, or for the whole app.
  ['live Prune=false', { prune: ON }, { [OPTIONS]: 'Prune=false' }, 'skip (ignored (no prune))'],
  ['app Prune=false', { prune: ON, appOptions: { Prune: 'false' } }, {}, 'skip (ignored (no prune))'],
  // resource-policy keep is "no prune" too.
  ['live helm keep', { prune: ON }, { 'helm.sh/resource-policy': 'keep' }, 'skip (ignored (no prune))'],
  [
    'live sherpack keep',
    { prune: ON },
    { 'sherpack.io/resource-policy': 'keep' },
    'skip (ignored (no prune))'
  ],
  // Prune=confirm needs confirm-prune.
  [
    'live Prune=confirm',
    { prune: ON },
    { [OPTIONS]: 'Prune=confirm' },
    'skip (ignored (requires confirmation))'
  ],
  [
    'live Prune=confirm, confirmed',
    { prune: { enabled: true, confirmed: true } },
    { [OPTIONS]: 'Prune=confirm' },
    'remove'
  ],
  [
    'app Prune=confirm',
    { prune: ON, appOptions: { Prune: 'confirm' } },
    {},
    'skip (ignored (requires confirmation))'
  ],
  // The object's option wins over the app's.
  [
    'live Prune=confirm over app Prune=false',
    { prune: ON, appOptions: { Prune: 'false' } },
    { [OPTIONS]: 'Prune=confirm' },
    'skip (ignored (requires confirmation))'
  ]
])('prune decision: %s → %s', (_, input, annotations, decision) => {
  const k = key('ConfigMap', 'old')
  const result = plan(manifests(DESIRED), {
    ...input,
    previous: inventory([{ key: k, live: liveObject(k, { annotations }) }])
  })
  expect(removals(result.tasks)).toEqual([`ConfigMap old w0 ${decision} uid=uid-old`])
})

test.each([
  // A Namespace still holding desired objects is kept.
  ['dest', 'skip (namespace still in use)'],
  ['empty-now', 'remove']
])('obsolete Namespace %s → %s', (name, decision) => {
  const k = key('Namespace', name, '')
  const result = plan(manifests(DESIRED), {
    prune: ON,
    previous: inventory([{ key: k, live: liveObject(k) }])
  })
  expect(removals(result.tasks)).toEqual([`Namespace ${name} w0 ${decision} uid=uid-${name}`])
})

// prune waves (sync-semantics §3.5)

function prunesAt(
  waves: Record<string, string>,
  input: Partial<PlanInput> = {},
  desired: ObjectSpec[] = [DESIRED]
) {
  const entries = Object.entries(waves).map(([name, wave]) => {
    const k = key('ConfigMap', name)
    return { key: k, live: liveObject(k, { annotations: wave === '' ? {} : { [WAVE]: wave } }) }
  })
  return plan(manifests(...desired), { prune: ON, ...input, previous: inventory(entries) })
}

test('waves 1, 2, 5 are swapped symmetrically to 5, 2, 1', () => {
  const result = prunesAt({ a: '1', b: '2', c: '5' })
  expect(taskRows(result.tasks)).toEqual([
    'Sync 0 resource /ConfigMap dest/desired',
    'Sync 1 prune /ConfigMap dest/c',
    'Sync 2 prune /ConfigMap dest/b',
    'Sync 5 prune /ConfigMap dest/a'
  ])
})

test('four distinct waves -1, 0, 3, 10 → 10, 3, 0, -1; equal waves stay together', () => {
  const result = prunesAt({ a: '-1', b: '', c: '3', d: '10', e: '3' })
  expect(removals(result.tasks)).toEqual([
    'ConfigMap d w-1 remove uid=uid-d',
    'ConfigMap c w0 remove uid=uid-c',
    'ConfigMap e w0 remove uid=uid-e',
    'ConfigMap b w3 remove uid=uid-b',
    'ConfigMap a w10 remove uid=uid-a'
  ])
})

test('PruneLast (object) → max(0, highest Sync wave after reversal) + 1: after every Sync wave', () => {
  const result = prunesAt({ a: '1', b: '4' }, {}, [
    { kind: 'ConfigMap', name: 'desired', annotations: { [WAVE]: '2' } },
    { kind: 'ConfigMap', name: 'last', annotations: {} }
  ])
  expect(removals(result.tasks)).toEqual([
    'ConfigMap b w1 remove uid=uid-b',
    'ConfigMap a w4 remove uid=uid-a'
  ])
  const withLast = plan(manifests({ kind: 'ConfigMap', name: 'desired', annotations: { [WAVE]: '2' } }), {
    prune: ON,
    previous: inventory([
      {
        key: key('ConfigMap', 'a'),
        live: liveObject(key('ConfigMap', 'a'), { annotations: { [WAVE]: '1' } })
      },
      {
        key: key('ConfigMap', 'b'),
        live: liveObject(key('ConfigMap', 'b'), {
          annotations: { [WAVE]: '4', [OPTIONS]: 'PruneLast=true' }
        })
      }
    ])
  })
  // Reversal: a 1→4, b 4→1; then b (PruneLast) → max(0, 2, 4, 1) + 1 = 5.
  expect(taskRows(withLast.tasks)).toEqual([
    'Sync 2 resource /ConfigMap dest/desired',
    'Sync 4 prune /ConfigMap dest/a',
    'Sync 5 prune /ConfigMap dest/b'
  ])
})

test('PruneLast for the app applies to every prune; with only negative Sync waves the extra wave is 1', () => {
  const result = prunesAt({ a: '-3', b: '-1' }, { appOptions: { PruneLast: 'true' } }, [
    { kind: 'ConfigMap', name: 'desired', annotations: { [WAVE]: '-2' } }
  ])
  expect(taskRows(result.tasks)).toEqual([
    'Sync -2 resource /ConfigMap dest/desired',
    'Sync 1 prune /ConfigMap dest/a',
    'Sync 1 prune /ConfigMap dest/b'
  ])
})

test('PruneLast=false on the object wins over the app', () => {
  const k = key('ConfigMap', 'stay')
  const result = plan(manifests(DESIRED), {
    prune: ON,
    appOptions: { PruneLast: 'true' },
    previous: inventory([{ key: k, live: liveObject(k, { annotations: { [OPTIONS]: 'PruneLast=false' } }) }])
  })
  expect(removals(result.tasks)).toEqual(['ConfigMap stay w0 remove uid=uid-stay'])
})

test('arrangePruneWaves leaves non-prune tasks and its input untouched', () => {
  const input = [
    task({ name: 'r', wave: 7 }),
    task({ name: 'p1', wave: 1, type: 'prune' }),
    task({ name: 'p2', wave: 9, type: 'prune' })
  ]
  const before = structuredClone(input)
  expect(arrangePruneWaves(input, {}).map(t => `${t.key.name}:${t.wave}`)).toEqual(['r:7', 'p1:9', 'p2:1'])
  expect(input).toEqual(before)
})

describe('empty desired set (sync-semantics §7.4, last paragraph)', () => {
  const MESSAGE =
    '0: the manifests hold no resources but the previous revision has some: pruning would delete everything; set allow-empty to allow it'
  const k: ResourceKey = key('ConfigMap', 'old')
  const hookOnly: ObjectSpec = {
    apiVersion: 'batch/v1',
    kind: 'Job',
    name: 'h',
    annotations: { 'argocd.argoproj.io/hook': 'PreSync' }
  }

  test.each<[string, Partial<PlanInput>, string[]]>([
    // Only hooks left, pruning on, previous inventory non-empty: an error.
    ['pruning on', { prune: ON }, [MESSAGE]],
    // allow-empty lets it through.
    ['allow-empty', { prune: { ...ON, allowEmpty: true } }, []],
    // Pruning off: nothing would be deleted anyway.
    ['pruning off', {}, []]
  ])('%s → %j', (_, input, errors) => {
    const result = plan(manifests(hookOnly), {
      ...input,
      previous: inventory([{ key: k, live: liveObject(k) }])
    })
    expect(errorsOf(result.issues)).toEqual(errors)
    expect(result.issues.filter(i => i.severity === 'error').map(i => i.file)).toEqual(
      errors.map(() => '(manifests)')
    )
  })

  test('an empty previous inventory is no reason to fail', () => {
    expect(errorsOf(plan(manifests(hookOnly), { prune: ON, previous: inventory([]) }).issues)).toEqual([])
  })

  test('the CreateNamespace namespace is not a desired resource of the manifests: still an error', () => {
    const result = plan(manifests(hookOnly), {
      prune: ON,
      appOptions: { CreateNamespace: 'true' },
      previous: inventory([{ key: k, live: liveObject(k) }])
    })
    expect(errorsOf(result.issues)).toEqual([MESSAGE])
  })
})
