// The labels and annotations wavesync puts on the namespace it creates (CreateNamespace=true), as
// Argo CD's `managedNamespaceMetadata`: `key=value` items, checked as the API server would.
import { SUBDOMAIN } from './names.js'

export interface NamespaceMetadata {
  labels?: Record<string, string>
  annotations?: Record<string, string>
}

const NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/

/** A label or annotation key: `[prefix/]name`, the prefix a DNS subdomain (Kubernetes qualified name). */
function keyProblem(key: string): string | undefined {
  const slash = key.lastIndexOf('/')
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined
  const name = key.slice(slash + 1)
  if (prefix !== undefined && (prefix.length > 253 || !SUBDOMAIN.test(prefix)))
    return `its prefix '${prefix}' is not a DNS subdomain`
  if (name.length > 63 || !NAME.test(name))
    return 'its name must be 63 characters or less, alphanumeric, with -, _ or . inside'
  return undefined
}

function labelValueProblem(value: string): string | undefined {
  if (value === '' || (value.length <= 63 && NAME.test(value))) return undefined
  return 'a label value must be empty, or 63 characters or less, alphanumeric, with -, _ or . inside'
}

/** Parses `key=value` items of labels or annotations; every problem names the item. */
export function parseMetadataPairs(
  items: readonly string[],
  what: 'label' | 'annotation'
): { values: Record<string, string>; problems: string[] } {
  const values: Record<string, string> = {}
  const problems: string[] = []
  for (const item of items) {
    const equals = item.indexOf('=')
    const key = equals >= 0 ? item.slice(0, equals).trim() : item
    const value = equals >= 0 ? item.slice(equals + 1).trim() : ''
    const problem =
      equals < 0
        ? 'expected key=value'
        : (keyProblem(key) ?? (what === 'label' ? labelValueProblem(value) : undefined))
    if (problem !== undefined) problems.push(`${what} '${item}': ${problem}`)
    else if (key in values) problems.push(`${what} '${key}' is given twice`)
    else values[key] = value
  }
  return { values, problems }
}

/** Both inputs together; undefined when neither is set. */
export function namespaceMetadata(
  labels: readonly string[],
  annotations: readonly string[]
): { metadata: NamespaceMetadata | undefined; problems: string[] } {
  const l = parseMetadataPairs(labels, 'label')
  const a = parseMetadataPairs(annotations, 'annotation')
  const metadata: NamespaceMetadata = {
    ...(labels.length > 0 ? { labels: l.values } : {}),
    ...(annotations.length > 0 ? { annotations: a.values } : {})
  }
  const empty = labels.length === 0 && annotations.length === 0
  return { metadata: empty ? undefined : metadata, problems: [...l.problems, ...a.problems] }
}
