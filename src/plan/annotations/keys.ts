import { HOOK_FINALIZER, IGNORE_RESTART_POLICY, TRACKING_ANNOTATION } from '../../model/tracking.js'

/** Annotation keys wavesync interprets (sync-semantics §2). */
export const ARGO = {
  hook: 'argocd.argoproj.io/hook',
  deletePolicy: 'argocd.argoproj.io/hook-delete-policy',
  wave: 'argocd.argoproj.io/sync-wave',
  syncOptions: 'argocd.argoproj.io/sync-options',
  ignoreRestartPolicy: IGNORE_RESTART_POLICY
} as const

/** Helm and Sherpack share key names under their own prefixes. */
export const HELM_PREFIX = 'helm.sh/'
export const SHERPACK_PREFIX = 'sherpack.io/'
export const HELM_KEYS = ['hook', 'hook-weight', 'hook-delete-policy', 'resource-policy'] as const
export const HELM_ONLY_KEYS = ['hook-output-log-policy'] as const
export type HelmKey = (typeof HELM_KEYS)[number] | (typeof HELM_ONLY_KEYS)[number]

export const WAVESYNC = {
  timeout: 'wavesync.dev/timeout',
  trackingId: TRACKING_ANNOTATION,
  hookFinalizer: HOOK_FINALIZER
} as const

/** Every key wavesync reads; a near-miss of one of these is a typo. */
export const KNOWN_KEYS: readonly string[] = [
  ...Object.values(ARGO),
  ...HELM_KEYS.map(key => HELM_PREFIX + key),
  ...HELM_ONLY_KEYS.map(key => HELM_PREFIX + key),
  ...HELM_KEYS.map(key => SHERPACK_PREFIX + key),
  WAVESYNC.timeout,
  WAVESYNC.trackingId
]

/** Prefixes whose unknown keys are examined at all. */
export const WATCHED_PREFIXES = [
  'argocd.argoproj.io/',
  HELM_PREFIX,
  SHERPACK_PREFIX,
  'wavesync.dev/'
] as const

/** Levenshtein distance, capped: only "is it within 2" matters, so stop early past the cap. */
export function editDistance(a: string, b: string, cap = 3): number {
  if (Math.abs(a.length - b.length) >= cap) return cap
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i)
  for (let i = 1; i <= a.length; i++) {
    const row = [i]
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1)
      row.push(Math.min((previous[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, substitution))
    }
    if (Math.min(...row) >= cap) return cap
    previous = row
  }
  return Math.min(previous[b.length] ?? cap, cap)
}

/** The known key an unknown one is probably a typo of (edit distance ≤ 2), if any. */
export function suggestKey(key: string): string | undefined {
  let best: { key: string; distance: number } | undefined
  for (const known of KNOWN_KEYS) {
    const distance = editDistance(key, known)
    if (distance <= 2 && (!best || distance < best.distance)) best = { key: known, distance }
  }
  return best?.key
}
