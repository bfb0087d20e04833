// Targets of issue 7 against the measurements, and the Markdown rendering of bench/results.
import { fmt } from './stats.mjs'

/** Each target: what was measured against it, and whether it is met (null: not measured). */
export function evaluateTargets(results) {
  const s = completed(results)
  const targets = []
  const add = (name, goal, value, met, measured) => targets.push({ name, goal, value, met, measured })
  if (s['one-wave']) {
    const r = s['one-wave'].ratios
    add(
      '200 objects, one wave: wavesync / kubectl',
      '≤ 0.5',
      r.noWaitOverKubectl.median,
      r.noWaitOverKubectl.median <= 0.5,
      `${fmt(r.noWaitOverKubectl)}; against kubectl --validate=false ${fmt(r.noWaitOverKubectlNoValidate)}`
    )
    add(
      '200 objects, one wave: wavesync / floor',
      '≤ 1.3',
      r.noWaitOverFloor.median,
      r.noWaitOverFloor.median <= 1.3,
      `${fmt(r.noWaitOverFloor)}; against the floor with a dry-run pass ${fmt(r.noWaitOverFloorDryRun)} (that floor alone is ${r.floorDryRunOverFloor.median}× the floor)`
    )
  }
  if (s.waves) {
    const w = s.waves
    add(
      'wave-to-wave latency, median',
      '< 100 ms',
      w.externalGapMs.median,
      w.externalGapMs.median < 100 && w.gapMs.median < 100,
      `${w.externalGapMs.median} ms healthy → first write, by the harness's own watch (p90 ${w.externalGapMs.p90}, max ${w.externalGapMs.max}); report gapMs median ${w.gapMs.median} (max ${w.gapMs.max})`
    )
  }
  if (s.hooks) {
    const h = s.hooks.noticedMs
    add(
      'hook completion noticed, median',
      '≤ 250 ms',
      h.median,
      h.median <= 250,
      `${h.median} ms (p90 ${h.p90}, max ${h.max}; ${h.n} hook runs)`
    )
  }
  if (s.growth) {
    const sizes = s.growth.sizes
    const largest = sizes.at(-1)
    const mid = sizes.find(x => x.objects === 200) ?? sizes[0]
    add(
      `${largest.objects} objects: peak RSS of the wavesync process`,
      '< 200 MB',
      largest.peakRssMb.median,
      largest.objects >= 1000 ? largest.peakRssMb.median < 200 : null,
      `${fmt(largest.peakRssMb, ' MB')} (${sizes.map(x => `${x.objects}: ${Math.round(x.peakRssMb.median)}`).join(', ')} MB)`
    )
    add(
      'requests per object constant as the count grows',
      'constant',
      largest.requestsPerObject.median,
      largest.requestsPerObject.median <= mid.requestsPerObject.median * 1.05,
      `${sizes.map(x => `${x.objects}: ${x.requestsPerObject.median}`).join(', ')} (2 per object + ${largest.fixedRequests} fixed)`
    )
  }
  if (s.startup) {
    const st = s.startup
    const index = st.entries.find(e => e.label.startsWith('dist/index.js'))
    add(
      'action start-up (load and validate inputs)',
      '< 300 ms',
      index.wallMs.median,
      index.wallMs.median < 300,
      `${fmt(index.wallMs, ' ms')} wall, ${index.cpuMs.median} ms CPU (node -e 0: ${st.entries[0].wallMs.median} ms wall)${st.indexIsPlaceholder ? '; dist/index.js is the placeholder entry' : ''}`
    )
  }
  return targets
}

const ms = summary => fmt(summary, ' ms')
const mb = summary => fmt(summary, ' MB')

/** The scenarios that produced results (a failed one carries only `error`). */
function completed(results) {
  return Object.fromEntries(Object.entries(results.scenarios).filter(([, r]) => !r.error))
}

export function renderMarkdown(results) {
  const e = results.environment
  const s = completed(results)
  const lines = []
  const push = (...l) => lines.push(...l)
  push('# wavesync benchmark results', '')
  push(
    `\`npm run bench\` (bench/run.mjs), ${e.date}: ${e.runs} runs per measurement unless noted; median (min–max).`,
    ''
  )
  push(
    `Machine: ${e.cpus} cores (${e.cpuModel}), ${e.memoryGb} GiB, load average at start ${e.loadAverage.join(' / ')}. Node ${e.node}. Control plane ${e.server} (test/cluster, ${e.cluster?.mode ?? 'none'}${e.cluster?.mode === 'isolated' ? ': a second control plane of the benchmark’s own' : ''}). kubectl ${e.kubectl.version} (${e.kubectl.path}; client/server skew ${skew(e)}). wavesync ${e.git.commit}${e.git.dirty ? ' (working tree with uncommitted changes)' : ''}; bundles measured: dist/ of the ${e.dist.source}, cli.js ${e.dist['cli.js']}, index.js ${e.dist['index.js']}. Total ${results.totalS} s.`,
    ''
  )
  push(
    'The control plane (etcd, API server, controllers, scheduler, kubelet simulator), the tool measured and anything else running on the machine share its 2 cores: absolute times drift with load, so compare the ratios measured side by side within a round. CPU times (client and control plane) are less sensitive to contention than wall times.',
    ''
  )
  push('## Targets', '', '| target | goal | measured | met |', '|---|---|---|---|')
  for (const t of results.targets)
    push(`| ${t.name} | ${t.goal} | ${t.measured} | ${t.met === null ? 'n/a' : t.met ? 'yes' : '**no**'} |`)
  push('')
  for (const [name, r] of Object.entries(results.scenarios))
    if (r.error) push(`**Scenario ${name} failed**: ${r.error.split('\n')[0]}`, '')
  if (s['one-wave']) renderOneWave(s['one-wave'], push)
  if (s.waves) renderWaves(s.waves, push)
  if (s.hooks) renderHooks(s.hooks, push)
  if (s.growth) renderGrowth(s.growth, push)
  if (s.startup) renderStartup(s.startup, push)
  push('## README paragraph', '', readmeParagraph(results), '')
  return lines.join('\n')
}

function skew(e) {
  const minor = v => Number(/^v\d+\.(\d+)/.exec(v ?? '')?.[1])
  const d = minor(e.server) - minor(e.kubectl.version)
  return Number.isFinite(d)
    ? `${d} minor version${d === 1 ? '' : 's'}${Math.abs(d) > 1 ? ', outside the supported ±1' : ''}`
    : 'unknown'
}

function renderOneWave(o, push) {
  push(`## 1. ${o.title}`, '')
  push(
    'Wall time from spawn to exit; a fresh namespace per tool and run (created beforehand); compared tools run next to each other, the order reversed every other round; one warm-up round not counted. wavesync is the shipped bundle, `node dist/cli.js sync` (a fresh application each run). Control-plane CPU includes the controllers rolling out the 40 Deployments while the tool runs; “other processes” is the rest of the machine (other users’ work) during the run.',
    ''
  )
  push(
    '| tool | wall | client CPU | peak RSS | requests | control-plane CPU | other processes’ CPU meanwhile |',
    '|---|---|---|---|---|---|---|'
  )
  for (const v of o.variants)
    push(
      `| ${v.label} | ${ms(v.wallMs)} | ${ms(v.cpuMs)} | ${mb(v.peakRssMb)} | ${v.requests.median} (${v.requestsPerObject.median}/object) | ${fmt(v.clusterCpuS, ' s')} | ${fmt(v.otherCpuS, ' s')} |`
    )
  const r = o.ratios
  push('', '| ratio of wall times (paired per round) | median (min–max) |', '|---|---|')
  push(
    `| wavesync --no-wait / kubectl | ${fmt(r.noWaitOverKubectl)} |`,
    `| wavesync --no-wait / kubectl --validate=false | ${fmt(r.noWaitOverKubectlNoValidate)} |`,
    `| wavesync --no-wait / floor | ${fmt(r.noWaitOverFloor)} |`,
    `| wavesync --no-wait / floor with dry-run pass | ${fmt(r.noWaitOverFloorDryRun)} |`,
    `| floor with dry-run pass / floor | ${fmt(r.floorDryRunOverFloor)} |`,
    `| wavesync (wait) / kubectl | ${fmt(r.waitOverKubectl)} |`,
    `| wavesync (wait) / floor | ${fmt(r.waitOverFloor)} |`,
    ''
  )
  const nw = o.variants.find(v => v.id === 'wavesync-no-wait')
  if (nw?.phasesMs)
    push(`Where wavesync --no-wait spends its wall time (medians, ms): ${phaseLine(nw.phasesMs)}.`, '')
  if (nw?.requestsByKind)
    push(
      `Its requests (one run, ${nw.protocol ?? '?'}): ${Object.entries(nw.requestsByKind)
        .map(([k, n]) => `${k} ${n}`)
        .join(', ')}.`,
      ''
    )
}

function phaseLine(p) {
  const names = {
    startupMs: 'start-up to first request',
    planMs: 'discovery, history, manifests and plan',
    dryRunMs: 'dry run',
    lockAndInventoryMs: 'lock, re-plan and inventory record',
    writesMs: 'writes',
    restMs: 'rest (health wait, inventory update, lock release, exit)'
  }
  return Object.entries(p)
    .map(([k, v]) => `${names[k] ?? k} ${v}`)
    .join(' · ')
}

function renderWaves(w, push) {
  push(`## 2. ${w.title}`, '')
  push(
    `Total ${ms(w.wallMs)} wall (${ms(w.durationMs)} in the report); wavesync CPU ${ms(w.cpuMs)}; ${fmt(w.requests)} requests; peak RSS ${mb(w.peakRssMb)}. Gap = from the previous wave becoming healthy to this wave's first write: by the harness's own watch of the namespace (Deployments judged by wavesync's rule), and as wavesync reports it (steps[].gapMs).`,
    ''
  )
  push('| waves | gap, harness watch | gap, report gapMs |', '|---|---|---|')
  for (const p of w.perWave) push(`| ${p.wave - 1} → ${p.wave} | ${ms(p.externalGapMs)} | ${ms(p.gapMs)} |`)
  push(
    `| all | ${ms(w.externalGapMs)}, p90 ${w.externalGapMs.p90} | ${ms(w.gapMs)}, p90 ${w.gapMs.p90} |`,
    ''
  )
}

function renderHooks(h, push) {
  push(`## 3. ${h.title}`, '')
  push(
    `Total ${ms(h.wallMs)} wall; wavesync CPU ${ms(h.cpuMs)}. Latency from the Job's Complete=True watch event (received by the harness) to the hook's finishedAt in the report (when wavesync observed it):`,
    ''
  )
  push('| phase | noticed after |', '|---|---|')
  for (const [phase, summary] of Object.entries(h.noticedMsByPhase)) push(`| ${phase} | ${ms(summary)} |`)
  push(`| all (${h.noticedMs.n} hook runs) | ${ms(h.noticedMs)}, p90 ${h.noticedMs.p90} ms |`, '')
  push(`Step gaps in these runs (report gapMs): ${ms(h.stepGapMs)}.`, '')
}

function renderGrowth(g, push) {
  push(`## 4. ${g.title}`, '')
  push(
    'Requests counted inside the wavesync process (undici diagnostics channel, bench/lib/count-requests.mjs), peak RSS = VmHWM of that process.',
    ''
  )
  push(
    '| objects | runs | wall | to last write | ms/object to last write | wavesync CPU | requests | requests/object | peak RSS |',
    '|---|---|---|---|---|---|---|---|---|'
  )
  for (const x of g.sizes)
    push(
      `| ${x.objects} | ${x.runs} | ${ms(x.wallMs)} | ${ms(x.lastWriteMs)} | ${x.msPerObjectToLastWrite.median} | ${ms(x.cpuMs)} | ${x.requests.median} | ${x.requestsPerObject.median} | ${mb(x.peakRssMb)} |`
    )
  push(
    '',
    `Marginal cost per object (smallest → largest size): ${g.marginal.msPerObject} ms to the last write, ${g.marginal.requestsPerObject} requests, ${g.marginal.kbRssPerObject} KB of peak RSS.`,
    ''
  )
  for (const x of g.sizes)
    if (x.phasesMs) push(`- ${x.objects} objects (medians, ms): ${phaseLine(x.phasesMs)}.`)
  const largest = g.sizes.at(-1)
  push(
    '',
    `Requests per object by kind at ${largest.objects} objects: ${Object.entries(
      largest.requestsPerObjectByKind
    )
      .map(([k, n]) => `${k} ${n}`)
      .join(', ')}.`,
    ''
  )
}

function renderStartup(st, push) {
  push(`## 5. ${st.title}`, '')
  push(
    `Median of ${st.runsEach} runs after one warm-up, spawn to exit, no cluster involved; CPU = user + system of the process (V8's background threads included, so it can exceed the wall time). \`dist/index.js\` gets every action.yml default as INPUT_* and the runner's files, manifests set but no app, so input validation fails at once.${st.indexIsPlaceholder ? ' **dist/index.js is still the placeholder entry.**' : ''}`,
    ''
  )
  push('| bundle | size | gzip |', '|---|---|---|')
  for (const b of st.bundles)
    push(`| ${b.label} | ${(b.bytes / 1024).toFixed(0)} KiB | ${(b.gzipBytes / 1024).toFixed(0)} KiB |`)
  push('', '| command | wall | CPU | peak RSS | exit |', '|---|---|---|---|---|')
  for (const x of st.entries)
    push(`| ${x.label} | ${ms(x.wallMs)} | ${ms(x.cpuMs)} | ${mb(x.peakRssMb)} | ${x.exitCode} |`)
  push('')
}

/** The performance paragraph for the README, from the numbers of this run. */
export function readmeParagraph(results) {
  const s = completed(results)
  const parts = []
  if (s['one-wave']) {
    const o = s['one-wave']
    const v = id => o.variants.find(x => x.id === id).wallMs.median
    const r = o.ratios
    parts.push(
      `On a 2-core machine that also runs the whole control plane, \`wavesync sync --no-wait\` applies 200 objects in one wave in ${(v('wavesync-no-wait') / 1000).toFixed(1)} s, server-side dry run of every object, lock and inventory included: ${r.noWaitOverKubectl.median}× the time of \`kubectl apply --server-side\` (${r.noWaitOverKubectlNoValidate.median}× with kubectl's client-side validation off) and ${r.noWaitOverFloor.median}× the floor of bare server-side-apply requests at the same parallelism (${r.noWaitOverFloorDryRun.median}× that floor with its own dry-run pass). Waiting for the 40 Deployments to become Available adds ${((v('wavesync-wait') - v('wavesync-no-wait')) / 1000).toFixed(1)} s.`
    )
  }
  if (s.waves && s.hooks)
    parts.push(
      `Waiting is event-driven: a wave's first write goes out ${s.waves.externalGapMs.median} ms (median) after the previous wave became healthy, and a hook Job's completion is noticed ${s.hooks.noticedMs.median} ms after the Job controller marks it Complete.`
    )
  if (s.growth) {
    const g = s.growth.sizes
    parts.push(
      `API requests per object stay flat (${g.map(x => x.requestsPerObject.median).join(' / ')} for ${g.map(x => x.objects).join(' / ')} objects: one dry run and one apply each, plus a fixed ~20), with a peak RSS of ${g.map(x => Math.round(x.peakRssMb.median)).join(' / ')} MB.`
    )
  }
  if (s.startup) {
    const index = s.startup.entries.find(x => x.label.startsWith('dist/index.js'))
    const cli = s.startup.entries.find(x => x.label.startsWith('dist/cli.js'))
    parts.push(
      `The action loads and validates its inputs in ${Math.round(index.wallMs.median)} ms, the CLI in ${Math.round(cli.wallMs.median)} ms.`
    )
  }
  parts.push('`npm run bench` reproduces these numbers (bench/results/latest.md).')
  return parts.join(' ')
}
