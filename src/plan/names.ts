/** Name rules per kind, so a bad name fails validation instead of the API call (sync-semantics §5.2). */
export const SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/
const LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/
const DNS1035 = /^[a-z]([-a-z0-9]*[a-z0-9])?$/

interface NameRule {
  pattern: RegExp
  max: number
  what: string
}

const RULES: Readonly<Record<string, NameRule>> = {
  Namespace: { pattern: LABEL, max: 63, what: 'a DNS-1123 label' },
  Service: { pattern: DNS1035, max: 63, what: 'a DNS-1035 label (starts with a letter)' },
  // The Job controller copies the name into the `job-name` label, whose values stop at 63.
  Job: { pattern: SUBDOMAIN, max: 63, what: 'a DNS-1123 subdomain of at most 63 characters' },
  // The CronJob controller appends an 11-character suffix to make Job names.
  CronJob: { pattern: SUBDOMAIN, max: 52, what: 'a DNS-1123 subdomain of at most 52 characters' }
}

/** Kinds whose names are DNS-1123 subdomains; other kinds (RBAC, custom) only need a valid path segment. */
const SUBDOMAIN_KINDS = new Set([
  'ConfigMap',
  'Secret',
  'Pod',
  'Deployment',
  'StatefulSet',
  'DaemonSet',
  'ReplicaSet',
  'ReplicationController',
  'ServiceAccount',
  'PersistentVolume',
  'PersistentVolumeClaim',
  'StorageClass',
  'Ingress',
  'IngressClass',
  'NetworkPolicy',
  'CustomResourceDefinition',
  'HorizontalPodAutoscaler',
  'PodDisruptionBudget',
  'ResourceQuota',
  'LimitRange',
  'PriorityClass'
])

/** Why a name is invalid for its kind, or undefined when it is fine. */
export function nameProblem(kind: string, name: string): string | undefined {
  const rule =
    RULES[kind] ??
    (SUBDOMAIN_KINDS.has(kind) ? { pattern: SUBDOMAIN, max: 253, what: 'a DNS-1123 subdomain' } : undefined)
  if (!rule) {
    if (name === '.' || name === '..' || /[/%]/.test(name))
      return `name '${name}' may not be '.' or '..' or contain '/' or '%'`
    return name.length > 253 ? `name '${name}' is longer than 253 characters` : undefined
  }
  if (name.length > rule.max)
    return `${kind} name '${name}' has ${name.length} characters; at most ${rule.max} (${rule.what})`
  if (!rule.pattern.test(name))
    return `${kind} name '${name}' must be ${rule.what}: lower-case letters, digits and '-'`
  return undefined
}
