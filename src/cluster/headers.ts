// Response headers wavesync reads: `Warning` (deprecations, unknown fields under fieldValidation=Warn)
// and `Retry-After` (API priority and fairness, overloaded servers).

// RFC 7234 §5.5: `299 - "text"` or `299 - "text" "date"`; several values are comma-joined, and the
// quoted text may itself contain commas and backslash-escaped quotes.
const WARNING = /(\d{3})\s+\S+\s+"((?:[^"\\]|\\.)*)"(?:\s+"[^"]*")?/g

// Retry-After beyond this is not honoured as such: a sync waits for a capped backoff and moves on.
const MAX_RETRY_AFTER_MS = 10_000

/** The texts of a `Warning` header, unescaped, in order, without duplicates. */
export function parseWarnings(header: string | null): string[] {
  if (header === null || header === '') return []
  const texts: string[] = []
  for (const match of header.matchAll(WARNING)) {
    const text = (match[2] ?? '').replace(/\\(.)/g, '$1').trim()
    if (text !== '' && !texts.includes(text)) texts.push(text)
  }
  return texts
}

/** `Retry-After` in milliseconds (seconds form only; the API server never sends dates), capped. */
export function parseRetryAfter(header: string | null): number | undefined {
  if (header === null || !/^\s*\d+\s*$/.test(header)) return undefined
  return Math.min(Number(header.trim()) * 1000, MAX_RETRY_AFTER_MS)
}
