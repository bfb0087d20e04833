// Builds JSON values that satisfy a schema of GitHub's description: `sample` makes a minimal
// value (required properties only), `conform` completes a partial value a stand-in handler wrote
// (the fields a client reads) with samples for every other required property, so responses pass
// the operation's success schema without hand-writing GitHub's 30-field objects.
import { type GitHubApiDescription, type JsonRecord, isRecord } from './openapi.js'

const MAX_DEPTH = 16
const SAMPLE_TIME = '2026-01-01T00:00:00Z'

function types(schema: JsonRecord): string[] {
  const t = schema['type']
  if (typeof t === 'string') return [t]
  if (Array.isArray(t)) return t.filter((x): x is string => typeof x === 'string')
  if (isRecord(schema['properties'])) return ['object']
  if (schema['items'] !== undefined) return ['array']
  return []
}

function branches(schema: JsonRecord, keyword: 'anyOf' | 'oneOf' | 'allOf'): unknown[] {
  const list = schema[keyword]
  return Array.isArray(list) ? list : []
}

function sampleString(schema: JsonRecord): string {
  switch (schema['format']) {
    case 'date-time':
      return SAMPLE_TIME
    case 'date':
      return SAMPLE_TIME.slice(0, 10)
    case 'uri':
    case 'uri-template':
      return 'https://api.github.com/'
    case 'email':
      return 'octocat@example.com'
    default: {
      const min = typeof schema['minLength'] === 'number' ? schema['minLength'] : 0
      return 'x'.repeat(min)
    }
  }
}

function sampleNumber(schema: JsonRecord): number {
  const minimum = typeof schema['minimum'] === 'number' ? schema['minimum'] : undefined
  const maximum = typeof schema['maximum'] === 'number' ? schema['maximum'] : undefined
  if (minimum !== undefined) return minimum
  if (maximum !== undefined && maximum < 1) return maximum
  return 1
}

export function sample(api: GitHubApiDescription, raw: unknown, depth = 0): unknown {
  const schema = api.schema(raw)
  if (depth > MAX_DEPTH) return null
  if (schema['nullable'] === true) return null
  const alternatives = [...branches(schema, 'anyOf'), ...branches(schema, 'oneOf')]
  if (alternatives.length > 0) {
    if (alternatives.some(b => types(api.schema(b)).includes('null'))) return null
    return sample(api, alternatives[0], depth + 1)
  }
  const all = branches(schema, 'allOf')
  if (all.length > 0) {
    return all.reduce<unknown>((acc, part) => {
      const next = sample(api, part, depth + 1)
      return isRecord(acc) && isRecord(next) ? { ...acc, ...next } : next
    }, {})
  }
  const enumeration = schema['enum']
  if (Array.isArray(enumeration) && enumeration.length > 0) return enumeration[0]
  const kinds = types(schema)
  if (kinds.includes('null')) return null
  switch (kinds[0]) {
    case 'object':
      return conformObject(api, schema, {}, depth)
    case 'array': {
      const min = typeof schema['minItems'] === 'number' ? schema['minItems'] : 0
      return min > 0 ? [sample(api, schema['items'], depth + 1)] : []
    }
    case 'string':
      return sampleString(schema)
    case 'integer':
    case 'number':
      return sampleNumber(schema)
    case 'boolean':
      return false
    default:
      return null
  }
}

function kindOf(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'array'
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number'
  return typeof value
}

function accepts(schemaKinds: readonly string[], value: unknown): boolean {
  const kind = kindOf(value)
  if (schemaKinds.length === 0) return true
  return schemaKinds.includes(kind) || (kind === 'integer' && schemaKinds.includes('number'))
}

function conformObject(
  api: GitHubApiDescription,
  schema: JsonRecord,
  value: JsonRecord,
  depth: number
): JsonRecord {
  const properties = isRecord(schema['properties']) ? schema['properties'] : {}
  const required = Array.isArray(schema['required'])
    ? schema['required'].filter((r): r is string => typeof r === 'string')
    : []
  const out: JsonRecord = { ...value }
  for (const name of required) {
    if (out[name] === undefined) out[name] = sample(api, properties[name], depth + 1)
  }
  for (const [name, v] of Object.entries(out)) {
    if (properties[name] !== undefined && v !== undefined)
      out[name] = conform(api, properties[name], v, depth + 1)
  }
  return out
}

/** Completes `value` so it satisfies `raw` as far as required properties go; `undefined` → a sample. */
export function conform(api: GitHubApiDescription, raw: unknown, value: unknown, depth = 0): unknown {
  const schema = api.schema(raw)
  if (value === undefined) return sample(api, schema, depth)
  if (depth > MAX_DEPTH || value === null) return value
  const alternatives = [...branches(schema, 'anyOf'), ...branches(schema, 'oneOf')]
  if (alternatives.length > 0) {
    const branch = alternatives.find(b => accepts(types(api.schema(b)), value))
    return branch === undefined ? value : conform(api, branch, value, depth + 1)
  }
  let current: unknown = value
  for (const part of branches(schema, 'allOf')) current = conform(api, part, current, depth + 1)
  if (isRecord(current) && (types(schema).includes('object') || isRecord(schema['properties']))) {
    return conformObject(api, schema, current, depth)
  }
  if (Array.isArray(current) && schema['items'] !== undefined) {
    return current.map(item => conform(api, schema['items'], item, depth + 1))
  }
  return current
}
