// Scenario 2: ten waves of 50 objects (500 in all) with health gates. Per wave, the latency from
// "previous wave healthy" to "first write of this wave", two ways:
//  - gapMs from wavesync's own report (steps[].gapMs: last task of the previous step observed
//    complete by wavesync → first write request of this step);
//  - independently: the harness watches the namespace's Deployments itself and timestamps when the
//    last Deployment of wave k became healthy by the rule wavesync applies (observedGeneration
//    caught up, updated = desired, available = updated, no surplus); the gap is the report's
//    firstWriteAt of wave k+1 minus that moment (same host clock). ConfigMaps and Services are
//    healthy once written and are written before the Deployments of their wave (kind order), so a
//    wave's last Deployment is its gate. Both processes receive the event from the API server on
//    their own watch, so a few ms either way (even negative) is delivery order, not wavesync.
import path from 'node:path'
import { follow } from '../lib/kube.mjs'
import { WAVE_LABEL, mixedObjects, writeManifests } from '../lib/manifests.mjs'
import { summarize } from '../lib/stats.mjs'
import { runWavesync } from '../lib/wavesync.mjs'

const WAVES = 10
const PER_WAVE = 50

export async function waves(ctx) {
  const objects = []
  for (let w = 0; w < WAVES; w++) objects.push(...mixedObjects(PER_WAVE, { wave: w, prefix: `w${w}` }))
  const dir = writeManifests(path.join(ctx.tmp, 's2-manifests'), objects)
  const runs = []
  for (let round = 0; round < ctx.runs; round++) {
    const ns = await ctx.namespace(`s2-r${round}`)
    await ctx.quiet()
    const seen = new Map() // Deployment name -> {wave, healthyAt}
    const stops = []
    stops.push(
      await follow(ctx.kube, `/apis/apps/v1/namespaces/${ns}/deployments`, (type, object, at) =>
        record(seen, object, at)
      )
    )
    const run = await runWavesync({ dir, app: ns, namespace: ns, kubeconfig: ctx.kubeconfig, work: ctx.tmp })
    for (const stop of stops) await stop()
    await ctx.kube.deleteWorkloads(ns)
    const steps = run.report.steps
    const external = []
    for (let w = 1; w < WAVES; w++) {
      const previous = [...seen.values()].filter(s => s.wave === w - 1)
      const healthy = previous.every(s => s.healthyAt !== undefined)
        ? Math.max(...previous.map(s => s.healthyAt))
        : NaN
      const step = steps.find(s => s.phase === 'Sync' && s.wave === w)
      external.push(Date.parse(step.firstWriteAt) - healthy)
    }
    runs.push({
      wallMs: run.wallMs,
      cpuMs: run.cpuMs,
      durationMs: run.report.durationMs,
      gapMs: steps.filter(s => s.gapMs !== null).map(s => s.gapMs),
      externalGapMs: external,
      requests: run.classified.total,
      peakRssKb: run.peakRssKb
    })
    ctx.log(
      `s2 round ${round + 1}: ${run.wallMs.toFixed(0)} ms, gaps ${runs.at(-1).gapMs.join(' ')} (external ${external.map(g => g.toFixed(0)).join(' ')})`
    )
  }
  const perWave = Array.from({ length: WAVES - 1 }, (_, i) => ({
    wave: i + 1,
    gapMs: summarize(runs.map(r => r.gapMs[i])),
    externalGapMs: summarize(runs.map(r => r.externalGapMs[i]))
  }))
  return {
    id: 'waves',
    title: `Ten waves, ${WAVES * PER_WAVE} objects with health gates (per wave 30 ConfigMaps, 10 Services, 10 Deployments)`,
    objects: WAVES * PER_WAVE,
    wallMs: summarize(
      runs.map(r => r.wallMs),
      0
    ),
    cpuMs: summarize(
      runs.map(r => r.cpuMs),
      0
    ),
    durationMs: summarize(runs.map(r => r.durationMs)),
    gapMs: summarize(runs.flatMap(r => r.gapMs)),
    externalGapMs: summarize(runs.flatMap(r => r.externalGapMs)),
    perWave,
    requests: summarize(runs.map(r => r.requests)),
    peakRssMb: summarize(runs.map(r => r.peakRssKb / 1024)),
    samples: runs
  }
}

function record(seen, object, at) {
  const name = object.metadata.name
  const wave = Number(object.metadata.labels?.[WAVE_LABEL])
  if (!Number.isInteger(wave)) return
  const entry = seen.get(name) ?? { wave, healthyAt: undefined }
  seen.set(name, entry)
  if (entry.healthyAt === undefined && deploymentHealthy(object)) entry.healthyAt = at
}

/** wavesync's rule for Deployments (src/health/deployment.ts). */
function deploymentHealthy(object) {
  const status = object.status ?? {}
  if ((object.metadata.generation ?? 0) > (status.observedGeneration ?? 0)) return false
  const desired = object.spec.replicas ?? 1
  const updated = status.updatedReplicas ?? 0
  return updated >= desired && (status.replicas ?? 0) <= updated && (status.availableReplicas ?? 0) >= updated
}
