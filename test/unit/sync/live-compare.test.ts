import { describe, expect, test } from '@jest/globals'
import type { KubeObject } from '../../../src/model/object.js'
import type { LiveCopy } from '../../../src/sync/live-compare.js'
import { compareWithLive, jsonEqual, ownershipOf, stillUnchanged } from '../../../src/sync/live-compare.js'

// What a write would do, judged from a server-side-apply dry run's answer and a live copy
// (sync-semantics §2.5 ApplyOutOfSyncOnly, §8.4), and whose object a live copy is (§7.1).

const TRACKING = 'wavesync.dev/tracking-id'

/** A live ConfigMap as the API server serves it; `change` edits a copy. */
function live(change: (o: KubeObject) => void = () => undefined): KubeObject {
  const object: KubeObject = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: {
      name: 'web',
      namespace: 'shop',
      uid: 'u-1',
      resourceVersion: '41',
      creationTimestamp: '2024-11-21T12:00:00Z',
      annotations: { [TRACKING]: 'shop:/ConfigMap:shop/web' },
      managedFields: [{ manager: 'wavesync', operation: 'Apply', time: '2024-11-21T12:00:00Z' }]
    },
    data: { color: 'blue' }
  }
  change(object)
  return object
}

describe('compareWithLive', () => {
  const cached = (object: KubeObject | undefined): LiveCopy => ({ object, source: 'cached' })
  const read = (object: KubeObject | undefined): LiveCopy => ({ object, source: 'read' })
  test.each<[string, KubeObject, LiveCopy, ReturnType<typeof compareWithLive>]>([
    // A dry run of a new object answers without a resourceVersion: nothing lives there.
    [
      'no resourceVersion in the answer',
      live(o => delete o.metadata.resourceVersion),
      cached(undefined),
      'created'
    ],
    [
      'an empty resourceVersion in the answer',
      live(o => (o.metadata.resourceVersion = '')),
      cached(live()),
      'created'
    ],
    // The answer equals the live object the dry run saw.
    ['the same object', live(), cached(live()), 'unchanged'],
    // Server bookkeeping that an apply does not decide is left out.
    ['only managedFields differ', live(o => (o.metadata['managedFields'] = [])), cached(live()), 'unchanged'],
    ['only generation differs', live(o => (o.metadata.generation = 3)), cached(live()), 'unchanged'],
    ['only status differs', live(o => (o['status'] = { phase: 'Ready' })), cached(live()), 'unchanged'],
    // Anything an apply does decide: configured.
    ['a data value differs', live(o => (o['data'] = { color: 'green' })), cached(live()), 'configured'],
    ['a field is added', live(o => (o['immutable'] = true)), cached(live()), 'configured'],
    [
      'the tracking id is added (adoption)',
      live(),
      cached(live(o => delete o.metadata.annotations)),
      'configured'
    ],
    ['a label differs', live(o => (o.metadata.labels = { tier: 'web' })), cached(live()), 'configured'],
    // A copy newer than what the dry run saw is as good: it is what the apply would meet now.
    [
      'a newer cached copy, only its status moved',
      live(),
      cached(
        live(o => {
          o.metadata.resourceVersion = '42'
          o['status'] = { phase: 'Ready' }
        })
      ),
      'unchanged'
    ],
    [
      'a newer cached copy that someone edited',
      live(),
      cached(
        live(o => {
          o.metadata.resourceVersion = '42'
          o['data'] = { color: 'red' }
        })
      ),
      'configured'
    ],
    // An older cached copy may equal the answer while the object has drifted since: no conclusion.
    ['an older cached copy', live(), cached(live(o => (o.metadata.resourceVersion = '40'))), 'stale'],
    ['a non-numeric other version', live(), cached(live(o => (o.metadata.resourceVersion = 'x'))), 'stale'],
    ['no cached copy although the answer has a version', live(), cached(undefined), 'stale'],
    ['another apiVersion', live(o => (o.apiVersion = 'v2')), cached(live()), 'stale'],
    // A GET after the dry run is never older than what it saw, whatever its version says.
    [
      'a read copy of another version',
      live(),
      read(live(o => (o.metadata.resourceVersion = 'x'))),
      'unchanged'
    ],
    ['a read copy with another apiVersion', live(o => (o.apiVersion = 'v2')), read(live()), 'stale']
  ])('%s', (_why, answer, copy, expected) => {
    expect(compareWithLive(answer, copy)).toBe(expected)
  })

  test('a manifest that sets a status (a kind without a status subresource) has it compared', () => {
    const answer = live(o => (o['status'] = { phase: 'Ready' }))
    expect(compareWithLive(answer, cached(live()), true)).toBe('configured')
    expect(compareWithLive(answer, cached(answer), true)).toBe('unchanged')
  })
})

describe('stillUnchanged (the write-time check)', () => {
  test.each<[string, KubeObject, boolean]>([
    ['the same object', live(), true],
    // Status and resourceVersion move as controllers report; that is no reason to write.
    [
      'a newer version with another status',
      live(o => {
        o.metadata.resourceVersion = '77'
        o['status'] = { phase: 'Ready' }
      }),
      true
    ],
    ['someone changed the data since', live(o => (o['data'] = { color: 'red' })), false],
    // A deleted and re-created object is another object, even with the same content.
    ['re-created under the same name', live(o => (o.metadata.uid = 'u-2')), false],
    // A cache lagging behind what the dry run saw proves nothing.
    ['an older copy than the dry run saw', live(o => (o.metadata.resourceVersion = '40')), false]
  ])('%s', (_why, current, expected) => {
    expect(stillUnchanged(current, live())).toBe(expected)
  })
})

describe('jsonEqual', () => {
  test.each<[string, unknown, unknown, boolean]>([
    ['key order does not matter', { a: 1, b: [1, { c: 2 }] }, { b: [1, { c: 2 }], a: 1 }, true],
    ['array order does', [1, 2], [2, 1], false],
    ['an undefined field counts as absent', { a: 1, b: undefined }, { a: 1 }, true],
    ['a missing key is not a null', { a: null }, {}, false],
    ['an array is not an object', [], {}, false],
    ['numbers and strings differ', { a: 1 }, { a: '1' }, false],
    ['a longer array differs', [1], [1, 2], false]
  ])('%s', (_why, a, b, expected) => {
    expect(jsonEqual(a, b)).toBe(expected)
    expect(jsonEqual(b, a)).toBe(expected)
  })
})

describe('ownershipOf (§7.1)', () => {
  const tracked = (value: unknown): KubeObject =>
    live(o => (o.metadata.annotations = value === undefined ? {} : { [TRACKING]: value }))
  test.each<[string, KubeObject, ReturnType<typeof ownershipOf>]>([
    ['this application’s tracking id', tracked('shop:/ConfigMap:shop/web'), { kind: 'ours' }],
    // The application part decides; the identity part may name another version of the key.
    ['this application, another identity', tracked('shop:/ConfigMap:shop/copy'), { kind: 'ours' }],
    ['another application’s', tracked('billing:/ConfigMap:shop/web'), { kind: 'shared', app: 'billing' }],
    ['no tracking id: adopted', tracked(undefined), { kind: 'untracked' }],
    ['not a tracking id at all', tracked('by hand'), { kind: 'untracked' }],
    ['not a string', tracked(7), { kind: 'untracked' }]
  ])('%s', (_why, object, expected) => {
    expect(ownershipOf(object, 'shop')).toEqual(expected)
  })
})
