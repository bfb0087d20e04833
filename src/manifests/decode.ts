import type { Issue } from '../model/issue.js'
import { isRecord } from '../model/json.js'
import type { FieldLines, Manifest } from '../model/manifest.js'
import { pathKey } from '../model/manifest.js'
import { isKubeObject } from '../model/object.js'
import type { SourceRef } from '../model/source.js'
import type { ParsedDocument } from './parse.js'
import { expansionProblem } from './expansion.js'

export interface Decoded {
  manifests: Manifest[]
  issues: Issue[]
}

/**
 * Turns parsed documents into manifests: empty documents are skipped, `List` kinds are flattened
 * (as kubectl does), and every document that is not a Kubernetes object is an error at its line.
 */
export function decodeDocuments(documents: readonly ParsedDocument[], file: string): Decoded {
  const decoded: Decoded = { manifests: [], issues: [] }
  for (const document of documents) {
    if (document.value === null) continue
    const source: SourceRef = { file, docIndex: document.docIndex, line: document.line }
    const tooLarge = expansionProblem(document.value)
    if (tooLarge) {
      decoded.issues.push({
        severity: 'error',
        file,
        line: document.line,
        docIndex: document.docIndex,
        message: tooLarge
      })
      continue
    }
    decodeValue(document.value, source, document.fieldLines, [], decoded)
  }
  return decoded
}

function decodeValue(
  value: unknown,
  source: SourceRef,
  lines: FieldLines,
  prefix: (string | number)[],
  into: Decoded
): void {
  const at = (path: (string | number)[]): number => lines.get(pathKey([...prefix, ...path])) ?? source.line
  const problems = shapeProblems(value)
  if (problems.length > 0) {
    for (const { path, message } of problems) {
      into.issues.push({
        severity: 'error',
        file: source.file,
        line: at(path),
        docIndex: source.docIndex,
        message
      })
    }
    return
  }
  if (isList(value)) {
    value.items.forEach((item, index) => {
      const itemSource = { ...source, line: at(['items', index]) }
      decodeValue(item, itemSource, lines, [...prefix, 'items', index], into)
    })
    return
  }
  if (isKubeObject(value))
    into.manifests.push({ object: value, source, fieldLines: relativeLines(lines, prefix) })
}

/** A `v1/List` or any `*List` kind with an `items` array: kubectl applies its items one by one. */
function isList(value: unknown): value is { items: unknown[] } {
  return (
    isRecord(value) &&
    typeof value['kind'] === 'string' &&
    value['kind'].endsWith('List') &&
    Array.isArray(value['items'])
  )
}

interface Problem {
  path: string[]
  message: string
}

/** What keeps a document from being a Kubernetes object, each with the field to point at. */
export function shapeProblems(value: unknown): Problem[] {
  if (!isRecord(value)) {
    return [
      {
        path: [],
        message: `a manifest must be a mapping with apiVersion, kind and metadata, found ${describe(value)}`
      }
    ]
  }
  if (isList(value)) return []
  const problems: Problem[] = []
  for (const field of ['apiVersion', 'kind'] as const) {
    const found = value[field]
    if (found === undefined) problems.push({ path: [], message: `missing ${field}` })
    else if (typeof found !== 'string' || found.trim() === '')
      problems.push({
        path: [field],
        message: `${field} must be a non-empty string, found ${describe(found)}`
      })
  }
  problems.push(...metadataProblems(value['metadata']))
  return problems
}

function metadataProblems(metadata: unknown): Problem[] {
  if (metadata === undefined)
    return [{ path: [], message: 'missing metadata (metadata.name or metadata.generateName is required)' }]
  if (!isRecord(metadata))
    return [{ path: ['metadata'], message: `metadata must be a mapping, found ${describe(metadata)}` }]
  const problems: Problem[] = []
  const name = metadata['name']
  const generateName = metadata['generateName']
  if (name === undefined && generateName === undefined) {
    problems.push({
      path: ['metadata'],
      message: 'missing metadata.name (or metadata.generateName for a hook)'
    })
  }
  for (const field of ['name', 'generateName', 'namespace'] as const) {
    const found = metadata[field]
    if (found !== undefined && (typeof found !== 'string' || found === '')) {
      problems.push({
        path: ['metadata', field],
        message: `metadata.${field} must be a non-empty string, found ${describe(found)}`
      })
    }
  }
  const labels = metadata['labels']
  if (isRecord(labels)) {
    for (const [key, value] of Object.entries(labels)) {
      if (typeof value !== 'string') {
        problems.push({
          path: ['metadata', 'labels', key],
          message: `label ${key}: value must be a string, found ${describe(value)}; quote it`
        })
      }
    }
  }
  for (const field of ['annotations', 'labels'] as const) {
    const found = metadata[field]
    if (found !== undefined && found !== null && !isRecord(found)) {
      problems.push({
        path: ['metadata', field],
        message: `metadata.${field} must be a mapping, found ${describe(found)}`
      })
    }
  }
  return problems
}

/** A short description of a value's type for messages: `a list`, `the number 5`, `null`. */
export function describe(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'a list'
  if (typeof value === 'object') return 'a mapping'
  if (typeof value === 'string') return `the string ${JSON.stringify(value)}`
  return `the ${typeof value} ${String(value)}`
}

function relativeLines(lines: FieldLines, prefix: readonly (string | number)[]): FieldLines {
  if (prefix.length === 0) return lines
  const head = pathKey(prefix) + '\u0000'
  const result = new Map<string, number>()
  for (const [key, line] of lines) if (key.startsWith(head)) result.set(key.slice(head.length), line)
  return result
}
