/**
 * Splits a list annotation (sync-semantics §2.1): items separated by commas, blanks around them
 * trimmed, empty items dropped, duplicates dropped (first kept).
 */
export function splitList(value: string): string[] {
  const items = value
    .split(',')
    .map(item => item.replace(/^[ \t]+|[ \t]+$/g, ''))
    .filter(item => item !== '')
  return [...new Set(items)]
}

/** A wave or hook weight: optional sign and digits, within a signed 32-bit integer. */
export function parseWave(value: string): number | undefined {
  if (!/^[+-]?[0-9]+$/.test(value)) return undefined
  const wave = Number(value)
  return wave >= -2147483648 && wave <= 2147483647 ? wave : undefined
}

const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }

/** A duration like `90s`, `5m`, `1h30m` or `250ms`, in milliseconds; undefined when malformed or zero. */
export function parseDuration(value: string): number | undefined {
  if (!/^([0-9]+(ms|s|m|h))+$/.test(value)) return undefined
  let total = 0
  for (const [, amount, unit] of value.matchAll(/([0-9]+)(ms|s|m|h)/g))
    total += Number(amount) * (UNIT_MS[unit ?? 's'] ?? 0)
  return total > 0 && Number.isSafeInteger(total) ? total : undefined
}

/** Renders milliseconds the way users write durations: `5m`, `1h30m`, `250ms`. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`
  const parts: string[] = []
  let rest = Math.round(ms / 1000)
  for (const [unit, seconds] of [
    ['h', 3600],
    ['m', 60],
    ['s', 1]
  ] as const) {
    if (rest >= seconds) {
      parts.push(`${Math.floor(rest / seconds)}${unit}`)
      rest %= seconds
    }
  }
  return parts.join('')
}
