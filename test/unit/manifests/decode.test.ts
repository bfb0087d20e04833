import { expect, test } from '@jest/globals'
import { decodeDocuments, describe as describeValue } from '../../../src/manifests/decode.js'
import { parseYamlFile } from '../../../src/manifests/parse.js'
import { annotationLine } from '../../../src/model/manifest.js'
import { repoText } from '../../support/fixtures.js'

const FIXTURES = 'test/fixtures/manifests'

function decodeFixture(name: string) {
  const file = `${FIXTURES}/${name}`
  return decodeDocuments(parseYamlFile(repoText(file), file).documents, file)
}

// decodeDocuments

test('multi-document file: empty documents skipped, each object keeps file, document index and start line', () => {
  const decoded = decodeFixture('multi-doc.yaml')
  expect(decoded.issues).toEqual([])
  expect(decoded.manifests.map(m => [m.object.kind, m.object.metadata.name, m.source])).toEqual([
    ['ConfigMap', 'first', { file: `${FIXTURES}/multi-doc.yaml`, docIndex: 0, line: 4 }],
    ['Secret', 'second', { file: `${FIXTURES}/multi-doc.yaml`, docIndex: 3, line: 14 }],
    ['Deployment', 'third', { file: `${FIXTURES}/multi-doc.yaml`, docIndex: 4, line: 20 }]
  ])
})

test('List kinds are flattened; each item keeps its own line and its own field lines', () => {
  const decoded = decodeFixture('list.yaml')
  expect(decoded.issues).toEqual([])
  expect(
    decoded.manifests.map(m => [m.object.kind, m.object.metadata.name, m.source.docIndex, m.source.line])
  ).toEqual([
    ['ConfigMap', 'item-a', 0, 4], // `kind: List`
    ['Service', 'item-b', 0, 10],
    ['ConfigMap', 'item-c', 1, 18] // any `*List` kind with items
  ])
  // Field lines are relative to the item: the annotation of item-a is found by its own path.
  const [itemA] = decoded.manifests
  expect(itemA && annotationLine(itemA, 'argocd.argoproj.io/sync-wave')).toBe(9)
})

test('a JSON file decodes like YAML', () => {
  const decoded = decodeFixture('object.json')
  expect(decoded.issues).toEqual([])
  expect(decoded.manifests.map(m => [m.object.metadata.name, m.source.line])).toEqual([['from-json', 1]])
})

test('missing or malformed apiVersion, kind, metadata and name: one error each, at the field or document', () => {
  const decoded = decodeFixture('missing-fields.yaml')
  expect(decoded.manifests).toEqual([])
  expect(decoded.issues.map(issue => [issue.line, issue.docIndex, issue.severity, issue.message])).toEqual([
    [1, 0, 'error', 'missing apiVersion'],
    [5, 1, 'error', 'missing kind'],
    [9, 2, 'error', 'missing metadata (metadata.name or metadata.generateName is required)'],
    [14, 3, 'error', 'missing metadata.name (or metadata.generateName for a hook)'],
    [20, 4, 'error', 'metadata.name must be a non-empty string, found the string ""'],
    [22, 5, 'error', 'apiVersion must be a non-empty string, found the string ""'],
    [23, 5, 'error', 'kind must be a non-empty string, found the number 5'],
    [24, 5, 'error', 'metadata must be a mapping, found a list']
  ])
  expect(new Set(decoded.issues.map(issue => issue.file))).toEqual(
    new Set([`${FIXTURES}/missing-fields.yaml`])
  )
})

test('a document that is not a mapping is an error at its start line', () => {
  const decoded = decodeFixture('non-mapping.yaml')
  expect(decoded.manifests).toEqual([])
  expect(decoded.issues.map(issue => [issue.line, issue.message])).toEqual([
    [1, 'a manifest must be a mapping with apiVersion, kind and metadata, found a list'],
    [4, 'a manifest must be a mapping with apiVersion, kind and metadata, found the string "just a string"'],
    [6, 'a manifest must be a mapping with apiVersion, kind and metadata, found the number 42']
  ])
})

test.each([
  // generateName alone is a valid object (a hook); the planner decides whether it may be.
  ['generateName only', 'metadata:\n  generateName: job-\n', []],
  // labels/annotations must be mappings; null is tolerated (an empty `annotations:` key).
  ['annotations null', 'metadata:\n  name: a\n  annotations:\n', []],
  [
    'annotations a list',
    'metadata:\n  name: a\n  annotations: [x]\n',
    ['5: metadata.annotations must be a mapping, found a list']
  ],
  [
    'labels a string',
    'metadata:\n  name: a\n  labels: x\n',
    ['5: metadata.labels must be a mapping, found the string "x"']
  ],
  [
    'namespace a number',
    'metadata:\n  name: a\n  namespace: 7\n',
    ['5: metadata.namespace must be a non-empty string, found the number 7']
  ],
  ['metadata null', 'metadata:\n', ['3: metadata must be a mapping, found null']]
])('metadata shape: %s', (_, metadata, errors) => {
  const text = `apiVersion: v1\nkind: ConfigMap\n${metadata}`
  const decoded = decodeDocuments(parseYamlFile(text, 'm.yaml').documents, 'm.yaml')
  expect(decoded.issues.map(issue => `${issue.line}: ${issue.message}`)).toEqual(errors)
  expect(decoded.manifests).toHaveLength(errors.length === 0 ? 1 : 0)
})

test('a broken List item is reported at the item line and the good items are kept', () => {
  const text = [
    'apiVersion: v1',
    'kind: List',
    'items:',
    '  - apiVersion: v1',
    '    kind: ConfigMap',
    '    metadata: {name: good}',
    '  - apiVersion: v1',
    '    metadata: {name: bad}'
  ].join('\n')
  const decoded = decodeDocuments(parseYamlFile(text, 'l.yaml').documents, 'l.yaml')
  expect(decoded.manifests.map(m => m.object.metadata.name)).toEqual(['good'])
  expect(decoded.issues.map(issue => `${issue.line}: ${issue.message}`)).toEqual(['7: missing kind'])
})

test.each([
  [null, 'null'],
  [[1], 'a list'],
  [{ a: 1 }, 'a mapping'],
  ['x', 'the string "x"'],
  [5, 'the number 5'],
  [true, 'the boolean true']
])('describe(%j) = %s', (value, text) => {
  expect(describeValue(value)).toBe(text)
})
