// Workflow commands (`::error file=a.yaml,line=3::message`) read the way the Actions runner reads
// them (actions/runner src/Runner.Common/ActionCommand.cs TryParseV2 and OutputManager): from stdout
// AND stderr, one line at a time, leading whitespace trimmed, only registered command names,
// properties split on `,` then on the first `=`, property names case-insensitive, values and data
// unescaped by sequential replacement in the runner's order; `::stop-commands::TOKEN` suspends
// parsing until `::TOKEN::`. The escaping side is @actions/core's (lib/command.js).

export type Stream = 'stdout' | 'stderr'

export interface OutputLine {
  stream: Stream
  text: string
  /** Milliseconds since the step started. */
  atMs: number
}

export interface WorkflowCommand {
  name: string
  /** As written, unescaped. Look names up case-insensitively (see `property`). */
  properties: Record<string, string>
  data: string
  stream: Stream
  /** Index of the line in the step's combined output. */
  line: number
}

export interface Annotation {
  level: 'error' | 'warning' | 'notice'
  message: string
  title?: string
  file?: string
  line?: number
  endLine?: number
  col?: number
  endColumn?: number
}

export interface LogGroup {
  title: string
  /** The lines inside the group, commands excluded. */
  lines: string[]
}

export interface ParsedLog {
  commands: WorkflowCommand[]
  annotations: Annotation[]
  /** `::add-mask::` values, in order. */
  masks: string[]
  groups: LogGroup[]
  debug: string[]
  /** Lines that are not commands (what the log shows as text). */
  text: string[]
}

/** The commands the runner's ActionCommandManager knows; other `::x::` lines are plain text. */
export const REGISTERED_COMMANDS: ReadonlySet<string> = new Set([
  'add-mask',
  'add-matcher',
  'remove-matcher',
  'debug',
  'notice',
  'warning',
  'error',
  'group',
  'endgroup',
  'echo',
  'set-env',
  'set-output',
  'save-state',
  'add-path',
  'stop-commands'
])

type Mapping = readonly (readonly [token: string, replacement: string])[]
const DATA_MAPPINGS: Mapping = [
  ['\r', '%0D'],
  ['\n', '%0A'],
  ['%', '%25']
]
const PROPERTY_MAPPINGS: Mapping = [
  ['\r', '%0D'],
  ['\n', '%0A'],
  [':', '%3A'],
  [',', '%2C'],
  ['%', '%25']
]

function unescapeWith(mappings: Mapping, escaped: string): string {
  let out = escaped
  for (const [token, replacement] of mappings) out = out.split(replacement).join(token)
  return out
}

/** The runner's UnescapeData: %0D, %0A, then %25. */
export function unescapeData(escaped: string): string {
  return unescapeWith(DATA_MAPPINGS, escaped)
}

/** The runner's UnescapeProperty: %0D, %0A, %3A, %2C, then %25. */
export function unescapeProperty(escaped: string): string {
  return unescapeWith(PROPERTY_MAPPINGS, escaped)
}

/** @actions/core's escapeData (lib/command.js). */
export function escapeData(value: string): string {
  return value.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A')
}

/** @actions/core's escapeProperty (lib/command.js). */
export function escapeProperty(value: string): string {
  return escapeData(value).replace(/:/g, '%3A').replace(/,/g, '%2C')
}

/** Parses one output line as the runner does; undefined when it is not a registered command. */
export function parseCommandLine(
  raw: string
): { name: string; properties: Record<string, string>; data: string } | undefined {
  const message = raw.trimStart()
  if (!message.startsWith('::')) return undefined
  const end = message.indexOf('::', 2)
  if (end < 0) return undefined
  const info = message.slice(2, end)
  const space = info.indexOf(' ')
  const name = space < 0 ? info : info.slice(0, space)
  if (!REGISTERED_COMMANDS.has(name)) return undefined
  const properties: Record<string, string> = {}
  if (space > 0) {
    for (const part of info
      .slice(space + 1)
      .trim()
      .split(',')) {
      if (part === '') continue
      const eq = part.indexOf('=')
      // C#'s Split('=', 2, RemoveEmptyEntries): `key=` and `=value` yield one entry and are dropped.
      if (eq <= 0 || eq === part.length - 1) continue
      properties[part.slice(0, eq)] = unescapeProperty(part.slice(eq + 1))
    }
  }
  return { name, properties, data: unescapeData(message.slice(end + 2)) }
}

/** A property by name, case-insensitively (the runner's dictionary ignores case). */
export function property(command: Pick<WorkflowCommand, 'properties'>, name: string): string | undefined {
  const key = Object.keys(command.properties).find(k => k.toLowerCase() === name.toLowerCase())
  return key === undefined ? undefined : command.properties[key]
}

function lineNumber(value: string | undefined): number | undefined {
  return value !== undefined && /^\d+$/.test(value.trim()) ? Number(value.trim()) : undefined
}

export function annotationOf(command: WorkflowCommand): Annotation | undefined {
  if (command.name !== 'error' && command.name !== 'warning' && command.name !== 'notice') return undefined
  const out: Annotation = { level: command.name, message: command.data }
  const title = property(command, 'title')
  const file = property(command, 'file')
  if (title !== undefined) out.title = title
  if (file !== undefined) out.file = file
  const numbers = [
    ['line', 'line'],
    ['endLine', 'endLine'],
    ['col', 'col'],
    ['endColumn', 'endColumn']
  ] as const
  for (const [prop, key] of numbers) {
    const n = lineNumber(property(command, prop))
    if (n !== undefined) out[key] = n
  }
  return out
}

/** Reads a step's output (both streams, in arrival order) like the runner does. */
export function parseLog(lines: readonly OutputLine[]): ParsedLog {
  const parsed: ParsedLog = { commands: [], annotations: [], masks: [], groups: [], debug: [], text: [] }
  let stopToken: string | undefined
  let group: LogGroup | undefined
  lines.forEach((line, index) => {
    if (stopToken !== undefined) {
      if (line.text.trim() === `::${stopToken}::`) {
        stopToken = undefined
        return
      }
      parsed.text.push(line.text)
      group?.lines.push(line.text)
      return
    }
    const found = parseCommandLine(line.text)
    if (found === undefined) {
      parsed.text.push(line.text)
      group?.lines.push(line.text)
      return
    }
    const command: WorkflowCommand = { ...found, stream: line.stream, line: index }
    parsed.commands.push(command)
    const annotation = annotationOf(command)
    if (annotation !== undefined) parsed.annotations.push(annotation)
    switch (command.name) {
      case 'add-mask':
        if (command.data.trim() !== '') parsed.masks.push(command.data)
        break
      case 'debug':
        parsed.debug.push(command.data)
        break
      case 'group':
        group = { title: command.data, lines: [] }
        parsed.groups.push(group)
        break
      case 'endgroup':
        group = undefined
        break
      case 'stop-commands':
        if (command.data !== '') stopToken = command.data
        break
      default:
        break
    }
  })
  return parsed
}

/** What the log shows once the runner's secret masker has seen `masks` (whole values, then each line). */
export function applyMasks(text: string, masks: readonly string[]): string {
  const values = new Set<string>()
  for (const mask of masks) {
    values.add(mask)
    for (const part of mask.split(/\r?\n/)) if (part.trim() !== '') values.add(part)
  }
  let out = text
  for (const value of [...values].sort((a, b) => b.length - a.length)) out = out.split(value).join('***')
  return out
}
