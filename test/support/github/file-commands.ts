// The runner's file commands (GITHUB_OUTPUT, GITHUB_STATE, GITHUB_ENV, GITHUB_PATH), parsed as
// actions/runner's FileCommandManager does on Linux: lines split on LF; `NAME=VALUE` when `=` comes
// before any `<<`; otherwise `NAME<<DELIMITER` then value lines up to a line equal to DELIMITER
// (the LF before it is not part of the value); the same errors for a missing name, delimiter or
// end marker. @actions/core writes `name<<ghadelimiter_<uuid>\nvalue\nghadelimiter_<uuid>\n`.

export class FileCommandError extends Error {
  override readonly name = 'FileCommandError'
}

/** Reads one line from `index`; null past the end. `newline` is undefined for a last line without LF. */
function readLine(
  text: string,
  index: number
): { line: string | null; next: number; newline: string | undefined } {
  if (index >= text.length) return { line: null, next: index, newline: undefined }
  const lf = text.indexOf('\n', index)
  if (lf < 0) return { line: text.slice(index), next: text.length, newline: undefined }
  return { line: text.slice(index, lf), next: lf + 1, newline: '\n' }
}

function readHeredoc(text: string, start: number, delimiter: string): { value: string; next: number } {
  let index = start
  let end = start
  for (;;) {
    const { line, next, newline } = readLine(text, index)
    if (line === null)
      throw new FileCommandError(`Invalid value. Matching delimiter not found '${delimiter}'`)
    index = next
    if (line === delimiter) break
    if (newline === undefined) throw new FileCommandError('Invalid value. EOF marker missing new line.')
    end = index - newline.length
  }
  return { value: end > start ? text.slice(start, end) : '', next: index }
}

/** Parses a key-value file command (outputs, state, env); a later entry for a name wins. */
export function parseKeyValueFile(text: string): Record<string, string> {
  const out: Record<string, string> = {}
  let index = 0
  for (;;) {
    const { line, next } = readLine(text, index)
    if (line === null) break
    index = next
    if (line === '') continue
    const eq = line.indexOf('=')
    const heredoc = line.indexOf('<<')
    if (eq >= 0 && (heredoc < 0 || eq < heredoc)) {
      const name = line.slice(0, eq)
      if (name === '') throw new FileCommandError(`Invalid format '${line}'. Name must not be empty`)
      out[name] = line.slice(eq + 1)
    } else if (heredoc >= 0 && (eq < 0 || heredoc < eq)) {
      const name = line.slice(0, heredoc)
      const delimiter = line.slice(heredoc + 2)
      if (name === '' || delimiter === '') {
        throw new FileCommandError(
          `Invalid format '${line}'. Name must not be empty and delimiter must not be empty`
        )
      }
      const { value, next: after } = readHeredoc(text, index, delimiter)
      out[name] = value
      index = after
    } else {
      throw new FileCommandError(`Invalid format '${line}'`)
    }
  }
  return out
}

/** Parses GITHUB_PATH: one directory per line, empty lines skipped; the runner prepends the last one first. */
export function parsePathFile(text: string): string[] {
  const out: string[] = []
  for (const line of text.split('\n')) {
    const entry = line.replace(/\r$/, '')
    if (entry === '') continue
    const existing = out.indexOf(entry)
    if (existing >= 0) out.splice(existing, 1)
    out.push(entry)
  }
  return out
}

/** The runner's PATH for later steps: the added directories, most recent first, before the old PATH. */
export function prependPath(added: readonly string[], path: string | undefined): string {
  const front = [...added].reverse()
  return [...front, ...(path === undefined || path === '' ? [] : [path])].join(':')
}
