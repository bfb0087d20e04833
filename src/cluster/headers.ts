// Response headers wavesync reads: `Warning` (deprecations, unknown fields under fieldValidation=Warn)
// and `Retry-After` (API priority and fairness, overloaded servers).

// RFC 7234 §5.5: `299 - "text"` or `299 - "text" "date"`; several values are comma-joined, and the
// quoted text may itself contain commas and backslash-escaped quotes.
const WARNING = /(\d{3})\s+\S+\s+"((?:[^"\\]|\\.)*)"(?:\s+"[^"]*")?/g

// Retry-After beyond this is not honoured as such: a sync waits for a capped backoff and moves on.
const MAX_RETRY_AFTER_MS = 10_000

/**
 * Response headers as undici's `Dispatcher.request()` gives them: lowercase names, and a header
 * sent several times as an array of its values (the API server sends one `Warning` per warning).
 */
export type ResponseHeaders = Readonly<Record<string, HeaderValue>>
export type HeaderValue = string | readonly string[] | undefined

/** The texts of all `Warning` headers, unescaped, in order, without duplicates. */
export function parseWarnings(header: HeaderValue): string[] {
  const values = typeof header === 'string' ? [header] : (header ?? [])
  const texts: string[] = []
  for (const value of values) {
    for (const match of value.matchAll(WARNING)) {
      const text = (match[2] ?? '').replace(/\\(.)/g, '$1').trim()
      if (text !== '' && !texts.includes(text)) texts.push(text)
    }
  }
  return texts
}

/**
 * `Retry-After` in milliseconds (seconds form only; the API server never sends dates), capped. A
 * repeated header is ignored, as when fetch joined it into one invalid value ("3, 3").
 */
export function parseRetryAfter(header: HeaderValue): number | undefined {
  if (typeof header !== 'string' || !/^\s*\d+\s*$/.test(header)) return undefined
  return Math.min(Number(header.trim()) * 1000, MAX_RETRY_AFTER_MS)
}
