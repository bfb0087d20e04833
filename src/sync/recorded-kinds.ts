import type { ApiResource, Cluster } from '../cluster/port.js'
import { errorMessage } from '../model/errors.js'
import { getArray, getString, isRecord } from '../model/json.js'
import type { RetiredKind, RetiredKinds } from '../plan/recorded-kinds.js'

/** A group/version/kind as a record's manifest names it. */
export interface RecordedKind {
  group: string
  version: string
  kind: string
}

const CRD_REF = {
  group: 'apiextensions.k8s.io',
  version: 'v1',
  kind: 'CustomResourceDefinition',
  namespace: ''
}

/**
 * What the server serves now instead of each recorded kind it no longer serves as recorded
 * (plan/recorded-kinds.ts decides what that means for each task), from discovery's answer for each
 * recorded kind: the resource at the recorded version, at another one, or none.
 */
export async function retiredKinds(
  found: readonly { kind: RecordedKind; resource: ApiResource | undefined }[],
  cluster: Cluster,
  signal: AbortSignal
): Promise<RetiredKinds> {
  const id = (group: string, version: string, kind: string): string => `${group}/${version}/${kind}`
  const retired = new Map<string, RetiredKind>()
  for (const { kind, resource } of found) {
    if (resource?.version === kind.version) continue
    const now: RetiredKind = resource
      ? { served: true, version: resource.version, ...(await resending(resource, cluster, signal)) }
      : { served: false }
    retired.set(id(kind.group, kind.version, kind.kind), now)
  }
  return (group, version, kind) => retired.get(id(group, version, kind))
}

/**
 * Whether a stored object may be sent again at the version served now, with only its apiVersion
 * changed. Yes only for a CRD whose conversion strategy is `None`: the API server itself converts
 * its objects between versions that way ("the apiVersion field is changed, and no other fields are
 * modified"), so the re-labelled body is what the server would have made of the recorded one, and
 * Strict field validation still rejects a field the served schema lacks, in the dry run. A Webhook
 * conversion may rename or move fields, and so does the API server's own conversion of built-in
 * kinds (apps/v1beta1 → apps/v1, autoscaling/v2beta2 → v2): only the server knows how, and it
 * offers clients no conversion, so wavesync does not guess. Also the versions served, for messages.
 */
async function resending(
  resource: ApiResource,
  cluster: Cluster,
  signal: AbortSignal
): Promise<{ versions: string[]; unsafe: string | undefined }> {
  const name = `${resource.resource}.${resource.group}`
  const builtIn = `${resource.group}/${resource.kind} is not a custom resource: the API server converts it between versions itself, and its fields may differ between them`
  if (resource.group === '') return { versions: [resource.version], unsafe: builtIn }
  let crd
  try {
    crd = await cluster.get({ ...CRD_REF, name }, signal)
  } catch (error) {
    if (signal.aborted) throw error
    const unsafe = `its CustomResourceDefinition ${name} could not be read to tell whether the versions hold the same fields (${errorMessage(error)})`
    return { versions: [resource.version], unsafe }
  }
  if (!crd) return { versions: [resource.version], unsafe: builtIn }
  const served = getArray(crd, ['spec', 'versions'])
    .filter(v => isRecord(v) && v['served'] !== false)
    .flatMap(v => getString(v, ['name']) ?? [])
  const strategy = getString(crd, ['spec', 'conversion', 'strategy']) ?? 'None'
  const versions = served.length > 0 ? served : [resource.version]
  if (strategy === 'None') return { versions, unsafe: undefined }
  return {
    versions,
    unsafe: `its CustomResourceDefinition ${name} converts between versions with a ${strategy} conversion, which may change fields`
  }
}
