import type { ApiResource, Cluster } from '../cluster/port.js'
import { servingResource } from '../cluster/serving.js'
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
import type { RetiredKinds } from '../plan/recorded-kinds.js'
import type { RecordedKind } from './recorded-kinds.js'
import { retiredKinds } from './recorded-kinds.js'

export interface Discovered {
  /** Namespaced or cluster-scoped, from the server; CRDs of this operation answer for their kinds. */
  scope: ScopeResolver
  /** Kinds the server serves now, by `group/version/kind`. */
  served: ReadonlySet<string>
  /** Unknown kinds not excused (§4.1.2): the operation fails before any write. */
  issues: Issue[]
  /** Manifests from a record: the kinds no longer served as recorded, for the planner to settle. */
  retired?: RetiredKinds
}

export const gvk = (group: string, version: string, kind: string): string => `${group}/${version}/${kind}`

/**
 * Resolves every kind of the manifests against the server (sync-semantics §4.1.2). A kind the
 * server does not serve is excused when a CRD of this operation defines it, or with
 * SkipDryRunOnMissingResource=true; otherwise it is an error naming the manifest.
 *
 * Manifests read from an inventory record (delete, rollback, test) were valid when applied: a kind
 * served no longer at its recorded version is the cluster's doing, not a mistake to fix in them. Its
 * group/kind is looked up at every version instead, and no issue is raised here: what it means
 * depends on what the operation does with the object (plan/recorded-kinds.ts), and a hook or
 * resource the operation does not touch must not block it.
 */
export async function discoverKinds(
  manifests: readonly Manifest[],
  cluster: Cluster,
  appOptions: SyncOptions,
  signal: AbortSignal,
  origin: 'repository' | 'record' = 'repository'
): Promise<Discovered> {
  const kinds = new Map<string, RecordedKind>()
  for (const { object } of manifests) {
    const { group, version } = splitApiVersion(object.apiVersion)
    kinds.set(gvk(group, version, object.kind), { group, version, kind: object.kind })
  }
  // One discovery request per group/version, all in flight together (the adapter caches them).
  const found = await Promise.all(
    [...kinds.values()].map(async kind => {
      const resource =
        origin === 'record'
          ? await servingResource(cluster, kind, signal)
          : await cluster.resource(kind.group, kind.version, kind.kind, signal)
      return { kind, resource }
    })
  )
  const resources = found.flatMap(({ resource }) => resource ?? [])
  const scope = scopeOf(resources, offlineScope(manifests))
  const served = new Set(resources.map(r => gvk(r.group, r.version, r.kind)))
  if (origin === 'record')
    return { scope, served, issues: [], retired: await retiredKinds(found, cluster, signal) }
  return { scope, served, issues: unservedIssues(manifests, served, appOptions) }
}

/** Errors for the manifests whose kind is not served, but for those excused (§4.1.2, §8.2). */
function unservedIssues(
  manifests: readonly Manifest[],
  served: ReadonlySet<string>,
  appOptions: SyncOptions
): Issue[] {
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
    if (served.has(gvk(group, version, manifest.object.kind))) continue
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
  return issues
}

/** Scope from the server's answers; kinds it does not serve fall back to the offline rules. */
function scopeOf(resources: readonly ApiResource[], offline: ScopeResolver): ScopeResolver {
  const byKind = new Map(resources.map(r => [`${r.group}/${r.kind}`, r.namespaced]))
  return (group, kind) => {
    const namespaced = byKind.get(`${group}/${kind}`)
    return namespaced === undefined ? offline(group, kind) : namespaced ? 'Namespaced' : 'Cluster'
  }
}
