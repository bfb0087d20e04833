import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import path from 'node:path'

/** The repository root (this file lives in test/e2e/support). */
export const ROOT = path.resolve(import.meta.dirname, '../../..')
export const CLUSTER_DIR = process.env['WAVESYNC_CLUSTER_DIR'] ?? path.join(ROOT, '.cluster')
export const KUBECONFIG = path.join(CLUSTER_DIR, 'kubeconfig')

/** Runs test/cluster/cluster.sh with a verb; its output goes to this process's stderr. */
export function clusterScript(verb: 'up' | 'down' | 'status'): number {
  const result = spawnSync('bash', [path.join(ROOT, 'test/cluster/cluster.sh'), verb], {
    cwd: ROOT,
    stdio: ['ignore', 'inherit', 'inherit'],
    env: process.env
  })
  return result.status ?? 1
}

export function kubeconfigExists(): boolean {
  return existsSync(KUBECONFIG)
}
