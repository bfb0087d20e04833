// The control plane for the benchmark. By default an isolated one (its own WAVESYNC_CLUSTER_DIR,
// so other engineers' e2e tests on the shared cluster neither disturb the numbers nor get
// disturbed), started if needed and stopped at the end only if this run started it. The shared
// cluster (<repo>/.cluster) can be used instead; it is never stopped.
import { spawnSync } from 'node:child_process'
import { readFileSync, readdirSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { ROOT } from './proc.mjs'

const SCRIPT = path.join(ROOT, 'test/cluster/cluster.sh')

function script(verb, dir) {
  const result = spawnSync('bash', [SCRIPT, verb], {
    cwd: ROOT,
    env: { ...process.env, WAVESYNC_CLUSTER_DIR: dir },
    stdio: ['ignore', 'pipe', verb === 'status' ? 'pipe' : 'inherit'],
    encoding: 'utf8'
  })
  return result.status ?? 1
}

/**
 * Starts or reuses the control plane. mode 'isolated' (default): $WAVESYNC_BENCH_CLUSTER_DIR or
 * <tmp>/wavesync-bench-cluster; 'shared': <repo>/.cluster. Returns {dir, kubeconfig, startedHere}.
 */
export function ensureCluster(mode) {
  const dir =
    mode === 'shared'
      ? (process.env.WAVESYNC_CLUSTER_DIR ?? path.join(ROOT, '.cluster'))
      : (process.env.WAVESYNC_BENCH_CLUSTER_DIR ?? path.join(os.tmpdir(), 'wavesync-bench-cluster'))
  const wasUp = script('status', dir) === 0
  if (!wasUp && script('up', dir) !== 0) throw new Error(`bench: the control plane in ${dir} did not start`)
  return { dir, mode, kubeconfig: path.join(dir, 'kubeconfig'), startedHere: !wasUp }
}

/** Stops the cluster only when it is the benchmark's own isolated one and this run started it. */
export function releaseCluster(cluster, keep) {
  if (cluster.mode === 'isolated' && cluster.startedHere && !keep) script('down', cluster.dir)
}

/** CPU seconds used so far by the control plane's processes (from their /proc/<pid>/stat). */
export function clusterCpuSeconds(dir) {
  let ticks = 0
  let pids
  try {
    pids = readdirSync(path.join(dir, 'pids')).map(f =>
      readFileSync(path.join(dir, 'pids', f), 'utf8').trim()
    )
  } catch {
    return 0
  }
  for (const pid of pids) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
      ticks += Number(fields[11]) + Number(fields[12]) // utime, stime (fields 14, 15)
    } catch {
      // process gone
    }
  }
  return ticks / 100 // USER_HZ
}

/** CPU seconds used by the whole machine so far (all cores, from /proc/stat). */
export function machineCpuSeconds() {
  const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number)
  const [user, nice, system, , , irq, softirq, steal] = fields
  return (user + nice + system + irq + softirq + steal) / 100 // USER_HZ
}

/**
 * Waits until the control plane is quiet (under `cores` CPU over `windowMs`, twice in a row), so a
 * run does not pay for the controllers still digesting the previous one, and (for up to
 * `machineMaxMs`) until the whole machine uses under `machineCores`. Gives up after maxMs.
 */
export async function waitQuiet(
  dir,
  { cores = 0.12, machineCores = 1, windowMs = 400, maxMs = 20_000, machineMaxMs = 4_000 } = {}
) {
  const started = Date.now()
  let calm = 0
  let before = [clusterCpuSeconds(dir), machineCpuSeconds()]
  while (Date.now() - started < maxMs) {
    await sleep(windowMs)
    const after = [clusterCpuSeconds(dir), machineCpuSeconds()]
    const cluster = (after[0] - before[0]) / (windowMs / 1000)
    const machine = (after[1] - before[1]) / (windowMs / 1000)
    // The machine is shared: wait a while for a lull in other work too, but not forever.
    const machineOk = machine < machineCores || Date.now() - started > machineMaxMs
    calm = cluster < cores && machineOk ? calm + 1 : 0
    before = after
    if (calm >= 2) return true
  }
  return false
}
