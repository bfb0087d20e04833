// Scenario 5: start-up. Bundle sizes of dist/index.js and dist/cli.js, and the wall time (spawn to
// exit, median of N) of `node dist/index.js` given the inputs a runner would pass (every action.yml
// default as INPUT_*, plus manifests) but no app, so input validation fails at once; with the same
// for the CLI (`node dist/cli.js sync --manifests k8s`, no --app) and bare `node -e 0` as the floor.
// No cluster is involved.
//
// dist/index.js may still be the placeholder entry (issue 5 lands the action): that is detected and
// reported. Two projections then stand in for the real action: a bundle of the working tree's
// src/index.ts (when it builds), and a bundle of the action's runtime dependencies alone (what
// src/action/deps.ts imports at top level: @actions/core, @actions/github, undici, client-node,
// js-yaml, picomatch), which bounds its load time from below.
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { gzipSync } from 'node:zlib'
import * as yaml from 'js-yaml'
import { ROOT, timed } from '../lib/proc.mjs'
import { summarize } from '../lib/stats.mjs'

const DEPENDENCY_ENTRY = `
import * as core from '@actions/core'
import { getOctokit } from '@actions/github'
import { fetch } from 'undici'
import { KubeConfig } from '@kubernetes/client-node'
import * as yaml from 'js-yaml'
import picomatch from 'picomatch'
// Touch every import so none is tree-shaken; then fail validation as the action would.
if (typeof getOctokit !== 'function' || typeof fetch !== 'function' || typeof KubeConfig !== 'function' ||
    typeof yaml.load !== 'function' || typeof picomatch !== 'function') throw new Error('import failed')
if (core.getInput('app') === '') core.setFailed('Input required and not supplied: app')
`

export async function startup(ctx) {
  const work = path.join(ctx.tmp, 's5')
  mkdirSync(work, { recursive: true })
  const env = actionEnv(work)
  const n = ctx.quick ? 8 : 20
  const measure = async (label, args, extraEnv = {}) => {
    const times = []
    let code
    for (let i = 0; i <= n; i++) {
      const run = await timed(process.execPath, args, { env: { ...env, ...extraEnv }, cwd: work })
      code = run.code
      if (i > 0) times.push(run.wallMs) // the first run warms the page cache
    }
    // One more run under /usr/bin/time for the peak RSS (kept out of the timings).
    const rss = await timed('/usr/bin/time', ['-f', 'BENCHRSS %M', process.execPath, ...args], {
      env: { ...env, ...extraEnv },
      cwd: work
    })
    const peakKb = Number(rss.stderr.match(/BENCHRSS (\d+)/)?.[1])
    ctx.log(`s5 ${label}: ${summarize(times).median} ms (exit ${code})`)
    return {
      label,
      command: `node ${args.map(a => path.relative(ROOT, a) || a).join(' ')}`,
      exitCode: code,
      wallMs: summarize(times),
      peakRssMb: summarize([peakKb / 1024])
    }
  }
  const entries = [await measure('node -e 0 (runtime floor)', ['-e', '0'])]
  const index = path.join(ROOT, 'dist', 'index.js')
  const cli = path.join(ROOT, 'dist', 'cli.js')
  const indexIsPlaceholder = readFileSync(index, 'utf8').includes('not implemented yet')
  entries.push(await measure('dist/index.js, invalid inputs (no app)', [index]))
  entries.push(await measure('dist/cli.js sync, invalid flags (no --app)', [cli, 'sync', '--manifests', 'k8s']))
  const bundles = [sizeOf('dist/index.js', index), sizeOf('dist/cli.js', cli)]
  const projections = []
  const tree = await buildWorkingTree(work)
  if (tree.ok) {
    bundles.push(sizeOf('working tree src/index.ts (bundled)', tree.file))
    projections.push(await measure('working tree src/index.ts bundle, invalid inputs', [tree.file]))
  } else ctx.log(`s5: the working tree's src/index.ts does not bundle (${tree.error}); using the dependency projection`)
  const deps = await buildDependencies(work)
  bundles.push(sizeOf('action dependencies only (projection)', deps))
  projections.push(await measure('action dependencies only (projection), invalid inputs', [deps]))
  return {
    id: 'startup',
    title: 'Start-up: bundle size and time to load and reject invalid inputs',
    runsEach: n,
    indexIsPlaceholder,
    workingTreeBundle: tree.ok ? 'built' : `not buildable: ${tree.error}`,
    bundles,
    entries,
    projections
  }
}

/** What the runner passes: every input's default from action.yml as INPUT_<NAME>, plus the files. */
function actionEnv(work) {
  const action = yaml.load(readFileSync(path.join(ROOT, 'action.yml'), 'utf8'))
  const env = {}
  for (const [name, input] of Object.entries(action.inputs ?? {}))
    env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] = String(input.default ?? '')
  env.INPUT_MANIFESTS = 'k8s/'
  env.INPUT_APP = ''
  env.INPUT_TOKEN = 'ghs_bench'
  for (const file of ['GITHUB_STATE', 'GITHUB_OUTPUT', 'GITHUB_ENV', 'GITHUB_STEP_SUMMARY']) {
    env[file] = path.join(work, file.toLowerCase())
    writeFileSync(env[file], '')
  }
  return { ...env, RUNNER_TEMP: work, GITHUB_WORKSPACE: work, GITHUB_SHA: '0'.repeat(40), GITHUB_REPOSITORY: 'bench/bench' }
}

function sizeOf(label, file) {
  const bytes = statSync(file).size
  return { label, file: path.relative(ROOT, file), bytes, gzipBytes: gzipSync(readFileSync(file)).length }
}

async function buildWorkingTree(work) {
  const out = path.join(work, 'tree')
  const run = await timed(process.execPath, ['scripts/bundle.mjs', '--outdir', out], { cwd: ROOT })
  if (run.code !== 0) return { ok: false, error: (run.stderr.match(/ERROR: (.*)/)?.[1] ?? `exit ${run.code}`).trim() }
  return { ok: true, file: path.join(out, 'index.js') }
}

async function buildDependencies(work) {
  const { build } = await import('esbuild')
  const outfile = path.join(work, 'deps', 'index.js')
  await build({
    stdin: { contents: DEPENDENCY_ENTRY, resolveDir: ROOT, sourcefile: 'bench-action-deps.mjs', loader: 'js' },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node24',
    legalComments: 'none',
    logLevel: 'error',
    outfile,
    banner: {
      js: "import { createRequire as __benchCreateRequire } from 'node:module'; const require = __benchCreateRequire(import.meta.url);"
    }
  })
  return outfile
}
