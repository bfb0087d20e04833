import { describe, expect, test } from '@jest/globals'
import type { Issue } from '../../../../src/model/issue.js'
import { compareIssues } from '../../../../src/model/issue.js'
import type { Directives } from '../../../../src/plan/annotations/directives.js'
import { readDirectives } from '../../../../src/plan/annotations/directives.js'
import type { ObjectSpec } from '../../../support/manifest-builders.js'
import { manifest } from '../../../support/manifest-builders.js'

/**
 * Objects are written by `objectYaml`: apiVersion line 1, kind 2, metadata 3, name 4,
 * `annotations:` 5, so the n-th annotation (0-based) is on line 6 + n, quoted ones before raw ones.
 */
const L = (index: number): number => 6 + index

function read(annotations: Record<string, string>, extra: Partial<ObjectSpec> = {}) {
  const issues: Issue[] = []
  const directives = readDirectives(
    manifest({ apiVersion: 'batch/v1', kind: 'Job', name: 'job', annotations, ...extra }),
    issues
  )
  return {
    directives,
    issues: issues.sort(compareIssues).map(issue => `${issue.severity} ${issue.line}: ${issue.message}`)
  }
}

const NONE: Directives = {
  hook: undefined,
  skip: false,
  wave: 0,
  deletePolicies: [],
  syncOptions: {},
  keep: false,
  logPolicy: [],
  timeoutMs: undefined
}

const HOOK = 'argocd.argoproj.io/hook'
const POLICY = 'argocd.argoproj.io/hook-delete-policy'
const WAVE = 'argocd.argoproj.io/sync-wave'
const OPTIONS = 'argocd.argoproj.io/sync-options'
const ARGO_VALID = 'valid: PreSync, Sync, PostSync, SyncFail, Skip, PreDelete, PostDelete'
const HELM_VALID =
  'valid: pre-install, post-install, pre-upgrade, post-upgrade, pre-rollback, post-rollback, pre-delete, post-delete, test, test-success'
const SHERPACK_VALID = `${HELM_VALID}, during-install, during-upgrade`

describe('no annotations', () => {
  test('a plain object: not a hook, wave 0, nothing else', () => {
    expect(read({})).toEqual({ directives: NONE, issues: [] })
  })
})

// argocd.argoproj.io/hook (§2.2)

test.each(['PreSync', 'Sync', 'PostSync', 'SyncFail', 'PreDelete', 'PostDelete'] as const)(
  '%s makes an argo hook of that type',
  type => {
    expect(read({ [HOOK]: type })).toEqual({
      directives: { ...NONE, hook: { family: 'argo', types: [type] } },
      issues: []
    })
  }
)

test.each([
  // Sync and delete types combine; the order as written is kept.
  ['PreSync,PostDelete', { family: 'argo', types: ['PreSync', 'PostDelete'] }, false, []],
  // Skip alone: no hook, skip set, no warning.
  ['Skip', undefined, true, []],
  // Skip with others: Skip ignored with a warning, a hook of the others (gitops-engine TestSkipAndHook).
  [
    'Skip,PreSync',
    { family: 'argo', types: ['PreSync'] },
    false,
    [`warning ${L(0)}: Skip is ignored because the object is also a PreSync hook`]
  ],
  [
    'PostSync, Skip, SyncFail',
    { family: 'argo', types: ['PostSync', 'SyncFail'] },
    false,
    [`warning ${L(0)}: Skip is ignored because the object is also a PostSync, SyncFail hook`]
  ],
  // Values are case-sensitive: an error with the right spelling as a hint.
  [
    'presync',
    undefined,
    false,
    [`error ${L(0)}: unknown hook type 'presync' (values are case-sensitive: PreSync); ${ARGO_VALID}`]
  ],
  [
    'POSTDELETE',
    undefined,
    false,
    [`error ${L(0)}: unknown hook type 'POSTDELETE' (values are case-sensitive: PostDelete); ${ARGO_VALID}`]
  ],
  // Anything else: an error without a hint; the valid items are still taken.
  [
    'PreSync,Install',
    { family: 'argo', types: ['PreSync'] },
    false,
    [`error ${L(0)}: unknown hook type 'Install'; ${ARGO_VALID}`]
  ],
  // An empty list is one error.
  [' , ', undefined, false, [`error ${L(0)}: annotation argocd.argoproj.io/hook is empty`]]
] as const)('%j → hook %j, skip %s, issues %j', (value, hook, skip, issues) => {
  const result = read({ [HOOK]: value })
  expect(result.directives.hook).toEqual(hook)
  expect(result.directives.skip).toBe(skip)
  expect(result.issues).toEqual(issues)
})

// helm.sh/hook and sherpack.io/hook (§2.6, §2.8)

test.each([
  // Helm values are lower-cased before matching.
  [
    { 'helm.sh/hook': 'Pre-Install, POST-UPGRADE' },
    { family: 'helm', events: ['pre-install', 'post-upgrade'] },
    []
  ],
  [{ 'helm.sh/hook': 'test-success' }, { family: 'helm', events: ['test-success'] }, []],
  // Sherpack adds the during-* events.
  [
    { 'sherpack.io/hook': 'during-install,during-upgrade' },
    { family: 'sherpack', events: ['during-install', 'during-upgrade'] },
    []
  ],
  // Sherpack wins over Helm for the hook key.
  [
    { 'helm.sh/hook': 'pre-delete', 'sherpack.io/hook': 'post-install' },
    { family: 'sherpack', events: ['post-install'] },
    []
  ],
  // during-* is Sherpack-only.
  [
    { 'helm.sh/hook': 'during-install' },
    undefined,
    [`error ${L(0)}: unknown hook event 'during-install'; ${HELM_VALID}`]
  ],
  // Helm 2 events: errors with a hint.
  [
    { 'helm.sh/hook': 'crd-install' },
    undefined,
    [
      `error ${L(0)}: unknown hook event 'crd-install' (Helm 2 only: put CRDs in the manifests; wavesync applies them first); ${HELM_VALID}`
    ]
  ],
  [
    { 'sherpack.io/hook': 'test-failure' },
    undefined,
    [`error ${L(0)}: unknown hook event 'test-failure' (Helm 2 only); ${SHERPACK_VALID}`]
  ],
  // A bad event next to a good one: the good one is kept.
  [
    { 'helm.sh/hook': 'pre-install,post-instal' },
    { family: 'helm', events: ['pre-install'] },
    [`error ${L(0)}: unknown hook event 'post-instal'; ${HELM_VALID}`]
  ],
  [{ 'helm.sh/hook': '' }, undefined, [`error ${L(0)}: annotation helm.sh/hook is empty`]]
] as const)('%j → %j', (annotations, hook, issues) => {
  const result = read(annotations)
  expect(result.directives.hook).toEqual(hook)
  expect(result.issues).toEqual(issues)
})

test.each([
  // The Argo hook decides alone; a Helm or Sherpack hook key is ignored with a warning at its line.
  [
    { [HOOK]: 'PreSync', 'helm.sh/hook': 'pre-install' },
    { family: 'argo', types: ['PreSync'] },
    false,
    'helm.sh/hook'
  ],
  [
    { [HOOK]: 'PostSync', 'sherpack.io/hook': 'post-install' },
    { family: 'argo', types: ['PostSync'] },
    false,
    'sherpack.io/hook'
  ],
  // Even when it only says Skip.
  [{ [HOOK]: 'Skip', 'helm.sh/hook': 'pre-install' }, undefined, true, 'helm.sh/hook']
] as const)('argo + helm/sherpack on one object: argo wins (%j)', (annotations, hook, skip, ignored) => {
  const result = read(annotations)
  expect(result.directives.hook).toEqual(hook)
  expect(result.directives.skip).toBe(skip)
  expect(result.issues).toEqual([
    `warning ${L(1)}: ${ignored} is ignored: argocd.argoproj.io/hook is set and decides the hook phases`
  ])
})

// waves and hook weights (§2.4, §2.8.2)

const notInteger = (key: string, raw: string): string =>
  `annotation ${key}: '${raw}' is not an integer (write a whole number such as "-1" or "5", within 32 bits)`

test.each([
  ['5', 5, []],
  ['-3', -3, []],
  ['+2', 2, []],
  ['1.5', 0, [`error ${L(0)}: ${notInteger(WAVE, '1.5')}`]],
  // A trailing blank is not trimmed: an error.
  ['5 ', 0, [`error ${L(0)}: ${notInteger(WAVE, '5 ')}`]],
  ['2147483648', 0, [`error ${L(0)}: ${notInteger(WAVE, '2147483648')}`]],
  ['-2147483649', 0, [`error ${L(0)}: ${notInteger(WAVE, '-2147483649')}`]],
  ['', 0, [`error ${L(0)}: ${notInteger(WAVE, '')}`]]
] as const)('sync-wave %j → %d', (value, wave, issues) => {
  const result = read({ [WAVE]: value })
  expect(result.directives.wave).toBe(wave)
  expect(result.issues).toEqual(issues)
})

test.each([
  // Unquoted numbers and booleans are not strings: "quote it", and the value is not used.
  [WAVE, '5', `annotation ${WAVE}: value must be a string, found 5; quote it (${WAVE}: "5")`],
  [WAVE, '-1', `annotation ${WAVE}: value must be a string, found -1; quote it (${WAVE}: "-1")`],
  [
    'helm.sh/hook-weight',
    '10',
    'annotation helm.sh/hook-weight: value must be a string, found 10; quote it (helm.sh/hook-weight: "10")'
  ],
  [
    OPTIONS,
    'true',
    `annotation ${OPTIONS}: value must be a string, found true; quote it (${OPTIONS}: "true")`
  ]
])('unquoted %s: %s → error', (key, raw, message) => {
  const result = read({}, { rawAnnotations: { [key]: raw } })
  expect(result.directives.wave).toBe(0)
  expect(result.issues).toEqual([`error ${L(0)}: ${message}`])
})

test.each([
  // argo sync-wave wins over both weights.
  [{ [WAVE]: '1', 'sherpack.io/hook-weight': '2', 'helm.sh/hook-weight': '3' }, 1],
  // sherpack weight wins over helm weight.
  [{ 'sherpack.io/hook-weight': '2', 'helm.sh/hook-weight': '3' }, 2],
  [{ 'helm.sh/hook-weight': '-7' }, -7],
  // Each sherpack key falls back to its helm key independently: a Sherpack hook weighted by Helm.
  [{ 'sherpack.io/hook': 'pre-install', 'helm.sh/hook-weight': '7' }, 7],
  // Weights apply to resources too (gitops-engine syncwaves).
  [{ 'helm.sh/hook-weight': '4' }, 4]
])('weights %j → wave %d', (annotations, wave) => {
  const result = read(annotations)
  expect(result.directives.wave).toBe(wave)
  expect(result.issues).toEqual([])
})

test('a bad hook weight is an error at its key', () => {
  expect(read({ 'helm.sh/hook': 'pre-install', 'helm.sh/hook-weight': 'heavy' }).issues).toEqual([
    `error ${L(1)}: ${notInteger('helm.sh/hook-weight', 'heavy')}`
  ])
})

// delete policies (§2.3, §2.6, §2.8.3)

test.each([
  // Argo list; the result is in the canonical order HookSucceeded, HookFailed, BeforeHookCreation.
  [
    { [HOOK]: 'PreSync', [POLICY]: 'BeforeHookCreation,HookSucceeded' },
    ['HookSucceeded', 'BeforeHookCreation']
  ],
  // A hook without a policy: none here; the planner applies the default.
  [{ [HOOK]: 'PreSync' }, []],
  // Union of argo and helm lists, whatever family decided the phases.
  [
    { [HOOK]: 'PreSync', [POLICY]: 'HookFailed', 'helm.sh/hook-delete-policy': 'hook-succeeded' },
    ['HookSucceeded', 'HookFailed']
  ],
  // Kebab-case Helm names map to Argo names, lower-cased first.
  [
    { 'helm.sh/hook': 'pre-install', 'helm.sh/hook-delete-policy': 'Before-Hook-Creation, hook-failed' },
    ['HookFailed', 'BeforeHookCreation']
  ],
  // The Sherpack list replaces the Helm list (Helm's is read only when Sherpack's is absent).
  [
    {
      'sherpack.io/hook': 'pre-install',
      'sherpack.io/hook-delete-policy': 'hook-failed',
      'helm.sh/hook-delete-policy': 'hook-succeeded'
    },
    ['HookFailed']
  ],
  // …independently of which key gave the hook.
  [{ 'helm.sh/hook': 'pre-install', 'sherpack.io/hook-delete-policy': 'hook-succeeded' }, ['HookSucceeded']]
])('delete policies %j → %j', (annotations, policies) => {
  const result = read(annotations)
  expect(result.directives.deletePolicies).toEqual(policies)
  expect(result.issues).toEqual([])
})

test.each([
  [
    { [HOOK]: 'PreSync', [POLICY]: 'hookSucceeded' },
    `error ${L(1)}: unknown delete policy 'hookSucceeded'; valid: HookSucceeded, HookFailed, BeforeHookCreation`
  ],
  [
    { 'helm.sh/hook': 'pre-install', 'helm.sh/hook-delete-policy': 'always' },
    `error ${L(1)}: unknown delete policy 'always'; valid: before-hook-creation, hook-succeeded, hook-failed`
  ],
  [{ [HOOK]: 'PreSync', [POLICY]: ',' }, `error ${L(1)}: annotation ${POLICY} is empty`],
  // On a non-hook: ignored with a warning.
  [{ [POLICY]: 'HookSucceeded' }, `warning ${L(0)}: ${POLICY} is ignored: the object is not a hook`],
  [
    { 'helm.sh/hook-delete-policy': 'hook-succeeded' },
    `warning ${L(0)}: helm.sh/hook-delete-policy is ignored: the object is not a hook`
  ],
  // Skip is not a hook either.
  [
    { [HOOK]: 'Skip', [POLICY]: 'HookSucceeded' },
    `warning ${L(1)}: ${POLICY} is ignored: the object is not a hook`
  ]
])('delete policies %j → %s', (annotations, issue) => {
  expect(read(annotations).issues).toEqual([issue])
})

describe('sync options, resource policy, log policy, timeout', () => {
  test.each([
    [{ [OPTIONS]: 'Prune=false,PruneLast=true' }, { syncOptions: { Prune: 'false', PruneLast: 'true' } }],
    [{ 'helm.sh/resource-policy': 'keep' }, { keep: true }],
    [{ 'sherpack.io/resource-policy': ' Keep ' }, { keep: true }],
    [
      { 'helm.sh/hook-output-log-policy': 'hook-failed, Hook-Succeeded' },
      { logPolicy: ['hook-failed', 'hook-succeeded'] }
    ],
    [{ 'wavesync.dev/timeout': '90s' }, { timeoutMs: 90_000 }],
    [{ 'wavesync.dev/timeout': '1h30m' }, { timeoutMs: 5_400_000 }]
  ])('%j → %j', (annotations, expected) => {
    expect(read(annotations)).toEqual({ directives: { ...NONE, ...expected }, issues: [] })
  })

  test.each([
    // One error per bad option item, at the sync-options key.
    [
      { [OPTIONS]: 'Prune=False,CreateNamespace=true' },
      [
        `error ${L(0)}: sync option CreateNamespace applies to the whole application; set it in the sync-options input, not on an object`,
        `error ${L(0)}: sync option Prune=False: value must be one of Prune=false, Prune=confirm (case-sensitive)`
      ]
    ],
    [
      { [OPTIONS]: 'RespectIgnoreDifferences=true' },
      [
        `error ${L(0)}: sync option RespectIgnoreDifferences=true is not supported: wavesync has no ignore-differences rules`
      ]
    ],
    [{ [OPTIONS]: '' }, [`error ${L(0)}: the list of sync options is empty`]],
    [
      { 'helm.sh/resource-policy': 'delete' },
      [`error ${L(0)}: annotation helm.sh/resource-policy: 'delete' is not valid; use keep`]
    ],
    [
      { 'helm.sh/hook-output-log-policy': 'always' },
      [`error ${L(0)}: unknown log policy 'always'; valid: hook-succeeded, hook-failed`]
    ],
    [
      { 'wavesync.dev/timeout': '5x' },
      [`error ${L(0)}: annotation wavesync.dev/timeout: '5x' is not a duration (e.g. "90s", "5m", "1h30m")`]
    ],
    [
      { 'wavesync.dev/timeout': '0s' },
      [`error ${L(0)}: annotation wavesync.dev/timeout: '0s' is not a duration (e.g. "90s", "5m", "1h30m")`]
    ]
  ])('%j → %j', (annotations, issues) => {
    expect(read(annotations).issues).toEqual(issues)
  })
})

// unknown keys (§2.1.5, §2.7)

test.each([
  // Typos within edit distance 2 of a known key: errors with a suggestion.
  [
    'argocd.argoproj.io/hooks-delete-policy',
    'error',
    'unknown annotation argocd.argoproj.io/hooks-delete-policy: did you mean argocd.argoproj.io/hook-delete-policy?'
  ],
  [
    'helm.sh/hook-wieght',
    'error',
    'unknown annotation helm.sh/hook-wieght: did you mean helm.sh/hook-weight?'
  ],
  [
    'sherpack.io/hook-weigth',
    'error',
    'unknown annotation sherpack.io/hook-weigth: did you mean sherpack.io/hook-weight?'
  ],
  // Unknown wavesync keys: errors.
  [
    'wavesync.dev/foo',
    'error',
    'unknown annotation wavesync.dev/foo; wavesync reads only wavesync.dev/timeout'
  ],
  // Other unknown Argo CD keys: a notice.
  [
    'argocd.argoproj.io/compare-options',
    'notice',
    'annotation argocd.argoproj.io/compare-options is not used by wavesync'
  ],
  [
    'argocd.argoproj.io/tracking-id',
    'notice',
    'annotation argocd.argoproj.io/tracking-id is not used by wavesync'
  ],
  ['helm.sh/chart', 'notice', 'annotation helm.sh/chart is not used by wavesync']
])('unknown key %s → %s', (key, severity, message) => {
  expect(read({ [key]: 'x' }).issues).toEqual([`${severity} ${L(0)}: ${message}`])
})

test.each([
  // Read by the health rules: not reported.
  'argocd.argoproj.io/ignore-restart-policy',
  // Keys outside the watched prefixes are none of wavesync's business.
  'example.com/owner',
  'kubectl.kubernetes.io/last-applied-configuration'
])('%s is not reported', key => {
  expect(read({ [key]: 'true' }).issues).toEqual([])
})

test('wavesync.dev/tracking-id in a manifest is an error', () => {
  expect(read({ 'wavesync.dev/tracking-id': 'app:/ConfigMap:ns/x' }).issues).toEqual([
    `error ${L(0)}: wavesync.dev/tracking-id is written by wavesync itself; remove it from the manifest`
  ])
})

test('the hook finalizer in a manifest is an error at the line of the finalizer entry', () => {
  expect(read({}, { finalizers: ['example.com/keep', 'wavesync.dev/hook-finalizer'] }).issues).toEqual([
    'error 7: finalizer wavesync.dev/hook-finalizer is managed by wavesync; remove it from the manifest'
  ])
})

describe('issue location', () => {
  test('an issue carries file, line of the key, document index and the object identity', () => {
    const issues: Issue[] = []
    readDirectives(
      manifest(
        {
          apiVersion: 'batch/v1',
          kind: 'Job',
          name: 'migrate',
          namespace: 'db',
          annotations: { [HOOK]: 'presync' }
        },
        'k8s/app.yaml'
      ),
      issues
    )
    expect(issues).toEqual([
      {
        severity: 'error',
        message: `unknown hook type 'presync' (values are case-sensitive: PreSync); ${ARGO_VALID}`,
        file: 'k8s/app.yaml',
        line: 7,
        docIndex: 0,
        key: { group: 'batch', kind: 'Job', namespace: 'db', name: 'migrate' }
      }
    ])
  })
})
