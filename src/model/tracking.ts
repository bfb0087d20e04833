import type { ResourceKey } from './key.js'

/** The finalizer on every hook wavesync creates, so its final status stays readable (§5.5). */
export const HOOK_FINALIZER = 'wavesync.dev/hook-finalizer'

/** Argo CD's annotation judging a non-hook Pod as restartPolicy Always (§6.2). */
export const IGNORE_RESTART_POLICY = 'argocd.argoproj.io/ignore-restart-policy'

/** The annotation wavesync writes on every object it writes (sync-semantics §7.1). */
export const TRACKING_ANNOTATION = 'wavesync.dev/tracking-id'

/** The label naming the application on each of its inventory records (sync-semantics §7.2). */
export const APPLICATION_LABEL = 'wavesync.dev/application'

/** The field manager of every write wavesync makes (server-side apply and the rest). */
export const FIELD_MANAGER = 'wavesync'

/** `<application>:<group>/<kind>:<namespace>/<name>`, Argo CD's annotation-tracking format. */
export function trackingId(app: string, key: ResourceKey): string {
  return `${app}:${key.group}/${key.kind}:${key.namespace}/${key.name}`
}

/** The application a tracking id names, or undefined when the value is not one. */
export function trackedApp(value: string | undefined): string | undefined {
  const colon = value?.indexOf(':') ?? -1
  return value !== undefined && colon > 0 ? value.slice(0, colon) : undefined
}
