import type { ApiResource, Cluster } from './port.js'

/**
 * The resource serving a kind that an inventory record names at `version`: that version while the
 * server still serves it, else whichever version serves its group/kind now (an object is one
 * object at every version of its kind); undefined when no version does (its CRD was uninstalled).
 * A manifest in the repository is never resolved this way: an unserved apiVersion there is the
 * author's to fix (sync-semantics §4.1.2).
 */
export async function servingResource(
  cluster: Cluster,
  kind: { group: string; version: string; kind: string },
  signal: AbortSignal
): Promise<ApiResource | undefined> {
  return (
    (await cluster.resource(kind.group, kind.version, kind.kind, signal)) ??
    (await cluster.resourceOfKind(kind.group, kind.kind, signal))
  )
}
