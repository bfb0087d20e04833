import { describe, expect, test } from '@jest/globals'
import type { KubeObject } from '../../../src/model/object.js'
import type { NamespaceListing } from '../../../src/plan/namespace-occupants.js'
import { foreignOwner, namespaceKeptReason } from '../../../src/plan/namespace-occupants.js'

// Whether a namespace the delete operation would remove must stay (sync-semantics §10.2), from
// what listing it found. The application deleting is `shop`; the namespace is `team`.

const TRACKING = 'wavesync.dev/tracking-id'
const APP_LABEL = 'wavesync.dev/application'

function object(
  apiVersion: string,
  kind: string,
  name: string,
  metadata: Pick<KubeObject['metadata'], 'annotations' | 'labels'> = {}
): KubeObject {
  return { apiVersion, kind, metadata: { name, namespace: 'team', ...metadata } }
}
const tracked = (apiVersion: string, kind: string, name: string, id: string): KubeObject =>
  object(apiVersion, kind, name, { annotations: { [TRACKING]: id } })
const record = (app: string, revision: number): KubeObject =>
  object('v1', 'Secret', `wavesync.v1.${app}.v${revision}`, {
    labels: { 'app.kubernetes.io/managed-by': 'wavesync', [APP_LABEL]: app }
  })

describe('foreignOwner: whose an object is, when not this application’s', () => {
  test.each<[string, KubeObject, string | undefined]>([
    // What every namespace holds without any application: no reason to keep it.
    ['a pod', object('v1', 'Pod', 'web-6d4f7-x2x9z'), undefined],
    ['the default service account', object('v1', 'ServiceAccount', 'default'), undefined],
    ['kube-root-ca.crt', object('v1', 'ConfigMap', 'kube-root-ca.crt'), undefined],
    ['an event', object('events.k8s.io/v1', 'Event', 'web.17a'), undefined],
    // Labels alone say nothing: only the tracking id makes an object an application's.
    ['a labelled ConfigMap', object('v1', 'ConfigMap', 'c', { labels: { [APP_LABEL]: 'other' } }), undefined],
    // This application's own objects and records go with the namespace.
    ['tracked by this app', tracked('v1', 'ConfigMap', 'c', 'shop:/ConfigMap:team/c'), undefined],
    ['this app’s record', record('shop', 3), undefined],
    // Another application's.
    [
      'tracked by another app',
      tracked('v1', 'ConfigMap', 'c', 'other:/ConfigMap:team/c'),
      'tracked by other'
    ],
    [
      'a prefix is not a match',
      tracked('v1', 'ConfigMap', 'c', 'shop2:/ConfigMap:team/c'),
      'tracked by shop2'
    ],
    ['another app’s record', record('other', 3), 'inventory record of other'],
    [
      'a record tracked by nobody but labelled for another app',
      object('v1', 'Secret', 's', { labels: { [APP_LABEL]: 'other' } }),
      'inventory record of other'
    ],
    // A tracking id that names no application cannot be shown to be ours: kept, to be safe.
    [
      'an unreadable tracking id',
      tracked('v1', 'ConfigMap', 'c', 'garbage'),
      'unreadable tracking id "garbage"'
    ]
  ])('%s', (_, given, expected) => {
    expect(foreignOwner('shop', given)).toBe(expected)
  })
})

describe('namespaceKeptReason', () => {
  const listing = (objects: KubeObject[], unlisted: NamespaceListing['unlisted'] = []): NamespaceListing => ({
    objects,
    unlisted
  })
  const bystanders = [object('v1', 'Pod', 'p'), object('v1', 'ServiceAccount', 'default'), record('shop', 1)]

  test.each<[string, NamespaceListing, string | undefined]>([
    ['empty', listing([]), undefined],
    ['only objects no application tracks, and own records', listing(bystanders), undefined],
    [
      'objects of other applications, sorted by group, kind and name',
      listing([
        ...bystanders,
        record('other', 3),
        tracked('v1', 'ConfigMap', 'settings', 'other:/ConfigMap:team/settings')
      ]),
      'namespace kept: it holds objects of other applications (ConfigMap team/settings (tracked by other), Secret team/wavesync.v1.other.v3 (inventory record of other))'
    ],
    [
      'a group other than core is named',
      listing([tracked('apps/v1', 'Deployment', 'web', 'b:apps/Deployment:team/web')]),
      'namespace kept: it holds objects of other applications (apps/Deployment team/web (tracked by b))'
    ],
    [
      'more than three: the rest are counted',
      listing(['a', 'b', 'c', 'd'].map(n => tracked('v1', 'ConfigMap', n, `x:/ConfigMap:team/${n}`))),
      'namespace kept: it holds objects of other applications (ConfigMap team/a (tracked by x), ConfigMap team/b (tracked by x), ConfigMap team/c (tracked by x) and 1 more)'
    ],
    [
      // Forbidden must not pass as "empty": the namespace might hold anything of that kind.
      'kinds that could not be listed, sorted',
      listing(bystanders, [
        {
          resource: 'widgets.example.com',
          reason: 'list: the server is currently unable to handle the request'
        },
        { resource: 'leases.coordination.k8s.io', reason: 'forbidden' }
      ]),
      "namespace kept: it could not be shown free of other applications' objects: cannot list leases.coordination.k8s.io (forbidden), widgets.example.com (list: the server is currently unable to handle the request)"
    ],
    [
      'both',
      listing([record('other', 1)], [{ resource: 'secrets', reason: 'forbidden' }]),
      "namespace kept: it holds objects of other applications (Secret team/wavesync.v1.other.v1 (inventory record of other)); it could not be shown free of other applications' objects: cannot list secrets (forbidden)"
    ]
  ])('%s', (_, given, expected) => {
    expect(namespaceKeptReason('shop', given)).toBe(expected)
  })
})
