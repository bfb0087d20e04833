import { splitList } from './values.js'

/** Where a sync option may be set: on an object (annotation), for the application (input), or both. */
type Scope = 'object' | 'app' | 'both'

interface OptionRule {
  values: readonly string[]
  scope: Scope
  /** Why the option exists, for docs and messages. */
  effect: string
}

const BOOL = ['true', 'false'] as const

/** The sync options of sync-semantics §2.5, as data. Values are compared exactly (case-sensitive). */
export const SYNC_OPTION_RULES: Readonly<Record<string, OptionRule>> = {
  Prune: {
    values: ['false', 'confirm'],
    scope: 'both',
    effect: 'never prune, or prune only with confirm-prune'
  },
  PruneLast: { values: BOOL, scope: 'both', effect: 'prune after every Sync wave' },
  PrunePropagationPolicy: {
    values: ['foreground', 'background', 'orphan'],
    scope: 'app',
    effect: 'propagation of prunes, deletes and hook deletions'
  },
  Delete: {
    values: ['false', 'confirm'],
    scope: 'both',
    effect: 'keep on delete, or delete only with confirm-delete'
  },
  Replace: { values: BOOL, scope: 'both', effect: 'PUT instead of apply' },
  Force: { values: BOOL, scope: 'both', effect: 'delete and re-create when a field is immutable' },
  ServerSideApply: { values: BOOL, scope: 'both', effect: 'server-side apply (default) or client-side' },
  ClientSideApplyMigration: {
    values: BOOL,
    scope: 'app',
    effect: 'take over fields of kubectl client-side apply'
  },
  Validate: { values: BOOL, scope: 'both', effect: 'strict field validation' },
  SkipDryRunOnMissingResource: {
    values: BOOL,
    scope: 'both',
    effect: 'skip the dry run of kinds the server does not know yet'
  },
  ApplyOutOfSyncOnly: { values: BOOL, scope: 'app', effect: 'write only what differs from the live object' },
  CreateNamespace: { values: BOOL, scope: 'app', effect: 'create the destination namespace' },
  FailOnSharedResource: {
    values: BOOL,
    scope: 'app',
    effect: 'fail on objects tracked by another application'
  },
  RespectIgnoreDifferences: {
    values: ['false'],
    scope: 'app',
    effect: 'unsupported: wavesync has no ignore-differences rules'
  }
}

export type SyncOptions = Readonly<Record<string, string>>

export interface ParsedOptions {
  options: Record<string, string>
  problems: string[]
}

/** Parses `Key=Value` items for one scope; every bad item is a problem saying what would be valid. */
export function parseSyncOptions(raw: string | readonly string[], where: 'object' | 'app'): ParsedOptions {
  const items = typeof raw === 'string' ? splitList(raw) : raw.flatMap(item => splitList(item))
  const parsed: ParsedOptions = { options: {}, problems: [] }
  if (items.length === 0) parsed.problems.push('the list of sync options is empty')
  for (const item of items) {
    const problem = checkItem(item, where)
    if (problem) parsed.problems.push(problem)
    else {
      const [key = '', value = ''] = item.split('=', 2)
      parsed.options[key] = value
    }
  }
  return parsed
}

function checkItem(item: string, where: 'object' | 'app'): string | undefined {
  const equals = item.indexOf('=')
  if (equals <= 0) return `sync option '${item}' is not of the form Key=Value`
  const key = item.slice(0, equals)
  const value = item.slice(equals + 1)
  const rule = SYNC_OPTION_RULES[key]
  if (!rule) {
    const known = Object.keys(SYNC_OPTION_RULES).find(k => k.toLowerCase() === key.toLowerCase())
    return known
      ? `unknown sync option '${key}': did you mean '${known}'?`
      : `unknown sync option '${key}'; known: ${Object.keys(SYNC_OPTION_RULES).join(', ')}`
  }
  if (key === 'RespectIgnoreDifferences' && value === 'true')
    return `sync option ${item} is not supported: wavesync has no ignore-differences rules`
  if (!rule.values.includes(value))
    return `sync option ${item}: value must be one of ${rule.values.map(v => `${key}=${v}`).join(', ')} (case-sensitive)`
  if (where === 'object' && rule.scope === 'app')
    return `sync option ${key} applies to the whole application; set it in the sync-options input, not on an object`
  return undefined
}

/** The effective value of an option: the object's, else the application's. */
export function optionValue(key: string, object: SyncOptions, app: SyncOptions): string | undefined {
  return object[key] ?? app[key]
}
