// Profiles one wavesync sync on the benchmark's control plane, to find out why a target is missed:
//
//   node bench/profile.mjs [--objects 1000] [--no-wait] [--cpu] [--alloc] [--rss]
//                          [--node-flag=--max-semi-space-size=16 ...] [--cli dist/cli.js]
//                          [--cluster isolated|shared] [--keep DIR]
//
// Always prints the run's phases (lib/wavesync.mjs phases()), request counts and peak RSS. --cpu:
// the hottest functions (self and inclusive) from `node --cpu-prof`; --alloc: where the allocation
// volume comes from (lib/probe.mjs); --rss: RSS and V8 heap spaces over time. The raw profiles go
// to --keep DIR (else a temporary folder that is removed). Uses the same cluster as run.mjs and
// one namespace bench-prof-…, deleted afterwards.
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { ensureCluster, releaseCluster } from './lib/cluster.mjs'
import { Kube, readKubeconfig } from './lib/kube.mjs'
import { mixedObjects, writeManifests } from './lib/manifests.mjs'
import { BENCH, ROOT, classify, timedNode } from './lib/proc.mjs'
import { phases } from './lib/wavesync.mjs'

const { values } = parseArgs({
  options: {
    objects: { type: 'string', default: '1000' },
    'no-wait': { type: 'boolean', default: false },
    cpu: { type: 'boolean', default: false },
    alloc: { type: 'boolean', default: false },
    rss: { type: 'boolean', default: false },
    'node-flag': { type: 'string', multiple: true, default: [] },
    cli: { type: 'string', default: path.join(ROOT, 'dist', 'cli.js') },
    cluster: { type: 'string', default: 'isolated' },
    keep: { type: 'string' }
  }
})
const count = Number(values.objects)
const work = values.keep
  ? path.resolve(values.keep)
  : mkdtempSync(path.join(os.tmpdir(), 'wavesync-profile-'))
mkdirSync(work, { recursive: true })
const cluster = ensureCluster(values.cluster)
const kube = new Kube(readKubeconfig(cluster.kubeconfig))
const ns = `bench-prof-${Date.now().toString(36).slice(-6)}`
try {
  const dir = writeManifests(path.join(work, 'manifests'), mixedObjects(count))
  await kube.createNamespace(ns)
  const flags = [...values['node-flag']]
  if (values.cpu) flags.push('--cpu-prof', `--cpu-prof-dir=${work}`, '--cpu-prof-interval=250')
  if (values.alloc || values.rss) flags.push('--import', path.join(BENCH, 'lib', 'probe.mjs'))
  const env = {
    ...(values.rss ? { BENCH_PROBE_RSS: path.join(work, 'rss.json') } : {}),
    ...(values.alloc ? { BENCH_PROBE_ALLOC: path.join(work, 'alloc.json') } : {})
  }
  const args = [
    'sync',
    '--manifests',
    dir,
    '--app',
    ns,
    '--namespace',
    ns,
    '--kubeconfig',
    cluster.kubeconfig
  ]
  if (values['no-wait']) args.push('--no-wait')
  const run = await timedNode(path.resolve(values.cli), args, {
    env,
    cwd: work,
    logFile: path.join(work, 'requests.json'),
    nodeFlags: flags
  })
  if (run.code !== 0) throw new Error(`wavesync exited ${run.code}: ${run.stderr.slice(-2000)}`)
  const counted = run.counted
  console.log(
    `${count} objects${values['no-wait'] ? ' (--no-wait)' : ''}, node ${flags.join(' ') || '(no flags)'}`
  )
  console.log(
    `wall ${run.wallMs.toFixed(0)} ms, CPU ${counted.cpuMs.toFixed(0)} ms, peak RSS ${(counted.peakRssKb / 1024).toFixed(0)} MB`
  )
  console.log('phases (ms):', JSON.stringify(phases(counted.requests, counted.exitAt)))
  console.log('requests:', JSON.stringify(classify(counted.requests).byKind))
  if (values.rss) printRss(JSON.parse(readFileSync(path.join(work, 'rss.json'), 'utf8')))
  if (values.alloc) printAlloc(JSON.parse(readFileSync(path.join(work, 'alloc.json'), 'utf8')))
  if (values.cpu) {
    const file = readdirSync(work).find(f => f.endsWith('.cpuprofile'))
    printCpu(JSON.parse(readFileSync(path.join(work, file), 'utf8')))
  }
} finally {
  await kube.deleteWorkloads(ns).catch(() => undefined)
  await kube.deleteNamespace(ns).catch(() => undefined)
  await kube.close()
  releaseCluster(cluster, true)
  if (!values.keep) rmSync(work, { recursive: true, force: true })
}

function frame(n) {
  return `${n.callFrame.functionName || '(anonymous)'} ${n.callFrame.url.split('/').pop()}:${n.callFrame.lineNumber + 1}`
}

function top(map, n, unit, scale) {
  return [...map]
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([k, v]) => `  ${(v / scale).toFixed(1).padStart(8)} ${unit}  ${k}`)
    .join('\n')
}

/** Self and inclusive time per function of a .cpuprofile. */
function printCpu(profile) {
  const byId = new Map(profile.nodes.map(n => [n.id, n]))
  const parent = new Map()
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id)
  const self = new Map()
  const inclusive = new Map()
  profile.samples.forEach((id, i) => {
    const dt = profile.timeDeltas[i] ?? 0
    const key = frame(byId.get(id))
    self.set(key, (self.get(key) ?? 0) + dt)
    const seen = new Set()
    for (let cur = id; cur !== undefined; cur = parent.get(cur)) {
      const k = frame(byId.get(cur))
      if (seen.has(k)) continue
      seen.add(k)
      inclusive.set(k, (inclusive.get(k) ?? 0) + dt)
    }
  })
  console.log(`CPU, self (ms):\n${top(self, 20, 'ms', 1000)}`)
  console.log(`CPU, inclusive (ms):\n${top(inclusive, 40, 'ms', 1000)}`)
}

/** Allocation volume per function (self and inclusive) of a sampling heap profile. */
function printAlloc(profile) {
  const self = new Map()
  const inclusive = new Map()
  let total = 0
  const walk = (node, stack) => {
    const key = frame(node)
    const size = node.selfSize ?? 0
    total += size
    self.set(key, (self.get(key) ?? 0) + size)
    const next = stack.includes(key) ? stack : [...stack, key]
    for (const k of next) inclusive.set(k, (inclusive.get(k) ?? 0) + size)
    for (const child of node.children) walk(child, next)
  }
  walk(profile.head, [])
  console.log(`allocated over the run (sampled estimate): ${(total / 2 ** 20).toFixed(0)} MB`)
  console.log(`allocation, self (MB):\n${top(self, 20, 'MB', 2 ** 20)}`)
  console.log(`allocation, inclusive (MB):\n${top(inclusive, 40, 'MB', 2 ** 20)}`)
}

function printRss(samples) {
  console.log('ms       RSS  heap total  used  new space  old space  code   (MB)')
  const step = Math.max(1, Math.floor(samples.length / 25))
  for (const [t, rss, total, used, young, old, code] of samples.filter((_, i) => i % step === 0))
    console.log(
      `${String(t).padStart(6)} ${String(rss).padStart(6)} ${String(total).padStart(11)} ${String(used).padStart(5)} ${String(young).padStart(10)} ${String(old).padStart(10)} ${String(code).padStart(5)}`
    )
}
