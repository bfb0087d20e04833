import { expect, test } from '@jest/globals'
import { guardrailInputs } from '../../../src/action/inputs.js'
import type { Guardrails } from '../../../src/plan/guardrails.js'
import { guardrailIssues } from '../../../src/plan/guardrails.js'
import type { Task } from '../../../src/model/task.js'
import { newTask } from '../../../src/model/task.js'

function task(group: string, kind: string, namespace: string, name: string): Task {
  return newTask({
    type: 'resource',
    phase: 'Sync',
    wave: 0,
    key: { group, kind, namespace, name },
    version: 'v1',
    source: { file: 'k8s/app.yaml', docIndex: 0, line: 7 }
  })
}

const PREVIEW: Guardrails = { namespaces: ['pr-*'], clusterKinds: ['/Namespace'] }

test.each([
  // A preview may write into its own namespace, and create that namespace.
  [task('', 'ConfigMap', 'pr-7', 'cfg'), PREVIEW, []],
  [task('', 'Namespace', '', 'pr-7'), PREVIEW, []],
  // …but not a ClusterRoleBinding (issue 8), nor anything in another namespace.
  [
    task('rbac.authorization.k8s.io', 'ClusterRoleBinding', '', 'pwn'),
    PREVIEW,
    [
      'cluster-scoped kind rbac.authorization.k8s.io/ClusterRoleBinding is not allowed (allowed-cluster-kinds: /Namespace)'
    ]
  ],
  [
    task('', 'Secret', 'kube-system', 'token'),
    PREVIEW,
    ['namespace kube-system is not allowed (allowed-namespaces: pr-*)']
  ],
  [
    task('', 'Namespace', '', 'default'),
    PREVIEW,
    ['namespace default is not allowed (allowed-namespaces: pr-*)']
  ],
  // `none`: no cluster-scoped kind at all; a group wildcard allows a whole group.
  [
    task('', 'Namespace', '', 'x'),
    { namespaces: undefined, clusterKinds: [] },
    ['cluster-scoped kind /Namespace is not allowed (allowed-cluster-kinds: none)']
  ],
  [
    task('rbac.authorization.k8s.io', 'ClusterRole', '', 'reader'),
    { namespaces: undefined, clusterKinds: ['rbac.authorization.k8s.io/*'] },
    []
  ],
  // No guardrails: no limit.
  [
    task('rbac.authorization.k8s.io', 'ClusterRoleBinding', '', 'any'),
    { namespaces: undefined, clusterKinds: undefined },
    []
  ]
])('%#: %j', (t, guardrails, expected) => {
  const issues = guardrailIssues([t], guardrails)
  expect(issues.map(i => i.message)).toEqual(expected)
  expect(issues.every(i => i.severity === 'error' && i.file === 'k8s/app.yaml' && i.line === 7)).toBe(true)
})

test.each([
  // The inputs: unset is no limit; `none` is none; a preview defaults to its own Namespace only.
  [{}, false, { namespaces: undefined, clusterKinds: undefined }],
  [{ 'allowed-cluster-kinds': 'none' }, false, { namespaces: undefined, clusterKinds: [] }],
  [{}, true, { namespaces: undefined, clusterKinds: ['/Namespace'] }],
  [
    {
      'allowed-namespaces': 'pr-*, staging',
      'allowed-cluster-kinds': '/Namespace\napiextensions.k8s.io/CustomResourceDefinition'
    },
    false,
    {
      namespaces: ['pr-*', 'staging'],
      clusterKinds: ['/Namespace', 'apiextensions.k8s.io/CustomResourceDefinition']
    }
  ]
])('inputs %j (preview %s)', (inputs: Record<string, string>, preview, expected) => {
  expect(guardrailInputs(name => inputs[name] ?? '', preview)).toEqual(expected)
})
