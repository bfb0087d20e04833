// `npm run bench`: wavesync's speed and scale on the real control plane (issue 7), side by side with
// kubectl and the floor, each scenario several times, median and spread. Results go to
// bench/results/latest.json and bench/results/latest.md. Not part of `npm test`.
//
//   node bench/run.mjs [--runs 5] [--only startup,one-wave,waves,hooks,growth] [--quick]
//                      [--cluster isolated|shared] [--keep-cluster] [--dist-rev REV]
//                      [--out bench/results]
//
// The bundles measured are copied at start (dist/ of the working tree, or of git revision REV
// with --dist-rev), so a rebuild of dist/ during the run cannot change what is measured.
//
// --cluster isolated (default) starts a second control plane of its own (test/cluster/cluster.sh
// with WAVESYNC_CLUSTER_DIR=<tmp>/wavesync-bench-cluster, or $WAVESYNC_BENCH_CLUSTER_DIR) so other
// users of the shared one neither disturb the numbers nor get disturbed, and stops it at the end if
// it started it. --cluster shared uses <repo>/.cluster (started if needed, never stopped). Either
// way the benchmark only creates, and at the end deletes, namespaces named bench-<run id>-….
import { execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { parseArgs } from 'node:util'
import {
  clusterCpuSeconds,
  ensureCluster,
  machineCpuSeconds,
  releaseCluster,
  waitQuiet
} from './lib/cluster.mjs'
import { Kube, readKubeconfig } from './lib/kube.mjs'
import { BENCH, ROOT } from './lib/proc.mjs'
import { renderMarkdown, evaluateTargets } from './lib/report.mjs'
import { useCli } from './lib/wavesync.mjs'
import { growth } from './scenarios/growth.mjs'
import { hooks } from './scenarios/hooks.mjs'
import { KUBECTL, oneWave } from './scenarios/one-wave.mjs'
import { startup } from './scenarios/startup.mjs'
import { waves } from './scenarios/waves.mjs'

// Start-up first: it needs no cluster, and is measured before the cluster has anything to digest.
const SCENARIOS = { startup, 'one-wave': oneWave, waves, hooks, growth }

const { values } = parseArgs({
  options: {
    runs: { type: 'string' },
    only: { type: 'string' },
    quick: { type: 'boolean', default: false },
    cluster: { type: 'string', default: 'isolated' },
    'keep-cluster': { type: 'boolean', default: false },
    'dist-rev': { type: 'string' },
    out: { type: 'string', default: path.join(BENCH, 'results') }
  }
})
const runs = Number(values.runs ?? (values.quick ? 2 : 5))
const asked = values.only ? values.only.split(',') : Object.keys(SCENARIOS)
for (const name of asked)
  if (!SCENARIOS[name]) throw new Error(`unknown scenario ${name}; one of ${Object.keys(SCENARIOS)}`)
const only = Object.keys(SCENARIOS).filter(name => asked.includes(name))
if (values.cluster !== 'isolated' && values.cluster !== 'shared')
  throw new Error('--cluster is isolated or shared')

const began = Date.now()
const log = message =>
  process.stderr.write(`[bench ${((Date.now() - began) / 1000).toFixed(0).padStart(4)} s] ${message}\n`)
const runId = Date.now().toString(36).slice(-6)
const tmp = mkdtempSync(path.join(os.tmpdir(), 'wavesync-bench-'))

const bundles = snapshotBundles(values['dist-rev'])
useCli(bundles.cli)

const needsCluster = only.some(name => name !== 'startup')
const cluster = needsCluster ? ensureCluster(values.cluster) : undefined
const kube = cluster ? new Kube(readKubeconfig(cluster.kubeconfig)) : undefined
const namespaces = []
const ctx = {
  runs,
  bundles,
  quick: values.quick,
  tmp,
  log,
  kube,
  kubeconfig: cluster?.kubeconfig,
  async namespace(suffix) {
    const name = `bench-${runId}-${suffix}`
    await kube.createNamespace(name)
    namespaces.push(name)
    return name
  },
  quiet: () => waitQuiet(cluster.dir, values.cluster === 'isolated' ? {} : { maxMs: 3000 }),
  clusterCpu: () => clusterCpuSeconds(cluster.dir),
  machineCpu: machineCpuSeconds
}

const results = { scenarios: {} }
try {
  results.environment = await environment()
  log(
    `run ${runId}: ${only.join(', ')}, ${runs} runs each, cluster ${cluster ? `${cluster.mode} (${cluster.dir})` : 'none'}`
  )
  for (const name of only) {
    log(`scenario ${name}`)
    const t0 = Date.now()
    if (cluster) await ctx.quiet()
    const loadBefore = os.loadavg()[0]
    let result
    try {
      result = await SCENARIOS[name](ctx)
    } catch (error) {
      // One broken scenario (a failed sync is an error) must not lose the others' results.
      log(`scenario ${name} failed: ${error.stack ?? error}`)
      result = { id: name, error: String(error.message ?? error).slice(0, 2000) }
    }
    results.scenarios[name] = {
      ...result,
      elapsedS: Math.round((Date.now() - t0) / 1000),
      // 1-minute load average before and after: other work on the machine shows here.
      loadAverage: [Number(loadBefore.toFixed(2)), Number(os.loadavg()[0].toFixed(2))]
    }
    await deleteNamespaces()
  }
} finally {
  await deleteNamespaces().catch(error => log(`namespace cleanup failed: ${error.message}`))
  await kube?.close()
  if (cluster) releaseCluster(cluster, values['keep-cluster'])
  rmSync(tmp, { recursive: true, force: true })
}
results.totalS = Math.round((Date.now() - began) / 1000)
results.targets = evaluateTargets(results)
mkdirSync(values.out, { recursive: true })
writeFileSync(path.join(values.out, 'latest.json'), await prettyJson(results))
writeFileSync(path.join(values.out, 'latest.md'), renderMarkdown(results))
log(`done in ${results.totalS} s: ${path.relative(ROOT, path.join(values.out, 'latest.md'))}`)
for (const target of results.targets)
  log(
    `${target.met ? 'MET   ' : target.met === false ? 'MISSED' : 'N/A   '} ${target.name}: ${target.measured}`
  )

async function deleteNamespaces() {
  while (namespaces.length > 0) await kube.deleteNamespace(namespaces.pop())
}

async function environment() {
  const sh = (cmd, args) => {
    try {
      return execFileSync(cmd, args, {
        cwd: ROOT,
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore']
      }).trim()
    } catch {
      return null
    }
  }
  const hash = file => createHash('sha256').update(readFileSync(file)).digest('hex').slice(0, 16)
  const kubectl = JSON.parse(sh(KUBECTL, ['version', '--client', '-o', 'json']) ?? '{}').clientVersion
    ?.gitVersion
  const server = kube ? (await kube.call('GET', '/version')).body?.gitVersion : null
  return {
    date: new Date(began).toISOString(),
    node: process.version,
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model,
    memoryGb: Math.round(os.totalmem() / 2 ** 30),
    loadAverage: os.loadavg().map(l => Number(l.toFixed(2))),
    kubectl: { path: KUBECTL, version: kubectl },
    server,
    cluster: cluster ? { mode: cluster.mode, startedByBench: cluster.startedHere } : null,
    git: {
      commit: sh('git', ['rev-parse', '--short', 'HEAD']),
      dirty: (sh('git', ['status', '--porcelain']) ?? '') !== ''
    },
    // Digests of what runs: the bundles (dist/bundle/), or the entries of builds before the split.
    dist: {
      source: bundles.source,
      'index.js': hash(bundleOf(bundles.index)),
      'cli.js': hash(bundleOf(bundles.cli))
    },
    runs
  }
}

/** Copies dist/index.js and dist/cli.js (of the working tree, or of a git revision) to tmp. */
function snapshotBundles(rev) {
  const dir = path.join(tmp, 'dist')
  mkdirSync(dir, { recursive: true })
  // The copies are ES modules like the originals (dist/ relies on the repository's "type": "module").
  writeFileSync(path.join(dir, 'package.json'), '{ "type": "module" }\n')
  let source = 'working tree'
  // All of dist/: the entries index.js and cli.js load their bundles from dist/bundle/.
  if (rev) {
    const git = args => execFileSync('git', args, { cwd: ROOT, maxBuffer: 64 * 2 ** 20 })
    for (const file of git(['ls-tree', '-r', '--name-only', rev, 'dist/']).toString().split('\n')) {
      if (!file) continue
      const target = path.join(dir, path.relative('dist', file))
      mkdirSync(path.dirname(target), { recursive: true })
      writeFileSync(target, git(['show', `${rev}:${file}`]))
    }
    source = `git ${rev} (${git(['rev-parse', '--short', rev]).toString().trim()})`
  } else cpSync(path.join(ROOT, 'dist'), dir, { recursive: true })
  return { index: path.join(dir, 'index.js'), cli: path.join(dir, 'cli.js'), source }
}

/** The bundle an entry of dist/ loads, or the entry itself (builds before dist/bundle/). */
function bundleOf(entry) {
  const bundle = path.join(path.dirname(entry), 'bundle', path.basename(entry))
  return existsSync(bundle) ? bundle : entry
}

/** JSON as prettier formats it (the repository's `prettier --check .` covers bench/results). */
async function prettyJson(value) {
  const text = JSON.stringify(value, null, 2) + '\n'
  try {
    const prettier = await import('prettier')
    const options = (await prettier.resolveConfig(path.join(BENCH, 'results', 'latest.json'))) ?? {}
    return await prettier.format(text, { ...options, parser: 'json' })
  } catch {
    return text
  }
}
