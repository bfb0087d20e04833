// One escaping function per output context (the toolkit's `command.ts` habit): the job summary's
// `add*` builders escape nothing (platform.md §4), Slack's mrkdwn needs its own three entities
// (platform.md §10). Pure: no I/O.

const HTML: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;'
}

/**
 * Characters Markdown would read as syntax inside a paragraph or table cell, as numeric
 * entities: entities are decoded after GFM splits table rows, so `&#124;` never ends a cell.
 */
const MARKDOWN: Readonly<Record<string, string>> = {
  '|': '&#124;',
  '`': '&#96;',
  '*': '&#42;',
  _: '&#95;',
  '[': '&#91;',
  ']': '&#93;',
  '~': '&#126;',
  '\\': '&#92;'
}

/** Escapes `& < > " '` for HTML text and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, c => HTML[c] ?? c)
}

/**
 * Escapes text for one line of Markdown (a heading, a paragraph, a list item): HTML first, then
 * the characters Markdown would read as emphasis, code, links, strike-through or a table pipe.
 * Newlines are kept; use {@link escapeTableCell} where a newline would end the construct.
 */
export function escapeMarkdown(text: string): string {
  return escapeHtml(text).replace(/[|`*_[\]~\\]/g, c => MARKDOWN[c] ?? c)
}

/**
 * Escapes text for a Markdown table cell or an HTML block (`<table>`, `<summary>`): as
 * {@link escapeMarkdown}, with `|` kept out of the cell and newlines turned into `<br>` (a raw
 * newline ends a table row; a blank line ends an HTML block).
 */
export function escapeTableCell(text: string): string {
  return escapeMarkdown(text.replace(/\r\n?/g, '\n')).replace(/\n/g, '<br>')
}

/** Escapes Slack mrkdwn: only `&`, `<` and `>` are special (api.slack.com "Escaping text"). */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
}

/**
 * A fenced Markdown code block whose fence is longer than the longest backtick run in the text
 * (at least three), so the text can never close it early. The job summary prefers
 * {@link preBlock}; this is for places that only speak Markdown.
 */
export function fence(text: string, language = ''): string {
  const longest = Math.max(0, ...Array.from(text.matchAll(/`+/g), m => m[0].length))
  const ticks = '`'.repeat(Math.max(3, longest + 1))
  return `${ticks}${language}\n${text}\n${ticks}`
}

/**
 * Lines as an HTML `<pre>` block with escaped content: Markdown is not parsed inside it, and
 * blank lines in it do not end it (CommonMark HTML block type 1), whatever the log holds.
 */
export function preBlock(lines: readonly string[]): string {
  return `<pre>\n${lines.map(escapeHtml).join('\n')}\n</pre>`
}

/** Text on one line: line breaks and the whitespace around them become ` ⏎ `. */
export function oneLine(text: string): string {
  return text.trim().replace(/\s*[\r\n]+\s*/g, ' ⏎ ')
}

/**
 * At most `max` UTF-16 units, ending in `…` when cut; never splits a surrogate pair (an emoji).
 * `max` must be at least 1.
 */
export function clip(text: string, max: number): string {
  if (text.length <= max) return text
  let end = max - 1
  const last = text.charCodeAt(end - 1)
  if (last >= 0xd800 && last <= 0xdbff) end -= 1
  return `${text.slice(0, end)}…`
}
