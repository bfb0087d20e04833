import { readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

/** The repository root (two levels above this folder). */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..')

/** The text of a repo-relative file, e.g. `test/fixtures/manifests/list.yaml`. */
export function repoText(relative: string): string {
  return readFileSync(path.join(REPO_ROOT, relative), 'utf8')
}
