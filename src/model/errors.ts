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

/** One entry of a Status' `details.causes`: which field, and what is wrong with it. */
export interface ClusterErrorCause {
  field?: string
  reason?: string
  message: string
}

/** A cluster request failed; carries the object, verb and the server's status. */
export class ClusterError extends SyncError {
  override name = 'ClusterError'
  constructor(
    /** The server's message (or the transport error's) without the verb and object in front. */
    readonly bareMessage: string,
    readonly details: {
      key?: ResourceKey
      verb: string
      status?: number
      reason?: string
      retryable: boolean
      /** Field-level problems from the server's Status (`details.causes`), e.g. validation errors. */
      causes?: readonly ClusterErrorCause[]
      /** The server's `Retry-After`, when it sent one (429, some 5xx). */
      retryAfterMs?: number
      /** A transport error code (`ECONNRESET`, `UND_ERR_SOCKET` …) when no HTTP status was received. */
      code?: string
    }
  ) {
    super(
      details.key
        ? `${details.verb} ${formatKey(details.key)}: ${bareMessage}`
        : `${details.verb}: ${bareMessage}`
    )
  }
}

/** An error's message, without stack or class name (a thrown non-Error as text). */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}
