import { ARGO_HOOK_TYPES, SHERPACK_HOOK_EVENTS } from '../model/vocabulary.js'

/** Entries `skip-hooks` accepts: Argo phase names and Helm/Sherpack event names (sync-semantics §5.8). */
export const SKIPPABLE: readonly string[] = [
  ...ARGO_HOOK_TYPES.filter(type => type !== 'Skip'),
  ...SHERPACK_HOOK_EVENTS
]

/** Problems with a `skip-hooks` list, for settings validation. */
export function skipHooksProblems(entries: readonly string[]): string[] {
  return entries
    .filter(entry => !SKIPPABLE.includes(entry))
    .map(entry => `skip-hooks: unknown entry '${entry}'; valid: ${SKIPPABLE.join(', ')}`)
}

/**
 * Decides which hooks `no-hooks` and `skip-hooks` leave out: an Argo phase name skips Argo hooks of
 * that phase, a Helm event name skips Helm/Sherpack hooks of that event. Returns the reason or undefined.
 */
export function hookFilter(options: {
  none?: boolean
  skip?: readonly string[]
}): (family: string, trigger: string) => string | undefined {
  const skip = new Set(options.skip ?? [])
  return (family, trigger) => {
    if (options.none) return 'skipped (no-hooks)'
    const named =
      family === 'argo'
        ? ARGO_HOOK_TYPES.some(type => type === trigger)
        : !ARGO_HOOK_TYPES.some(type => type === trigger)
    return named && skip.has(trigger) ? `skipped (skip-hooks ${trigger})` : undefined
  }
}
