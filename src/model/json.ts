/** A JSON value as it comes from YAML, the API server or a payload: narrowed by guards, never cast. */
export type JsonValue = string | number | boolean | null | JsonValue[] | JsonObject
export type JsonObject = { [key: string]: JsonValue }

/** True for a plain object (not an array, not null). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** Reads a nested field by path, or undefined when any step is missing or not an object. */
export function getPath(value: unknown, path: readonly string[]): unknown {
  let current: unknown = value
  for (const step of path) {
    if (!isRecord(current)) return undefined
    current = current[step]
  }
  return current
}

/** A nested string field, or undefined when absent or of another type. */
export function getString(value: unknown, path: readonly string[]): string | undefined {
  const found = getPath(value, path)
  return typeof found === 'string' ? found : undefined
}

/** A nested number field, or undefined when absent or of another type. */
export function getNumber(value: unknown, path: readonly string[]): number | undefined {
  const found = getPath(value, path)
  return typeof found === 'number' ? found : undefined
}

/** A nested array field, or an empty array when absent or of another type. */
export function getArray(value: unknown, path: readonly string[]): unknown[] {
  const found = getPath(value, path)
  return Array.isArray(found) ? found : []
}
