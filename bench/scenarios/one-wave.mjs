// Scenario 1: one wave of 200 objects (ConfigMaps, Services, Deployments), side by side in each
// round: wavesync --no-wait (apply only) and with wait (Deployments Available), kubectl apply
// --server-side (as is, and with --validate=false), the floor (raw server-side apply at the same
// parallelism), and the floor of wavesync's protocol (every object dry-run first, then applied).
// Each tool gets a fresh namespace (created before the clock starts); a warm-up round is not
// counted. Within a round the tools run back to back in an order that keeps each compared pair
// adjacent (wavesync --no-wait next to the floor, the floors next to each other, the two kubectl
// runs together) and is reversed every other round, so a drift in the machine's load hits both
// sides of a ratio alike.
import path from 'node:path'
import { mixedObjects, writeManifests } from '../lib/manifests.mjs'
import { BENCH, timed } from '../lib/proc.mjs'
import { summarize } from '../lib/stats.mjs'
import { lastWriteMs, runWavesync } from '../lib/wavesync.mjs'

export const KUBECTL = '/usr/bin/kubectl'
const COUNT = 200

const VARIANTS = [
  { id: 'wavesync-no-wait', label: 'wavesync --no-wait (apply only)' },
  { id: 'floor', label: 'floor: raw SSA PATCH, parallelism 10' },
  { id: 'floor-dry-run', label: 'floor + dry run: raw SSA dry-run pass, then apply pass' },
  { id: 'kubectl-no-validate', label: 'kubectl apply --server-side --validate=false' },
  { id: 'kubectl', label: 'kubectl apply --server-side' },
  { id: 'wavesync-wait', label: 'wavesync (waits for health)' }
]

export async function oneWave(ctx) {
  const dir = writeManifests(path.join(ctx.tmp, 's1-manifests'), mixedObjects(COUNT))
  const samples = Object.fromEntries(VARIANTS.map(v => [v.id, []]))
  for (let round = 0; round <= ctx.runs; round++) {
    const warmup = round === 0
    const order = round % 2 === 0 ? VARIANTS : [...VARIANTS].reverse()
    for (const variant of order) {
      const ns = await ctx.namespace(`s1-r${round}-${variant.id}`)
      await ctx.quiet()
      const cpu0 = ctx.clusterCpu()
      const machine0 = ctx.machineCpu()
      const sample = await runVariant(variant.id, dir, ns, ctx)
      sample.clusterCpuS = ctx.clusterCpu() - cpu0
      // What else ran meanwhile: the machine's CPU minus the control plane's and the tool's.
      sample.otherCpuS = Math.max(
        0,
        ctx.machineCpu() - machine0 - sample.clusterCpuS - (sample.cpuMs ?? 0) / 1000
      )
      await ctx.kube.deleteWorkloads(ns)
      if (!warmup) samples[variant.id].push(sample)
      ctx.log(`s1 ${warmup ? 'warm-up' : `round ${round}`} ${variant.id}: ${sample.wallMs.toFixed(0)} ms`)
    }
  }
  return summarizeOneWave(samples)
}

async function runVariant(id, dir, ns, ctx) {
  if (id.startsWith('wavesync')) {
    const run = await runWavesync({
      dir,
      app: ns,
      namespace: ns,
      kubeconfig: ctx.kubeconfig,
      wait: id === 'wavesync-wait',
      work: ctx.tmp
    })
    return {
      wallMs: run.wallMs,
      cpuMs: run.cpuMs,
      peakRssKb: run.peakRssKb,
      durationMs: run.report.durationMs,
      lastWriteMs: lastWriteMs(run.report),
      requests: run.classified.total,
      requestsByKind: run.classified.byKind,
      phases: run.phases,
      protocol: run.connections.map(c => c.alpn).join(',')
    }
  }
  if (id.startsWith('kubectl')) {
    const args = ['-f', 'BENCHTIME %U %S %M', KUBECTL, 'apply', '--server-side', '-n', ns, '-f', dir]
    if (id === 'kubectl-no-validate') args.push('--validate=false')
    const run = await timed('/usr/bin/time', args, { env: { KUBECONFIG: ctx.kubeconfig } })
    if (run.code !== 0) throw new Error(`kubectl exited ${run.code}: ${run.stderr.slice(-1000)}`)
    const [user, system, rss] = run.stderr
      .match(/BENCHTIME (\S+) (\S+) (\S+)/)
      .slice(1)
      .map(Number)
    return { wallMs: run.wallMs, cpuMs: (user + system) * 1000, peakRssKb: rss, requests: COUNT }
  }
  const floor = path.join(BENCH, 'lib', 'floor.mjs')
  const args = [floor, '--kubeconfig', ctx.kubeconfig, '--dir', dir, '--namespace', ns]
  if (id === 'floor-dry-run') args.push('--dry-run-first')
  const run = await timed(process.execPath, args)
  if (run.code !== 0) throw new Error(`floor exited ${run.code}: ${run.stderr.slice(-1000)}`)
  const out = JSON.parse(run.stdout)
  return {
    wallMs: run.wallMs,
    cpuMs: out.cpuMs,
    peakRssKb: out.maxRssKb,
    requestsMs: out.requestsMs,
    dryRunMs: out.dryRunMs,
    requests: out.requests
  }
}

/** Median of each phase of wavesync's runs (lib/wavesync.mjs phases()). */
export function phaseSummary(runs) {
  const keys = Object.keys(runs.find(r => r.phases)?.phases ?? {})
  return Object.fromEntries(
    keys.map(k => [
      k,
      summarize(
        runs.map(r => r.phases?.[k]),
        0
      ).median
    ])
  )
}

function summarizeOneWave(samples) {
  const stat = (id, field, digits = 0) =>
    summarize(
      samples[id].map(s => s[field]),
      digits
    )
  const variants = VARIANTS.map(v => ({
    id: v.id,
    label: v.label,
    wallMs: stat(v.id, 'wallMs'),
    cpuMs: stat(v.id, 'cpuMs'),
    peakRssMb: summarize(samples[v.id].map(s => s.peakRssKb / 1024)),
    clusterCpuS: stat(v.id, 'clusterCpuS', 2),
    otherCpuS: stat(v.id, 'otherCpuS', 2),
    requests: stat(v.id, 'requests'),
    requestsPerObject: summarize(
      samples[v.id].map(s => s.requests / COUNT),
      2
    ),
    ...(v.id.startsWith('wavesync')
      ? {
          durationMs: stat(v.id, 'durationMs'),
          lastWriteMs: stat(v.id, 'lastWriteMs'),
          requestsByKind: samples[v.id][0]?.requestsByKind,
          phasesMs: phaseSummary(samples[v.id]),
          protocol: samples[v.id][0]?.protocol
        }
      : {}),
    ...(v.id.startsWith('floor')
      ? { requestsMs: stat(v.id, 'requestsMs'), dryRunMs: stat(v.id, 'dryRunMs') }
      : {})
  }))
  // Paired ratios: each round's tools ran back to back, so the ratio of the round is the measure.
  const ratio = (a, b) =>
    summarize(
      samples[a].map((s, i) => s.wallMs / samples[b][i].wallMs),
      2
    )
  return {
    id: 'one-wave',
    title: `One wave, ${COUNT} objects (120 ConfigMaps, 40 Services, 40 Deployments)`,
    objects: COUNT,
    variants,
    ratios: {
      noWaitOverKubectl: ratio('wavesync-no-wait', 'kubectl'),
      noWaitOverKubectlNoValidate: ratio('wavesync-no-wait', 'kubectl-no-validate'),
      noWaitOverFloor: ratio('wavesync-no-wait', 'floor'),
      noWaitOverFloorDryRun: ratio('wavesync-no-wait', 'floor-dry-run'),
      floorDryRunOverFloor: ratio('floor-dry-run', 'floor'),
      waitOverKubectl: ratio('wavesync-wait', 'kubectl'),
      waitOverFloor: ratio('wavesync-wait', 'floor')
    },
    samples
  }
}
