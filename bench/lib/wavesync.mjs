// Runs the shipped CLI bundle, `node dist/cli.js sync …`, as its own process (a fresh application
// and namespace each run), with count-requests.mjs preloaded; returns wall time, exit code, the JSON
// report, the request log and the process's peak RSS.
import { readFileSync, rmSync } from 'node:fs'
import path from 'node:path'
import { ROOT, classify, timedNode } from './proc.mjs'

let cli = path.join(ROOT, 'dist', 'cli.js')

/** Runs this bundle from now on (run.mjs snapshots dist/ at start: it may be rebuilt meanwhile). */
export function useCli(file) {
  cli = file
}

/**
 * @param {{dir: string, app: string, namespace: string, kubeconfig: string, wait?: boolean,
 *   work: string, extra?: string[]}} options
 */
export async function runWavesync({ dir, app, namespace, kubeconfig, wait = true, work, extra = [] }) {
  const report = path.join(work, `${app}.report.json`)
  const logFile = path.join(work, `${app}.requests.json`)
  rmSync(report, { force: true })
  const args = [
    'sync',
    '--manifests',
    dir,
    '--app',
    app,
    '--namespace',
    namespace,
    '--kubeconfig',
    kubeconfig
  ]
  args.push('--report', report, ...(wait ? [] : ['--no-wait']), ...extra)
  const run = await timedNode(cli, args, { logFile, cwd: work })
  let parsed
  try {
    parsed = JSON.parse(readFileSync(report, 'utf8'))
  } catch {
    parsed = undefined
  }
  const requests = run.counted?.requests ?? []
  const result = {
    code: run.code,
    wallMs: run.wallMs,
    spawnedAt: run.startedAt,
    report: parsed,
    requests,
    classified: classify(requests),
    connections: run.counted?.connections ?? [],
    peakRssKb: run.counted?.peakRssKb ?? null,
    cpuMs: run.counted?.cpuMs ?? null,
    phases: phases(requests, run.counted?.exitAt),
    stderrTail: run.code === 0 ? '' : run.stderr.slice(-3000) + run.stdout.slice(-2000)
  }
  if (run.code !== 0 || parsed?.phase !== 'Succeeded')
    throw new Error(
      `wavesync sync ${app} exited ${run.code} (${parsed?.phase}: ${parsed?.message})\n${result.stderrTail}`
    )
  return result
}

/** Milliseconds from the report's startedAt to the latest task write (the apply part of a run). */
export function lastWriteMs(report) {
  const start = Date.parse(report.startedAt)
  const writes = report.tasks.map(t => Date.parse(t.startedAt)).filter(Number.isFinite)
  return writes.length > 0 ? Math.max(...writes) - start : null
}

/**
 * Where a run's time goes, from its request log (ms since the process started): start-up (to the
 * first request), planning (to the first dry run), the dry run, lock/inventory/re-plan (to the first
 * object write), the writes (to the last write's response), and the rest (waiting for health,
 * finalising the inventory, releasing the lock, exit).
 */
export function phases(requests, exitAt) {
  const isObjectWrite = ([, method, target]) =>
    method === 'PATCH' && target.includes('force=') && !/\/(secrets|leases)\//.test(target)
  const dry = requests.filter(r => isObjectWrite(r) && r[2].includes('dryRun=All'))
  const writes = requests.filter(r => isObjectWrite(r) && !r[2].includes('dryRun=All'))
  if (requests.length === 0 || dry.length === 0 || writes.length === 0) return undefined
  const end = list => Math.max(...list.map(r => r[0] + (r[3] ?? 0)))
  const first = requests[0][0]
  return {
    startupMs: first,
    planMs: dry[0][0] - first,
    dryRunMs: end(dry) - dry[0][0],
    lockAndInventoryMs: writes[0][0] - end(dry),
    writesMs: end(writes) - writes[0][0],
    restMs: exitAt !== undefined ? exitAt - end(writes) : null
  }
}
