import { expect, test } from '@jest/globals'
import type { Task } from '../../../src/model/task.js'
import { compareTasks } from '../../../src/plan/order.js'
import { permutations, task, taskRows } from '../../support/manifest-builders.js'

/** A compact label for a task: `phase wave group/kind ns/name version`. */
function label(t: Task): string {
  return `${t.phase} ${t.wave} ${t.key.group}/${t.key.kind} ${t.key.namespace}/${t.key.name} ${t.version}`
}

function sorted(tasks: readonly Task[]): string[] {
  return [...tasks].sort(compareTasks).map(label)
}

// compareTasks: the total order of sync-semantics §3.1

test.each([
  // Phases of sync and rollback.
  [
    'sync phases',
    [
      task({ phase: 'SyncFail', name: 'd' }),
      task({ phase: 'PostSync', name: 'c' }),
      task({ phase: 'Sync', name: 'b' }),
      task({ phase: 'PreSync', name: 'a' })
    ],
    [
      'PreSync 0 /ConfigMap dest/a v1',
      'Sync 0 /ConfigMap dest/b v1',
      'PostSync 0 /ConfigMap dest/c v1',
      'SyncFail 0 /ConfigMap dest/d v1'
    ]
  ],
  // Phases of delete.
  [
    'delete phases',
    [
      task({ phase: 'NamespaceCleanup', name: 'd' }),
      task({ phase: 'PostDelete', name: 'c' }),
      task({ phase: 'PreDelete', name: 'a' }),
      task({ phase: 'Delete', name: 'b' })
    ],
    [
      'PreDelete 0 /ConfigMap dest/a v1',
      'Delete 0 /ConfigMap dest/b v1',
      'PostDelete 0 /ConfigMap dest/c v1',
      'NamespaceCleanup 0 /ConfigMap dest/d v1'
    ]
  ],
  // Waves never cross phases: PreSync wave 10 before Sync wave −5 (§3.4).
  [
    'waves within a phase',
    [
      task({ phase: 'Sync', wave: -5, name: 's' }),
      task({ phase: 'PreSync', wave: 10, name: 'p' }),
      task({ phase: 'Sync', wave: 2, name: 'a' }),
      task({ phase: 'Sync', wave: -10, name: 'z' })
    ],
    [
      'PreSync 10 /ConfigMap dest/p v1',
      'Sync -10 /ConfigMap dest/z v1',
      'Sync -5 /ConfigMap dest/s v1',
      'Sync 2 /ConfigMap dest/a v1'
    ]
  ],
  // Kind order beats name within a wave.
  [
    'kind order',
    [
      task({ kind: 'Widget', name: 'a', group: 'example.com' }),
      task({ kind: 'APIService', name: 'b', group: 'apiregistration.k8s.io' }),
      task({ kind: 'Deployment', name: 'c', group: 'apps' }),
      task({ kind: 'Service', name: 'd' }),
      task({ kind: 'CustomResourceDefinition', name: 'e', group: 'apiextensions.k8s.io' }),
      task({ kind: 'Secret', name: 'f' }),
      task({ kind: 'Namespace', name: 'g', namespace: '' })
    ],
    [
      'Sync 0 /Namespace /g v1',
      'Sync 0 /Secret dest/f v1',
      'Sync 0 apiextensions.k8s.io/CustomResourceDefinition dest/e v1',
      'Sync 0 /Service dest/d v1',
      'Sync 0 apps/Deployment dest/c v1',
      'Sync 0 apiregistration.k8s.io/APIService dest/b v1',
      'Sync 0 example.com/Widget dest/a v1'
    ]
  ],
  // Tie-breakers (both kinds unlisted, so rank ties): name first…
  [
    'name before namespace',
    [task({ kind: 'Alpha', name: 'b', namespace: 'a' }), task({ kind: 'Beta', name: 'a', namespace: 'b' })],
    ['Sync 0 /Beta b/a v1', 'Sync 0 /Alpha a/b v1']
  ],
  // …then namespace…
  [
    'namespace before group',
    [
      task({ kind: 'Alpha', name: 'n', namespace: 'b', group: 'a.io' }),
      task({ kind: 'Beta', name: 'n', namespace: 'a', group: 'b.io' })
    ],
    ['Sync 0 b.io/Beta a/n v1', 'Sync 0 a.io/Alpha b/n v1']
  ],
  // …then group…
  [
    'group before version',
    [
      task({ kind: 'Alpha', name: 'n', group: 'b.io', version: 'v1' }),
      task({ kind: 'Beta', name: 'n', group: 'a.io', version: 'v2' })
    ],
    ['Sync 0 a.io/Beta dest/n v2', 'Sync 0 b.io/Alpha dest/n v1']
  ],
  // …then version…
  [
    'version before kind string',
    [task({ kind: 'Alpha', name: 'n', version: 'v2' }), task({ kind: 'Beta', name: 'n', version: 'v1' })],
    ['Sync 0 /Beta dest/n v1', 'Sync 0 /Alpha dest/n v2']
  ],
  // …then the kind string.
  [
    'kind string last',
    [task({ kind: 'Beta', name: 'n' }), task({ kind: 'Alpha', name: 'n' })],
    ['Sync 0 /Alpha dest/n v1', 'Sync 0 /Beta dest/n v1']
  ],
  // Strings compare by code unit, not locale: 'Z' (0x5A) < 'a' (0x61), '-' < '0'.
  [
    'ordinal, not locale',
    [task({ name: 'alpha' }), task({ name: 'Zeta' }), task({ name: 'web0' }), task({ name: 'web-1' })],
    [
      'Sync 0 /ConfigMap dest/Zeta v1',
      'Sync 0 /ConfigMap dest/alpha v1',
      'Sync 0 /ConfigMap dest/web-1 v1',
      'Sync 0 /ConfigMap dest/web0 v1'
    ]
  ],
  // An empty namespace (cluster-scoped) sorts first among equal names.
  [
    'cluster-scoped first',
    [task({ kind: 'Alpha', name: 'n', namespace: 'a' }), task({ kind: 'Alpha', name: 'n', namespace: '' })],
    ['Sync 0 /Alpha /n v1', 'Sync 0 /Alpha a/n v1']
  ]
])('compareTasks: %s', (_, tasks, expected) => {
  expect(sorted(tasks)).toEqual(expected)
})

test('the Delete phase is reversed (§3.6): highest wave first, APIService before Namespace, names reversed', () => {
  const tasks = [
    task({ phase: 'Delete', wave: 0, kind: 'Namespace', name: 'ns', namespace: '' }),
    task({
      phase: 'Delete',
      wave: 0,
      kind: 'APIService',
      name: 'api',
      namespace: '',
      group: 'apiregistration.k8s.io'
    }),
    task({ phase: 'Delete', wave: 0, kind: 'ConfigMap', name: 'a' }),
    task({ phase: 'Delete', wave: 0, kind: 'ConfigMap', name: 'b' }),
    task({ phase: 'Delete', wave: 2, kind: 'Secret', name: 's' }),
    task({ phase: 'Delete', wave: -1, kind: 'Deployment', name: 'd', group: 'apps' }),
    task({ phase: 'PreDelete', wave: 5, kind: 'Job', name: 'pre', group: 'batch' }),
    task({ phase: 'PostDelete', wave: -5, kind: 'Job', name: 'post', group: 'batch' }),
    task({ phase: 'PostDelete', wave: 1, kind: 'Job', name: 'post2', group: 'batch' })
  ]
  expect(sorted(tasks)).toEqual([
    'PreDelete 5 batch/Job dest/pre v1',
    'Delete 2 /Secret dest/s v1',
    'Delete 0 apiregistration.k8s.io/APIService /api v1',
    'Delete 0 /ConfigMap dest/b v1',
    'Delete 0 /ConfigMap dest/a v1',
    'Delete 0 /Namespace /ns v1',
    'Delete -1 apps/Deployment dest/d v1',
    // PostDelete is in normal order again.
    'PostDelete -5 batch/Job dest/post v1',
    'PostDelete 1 batch/Job dest/post2 v1'
  ])
})

test('deterministic: any input order gives the same output', () => {
  const tasks = [
    task({ phase: 'PostSync', name: 'p', kind: 'Job', group: 'batch' }),
    task({ phase: 'Sync', wave: 1, name: 'a', kind: 'Service' }),
    task({ phase: 'Sync', wave: 1, name: 'a', kind: 'Deployment', group: 'apps' }),
    task({ phase: 'Sync', name: 'n', kind: 'Alpha', namespace: 'b' }),
    task({ phase: 'Sync', name: 'n', kind: 'Alpha', namespace: 'a' }),
    task({ phase: 'Sync', name: 'n', kind: 'Alpha', namespace: 'a', group: 'x.io' }),
    task({ phase: 'Sync', name: 'n', kind: 'Beta', namespace: 'a', group: 'x.io' }),
    task({ phase: 'PreSync', wave: 3, name: 'h', kind: 'Pod' }),
    task({ phase: 'Sync', name: 'cm', kind: 'ConfigMap' })
  ]
  const expected = taskRows([...tasks].sort(compareTasks))
  expect(expected).toEqual([
    'PreSync 3 resource /Pod dest/h',
    'Sync 0 resource /ConfigMap dest/cm',
    'Sync 0 resource /Alpha a/n',
    'Sync 0 resource x.io/Alpha a/n',
    'Sync 0 resource x.io/Beta a/n',
    'Sync 0 resource /Alpha b/n',
    'Sync 1 resource /Service dest/a',
    'Sync 1 resource apps/Deployment dest/a',
    'PostSync 0 resource batch/Job dest/p'
  ])
  for (const order of permutations(tasks)) expect(taskRows(order.sort(compareTasks))).toEqual(expected)
})
