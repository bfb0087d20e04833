// GitHub's published REST description (the @octokit/openapi package ships the generated
// api.github.com.json, OpenAPI 3.0.3) seen through a small typed view: find the operation a
// request hits, validate parameters and bodies with ajv, and build responses that satisfy the
// operation's success schema. The document enters as unknown and is narrowed here.
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv'
import addFormatsModule from 'ajv-formats'

export type JsonRecord = Record<string, unknown>

export function isRecord(value: unknown): value is JsonRecord {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

export const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const
export type HttpMethod = (typeof HTTP_METHODS)[number]

export function isHttpMethod(value: string): value is HttpMethod {
  return (HTTP_METHODS as readonly string[]).includes(value)
}

export interface OpenApiParameter {
  name: string
  in: 'path' | 'query' | 'header' | 'cookie'
  required: boolean
  schema: JsonRecord
  /** JSON pointer (into the document) of the parameter's schema. */
  schemaPointer: string
  /** GitHub's `x-multi-segment`: the value may contain slashes (branch names, refs). */
  multiSegment: boolean
}

export interface OpenApiOperation {
  operationId: string
  method: HttpMethod
  pathTemplate: string
  parameters: OpenApiParameter[]
  requestBody: { required: boolean; schema: JsonRecord; schemaPointer: string } | undefined
  /** The lowest documented 2xx status and its JSON schema (none for 204-style answers). */
  success: { status: number; schema: JsonRecord | undefined; schemaPointer: string | undefined }
  documentationUrl: string | undefined
}

export interface Violation {
  operationId: string
  location: 'path' | 'query' | 'body' | 'header' | 'response'
  /** JSON pointer inside the location (`/output/annotations/0/annotation_level`); '' = the whole value. */
  pointer: string
  message: string
}

export function formatViolation(v: Violation): string {
  return `${v.operationId}: ${v.location} ${v.pointer === '' ? '(root)' : v.pointer}: ${v.message}`
}

export type OperationMatch =
  | { kind: 'found'; operation: OpenApiOperation; pathParams: Record<string, string> }
  | { kind: 'no-path' }
  | { kind: 'no-method'; pathTemplate: string; allowed: HttpMethod[] }

interface PathEntry {
  template: string
  regex: RegExp
  paramNames: string[]
  /** 1 for a literal segment, 0 for a parameter: compared left to right, literals win. */
  rank: number[]
  item: JsonRecord
}

const DOCUMENT_ID = 'https://api.github.com/openapi.json'

/** Escapes one JSON-pointer token (RFC 6901). */
export function escapePointerToken(token: string): string {
  return token.replace(/~/g, '~0').replace(/\//g, '~1')
}

export function jsonPointer(tokens: readonly string[]): string {
  return tokens.map(t => '/' + escapePointerToken(t)).join('')
}

function pointerTokens(pointer: string): string[] {
  if (pointer === '') return []
  return pointer
    .slice(1)
    .split('/')
    .map(t => t.replace(/~1/g, '/').replace(/~0/g, '~'))
}

/**
 * OpenAPI 3.0's `nullable: true` in the JSON Schema ajv understands: without `type` it becomes
 * `anyOf: [{type: null}, …]` (ajv refuses nullable without type); with an `enum` that lacks null,
 * null joins the enum (GitHub marks `conclusion: null` that way; ajv would reject it otherwise).
 */
function normalizeNullable(node: unknown): void {
  if (Array.isArray(node)) {
    for (const item of node) normalizeNullable(item)
    return
  }
  if (!isRecord(node)) return
  for (const [key, value] of Object.entries(node)) {
    if (isRecord(value) && value['nullable'] === true) {
      const enumeration = value['enum']
      if (Array.isArray(enumeration) && !enumeration.includes(null)) value['enum'] = [...enumeration, null]
      if (value['type'] === undefined) {
        const rest: JsonRecord = { ...value }
        delete rest['nullable']
        node[key] = { anyOf: [{ type: 'null' }, rest] }
      }
    }
    normalizeNullable(node[key])
  }
}

function templateEntry(template: string, item: JsonRecord, multiSegment: ReadonlySet<string>): PathEntry {
  const paramNames: string[] = []
  const rank: number[] = []
  const parts = template
    .split('/')
    .slice(1)
    .map(segment => {
      const param = /^\{([^}]+)\}$/.exec(segment)
      if (param?.[1] !== undefined) {
        paramNames.push(param[1])
        rank.push(0)
        return multiSegment.has(param[1]) ? '(.+)' : '([^/]+)'
      }
      rank.push(1)
      // A segment may mix literals and parameters (`{owner}.github.io`): escape the literal parts.
      return segment
        .split(/(\{[^}]+\})/)
        .map(piece => {
          const inner = /^\{([^}]+)\}$/.exec(piece)
          if (inner?.[1] !== undefined) {
            paramNames.push(inner[1])
            return '([^/]+)'
          }
          return piece.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
        })
        .join('')
    })
  return { template, item, paramNames, rank, regex: new RegExp('^/' + parts.join('/') + '$') }
}

function compareRank(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const diff = (b[i] ?? 0) - (a[i] ?? 0)
    if (diff !== 0) return diff
  }
  // Same prefix: the template with more literal segments is the more specific one (a multi-segment
  // parameter must not swallow `/check-runs` when `/commits/{ref}/check-runs` exists).
  const literals = (rank: readonly number[]): number => rank.reduce((sum, r) => sum + r, 0)
  return literals(b) - literals(a)
}

export class GitHubApiDescription {
  readonly document: JsonRecord
  private readonly ajv: Ajv
  private readonly paths: PathEntry[]
  private readonly validators = new Map<string, ValidateFunction>()
  private readonly operations = new Map<string, OpenApiOperation>()

  constructor(document: JsonRecord) {
    normalizeNullable(document)
    this.document = document
    this.ajv = new Ajv({
      strict: false,
      allErrors: true,
      verbose: true,
      logger: false,
      validateSchema: false
    })
    addFormatsModule.default(this.ajv)
    this.ajv.addSchema(document, DOCUMENT_ID)
    const paths = isRecord(document['paths']) ? document['paths'] : {}
    const multiSegment = this.multiSegmentParameters()
    this.paths = Object.entries(paths)
      .filter((entry): entry is [string, JsonRecord] => isRecord(entry[1]))
      .map(([template, item]) => templateEntry(template, item, multiSegment))
  }

  /** Follows `$ref`s (local ones, `#/...`) and returns the target with its pointer. */
  resolve(value: unknown, pointer: string): { value: unknown; pointer: string } {
    let current = value
    let at = pointer
    for (let hops = 0; hops < 20 && isRecord(current) && typeof current['$ref'] === 'string'; hops++) {
      const ref = current['$ref']
      if (!ref.startsWith('#')) throw new Error(`non-local $ref ${ref}`)
      at = ref.slice(1)
      current = this.at(at)
    }
    return { value: current, pointer: at }
  }

  /** The value at a JSON pointer of the document. */
  at(pointer: string): unknown {
    let node: unknown = this.document
    for (const token of pointerTokens(pointer)) {
      if (Array.isArray(node)) node = node[Number(token)]
      else if (isRecord(node)) node = node[token]
      else return undefined
    }
    return node
  }

  /** Dereferences a schema (one level of `$ref` chains). */
  schema(value: unknown): JsonRecord {
    const resolved = this.resolve(value, '').value
    return isRecord(resolved) ? resolved : {}
  }

  match(method: string, pathname: string): OperationMatch {
    const lower = method.toLowerCase()
    const hits = this.paths
      .map(entry => ({ entry, found: entry.regex.exec(pathname) }))
      .filter((hit): hit is { entry: PathEntry; found: RegExpExecArray } => hit.found !== null)
      .sort((a, b) => compareRank(a.entry.rank, b.entry.rank))
    if (hits.length === 0) return { kind: 'no-path' }
    for (const { entry, found } of hits) {
      if (!isHttpMethod(lower) || !isRecord(entry.item[lower])) continue
      const operation = this.operation(entry, lower)
      const pathParams: Record<string, string> = {}
      entry.paramNames.forEach((name, i) => {
        pathParams[name] = safeDecode(found[i + 1] ?? '')
      })
      return { kind: 'found', operation, pathParams }
    }
    const first = hits[0]
    const template = first === undefined ? '' : first.entry.template
    const item = first === undefined ? {} : first.entry.item
    return { kind: 'no-method', pathTemplate: template, allowed: HTTP_METHODS.filter(m => isRecord(item[m])) }
  }

  operationById(operationId: string): OpenApiOperation | undefined {
    for (const entry of this.paths) {
      for (const method of HTTP_METHODS) {
        const op = entry.item[method]
        if (isRecord(op) && op['operationId'] === operationId) return this.operation(entry, method)
      }
    }
    return undefined
  }

  /** Validates a value against the schema at a document pointer; [] when it conforms. */
  validate(schemaPointer: string, value: unknown): ErrorObject[] {
    let validator = this.validators.get(schemaPointer)
    if (validator === undefined) {
      const ref =
        DOCUMENT_ID +
        '#' +
        pointerTokens(schemaPointer)
          .map(t => '/' + encodeURIComponent(escapePointerToken(t)))
          .join('')
      validator = this.ajv.compile({ $ref: ref })
      this.validators.set(schemaPointer, validator)
    }
    return validator(value) ? [] : [...(validator.errors ?? [])]
  }

  private operation(entry: PathEntry, method: HttpMethod): OpenApiOperation {
    const key = `${method} ${entry.template}`
    const cached = this.operations.get(key)
    if (cached !== undefined) return cached
    const base = ['paths', entry.template, method]
    const raw = entry.item[method]
    const op = isRecord(raw) ? raw : {}
    const operation: OpenApiOperation = {
      operationId: typeof op['operationId'] === 'string' ? op['operationId'] : key,
      method,
      pathTemplate: entry.template,
      parameters: [
        ...this.parameters(entry.item['parameters'], ['paths', entry.template, 'parameters']),
        ...this.parameters(op['parameters'], [...base, 'parameters'])
      ],
      requestBody: this.requestBody(op['requestBody'], [...base, 'requestBody']),
      success: this.success(op['responses'], [...base, 'responses']),
      documentationUrl:
        isRecord(op['externalDocs']) && typeof op['externalDocs']['url'] === 'string'
          ? op['externalDocs']['url']
          : undefined
    }
    this.operations.set(key, operation)
    return operation
  }

  private parameters(list: unknown, at: string[]): OpenApiParameter[] {
    if (!Array.isArray(list)) return []
    return list.flatMap((raw, i): OpenApiParameter[] => {
      const { value, pointer } = this.resolve(raw, jsonPointer([...at, String(i)]))
      if (!isRecord(value) || typeof value['name'] !== 'string') return []
      const where = value['in']
      if (where !== 'path' && where !== 'query' && where !== 'header' && where !== 'cookie') return []
      return [
        {
          name: value['name'],
          in: where,
          required: value['required'] === true,
          schema: this.schema(value['schema']),
          schemaPointer: pointer + '/schema',
          multiSegment: value['x-multi-segment'] === true
        }
      ]
    })
  }

  private requestBody(raw: unknown, at: string[]): OpenApiOperation['requestBody'] {
    const { value, pointer } = this.resolve(raw, jsonPointer(at))
    if (!isRecord(value) || !isRecord(value['content'])) return undefined
    const json = value['content']['application/json']
    if (!isRecord(json) || json['schema'] === undefined) return undefined
    return {
      required: value['required'] === true,
      schema: this.schema(json['schema']),
      schemaPointer: pointer + jsonPointer(['content', 'application/json', 'schema'])
    }
  }

  private success(raw: unknown, at: string[]): OpenApiOperation['success'] {
    const responses = isRecord(raw) ? raw : {}
    const codes = Object.keys(responses)
      .filter(code => /^2\d\d$/.test(code))
      .sort()
    const code = codes[0]
    if (code === undefined) return { status: 200, schema: undefined, schemaPointer: undefined }
    const { value, pointer } = this.resolve(responses[code], jsonPointer([...at, code]))
    const content = isRecord(value) && isRecord(value['content']) ? value['content'] : {}
    const json = content['application/json']
    if (!isRecord(json) || json['schema'] === undefined)
      return { status: Number(code), schema: undefined, schemaPointer: undefined }
    return {
      status: Number(code),
      schema: this.schema(json['schema']),
      schemaPointer: pointer + jsonPointer(['content', 'application/json', 'schema'])
    }
  }

  private multiSegmentParameters(): Set<string> {
    const names = new Set<string>(['path'])
    const components = this.document['components']
    const parameters =
      isRecord(components) && isRecord(components['parameters']) ? components['parameters'] : {}
    for (const p of Object.values(parameters)) {
      if (isRecord(p) && p['x-multi-segment'] === true && p['in'] === 'path' && typeof p['name'] === 'string')
        names.add(p['name'])
    }
    return names
  }
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value)
  } catch {
    return value
  }
}

let cached: GitHubApiDescription | undefined

/** Loads (once per process) the api.github.com description shipped by @octokit/openapi. */
export function loadGitHubApiDescription(): GitHubApiDescription {
  if (cached !== undefined) return cached
  const require = createRequire(import.meta.url)
  const file = require.resolve('@octokit/openapi/generated/api.github.com.json')
  const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'))
  if (!isRecord(parsed) || typeof parsed['openapi'] !== 'string' || !isRecord(parsed['paths'])) {
    throw new Error(`${file} is not an OpenAPI document`)
  }
  cached = new GitHubApiDescription(parsed)
  return cached
}
