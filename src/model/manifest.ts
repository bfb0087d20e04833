import type { KubeObject } from './object.js'
import type { SourceRef } from './source.js'

/** Lines of fields of one object, keyed by `pathKey(path)` relative to the object: the key's line. */
export type FieldLines = ReadonlyMap<string, number>

/** A desired object read from the repository, with where it came from. */
export interface Manifest {
  object: KubeObject
  source: SourceRef
  fieldLines: FieldLines
}

/** The key under which a field path's line is stored. */
export function pathKey(path: readonly (string | number)[]): string {
  return path.join('\u0000')
}

/** The line of a field (e.g. an annotation key), else the line where the document starts. */
export function fieldLine(
  manifest: Pick<Manifest, 'fieldLines' | 'source'>,
  path: readonly (string | number)[]
): number {
  return manifest.fieldLines.get(pathKey(path)) ?? manifest.source.line
}

/** The line of an annotation's key. */
export function annotationLine(manifest: Pick<Manifest, 'fieldLines' | 'source'>, key: string): number {
  return fieldLine(manifest, ['metadata', 'annotations', key])
}
