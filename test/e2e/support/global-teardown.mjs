import { readFileSync } from 'node:fs'
import path from 'node:path'
import { CLUSTER_DIR, clusterScript } from './global-setup.mjs'

/** Stops the control plane if this run started it; a developer's running cluster is left alone. */
export default function globalTeardown() {
  const startedHere = readFileSync(path.join(CLUSTER_DIR, 'started-by-jest'), 'utf8').trim() === 'yes'
  if (startedHere) clusterScript('down')
}
