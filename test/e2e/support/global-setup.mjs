// Plain JavaScript: Jest loads global setup outside the TypeScript transform's module mapping.
import { spawnSync } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import path from 'node:path'

export const ROOT = path.resolve(import.meta.dirname, '../../..')
export const CLUSTER_DIR = process.env.WAVESYNC_CLUSTER_DIR ?? path.join(ROOT, '.cluster')

/** Runs test/cluster/cluster.sh; its output goes to this process's stderr. */
export function clusterScript(verb) {
  const result = spawnSync('bash', [path.join(ROOT, 'test/cluster/cluster.sh'), verb], {
    cwd: ROOT,
    stdio: ['ignore', verb === 'status' ? 'ignore' : 'inherit', 'inherit']
  })
  return result.status ?? 1
}

/**
 * Starts the real control plane once per test run (or reuses one a developer already runs) and
 * points the e2e tests at it. If it cannot start, the run fails here, loudly, with the component
 * log tails that cluster.sh printed: e2e tests are never skipped.
 */
export default function globalSetup() {
  const alreadyUp = clusterScript('status') === 0
  if (!alreadyUp && clusterScript('up') !== 0) {
    throw new Error(
      `the local control plane did not start; see the log tails above and ${path.join(CLUSTER_DIR, 'logs')}`
    )
  }
  process.env.KUBECONFIG = path.join(CLUSTER_DIR, 'kubeconfig')
  writeFileSync(path.join(CLUSTER_DIR, 'started-by-jest'), alreadyUp ? 'no' : 'yes')
}
