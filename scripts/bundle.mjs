// Builds the two committed bundles: dist/index.js (the action, main and post) and dist/cli.js.
// ESM with a createRequire banner, because bundled CommonJS dependencies call require() for
// Node built-ins (evanw/esbuild#1921). The metafile goes to build/, outside dist/, so it never
// churns the committed diff.
import { build } from 'esbuild'
import { mkdirSync, writeFileSync } from 'node:fs'

const banner =
  "import { createRequire as __wavesyncCreateRequire } from 'node:module'; const require = __wavesyncCreateRequire(import.meta.url);"

const common = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node24',
  legalComments: 'none',
  logLevel: 'warning',
  metafile: true
}

// `--outdir DIR` builds elsewhere (the check-dist test compares a fresh build with dist/).
const outdirFlag = process.argv.indexOf('--outdir')
const outdir = outdirFlag > 0 ? process.argv[outdirFlag + 1] : 'dist'

const entries = [
  { entry: 'src/index.ts', name: 'index', banner },
  { entry: 'src/cli.ts', name: 'cli', banner: `#!/usr/bin/env node\n${banner}` }
]

mkdirSync('build', { recursive: true })
for (const { entry, name, banner: js } of entries) {
  const result = await build({
    ...common,
    entryPoints: [entry],
    outfile: `${outdir}/${name}.js`,
    banner: { js }
  })
  if (outdir === 'dist') writeFileSync(`build/meta-${name}.json`, JSON.stringify(result.metafile))
}
