/**
 * Where a manifest came from: repo-relative file (forward slashes), its document index in that
 * file (0-based), and the 1-based line where the document's content starts.
 */
export interface SourceRef {
  file: string
  docIndex: number
  line: number
}

/** `file:line`, the form editors and CI logs link. */
export function formatSource(source: SourceRef): string {
  return `${source.file}:${source.line}`
}
