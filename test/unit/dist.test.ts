import { mkdtempSync, readdirSync, readFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { spawnSync } from 'node:child_process'
import { expect, test } from '@jest/globals'

const ROOT = path.resolve(import.meta.dirname, '../..')

/** Every file under `dir`, as sorted paths relative to it with forward slashes. */
function files(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter(entry => entry.isFile())
    .map(entry => path.relative(dir, path.join(entry.parentPath, entry.name)).split(path.sep).join('/'))
    .sort()
}

// check-dist: the committed bundles are exactly what the source builds to today.
test('dist/ is rebuilt from the committed source (npm run bundle leaves no diff)', () => {
  const out = mkdtempSync(path.join(os.tmpdir(), 'wavesync-dist-'))
  const built = spawnSync(process.execPath, [path.join(ROOT, 'scripts/bundle.mjs'), '--outdir', out], {
    cwd: ROOT,
    encoding: 'utf8'
  })
  expect(built.stderr).toBe('')
  expect(built.status).toBe(0)
  // The entries action.yml and package.json name, their bundles, and nothing else.
  expect(files(out)).toEqual(['bundle/cli.js', 'bundle/index.js', 'cli.js', 'index.js'])
  expect(files(path.join(ROOT, 'dist'))).toEqual(files(out))
  for (const file of files(out)) {
    const fresh = readFileSync(path.join(out, file), 'utf8')
    const committed = readFileSync(path.join(ROOT, 'dist', file), 'utf8')
    // Compared by equality, not printed: a mismatch says which bundle to rebuild with `npm run bundle`.
    expect({ file, matches: fresh === committed }).toEqual({ file, matches: true })
  }
}, 60_000)

// The version is compiled in (scripts/bundle.mjs `define`), so it must follow package.json.
test("the shipped CLI's --version is package.json's version", () => {
  const { version } = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string }
  const run = spawnSync(process.execPath, [path.join(ROOT, 'dist/cli.js'), '--version'], { encoding: 'utf8' })
  expect({ status: run.status, out: run.stdout, err: run.stderr }).toEqual({
    status: 0,
    out: `wavesync ${version}\n`,
    err: ''
  })
})
