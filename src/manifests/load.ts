import type { Issue } from '../model/issue.js'
import { compareIssues } from '../model/issue.js'
import type { Manifest } from '../model/manifest.js'
import { decodeDocuments } from './decode.js'
import { parseYamlFile } from './parse.js'
import type { ManifestSource } from './source.js'
import { mapLimit } from '../concurrency.js'

const READ_CONCURRENCY = 16

export interface LoadedManifests {
  manifests: Manifest[]
  issues: Issue[]
}

/**
 * Reads every file the patterns name and decodes all documents. Never stops at the first problem:
 * every file is read and every issue collected, so one run shows all of them.
 */
export async function loadManifests(
  source: ManifestSource,
  patterns: readonly string[]
): Promise<LoadedManifests> {
  const { files, issues } = await source.resolve(patterns)
  // Files are read concurrently (I/O overlaps parsing) and taken in their sorted order.
  const texts = await mapLimit(files, READ_CONCURRENCY, file =>
    source.read(file).catch((error: unknown) => error)
  )
  const manifests: Manifest[] = []
  files.forEach((file, index) => {
    const text = texts[index]
    if (typeof text !== 'string') {
      const message = `cannot read: ${text instanceof Error ? text.message : String(text)}`
      issues.push({ severity: 'error', file, line: 1, message })
      return
    }
    const parsed = parseYamlFile(text, file)
    const decoded = decodeDocuments(parsed.documents, file)
    manifests.push(...decoded.manifests)
    issues.push(...parsed.issues, ...decoded.issues)
  })
  return { manifests, issues: issues.sort(compareIssues) }
}
