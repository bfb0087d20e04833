import type { Issue } from './issue.js'
import type { ResourceKey } from './key.js'
import { formatKey } from './key.js'

/** Base class of every error wavesync raises on purpose. */
export class SyncError extends Error {
  override name = 'SyncError'
}

/** Invalid user input (flags, inputs, kubeconfig): exit code 2, nothing written. */
export class UsageError extends SyncError {
  override name = 'UsageError'
}

/** Manifests failed validation; carries every issue found, each with file and line. */
export class ManifestError extends SyncError {
  override name = 'ManifestError'
  constructor(readonly issues: readonly Issue[]) {
    super(`${issues.filter(issue => issue.severity === 'error').length} invalid manifest problem(s)`)
  }
}

/** A cluster request failed; carries the object, verb and the server's status. */
export class ClusterError extends SyncError {
  override name = 'ClusterError'
  constructor(
    message: string,
    readonly details: {
      key?: ResourceKey
      verb: string
      status?: number
      reason?: string
      retryable: boolean
    }
  ) {
    super(details.key ? `${details.verb} ${formatKey(details.key)}: ${message}` : `${details.verb}: ${message}`)
  }
}
