import type { JsonObject, JsonValue } from '../model/json.js'

/**
 * The union of two managedFields `fieldsV1` sets. A set is a trie keyed by path elements
 * (`f:spec`, `k:{"name":"app"}`, `v:"x"`, `i:0`) whose leaves are `{}` and whose `.` key marks
 * that the node itself is owned; the union owns every path either set owns. Pure: neither input
 * is changed.
 */
export function unionFieldsV1(a: JsonObject, b: JsonObject): JsonObject {
  const union: JsonObject = { ...a }
  for (const [key, value] of Object.entries(b)) {
    const mine = union[key]
    union[key] = isTrie(mine) && isTrie(value) ? unionFieldsV1(mine, value) : (mine ?? value)
  }
  return union
}

function isTrie(value: JsonValue | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
