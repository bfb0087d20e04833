import { describe, expect, test } from '@jest/globals'
import { parseYamlFile } from '../../../src/manifests/parse.js'
import { pathKey } from '../../../src/model/manifest.js'
import { repoText } from '../../support/fixtures.js'

const FIXTURES = 'test/fixtures/manifests'

function parseFixture(name: string) {
  const file = `${FIXTURES}/${name}`
  return parseYamlFile(repoText(file), file)
}

describe('parseYamlFile: documents and positions', () => {
  test('multi-document file: every document, empty ones included, with its index and start line', () => {
    const parsed = parseFixture('multi-doc.yaml')
    expect(parsed.issues).toEqual([])
    // Empty documents are kept here (value null) so indexes match the file; decode skips them.
    expect(parsed.documents.map(doc => [doc.docIndex, doc.line, doc.value === null])).toEqual([
      [0, 4, false], // after the leading comment, blank line and ---
      [1, 1, true], // `---` directly followed by `---`
      [2, 1, true], // comment only
      [3, 14, false],
      [4, 20, false] // after the `...` end marker and ---
    ])
  })

  test('a JSON file is one document starting at its opening brace', () => {
    const parsed = parseFixture('object.json')
    expect(parsed.issues).toEqual([])
    expect(parsed.documents).toHaveLength(1)
    expect(parsed.documents[0]?.line).toBe(1)
    expect(parsed.documents[0]?.value).toEqual({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'from-json', annotations: { 'argocd.argoproj.io/sync-wave': '-1' } }
    })
  })

  test.each([
    // The line of an annotation key, nested three mappings deep.
    ['multi-doc.yaml', 0, ['metadata', 'annotations', 'argocd.argoproj.io/sync-wave'], 9],
    // A top-level key of a later document counts lines from the file start.
    ['multi-doc.yaml', 4, ['metadata', 'name'], 23],
    // A sequence item's line is where its node starts.
    ['list.yaml', 0, ['items', 1], 10],
    // A key inside a sequence item.
    ['list.yaml', 0, ['items', 0, 'metadata', 'annotations', 'argocd.argoproj.io/sync-wave'], 9],
    // JSON keys have lines too.
    ['object.json', 0, ['metadata', 'annotations', 'argocd.argoproj.io/sync-wave'], 7]
  ] as const)('%s doc %d: field %j is at line %d', (name, docIndex, path, line) => {
    const document = parseFixture(name).documents.find(doc => doc.docIndex === docIndex)
    expect(document?.fieldLines.get(pathKey(path))).toBe(line)
  })
})

describe('parseYamlFile: errors', () => {
  test.each([
    // Bad indentation in the second document: one error at its line, and no document at all,
    // so nothing of a broken file is half-used.
    ['syntax-error.yaml', 10, 'invalid YAML: bad indentation of a mapping entry'],
    // Duplicate keys are errors (YAML forbids them; kubectl keeps the last silently).
    ['duplicate-keys.yaml', 7, 'invalid YAML: duplicated mapping key']
  ])('%s → error at line %d', (name, line, message) => {
    const parsed = parseFixture(name)
    expect(parsed.documents).toEqual([])
    expect(parsed.issues).toEqual([{ severity: 'error', file: `${FIXTURES}/${name}`, line, message }])
  })

  test('an alias bomb beyond 1000 aliases is an error, not a hang', () => {
    const aliases = Array.from({ length: 1001 }, (_, i) => `  k${i}: *a`).join('\n')
    const parsed = parseYamlFile(`base: &a x\nrefs:\n${aliases}\n`, 'bomb.yaml')
    expect(parsed.documents).toEqual([])
    expect(parsed.issues.map(issue => [issue.severity, issue.file])).toEqual([['error', 'bomb.yaml']])
  })

  test('nesting deeper than 64 levels is an error', () => {
    const deep = '['.repeat(70) + ']'.repeat(70)
    const parsed = parseYamlFile(deep, 'deep.yaml')
    expect(parsed.documents).toEqual([])
    expect(parsed.issues.map(issue => issue.severity)).toEqual(['error'])
  })
})

// parseYamlFile: the manifest schema (docs/manifests.md)

test('merge keys are merged, local keys win, a list of maps merges in order', () => {
  const [document] = parseFixture('merge-keys.yaml').documents
  expect(document?.value).toEqual({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: {
      name: 'merged',
      labels: { app: 'web', tier: 'front' },
      annotations: { app: 'web', tier: 'back' }
    },
    data: { x: '1', y: '2' }
  })
})

const YAML11 = `${FIXTURES}/yaml11.yaml`

/** The warnings yaml11.yaml must give: each at the line of its value. */
const YAML11_WARNINGS = [
  {
    severity: 'warning',
    file: YAML11,
    line: 6,
    docIndex: 0,
    message:
      'spec.enableServiceLinks: plain \'yes\' is the string "yes" here (YAML 1.2) but a boolean for kubectl (YAML 1.1); quote it or write true/false'
  },
  {
    severity: 'warning',
    file: YAML11,
    line: 7,
    docIndex: 0,
    message:
      'spec.hostNetwork: plain \'on\' is the string "on" here (YAML 1.2) but a boolean for kubectl (YAML 1.1); quote it or write true/false'
  },
  {
    severity: 'warning',
    file: YAML11,
    line: 13,
    docIndex: 0,
    message:
      "spec.volumes.0.configMap.defaultMode: '0644' is read as octal (420), as kubectl does; write 0o644 to say so explicitly"
  },
  {
    severity: 'warning',
    file: YAML11,
    line: 22,
    docIndex: 0,
    message: "spec.duration: plain '1:30' is a string here but a base-60 number for YAML 1.1; quote it"
  }
]

test('YAML 1.1 ambiguities: values as YAML 1.2 reads them (octal as kubectl), warnings at their lines', () => {
  const parsed = parseFixture('yaml11.yaml')
  expect(parsed.documents[0]?.value).toEqual({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'yaml11' },
    spec: {
      enableServiceLinks: 'yes', // plain yes stays a string
      hostNetwork: 'on', // plain on stays a string
      quoted: 'on', // quoted: a string, no warning
      volumes: [
        { name: 'config', configMap: { name: 'config', defaultMode: 420 } }, // 0644 → octal
        { name: 'quoted', configMap: { name: 'config', defaultMode: '0644' } }, // quoted: string
        { name: 'explicit', configMap: { name: 'config', defaultMode: 420 } } // 0o644: no warning
      ],
      duration: '1:30'
    }
  })
  expect(parsed.issues).toEqual(YAML11_WARNINGS)
})

test.each([
  // Every YAML 1.1 boolean spelling warns; YAML 1.2 booleans do not.
  ['y', 'y', true],
  ['No', 'No', true],
  ['OFF', 'OFF', true],
  ['true', true, false],
  ['False', false, false],
  // Timestamps stay strings: the API expects strings.
  ['2024-01-01T00:00:00Z', '2024-01-01T00:00:00Z', false],
  // `0` alone is zero in both YAML versions; `09` is not octal.
  ['0', 0, false],
  ['09', 9, false],
  // Negative legacy octal is read as octal too.
  ['-012', -10, true]
] as const)('plain %s → %j (warning: %s)', (raw, value, warns) => {
  const parsed = parseYamlFile(`field: ${raw}\n`, 'v.yaml')
  expect(parsed.documents[0]?.value).toEqual({ field: value })
  expect(parsed.issues.map(issue => [issue.severity, issue.line])).toEqual(warns ? [['warning', 1]] : [])
})

test('the octal hint for a negative value keeps the sign (0o12 would be +10)', () => {
  const [issue] = parseYamlFile('field: -012\n', 'v.yaml').issues
  expect(issue?.message).toMatch(/^field: '-012' is read as octal \(-10\)/)
  expect(issue?.message).not.toContain('write 0o12 ')
})
