// Scenario 5: start-up. Bundle sizes of dist/index.js and dist/cli.js, and the wall time (spawn to
// exit, median of N after a warm-up) of `node dist/index.js` given what a runner passes (every
// action.yml default as INPUT_*, the runner's files, manifests set) but no app, so input validation
// fails at once; the same for the CLI (`node dist/cli.js sync --manifests k8s`, no --app), and bare
// `node -e 0` as the runtime's own floor. No cluster is involved.
//
// Each run goes through /usr/bin/time for its CPU time (user + system) and peak RSS: on a loaded
// 2-core machine the wall time drifts with the neighbours, the CPU time much less. (The wrapper's
// own cost, about 1 ms, is in the wall times.)
//
// dist/index.js and dist/cli.js turn on Node's compile cache before loading their bundle, so each is
// measured twice: with an empty cache directory per run (cold: a GitHub-hosted runner's main step,
// and the first run after an upgrade) and with one the warm-up filled (warm: the post step, a
// self-hosted runner, repeated CLI use).
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { gzipSync } from 'node:zlib'
import * as yaml from 'js-yaml'
import { ROOT, timed } from '../lib/proc.mjs'
import { summarize } from '../lib/stats.mjs'

const PLACEHOLDER = 'the GitHub Action entry is not implemented yet'

export async function startup(ctx) {
  const work = path.join(ctx.tmp, 's5')
  mkdirSync(work, { recursive: true })
  const env = actionEnv(work)
  const n = ctx.quick ? 8 : 20
  const { index, cli, source } = ctx.bundles
  // cache: 'cold' (a fresh compile cache directory per run), 'warm' (one, filled by the warm-up).
  let measured = 0
  const measure = async (label, args, cache) => {
    const runs = []
    const warmDir = path.join(work, `compile-cache-${++measured}`)
    for (let i = 0; i <= n; i++) {
      const cacheDir = cache === 'cold' ? path.join(work, `compile-cache-${measured}-${i}`) : warmDir
      const run = await timed('/usr/bin/time', ['-f', 'BENCHTIME %U %S %M', process.execPath, ...args], {
        env: cache ? { ...env, NODE_COMPILE_CACHE: cacheDir } : env,
        cwd: work
      })
      if (cache === 'cold') rmSync(cacheDir, { recursive: true, force: true })
      const [user, system, rss] = run.stderr
        .match(/BENCHTIME (\S+) (\S+) (\S+)/)
        .slice(1)
        .map(Number)
      // The first run warms the page cache.
      if (i > 0) runs.push({ code: run.code, wallMs: run.wallMs, cpuMs: (user + system) * 1000, rssKb: rss })
    }
    const result = {
      label,
      command: `node ${args.map(a => (path.isAbsolute(a) ? path.basename(a) : a)).join(' ')}`,
      exitCode: runs[0].code,
      wallMs: summarize(runs.map(r => r.wallMs)),
      cpuMs: summarize(
        runs.map(r => r.cpuMs),
        0
      ),
      peakRssMb: summarize(runs.map(r => r.rssKb / 1024))
    }
    ctx.log(
      `s5 ${label}: ${result.wallMs.median} ms wall, ${result.cpuMs.median} ms CPU (exit ${result.exitCode})`
    )
    return result
  }
  const cliArgs = [cli, 'sync', '--manifests', 'k8s']
  const entries = [
    await measure('node -e 0 (runtime floor)', ['-e', '0']),
    await measure('dist/index.js, invalid inputs (no app), cold compile cache', [index], 'cold'),
    await measure('dist/index.js, invalid inputs (no app), warm compile cache', [index], 'warm'),
    await measure('dist/cli.js sync, invalid flags (no --app), cold compile cache', cliArgs, 'cold'),
    await measure('dist/cli.js sync, invalid flags (no --app), warm compile cache', cliArgs, 'warm')
  ]
  return {
    id: 'startup',
    title: 'Start-up: bundle size and time to load and reject invalid inputs',
    runsEach: n,
    indexIsPlaceholder: readFileSync(index, 'utf8').includes(PLACEHOLDER),
    bundles: [bundleOf('index', index, source), bundleOf('cli', cli, source)],
    entries
  }
}

/** What the runner passes: every input's default from action.yml as INPUT_<NAME>, plus its files. */
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
  return {
    ...env,
    RUNNER_TEMP: work,
    GITHUB_WORKSPACE: work,
    GITHUB_SHA: '0'.repeat(40),
    GITHUB_REPOSITORY: 'bench/bench'
  }
}

/** The bundle an entry loads (dist/bundle/<name>.js), or the entry itself in builds before the split. */
function bundleOf(name, entry, source) {
  const bundle = path.join(path.dirname(entry), 'bundle', `${name}.js`)
  return existsSync(bundle)
    ? sizeOf(`dist/bundle/${name}.js (${source})`, bundle)
    : sizeOf(`dist/${name}.js (${source})`, entry)
}

function sizeOf(label, file) {
  return { label, bytes: statSync(file).size, gzipBytes: gzipSync(readFileSync(file)).length }
}
