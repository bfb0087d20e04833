import { readFileSync } from 'node:fs'
import path from 'node:path'
import { CLUSTER_DIR, clusterScript } from './cluster.js'

/** Stops the control plane if this run started it; a developer's running cluster is left alone. */
export default function globalTeardown(): void {
  const marker = path.join(CLUSTER_DIR, 'started-by-jest')
  const startedHere = readFileSync(marker, 'utf8').trim() === 'yes'
  if (startedHere) clusterScript('down')
}
