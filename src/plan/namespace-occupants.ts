import { compareKeys, keyOf } from '../model/key.js'
import type { KubeObject } from '../model/object.js'
import { stringAnnotations } from '../model/object.js'
import { APPLICATION_LABEL, TRACKING_ANNOTATION, trackedApp } from '../model/tracking.js'

/** What listing a namespace found: its objects (metadata suffices) and the kinds it could not list. */
export interface NamespaceListing {
  objects: readonly KubeObject[]
  unlisted: readonly { resource: string; reason: string }[]
}

// Enough to act on; the rest are counted, so a message stays one line in a summary table.
const NAMED = 3

/**
 * Why a namespace the delete operation would remove must stay (sync-semantics §10.2), or undefined
 * when nothing stops it. Deleting a namespace deletes everything in it, so it stays while it holds
 * an object tracked by another application or another application's inventory record, and while
 * any kind could not be listed (it cannot be shown free of such objects). Objects without a
 * tracking id (pods, events, the default service account) and this application's own are no reason.
 */
export function namespaceKeptReason(app: string, listing: NamespaceListing): string | undefined {
  const occupants = listing.objects
    .map(object => ({ object, owner: foreignOwner(app, object) }))
    .filter((o): o is { object: KubeObject; owner: string } => o.owner !== undefined)
    .sort((a, b) => compareKeys(keyOf(a.object), keyOf(b.object)))
    .map(({ object, owner }) => `${describe(object)} (${owner})`)
  const unlisted = [...listing.unlisted]
    .sort((a, b) => (a.resource < b.resource ? -1 : a.resource > b.resource ? 1 : 0))
    .map(({ resource, reason }) => `${resource} (${reason})`)
  const parts: string[] = []
  if (occupants.length > 0) parts.push(`it holds objects of other applications (${few(occupants)})`)
  if (unlisted.length > 0)
    parts.push(`it could not be shown free of other applications' objects: cannot list ${few(unlisted)}`)
  return parts.length > 0 ? `namespace kept: ${parts.join('; ')}` : undefined
}

/**
 * Whose an object is when it is not this application's: the application its tracking id names
 * (an unreadable id counts as someone else's), or the application whose inventory record it is.
 */
export function foreignOwner(app: string, object: KubeObject): string | undefined {
  const tracking = stringAnnotations(object)[TRACKING_ANNOTATION]
  const tracker = trackedApp(tracking)
  if (tracking !== undefined && tracker === undefined) return `unreadable tracking id "${tracking}"`
  if (tracker !== undefined && tracker !== app) return `tracked by ${tracker}`
  const recordOf = object.metadata.labels?.[APPLICATION_LABEL]
  const secret = object.kind === 'Secret' && keyOf(object).group === ''
  if (secret && recordOf !== undefined && recordOf !== app) return `inventory record of ${recordOf}`
  return undefined
}

/** `ConfigMap shop-b/settings`, `apps/Deployment shop-b/web`. */
function describe(object: KubeObject): string {
  const { group, kind, namespace, name } = keyOf(object)
  return `${group === '' ? '' : `${group}/`}${kind} ${namespace}/${name}`
}

function few(items: readonly string[]): string {
  const named = items.slice(0, NAMED).join(', ')
  return items.length > NAMED ? `${named} and ${items.length - NAMED} more` : named
}
