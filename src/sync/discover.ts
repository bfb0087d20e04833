import type { ApiResource, Cluster } from '../cluster/port.js'
import type { Issue } from '../model/issue.js'
import { issueAt } from '../model/issue.js'
import type { Manifest } from '../model/manifest.js'
import { getString } from '../model/json.js'
import { splitApiVersion } from '../model/object.js'
import { readDirectives } from '../plan/annotations/directives.js'
import type { SyncOptions } from '../plan/annotations/sync-options.js'
import { optionValue } from '../plan/annotations/sync-options.js'
import type { ScopeResolver } from '../plan/scope.js'
import { offlineScope } from '../plan/scope.js'

export interface Discovered {
  /** Namespaced or cluster-scoped, from the server; CRDs of this operation answer for their kinds. */
  scope: ScopeResolver
  /** Kinds the server serves now, by `group/version/kind`. */
  served: ReadonlySet<string>
  /** Unknown kinds not excused (§4.1.2): the operation fails before any write. */
  issues: Issue[]
}

export const gvk = (group: string, version: string, kind: string): string => `${group}/${version}/${kind}`

/**
 * Resolves every kind of the manifests against the server (sync-semantics §4.1.2). A kind the
 * server does not serve is excused when a CRD of this operation defines it, or with
 * SkipDryRunOnMissingResource=true; otherwise it is an error naming the manifest.
 */
export async function discoverKinds(
  manifests: readonly Manifest[],
  cluster: Cluster,
  appOptions: SyncOptions,
  signal: AbortSignal
): Promise<Discovered> {
  const offline = offlineScope(manifests)
  const kinds = new Map<string, { group: string; version: string; kind: string }>()
  for (const { object } of manifests) {
    const { group, version } = splitApiVersion(object.apiVersion)
    kinds.set(gvk(group, version, object.kind), { group, version, kind: object.kind })
  }
  // One discovery request per group/version, all in flight together (the adapter caches them).
  const found = await Promise.all(
    [...kinds].map(async ([id, { group, version, kind }]) => {
      const resource = await cluster.resource(group, version, kind, signal)
      return [id, resource] as const
    })
  )
  const resources = new Map<string, ApiResource | undefined>(found)
  const crdKinds = new Set(
    manifests
      .filter(m => m.object.kind === 'CustomResourceDefinition')
      .map(
        m =>
          `${getString(m.object, ['spec', 'group']) ?? ''}/${getString(m.object, ['spec', 'names', 'kind']) ?? ''}`
      )
  )
  const issues: Issue[] = []
  for (const manifest of manifests) {
    const { group, version } = splitApiVersion(manifest.object.apiVersion)
    if (resources.get(gvk(group, version, manifest.object.kind))) continue
    if (crdKinds.has(`${group}/${manifest.object.kind}`)) continue
    const skip =
      optionValue('SkipDryRunOnMissingResource', readDirectives(manifest, []).syncOptions, appOptions) ===
      'true'
    if (skip) continue
    issues.push(
      issueAt(
        'error',
        manifest.source,
        `the server does not serve ${manifest.object.apiVersion} ${manifest.object.kind}; install its CRD first, or set SkipDryRunOnMissingResource=true`
      )
    )
  }
  const served = new Set([...resources].filter(([, resource]) => resource !== undefined).map(([id]) => id))
  const byKind = new Map(
    [...resources.values()]
      .filter((r): r is ApiResource => r !== undefined)
      .map(r => [`${r.group}/${r.kind}`, r.namespaced])
  )
  const scope: ScopeResolver = (group, kind) => {
    const namespaced = byKind.get(`${group}/${kind}`)
    return namespaced === undefined ? offline(group, kind) : namespaced ? 'Namespaced' : 'Cluster'
  }
  return { scope, served, issues }
}
