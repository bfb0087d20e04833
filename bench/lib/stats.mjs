// Summary statistics for repeated measurements: the median and the spread (min/max and the
// interquartile range), as the issue asks. Quantiles are linear interpolations (type 7, like R/numpy).

/** The q-quantile (0..1) of numbers. */
export function quantile(values, q) {
  const sorted = [...values].sort((a, b) => a - b)
  if (sorted.length === 0) return null
  const position = (sorted.length - 1) * q
  const low = Math.floor(position)
  const high = Math.ceil(position)
  return sorted[low] + (sorted[high] - sorted[low]) * (position - low)
}

/** n, median, min, max, p25, p75, iqr and p90 of a list of numbers (null fields when empty). */
export function summarize(values, digits = 1) {
  const clean = values.filter(v => typeof v === 'number' && Number.isFinite(v))
  const round = v => (v === null ? null : Number(v.toFixed(digits)))
  if (clean.length === 0)
    return { n: 0, median: null, min: null, max: null, p25: null, p75: null, iqr: null, p90: null }
  const p25 = quantile(clean, 0.25)
  const p75 = quantile(clean, 0.75)
  return {
    n: clean.length,
    median: round(quantile(clean, 0.5)),
    min: round(Math.min(...clean)),
    max: round(Math.max(...clean)),
    p25: round(p25),
    p75: round(p75),
    iqr: round(p75 - p25),
    p90: round(quantile(clean, 0.9))
  }
}

/** "1234 (1100–1400)": median with min–max, for tables; values of 100 and more as integers. */
export function fmt(summary, unit = '') {
  if (!summary || summary.median === null) return 'n/a'
  const n = v => (Math.abs(v) >= 100 ? Math.round(v) : v)
  if (summary.n === 1) return `${n(summary.median)}${unit}`
  return `${n(summary.median)}${unit} (${n(summary.min)}–${n(summary.max)})`
}
