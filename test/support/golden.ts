import { expect } from '@jest/globals'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { REPO_ROOT } from './fixtures.js'

/**
 * Compares text with a committed golden file (repo-relative). With UPDATE_GOLDEN=1 the file is
 * (re)written first, so the run passes and `git diff` shows what changed: update on purpose only.
 */
export function expectGolden(relative: string, actual: string): void {
  const file = path.join(REPO_ROOT, relative)
  if (process.env['UPDATE_GOLDEN'] === '1') {
    mkdirSync(path.dirname(file), { recursive: true })
    writeFileSync(file, actual)
  }
  if (!existsSync(file))
    throw new Error(`golden file ${relative} is missing; run with UPDATE_GOLDEN=1 to create it`)
  expect(actual).toBe(readFileSync(file, 'utf8'))
}
