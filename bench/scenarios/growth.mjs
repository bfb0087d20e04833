// Scenario 4: growth. 50, 200 and 1000 objects in one wave (same 60/20/20 mix), synced with the
// default wait. Per size: wall time, time to the last write, API requests per object (counted in
// the wavesync process by count-requests.mjs, by kind of request), and the process's peak RSS
// (VmHWM). Requests per object must stay constant and time and memory grow linearly.
import path from 'node:path'
import { mixedObjects, writeManifests } from '../lib/manifests.mjs'
import { summarize } from '../lib/stats.mjs'
import { lastWriteMs, runWavesync } from '../lib/wavesync.mjs'
import { phaseSummary } from './one-wave.mjs'

export async function growth(ctx) {
  const sizes = ctx.quick ? [50, 200] : [50, 200, 1000]
  const results = []
  for (const size of sizes) {
    const dir = writeManifests(path.join(ctx.tmp, `s4-manifests-${size}`), mixedObjects(size))
    // The 1000-object runs are the longest (about 20 s each with 200 Deployments to roll out).
    const runs = size >= 1000 ? Math.max(2, Math.min(ctx.runs, 3)) : ctx.runs
    const samples = []
    for (let round = 0; round < runs; round++) {
      const ns = await ctx.namespace(`s4-${size}-r${round}`)
      await ctx.quiet()
      const run = await runWavesync({
        dir,
        app: ns,
        namespace: ns,
        kubeconfig: ctx.kubeconfig,
        work: ctx.tmp
      })
      await ctx.kube.deleteWorkloads(ns, 180_000)
      samples.push({
        wallMs: run.wallMs,
        durationMs: run.report.durationMs,
        lastWriteMs: lastWriteMs(run.report),
        requests: run.classified.total,
        requestsByKind: run.classified.byKind,
        peakRssKb: run.peakRssKb,
        cpuMs: run.cpuMs,
        phases: run.phases
      })
      ctx.log(
        `s4 ${size} round ${round + 1}: ${run.wallMs.toFixed(0)} ms, ${run.classified.total} requests, ${(run.peakRssKb / 1024).toFixed(0)} MB`
      )
    }
    const byKind = {}
    for (const [kind, n] of Object.entries(samples[0].requestsByKind))
      byKind[kind] = Number((n / size).toFixed(3))
    results.push({
      objects: size,
      runs,
      wallMs: summarize(
        samples.map(s => s.wallMs),
        0
      ),
      durationMs: summarize(
        samples.map(s => s.durationMs),
        0
      ),
      lastWriteMs: summarize(
        samples.map(s => s.lastWriteMs),
        0
      ),
      msPerObjectToLastWrite: summarize(
        samples.map(s => s.lastWriteMs / size),
        2
      ),
      requests: summarize(samples.map(s => s.requests)),
      requestsPerObject: summarize(
        samples.map(s => s.requests / size),
        3
      ),
      requestsPerObjectByKind: byKind,
      fixedRequests: samples[0].requests - 2 * size,
      peakRssMb: summarize(samples.map(s => s.peakRssKb / 1024)),
      cpuMs: summarize(
        samples.map(s => s.cpuMs),
        0
      ),
      phasesMs: phaseSummary(samples),
      samples
    })
  }
  const first = results[0]
  const last = results.at(-1)
  return {
    id: 'growth',
    title: `Growth: ${sizes.join(', ')} objects in one wave (60 % ConfigMaps, 20 % Services, 20 % Deployments), with wait`,
    sizes: results,
    // Marginal cost between the smallest and the largest size: what one more object costs.
    marginal: {
      msPerObject: Number(
        ((last.lastWriteMs.median - first.lastWriteMs.median) / (last.objects - first.objects)).toFixed(2)
      ),
      kbRssPerObject: Number(
        (((last.peakRssMb.median - first.peakRssMb.median) * 1024) / (last.objects - first.objects)).toFixed(
          1
        )
      ),
      requestsPerObject: Number(
        ((last.requests.median - first.requests.median) / (last.objects - first.objects)).toFixed(3)
      )
    }
  }
}
