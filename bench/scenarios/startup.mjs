// Scenario 5: start-up. Bundle sizes of dist/index.js and dist/cli.js, and the wall time (spawn to
// exit, median of N after a warm-up) of `node dist/index.js` given what a runner passes (every
// action.yml default as INPUT_*, the runner's files, manifests set) but no app, so input validation
// fails at once; the same for the CLI (`node dist/cli.js sync --manifests k8s`, no --app), and bare
// `node -e 0` as the runtime's own floor. No cluster is involved.
//
// Each run goes through /usr/bin/time for its CPU time (user + system) and peak RSS: on a loaded
// 2-core machine the wall time drifts with the neighbours, the CPU time much less. (The wrapper's
// own cost, about 1 ms, is in the wall times.)
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
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
  const measure = async (label, args) => {
    const runs = []
    for (let i = 0; i <= n; i++) {
      const run = await timed('/usr/bin/time', ['-f', 'BENCHTIME %U %S %M', process.execPath, ...args], {
        env,
        cwd: work
      })
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
  const entries = [
    await measure('node -e 0 (runtime floor)', ['-e', '0']),
    await measure('dist/index.js, invalid inputs (no app)', [index]),
    await measure('dist/cli.js sync, invalid flags (no --app)', [cli, 'sync', '--manifests', 'k8s'])
  ]
  return {
    id: 'startup',
    title: 'Start-up: bundle size and time to load and reject invalid inputs',
    runsEach: n,
    indexIsPlaceholder: readFileSync(index, 'utf8').includes(PLACEHOLDER),
    bundles: [sizeOf(`dist/index.js (${source})`, index), sizeOf(`dist/cli.js (${source})`, cli)],
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

function sizeOf(label, file) {
  return { label, bytes: statSync(file).size, gzipBytes: gzipSync(readFileSync(file)).length }
}
