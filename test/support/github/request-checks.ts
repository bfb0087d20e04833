// Checks one request against its operation in GitHub's description: path and query parameters
// (coerced from strings the way GitHub reads them), the JSON body (ajv, every error), and, in
// strict mode, fields the description does not know (GitHub ignores them silently, so a typo such
// as `output.anotations` would lose data without an error).
import type { ErrorObject } from 'ajv'
import {
  type GitHubApiDescription,
  type JsonRecord,
  type OpenApiOperation,
  type OpenApiParameter,
  type Violation,
  escapePointerToken,
  isRecord
} from './openapi.js'

function show(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value)
  return text.length > 80 ? text.slice(0, 77) + '...' : text
}

function ajvMessage(error: ErrorObject): { suffix: string; message: string } {
  const params: Record<string, unknown> = error.params
  switch (error.keyword) {
    case 'required':
      return {
        suffix: '/' + escapePointerToken(String(params['missingProperty'])),
        message: 'is required but missing'
      }
    case 'additionalProperties':
      return {
        suffix: '/' + escapePointerToken(String(params['additionalProperty'])),
        message: 'is not allowed by the schema'
      }
    case 'enum': {
      const allowed = Array.isArray(params['allowedValues'])
        ? params['allowedValues'].map(v => String(v)).join(', ')
        : ''
      return { suffix: '', message: `must be one of [${allowed}], got ${show(error.data)}` }
    }
    case 'type':
      return { suffix: '', message: `must be ${String(params['type'])}, got ${show(error.data)}` }
    case 'maxItems':
    case 'minItems':
      return {
        suffix: '',
        message: `${error.message ?? error.keyword}, got ${Array.isArray(error.data) ? error.data.length : show(error.data)}`
      }
    case 'maxLength':
    case 'minLength':
      return {
        suffix: '',
        message: `${error.message ?? error.keyword}, got ${typeof error.data === 'string' ? error.data.length : show(error.data)}`
      }
    default:
      return { suffix: '', message: `${error.message ?? error.keyword}, got ${show(error.data)}` }
  }
}

export function violationsFromAjv(
  operationId: string,
  location: Violation['location'],
  errors: readonly ErrorObject[],
  prefix = ''
): Violation[] {
  const seen = new Set<string>()
  const out: Violation[] = []
  for (const error of errors) {
    const { suffix, message } = ajvMessage(error)
    const v: Violation = { operationId, location, pointer: prefix + error.instancePath + suffix, message }
    const key = `${v.pointer}\u0000${v.message}`
    if (seen.has(key)) continue
    seen.add(key)
    out.push(v)
  }
  return out
}

/** A parameter value as GitHub reads it: strings from the URL, typed by the parameter's schema. */
export function coerceParameter(schema: JsonRecord, raw: string): unknown {
  const type = schema['type']
  if (type === 'integer') return /^-?\d+$/.test(raw) ? Number(raw) : raw
  if (type === 'number') return /^-?\d+(\.\d+)?$/.test(raw) ? Number(raw) : raw
  if (type === 'boolean') return raw === 'true' ? true : raw === 'false' ? false : raw
  if (type === 'array') {
    const items = isRecord(schema['items']) ? schema['items'] : {}
    return raw === '' ? [] : raw.split(',').map(part => coerceParameter(items, part))
  }
  return raw
}

function checkParameter(
  api: GitHubApiDescription,
  op: OpenApiOperation,
  p: OpenApiParameter,
  raw: string | undefined
): Violation[] {
  if (raw === undefined) {
    return p.required
      ? [
          {
            operationId: op.operationId,
            location: p.in === 'path' ? 'path' : 'query',
            pointer: '/' + p.name,
            message: 'is required but missing'
          }
        ]
      : []
  }
  const value = coerceParameter(p.schema, raw)
  const location = p.in === 'path' ? 'path' : 'query'
  return violationsFromAjv(
    op.operationId,
    location,
    api.validate(p.schemaPointer, value),
    '/' + escapePointerToken(p.name)
  )
}

/**
 * Properties of `value` that the schema does not declare, at every level where the schema lists
 * its properties and says nothing about others. `allOf` levels are left alone (each part sees only
 * its own properties), `anyOf`/`oneOf` count a property known to any branch.
 */
export function unknownProperties(
  api: GitHubApiDescription,
  raw: unknown,
  value: unknown,
  pointer = ''
): string[] {
  const schema = api.schema(raw)
  if (Array.isArray(value)) {
    return schema['items'] === undefined
      ? []
      : value.flatMap((item, i) => unknownProperties(api, schema['items'], item, `${pointer}/${i}`))
  }
  if (!isRecord(value) || schema['allOf'] !== undefined) return []
  const own = isRecord(schema['properties']) ? schema['properties'] : undefined
  const branches = [schema['anyOf'], schema['oneOf']]
    .flatMap(list => (Array.isArray(list) ? list : []))
    .map(b => api.schema(b))
    .filter(b => isRecord(b['properties']))
  if (own === undefined && branches.length === 0) return []
  const properties: JsonRecord = {}
  for (const b of branches) if (isRecord(b['properties'])) Object.assign(properties, b['properties'])
  Object.assign(properties, own ?? {})
  // Without own properties, an open branch makes the whole object open.
  const isOpen = (s: JsonRecord): boolean =>
    s['additionalProperties'] !== undefined && s['additionalProperties'] !== false
  const open =
    isOpen(schema) || (own === undefined && branches.some(isOpen)) || schema['additionalProperties'] === false
  return Object.keys(value).flatMap(key => {
    const at = `${pointer}/${escapePointerToken(key)}`
    if (properties[key] !== undefined) return unknownProperties(api, properties[key], value[key], at)
    // `additionalProperties: false` is reported by ajv itself; don't report it twice.
    return open ? [] : [at]
  })
}

export interface RequestParts {
  pathParams: Record<string, string>
  query: URLSearchParams
  /** The parsed JSON body; undefined when there was none. */
  body: unknown
  strict: boolean
}

export function checkRequest(
  api: GitHubApiDescription,
  op: OpenApiOperation,
  parts: RequestParts
): Violation[] {
  const violations: Violation[] = []
  for (const p of op.parameters) {
    if (p.in === 'path') violations.push(...checkParameter(api, op, p, parts.pathParams[p.name]))
    if (p.in === 'query') violations.push(...checkParameter(api, op, p, parts.query.get(p.name) ?? undefined))
  }
  if (parts.strict) {
    const declared = new Set(op.parameters.filter(p => p.in === 'query').map(p => p.name))
    for (const name of new Set(parts.query.keys())) {
      if (!declared.has(name))
        violations.push({
          operationId: op.operationId,
          location: 'query',
          pointer: '/' + name,
          message: 'is not a parameter of this operation'
        })
    }
  }
  const body = op.requestBody
  if (body === undefined) {
    if (parts.body !== undefined && parts.strict) {
      violations.push({
        operationId: op.operationId,
        location: 'body',
        pointer: '',
        message: 'this operation takes no request body'
      })
    }
    return violations
  }
  if (parts.body === undefined) {
    if (body.required)
      violations.push({
        operationId: op.operationId,
        location: 'body',
        pointer: '',
        message: 'a JSON request body is required'
      })
    return violations
  }
  violations.push(...violationsFromAjv(op.operationId, 'body', api.validate(body.schemaPointer, parts.body)))
  if (parts.strict) {
    for (const at of unknownProperties(api, body.schema, parts.body)) {
      violations.push({
        operationId: op.operationId,
        location: 'body',
        pointer: at,
        message: 'is not in the operation schema (GitHub would silently ignore it)'
      })
    }
  }
  return violations
}
