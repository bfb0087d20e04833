// Scenario 3: 20 Argo CD hook Jobs across PreSync (2 waves), Sync and PostSync (2 waves) with
// delete policies. The harness watches the namespace's Jobs itself and timestamps the event that
// first carries Complete=True (receipt time on the same host); the latency is the report's
// finishedAt of that hook (when wavesync observed it complete) minus that timestamp. The
// condition's lastTransitionTime has only second resolution, hence the watch.
import path from 'node:path'
import { follow } from '../lib/kube.mjs'
import { hookObjects, writeManifests } from '../lib/manifests.mjs'
import { summarize } from '../lib/stats.mjs'
import { runWavesync } from '../lib/wavesync.mjs'

export async function hooks(ctx) {
  const objects = hookObjects()
  const dir = writeManifests(path.join(ctx.tmp, 's3-manifests'), objects)
  const runs = []
  for (let round = 0; round < ctx.runs; round++) {
    const ns = await ctx.namespace(`s3-r${round}`)
    await ctx.quiet()
    const completed = new Map() // name -> receipt time of the first Complete=True event
    const stop = await follow(ctx.kube, `/apis/batch/v1/namespaces/${ns}/jobs`, (type, job, at) => {
      const done = (job.status?.conditions ?? []).some(c => c.type === 'Complete' && c.status === 'True')
      if (done && !completed.has(job.metadata.name)) completed.set(job.metadata.name, at)
    })
    const run = await runWavesync({ dir, app: ns, namespace: ns, kubeconfig: ctx.kubeconfig, work: ctx.tmp })
    await stop()
    await ctx.kube.deleteWorkloads(ns)
    const latencies = run.report.tasks
      .filter(t => t.type === 'hook' && t.kind === 'Job')
      .map(t => ({
        name: t.name,
        phase: t.phase,
        wave: t.wave,
        ms: Date.parse(t.finishedAt) - completed.get(t.name)
      }))
    runs.push({
      wallMs: run.wallMs,
      cpuMs: run.cpuMs,
      durationMs: run.report.durationMs,
      latencies,
      gapMs: run.report.steps.map(s => s.gapMs)
    })
    ctx.log(
      `s3 round ${round + 1}: ${run.wallMs.toFixed(0)} ms, noticed after ${latencies.map(l => l.ms).join(' ')} ms`
    )
  }
  const all = runs.flatMap(r => r.latencies.map(l => l.ms))
  const phases = ['PreSync', 'Sync', 'PostSync']
  return {
    id: 'hooks',
    title: '20 hook Jobs (PreSync ×7 in 2 waves, Sync ×6, PostSync ×7 in 2 waves; delete policies mixed)',
    hooks: 20,
    wallMs: summarize(
      runs.map(r => r.wallMs),
      0
    ),
    cpuMs: summarize(
      runs.map(r => r.cpuMs),
      0
    ),
    durationMs: summarize(runs.map(r => r.durationMs)),
    noticedMs: summarize(all),
    noticedMsByPhase: Object.fromEntries(
      phases.map(p => [
        p,
        summarize(runs.flatMap(r => r.latencies.filter(l => l.phase === p).map(l => l.ms)))
      ])
    ),
    stepGapMs: summarize(runs.flatMap(r => r.gapMs.filter(g => g !== null))),
    samples: runs
  }
}
