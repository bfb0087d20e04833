import { writeFileSync } from 'node:fs'
import path from 'node:path'
import { CLUSTER_DIR, KUBECONFIG, clusterScript } from './cluster.js'

/**
 * Starts the real control plane once per test run (or reuses one a developer already runs) and
 * points the e2e tests at it. If it cannot start, the run fails here, loudly, with the component
 * logs' tails that cluster.sh printed: e2e tests are never skipped.
 */
export default function globalSetup(): void {
  const alreadyUp = clusterScript('status') === 0
  if (!alreadyUp && clusterScript('up') !== 0) {
    throw new Error(`the local control plane did not start; see the log tails above and ${path.join(CLUSTER_DIR, 'logs')}`)
  }
  process.env['KUBECONFIG'] = KUBECONFIG
  process.env['WAVESYNC_E2E_KUBECONFIG'] = KUBECONFIG
  writeFileSync(path.join(CLUSTER_DIR, 'started-by-jest'), alreadyUp ? 'no' : 'yes')
}
