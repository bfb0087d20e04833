import { describe, expect, test } from '@jest/globals'
import { optionValue, parseSyncOptions } from '../../../../src/plan/annotations/sync-options.js'

const KNOWN =
  'Prune, PruneLast, PrunePropagationPolicy, Delete, Replace, Force, ServerSideApply, ClientSideApplyMigration, Validate, SkipDryRunOnMissingResource, ApplyOutOfSyncOnly, CreateNamespace, FailOnSharedResource, RespectIgnoreDifferences'

// parseSyncOptions (sync-semantics §2.5)

test.each([
  // Every object-scoped option with each accepted value.
  ['Prune=false', { Prune: 'false' }],
  ['Prune=confirm', { Prune: 'confirm' }],
  ['PruneLast=true', { PruneLast: 'true' }],
  ['Delete=false,Delete=confirm', { Delete: 'confirm' }], // the last of a key wins
  ['Replace=true, Force=true', { Replace: 'true', Force: 'true' }],
  ['ServerSideApply=false', { ServerSideApply: 'false' }],
  [
    'Validate=false,SkipDryRunOnMissingResource=true',
    { Validate: 'false', SkipDryRunOnMissingResource: 'true' }
  ],
  // Items trimmed, empties and duplicates dropped (§2.1).
  [' Prune=false ,, Prune=false,', { Prune: 'false' }]
])('parseSyncOptions: object %j → %j', (raw, options) => {
  expect(parseSyncOptions(raw, 'object')).toEqual({ options, problems: [] })
})

test.each([
  // Values are compared exactly.
  [
    'Prune=False',
    ['sync option Prune=False: value must be one of Prune=false, Prune=confirm (case-sensitive)']
  ],
  [
    'PruneLast=yes',
    ['sync option PruneLast=yes: value must be one of PruneLast=true, PruneLast=false (case-sensitive)']
  ],
  // A key in the wrong case gets a hint.
  ['prune=false', ["unknown sync option 'prune': did you mean 'Prune'?"]],
  // An unknown key lists the known ones.
  ['Prunee=false', [`unknown sync option 'Prunee'; known: ${KNOWN}`]],
  ['Prune', ["sync option 'Prune' is not of the form Key=Value"]],
  ['=false', ["sync option '=false' is not of the form Key=Value"]],
  // App-scoped options are errors on an object.
  [
    'CreateNamespace=true',
    [
      'sync option CreateNamespace applies to the whole application; set it in the sync-options input, not on an object'
    ]
  ],
  [
    'PrunePropagationPolicy=orphan',
    [
      'sync option PrunePropagationPolicy applies to the whole application; set it in the sync-options input, not on an object'
    ]
  ],
  // Unsupported whatever the scope.
  [
    'RespectIgnoreDifferences=true',
    ['sync option RespectIgnoreDifferences=true is not supported: wavesync has no ignore-differences rules']
  ],
  // An empty list is an error.
  [' , ', ['the list of sync options is empty']],
  // Every bad item is reported; good ones are kept.
  [
    'Prune=False,Replace=true,Foo=1',
    [
      'sync option Prune=False: value must be one of Prune=false, Prune=confirm (case-sensitive)',
      `unknown sync option 'Foo'; known: ${KNOWN}`
    ]
  ]
])('parseSyncOptions: object %j → problems %j', (raw, problems) => {
  expect(parseSyncOptions(raw, 'object').problems).toEqual(problems)
})

test.each([
  // App-only options are fine for the application.
  ['CreateNamespace=true', { CreateNamespace: 'true' }],
  ['PrunePropagationPolicy=background', { PrunePropagationPolicy: 'background' }],
  [
    'ApplyOutOfSyncOnly=true,FailOnSharedResource=true',
    { ApplyOutOfSyncOnly: 'true', FailOnSharedResource: 'true' }
  ],
  ['ClientSideApplyMigration=false', { ClientSideApplyMigration: 'false' }],
  ['RespectIgnoreDifferences=false', { RespectIgnoreDifferences: 'false' }],
  // Options of scope "both" too.
  ['Prune=confirm,PruneLast=true', { Prune: 'confirm', PruneLast: 'true' }]
])('parseSyncOptions: app %j → %j', (raw, options) => {
  expect(parseSyncOptions(raw, 'app')).toEqual({ options, problems: [] })
})

test('app options may come as several inputs, each a list', () => {
  expect(parseSyncOptions(['CreateNamespace=true, PruneLast=true', 'Prune=false'], 'app')).toEqual({
    options: { CreateNamespace: 'true', PruneLast: 'true', Prune: 'false' },
    problems: []
  })
})

test('RespectIgnoreDifferences=true is an error for the application too', () => {
  expect(parseSyncOptions('RespectIgnoreDifferences=true', 'app').problems).toEqual([
    'sync option RespectIgnoreDifferences=true is not supported: wavesync has no ignore-differences rules'
  ])
})

describe('optionValue: the object wins over the application', () => {
  test.each([
    [{ Prune: 'false' }, { Prune: 'confirm' }, 'false'], // the object's own value
    [{ PruneLast: 'true' }, { Prune: 'confirm' }, 'confirm'], // the object sets no Prune: the app's applies
    [{ PruneLast: 'true' }, {}, undefined] // neither sets it
  ])('object %j, app %j → %j', (object, app, value) => {
    expect(optionValue('Prune', object, app)).toBe(value)
  })
})
