import { describe, expect, test } from '@jest/globals'
import type { OperationKind } from '../../../src/model/vocabulary.js'
import type { Plan } from '../../../src/plan/plan.js'
import type { RetiredKind, RetiredKinds } from '../../../src/plan/recorded-kinds.js'
import type { ObjectSpec } from '../../support/manifest-builders.js'
import { DELETE, ROLLBACK, TEST, manifests, plan } from '../../support/manifest-builders.js'

// Operations planned from a record's manifests (delete, rollback, test) after the server stopped
// serving a kind at its recorded version (sync-semantics §7.2, §10): a delete goes through a served
// version or, when none is, is skipped; a write is re-labelled only when the fields are the same
// at both versions, else it fails naming them; what the operation does not touch raises nothing.

const HOOK = 'argocd.argoproj.io/hook'
const OPTIONS = 'argocd.argoproj.io/sync-options'
const WEBHOOK_WHY =
  'its CustomResourceDefinition gadgets.example.com converts between versions with a Webhook conversion, which may change fields'

/** The server's answers: Gadget v1 retired (v2 and v3 serve it); the `unsafe` flavour; none at all. */
const MOVED: RetiredKind = { served: true, version: 'v2', versions: ['v2', 'v3'], unsafe: undefined }
const MOVED_WEBHOOK: RetiredKind = { ...MOVED, unsafe: WEBHOOK_WHY }
const GONE: RetiredKind = { served: false }

const gadget = (name: string, more: Partial<ObjectSpec> = {}): ObjectSpec => ({
  apiVersion: 'example.com/v1',
  kind: 'Gadget',
  name,
  ...more
})
const hook = (name: string, phase: string, more: Partial<ObjectSpec> = {}): ObjectSpec =>
  gadget(name, { ...more, annotations: { [HOOK]: phase, ...more.annotations } })
/** A Helm test hook (`helm.sh/hook: test`): Argo CD has no test hooks. */
const testHook = (spec: ObjectSpec): ObjectSpec => ({ ...spec, annotations: { 'helm.sh/hook': 'test' } })
const CRD: ObjectSpec = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  name: 'gadgets.example.com',
  extra: 'spec:\n  group: example.com\n  scope: Namespaced\n  names:\n    kind: Gadget\n    plural: gadgets'
}

/** Gadget example.com/v1 is served as `gadget` says; every other kind as recorded. */
const serving =
  (gadgetNow: RetiredKind): RetiredKinds =>
  (group, version, kind) =>
    group === 'example.com' && version === 'v1' && kind === 'Gadget' ? gadgetNow : undefined

/** `Phase type apiVersion name: decision` per task, the version as the task will address it. */
function rows(result: Plan): string[] {
  return result.tasks.map(t => {
    const apiVersion = t.object?.apiVersion ?? `${t.key.group}/${t.version}`
    const at = t.key.group === '' ? t.version : `${t.key.group}/${t.version}`
    // The task's version and its object's apiVersion must agree: both are what is sent.
    if (t.object && apiVersion !== at) throw new Error(`${t.id}: object at ${apiVersion}, task at ${at}`)
    const what = t.removal
      ? `${t.removal.action}${t.removal.reason ? ` (${t.removal.reason})` : ''}`
      : 'write'
    return `${t.phase} ${t.type} ${at} ${t.key.kind} ${t.key.name}: ${what}`
  })
}

const errors = (result: Plan): string[] => result.unserved.map(i => `${i.file}:${i.line}: ${i.message}`)

function planned(operation: OperationKind, specs: ObjectSpec[], gadgetNow: RetiredKind): Plan {
  const result = plan(manifests(...specs), { operation, retiredKinds: serving(gadgetNow) })
  expect(result.issues.filter(i => i.severity === 'error')).toEqual([])
  return result
}

const NOT_SERVED = 'kind no longer served: example.com/Gadget (its CRD or API was removed); nothing to delete'

describe('delete from a record (§10)', () => {
  test.each<[string, ObjectSpec[], RetiredKind, string[]]>([
    [
      'a retired version served at another: deleted there',
      [gadget('g'), { kind: 'ConfigMap', name: 'c' }],
      MOVED,
      ['Delete delete example.com/v2 Gadget g: remove', 'Delete delete v1 ConfigMap c: remove']
    ],
    // A DELETE sends no body: how the versions convert does not matter.
    [
      'whatever the conversion',
      [gadget('g')],
      MOVED_WEBHOOK,
      ['Delete delete example.com/v2 Gadget g: remove']
    ],
    [
      'a kind served at no version: skipped, nothing to delete',
      [gadget('g')],
      GONE,
      [`Delete delete example.com/v1 Gadget g: skip (${NOT_SERVED})`]
    ],
    [
      'served at no version, whatever its options say',
      [gadget('g', { annotations: { [OPTIONS]: 'Delete=false' } })],
      GONE,
      [`Delete delete example.com/v1 Gadget g: skip (${NOT_SERVED})`]
    ],
    [
      'served at no version: it keeps no namespace (it cannot exist), its Delete=false notwithstanding',
      [
        { kind: 'Namespace', name: 'team' },
        gadget('g', { namespace: 'team', annotations: { [OPTIONS]: 'Delete=false' } })
      ],
      GONE,
      [
        `Delete delete example.com/v1 Gadget g: skip (${NOT_SERVED})`,
        'NamespaceCleanup delete v1 Namespace team: remove'
      ]
    ],
    [
      'its CRD, still served, is kept as ever',
      [CRD, gadget('g')],
      GONE,
      [
        `Delete delete example.com/v1 Gadget g: skip (${NOT_SERVED})`,
        'Delete delete apiextensions.k8s.io/v1 CustomResourceDefinition gadgets.example.com: skip (CRD kept)'
      ]
    ],
    [
      'a delete hook served at another version, same fields: created there',
      [hook('pre', 'PreDelete'), hook('post', 'PostDelete')],
      MOVED,
      ['PreDelete hook example.com/v2 Gadget pre: write', 'PostDelete hook example.com/v2 Gadget post: write']
    ],
    [
      'hooks that do not run in a delete raise nothing, whatever their kind',
      [hook('pre', 'PreSync'), testHook(gadget('t')), { kind: 'ConfigMap', name: 'c' }],
      GONE,
      ['Delete delete v1 ConfigMap c: remove']
    ],
    [
      'a delete hook served at no version but SkipDryRunOnMissingResource=true: as recorded (§8.2)',
      [hook('pre', 'PreDelete', { annotations: { [OPTIONS]: 'SkipDryRunOnMissingResource=true' } })],
      GONE,
      ['PreDelete hook example.com/v1 Gadget pre: write']
    ]
  ])('%s', (_, specs, gadgetNow, expected) => {
    const result = planned(DELETE, specs, gadgetNow)
    expect(rows(result)).toEqual(expected)
    expect(errors(result)).toEqual([])
  })

  test.each<[string, ObjectSpec, RetiredKind, string]>([
    [
      'served at no version: the hook cannot be created',
      hook('post', 'PostDelete'),
      GONE,
      'PostDelete hook example.com/Gadget dest/post: the server no longer serves example.com/v1 Gadget at any version (its CRD or API was removed), so the hook cannot be created; reinstall the CRD first, or leave the hook out (no-hooks, or skip-hooks PostDelete)'
    ],
    [
      'served at another version whose fields may differ: not re-labelled',
      hook('pre', 'PreDelete'),
      MOVED_WEBHOOK,
      `PreDelete hook example.com/Gadget dest/pre: the server no longer serves example.com/v1 Gadget, only example.com/v2, example.com/v3, and ${WEBHOOK_WHY}: the recorded object may not be valid at another version, so it is not sent as one; sync manifests written for a served version, or leave the hook out (no-hooks, or skip-hooks PreDelete)`
    ]
  ])('a delete hook %s', (_, spec, gadgetNow, message) => {
    const result = planned(DELETE, [spec, { kind: 'ConfigMap', name: 'c' }], gadgetNow)
    expect(errors(result)).toEqual([`m0.yaml:1: ${message}`])
  })
})

describe('rollback to a record (§9.9)', () => {
  test.each<[string, ObjectSpec[], RetiredKind, string[]]>([
    [
      'served at another version, same fields: applied there',
      [gadget('g'), hook('migrate', 'PreSync')],
      MOVED,
      ['PreSync hook example.com/v2 Gadget migrate: write', 'Sync resource example.com/v2 Gadget g: write']
    ],
    // The revision's CRD is applied first and decides the versions served once established.
    [
      'served at another version, its CRD part of the revision: as recorded',
      [CRD, gadget('g')],
      MOVED_WEBHOOK,
      [
        'Sync resource apiextensions.k8s.io/v1 CustomResourceDefinition gadgets.example.com: write',
        'Sync resource example.com/v1 Gadget g: write'
      ]
    ],
    [
      'served at no version, its CRD part of the revision: as recorded',
      [CRD, gadget('g')],
      GONE,
      [
        'Sync resource apiextensions.k8s.io/v1 CustomResourceDefinition gadgets.example.com: write',
        'Sync resource example.com/v1 Gadget g: write'
      ]
    ],
    [
      'served at no version but SkipDryRunOnMissingResource=true: as recorded',
      [gadget('g', { annotations: { [OPTIONS]: 'SkipDryRunOnMissingResource=true' } })],
      GONE,
      ['Sync resource example.com/v1 Gadget g: write']
    ]
  ])('%s', (_, specs, gadgetNow, expected) => {
    const result = planned(ROLLBACK, specs, gadgetNow)
    expect(rows(result)).toEqual(expected)
    expect(errors(result)).toEqual([])
  })

  test.each<[string, RetiredKind, string]>([
    [
      'served at no version: nothing to roll back to',
      GONE,
      'example.com/Gadget dest/g: the server no longer serves example.com/v1 Gadget at any version (its CRD or API was removed), so there is nothing to roll back to: the object cannot be created; reinstall the CRD first'
    ],
    [
      'served at another version whose fields may differ: not re-labelled',
      MOVED_WEBHOOK,
      `example.com/Gadget dest/g: the server no longer serves example.com/v1 Gadget, only example.com/v2, example.com/v3, and ${WEBHOOK_WHY}: the recorded object may not be valid at another version, so it is not sent as one; sync manifests written for a served version instead of rolling back to this revision`
    ]
  ])('%s', (_, gadgetNow, message) => {
    const result = planned(ROLLBACK, [{ kind: 'ConfigMap', name: 'c' }, gadget('g')], gadgetNow)
    expect(errors(result)).toEqual([`m1.yaml:1: ${message}`])
  })
})

describe('test from a record (§9.10)', () => {
  test('a test hook served at another version is created there; resources are not looked at', () => {
    const result = planned(TEST, [gadget('g'), testHook(gadget('smoke'))], MOVED)
    expect(rows(result)).toEqual(['Test hook example.com/v2 Gadget smoke: write'])
    expect(errors(result)).toEqual([])
  })

  test('a resource of a kind served at no version does not stop the tests', () => {
    const result = planned(
      TEST,
      [gadget('g'), testHook({ apiVersion: 'batch/v1', kind: 'Job', name: 'smoke' })],
      GONE
    )
    expect(rows(result)).toEqual(['Test hook batch/v1 Job smoke: write'])
    expect(errors(result)).toEqual([])
  })

  test('a test hook of a kind served at no version cannot be created', () => {
    const result = planned(TEST, [testHook(gadget('smoke'))], GONE)
    expect(errors(result)).toEqual([
      'm0.yaml:1: Test hook example.com/Gadget dest/smoke: the server no longer serves example.com/v1 Gadget at any version (its CRD or API was removed), so the hook cannot be created; reinstall the CRD first, or leave the hook out (no-hooks, or skip-hooks test)'
    ])
  })
})

test("the repository's manifests are not settled here: discovery judges them (§4.1.2)", () => {
  const result = plan(manifests(gadget('g')), { operation: DELETE })
  expect(rows(result)).toEqual(['Delete delete example.com/v1 Gadget g: remove'])
  expect(result.unserved).toEqual([])
})
