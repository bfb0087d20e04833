import path from 'node:path'

/** The repository root (this file lives in test/e2e/support). */
export const ROOT = path.resolve(import.meta.dirname, '../../..')
/** The kubeconfig the global setup's cluster wrote. */
export const KUBECONFIG = path.join(
  process.env['WAVESYNC_CLUSTER_DIR'] ?? path.join(ROOT, '.cluster'),
  'kubeconfig'
)
