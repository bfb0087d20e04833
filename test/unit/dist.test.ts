import { mkdtempSync, readFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { spawnSync } from 'node:child_process'
import { expect, test } from '@jest/globals'

const ROOT = path.resolve(import.meta.dirname, '../..')

// check-dist: the committed bundles are exactly what the source builds to today.
test('dist/ is rebuilt from the committed source (npm run bundle leaves no diff)', () => {
  const out = mkdtempSync(path.join(os.tmpdir(), 'wavesync-dist-'))
  const built = spawnSync(process.execPath, [path.join(ROOT, 'scripts/bundle.mjs'), '--outdir', out], {
    cwd: ROOT,
    encoding: 'utf8'
  })
  expect(built.stderr).toBe('')
  expect(built.status).toBe(0)
  for (const file of ['index.js', 'cli.js']) {
    const fresh = readFileSync(path.join(out, file), 'utf8')
    const committed = readFileSync(path.join(ROOT, 'dist', file), 'utf8')
    // Compared by equality, not printed: a mismatch says which bundle to rebuild with `npm run bundle`.
    expect({ file, matches: fresh === committed }).toEqual({ file, matches: true })
  }
}, 60_000)
