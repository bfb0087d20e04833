import type { Issue, Severity } from '../../model/issue.js'
import { issueAt } from '../../model/issue.js'
import { keyOf } from '../../model/key.js'
import type { Manifest } from '../../model/manifest.js'
import { annotationLine, fieldLine } from '../../model/manifest.js'
import type { ArgoHookType, DeletePolicy, HookEvent, HookFamily } from '../../model/vocabulary.js'
import {
  ARGO_HOOK_TYPES,
  DELETE_POLICIES,
  HELM_HOOK_EVENTS,
  SHERPACK_HOOK_EVENTS
} from '../../model/vocabulary.js'
import type { HelmKey } from './keys.js'
import {
  ARGO,
  HELM_PREFIX,
  KNOWN_KEYS,
  SHERPACK_PREFIX,
  WATCHED_PREFIXES,
  WAVESYNC,
  suggestKey
} from './keys.js'
import type { SyncOptions } from './sync-options.js'
import { parseSyncOptions } from './sync-options.js'
import { parseDuration, parseWave, splitList } from './values.js'

/** What a hook annotation says: Argo phases, or Helm/Sherpack events. */
export type HookSpec =
  { family: 'argo'; types: ArgoHookType[] } | { family: 'helm' | 'sherpack'; events: HookEvent[] }

/** Everything wavesync reads from one object's annotations, in one vocabulary for all families. */
export interface Directives {
  /** Undefined: not a hook (a resource, or `Skip`). */
  hook: HookSpec | undefined
  /** `argocd.argoproj.io/hook: Skip` alone: never applied, never pruned. */
  skip: boolean
  wave: number
  /** Explicit policies, union over families; the default is applied by the planner for hooks. */
  deletePolicies: DeletePolicy[]
  syncOptions: SyncOptions
  /** `resource-policy: keep`: never pruned, never deleted. */
  keep: boolean
  /** `helm.sh/hook-output-log-policy`. */
  logPolicy: ('hook-succeeded' | 'hook-failed')[]
  timeoutMs: number | undefined
}

const KEBAB_POLICY: Readonly<Record<string, DeletePolicy>> = {
  'before-hook-creation': 'BeforeHookCreation',
  'hook-succeeded': 'HookSucceeded',
  'hook-failed': 'HookFailed'
}

/**
 * Reads an object's annotations (sync-semantics §2). Every problem becomes an issue located at the
 * annotation's line; nothing invalid is silently dropped or defaulted.
 */
export function readDirectives(
  manifest: Manifest,
  issues: Issue[],
  options: { live?: boolean } = {}
): Directives {
  const reader = new AnnotationReader(manifest, issues)
  // A live object carries what wavesync itself wrote (tracking id, finalizer): only manifests are checked.
  if (!options.live) reader.checkKeys()
  const { hook, skip } = reader.hookSpec()
  return {
    hook,
    skip,
    wave: reader.wave(),
    deletePolicies: reader.deletePolicies(hook),
    syncOptions: reader.syncOptions(),
    keep: reader.helmValue('resource-policy', ['keep']) === 'keep',
    logPolicy: reader.logPolicy(),
    timeoutMs: reader.timeout()
  }
}

class AnnotationReader {
  private readonly values: Record<string, string> = {}

  constructor(
    private readonly manifest: Manifest,
    private readonly issues: Issue[]
  ) {
    for (const [key, value] of Object.entries(manifest.object.metadata.annotations ?? {})) {
      if (typeof value === 'string') this.values[key] = value
      else
        this.report(
          'error',
          key,
          `annotation ${key}: value must be a string, found ${JSON.stringify(value)}; quote it (${key}: "${String(value)}")`
        )
    }
  }

  report(severity: Severity, key: string | undefined, message: string): void {
    const line =
      key === undefined ? fieldLine(this.manifest, ['metadata']) : annotationLine(this.manifest, key)
    this.issues.push(
      issueAt(severity, this.manifest.source, message, { line, key: keyOf(this.manifest.object) })
    )
  }

  /** Typos of known keys are errors; unknown wavesync keys are errors; other unknown keys are notices. */
  checkKeys(): void {
    for (const key of Object.keys(this.values)) {
      if (KNOWN_KEYS.includes(key) || !WATCHED_PREFIXES.some(prefix => key.startsWith(prefix))) continue
      const suggestion = suggestKey(key)
      if (suggestion) this.report('error', key, `unknown annotation ${key}: did you mean ${suggestion}?`)
      else if (key.startsWith('wavesync.dev/'))
        this.report('error', key, `unknown annotation ${key}; wavesync reads only ${WAVESYNC.timeout}`)
      else if (key !== ARGO.ignoreRestartPolicy)
        this.report('notice', key, `annotation ${key} is not used by wavesync`)
    }
    if (this.values[WAVESYNC.trackingId] !== undefined) {
      this.report(
        'error',
        WAVESYNC.trackingId,
        `${WAVESYNC.trackingId} is written by wavesync itself; remove it from the manifest`
      )
    }
    const finalizerIndex = this.manifest.object.metadata.finalizers?.indexOf(WAVESYNC.hookFinalizer) ?? -1
    if (finalizerIndex >= 0) {
      const line = fieldLine(this.manifest, ['metadata', 'finalizers', finalizerIndex])
      const message = `finalizer ${WAVESYNC.hookFinalizer} is managed by wavesync; remove it from the manifest`
      this.issues.push(
        issueAt('error', this.manifest.source, message, { line, key: keyOf(this.manifest.object) })
      )
    }
  }

  /** A list annotation, or undefined when absent; an empty list is an error. */
  list(key: string, lowerCase = false): string[] | undefined {
    const raw = this.values[key]
    if (raw === undefined) return undefined
    const items = splitList(lowerCase ? raw.toLowerCase() : raw)
    if (items.length === 0) this.report('error', key, `annotation ${key} is empty`)
    return items
  }

  /** The Sherpack key, else the Helm key (each key falls back independently, sync-semantics §2.8.4). */
  helmKey(key: HelmKey): string | undefined {
    if (this.values[SHERPACK_PREFIX + key] !== undefined) return SHERPACK_PREFIX + key
    return this.values[HELM_PREFIX + key] !== undefined ? HELM_PREFIX + key : undefined
  }

  helmValue(key: HelmKey, allowed: readonly string[]): string | undefined {
    const found = this.helmKey(key)
    if (!found) return undefined
    const value = (this.values[found] ?? '').trim().toLowerCase()
    if (!allowed.includes(value))
      this.report(
        'error',
        found,
        `annotation ${found}: '${this.values[found]}' is not valid; use ${allowed.join(' or ')}`
      )
    return value
  }

  /** The hook's phases (sync-semantics §2.8.1), and whether the object is `Skip` alone. */
  hookSpec(): { hook: HookSpec | undefined; skip: boolean } {
    const argo = this.argoHook()
    const hook = this.hookFrom(argo)
    return { hook, skip: hook === undefined && argo?.includes('Skip') === true }
  }

  private hookFrom(argo: ArgoHookType[] | undefined): HookSpec | undefined {
    const helmKey = this.helmKey('hook')
    if (argo !== undefined) {
      if (helmKey)
        this.report(
          'warning',
          helmKey,
          `${helmKey} is ignored: ${ARGO.hook} is set and decides the hook phases`
        )
      const types = argo.filter(type => type !== 'Skip')
      if (types.length === 0) return undefined
      if (types.length < argo.length)
        this.report(
          'warning',
          ARGO.hook,
          `Skip is ignored because the object is also a ${types.join(', ')} hook`
        )
      return { family: 'argo', types }
    }
    if (!helmKey) return undefined
    const family: HookFamily = helmKey.startsWith(SHERPACK_PREFIX) ? 'sherpack' : 'helm'
    const events = this.hookEvents(helmKey, family)
    return events.length > 0 ? { family, events } : undefined
  }

  private argoHook(): ArgoHookType[] | undefined {
    const items = this.list(ARGO.hook)
    if (!items) return undefined
    const valid = items.filter((item): item is ArgoHookType =>
      (ARGO_HOOK_TYPES as readonly string[]).includes(item)
    )
    for (const item of items.filter(item => !valid.includes(item as ArgoHookType))) {
      const cased = ARGO_HOOK_TYPES.find(type => type.toLowerCase() === item.toLowerCase())
      const hint = cased ? ` (values are case-sensitive: ${cased})` : ''
      this.report(
        'error',
        ARGO.hook,
        `unknown hook type '${item}'${hint}; valid: ${ARGO_HOOK_TYPES.join(', ')}`
      )
    }
    return valid
  }

  private hookEvents(key: string, family: HookFamily): HookEvent[] {
    const allowed: readonly string[] = family === 'sherpack' ? SHERPACK_HOOK_EVENTS : HELM_HOOK_EVENTS
    const events: HookEvent[] = []
    for (const item of this.list(key, true) ?? []) {
      if (allowed.includes(item)) events.push(item as HookEvent)
      else
        this.report(
          'error',
          key,
          `unknown hook event '${item}'${legacyHint(item)}; valid: ${allowed.join(', ')}`
        )
    }
    return events
  }

  wave(): number {
    const key = this.values[ARGO.wave] !== undefined ? ARGO.wave : this.helmKey('hook-weight')
    if (!key) return 0
    const raw = this.values[key] ?? ''
    const wave = parseWave(raw)
    if (wave === undefined)
      this.report(
        'error',
        key,
        `annotation ${key}: '${raw}' is not an integer (write a whole number such as "-1" or "5", within 32 bits)`
      )
    return wave ?? 0
  }

  deletePolicies(hook: HookSpec | undefined): DeletePolicy[] {
    const policies = new Set<DeletePolicy>()
    for (const item of this.list(ARGO.deletePolicy) ?? []) {
      if ((DELETE_POLICIES as readonly string[]).includes(item)) policies.add(item as DeletePolicy)
      else
        this.report(
          'error',
          ARGO.deletePolicy,
          `unknown delete policy '${item}'; valid: ${DELETE_POLICIES.join(', ')}`
        )
    }
    const helmKey = this.helmKey('hook-delete-policy')
    for (const item of helmKey ? (this.list(helmKey, true) ?? []) : []) {
      const policy = KEBAB_POLICY[item]
      if (policy) policies.add(policy)
      else
        this.report(
          'error',
          helmKey,
          `unknown delete policy '${item}'; valid: ${Object.keys(KEBAB_POLICY).join(', ')}`
        )
    }
    const anyPolicyKey = this.values[ARGO.deletePolicy] !== undefined ? ARGO.deletePolicy : helmKey
    if (!hook && anyPolicyKey)
      this.report('warning', anyPolicyKey, `${anyPolicyKey} is ignored: the object is not a hook`)
    return DELETE_POLICIES.filter(policy => policies.has(policy))
  }

  syncOptions(): SyncOptions {
    const raw = this.values[ARGO.syncOptions]
    if (raw === undefined) return {}
    const parsed = parseSyncOptions(raw, 'object')
    for (const problem of parsed.problems) this.report('error', ARGO.syncOptions, problem)
    return parsed.options
  }

  logPolicy(): ('hook-succeeded' | 'hook-failed')[] {
    const key = HELM_PREFIX + 'hook-output-log-policy'
    const result: ('hook-succeeded' | 'hook-failed')[] = []
    for (const item of this.list(key, true) ?? []) {
      if (item === 'hook-succeeded' || item === 'hook-failed') result.push(item)
      else this.report('error', key, `unknown log policy '${item}'; valid: hook-succeeded, hook-failed`)
    }
    return result
  }

  timeout(): number | undefined {
    const raw = this.values[WAVESYNC.timeout]
    if (raw === undefined) return undefined
    const ms = parseDuration(raw)
    if (ms === undefined)
      this.report(
        'error',
        WAVESYNC.timeout,
        `annotation ${WAVESYNC.timeout}: '${raw}' is not a duration (e.g. "90s", "5m", "1h30m")`
      )
    return ms
  }
}

function legacyHint(item: string): string {
  if (item === 'crd-install') return ' (Helm 2 only: put CRDs in the manifests; wavesync applies them first)'
  if (item === 'test-failure') return ' (Helm 2 only)'
  return ''
}
