import { isDeepStrictEqual } from 'node:util'
import { isRecord } from '../../src/model/json.js'

/** Why a JSON patch was refused; the fake API server answers 422 with this message. */
export class PatchError extends Error {}

/**
 * Applies an RFC 6902 patch (add, remove, replace, test) to a copy of `document`, the way the API
 * server's json-patch handler does: all or nothing, and a failed `test` fails the whole patch.
 */
export function applyJsonPatch(document: unknown, patch: readonly unknown[]): unknown {
  let result = structuredClone(document)
  for (const op of patch) {
    if (!isRecord(op) || typeof op['op'] !== 'string' || typeof op['path'] !== 'string') {
      throw new PatchError('invalid JSON patch operation')
    }
    result = applyOne(result, op['op'], pointer(op['path']), op['value'])
  }
  return result
}

function applyOne(document: unknown, op: string, path: string[], value: unknown): unknown {
  if (path.length === 0) {
    if (op === 'test') return testValue(document, value, '')
    throw new PatchError(`operation ${op} on the whole document is not supported`)
  }
  const parentPath = path.slice(0, -1)
  const last = path[path.length - 1] ?? ''
  const parent = resolve(document, parentPath)
  const where = '/' + path.join('/')
  switch (op) {
    case 'test':
      testValue(childOf(parent, last, where), value, where)
      return document
    case 'remove':
      childOf(parent, last, where)
      if (Array.isArray(parent)) parent.splice(index(parent, last, where, false), 1)
      else if (isRecord(parent)) Reflect.deleteProperty(parent, last)
      return document
    case 'replace':
      childOf(parent, last, where)
      setChild(parent, last, value, where, false)
      return document
    case 'add':
      setChild(parent, last, value, where, true)
      return document
    default:
      throw new PatchError(`unsupported JSON patch operation ${op}`)
  }
}

function testValue(actual: unknown, expected: unknown, where: string): unknown {
  if (!isDeepStrictEqual(actual, expected)) {
    throw new PatchError(
      `testing value ${where} failed: test operation does not apply: is ${JSON.stringify(actual)}, expected ${JSON.stringify(expected)}`
    )
  }
  return actual
}

function pointer(path: string): string[] {
  if (path === '') return []
  if (!path.startsWith('/')) throw new PatchError(`invalid JSON pointer ${path}`)
  return path
    .slice(1)
    .split('/')
    .map(part => part.replace(/~1/g, '/').replace(/~0/g, '~'))
}

function resolve(document: unknown, path: readonly string[]): unknown {
  let current = document
  for (const [i, part] of path.entries())
    current = childOf(current, part, '/' + path.slice(0, i + 1).join('/'))
  return current
}

function childOf(container: unknown, part: string, where: string): unknown {
  if (Array.isArray(container)) return container[index(container, part, where, false)]
  if (isRecord(container) && part in container) return container[part]
  throw new PatchError(`missing path ${where}`)
}

function setChild(container: unknown, part: string, value: unknown, where: string, insert: boolean): void {
  const copy = structuredClone(value)
  if (Array.isArray(container)) {
    if (insert && part === '-') container.push(copy)
    else if (insert) container.splice(index(container, part, where, true), 0, copy)
    else container[index(container, part, where, false)] = copy
  } else if (isRecord(container)) container[part] = copy
  else throw new PatchError(`missing path ${where}`)
}

function index(array: readonly unknown[], part: string, where: string, forInsert: boolean): number {
  const n = /^(0|[1-9][0-9]*)$/.test(part) ? Number(part) : -1
  const limit = forInsert ? array.length : array.length - 1
  if (n < 0 || n > limit) throw new PatchError(`index out of range at ${where}`)
  return n
}
