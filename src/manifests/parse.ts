import type { Event, ScalarEvent } from 'js-yaml'
import {
  EVENT_ID,
  SCALAR_STYLE,
  YAMLException,
  constructFromEvents,
  getScalarValue,
  parseEvents
} from 'js-yaml'
import type { Issue } from '../model/issue.js'
import type { FieldLines } from '../model/manifest.js'
import { pathKey } from '../model/manifest.js'
import { LEGACY_OCTAL, MANIFEST_SCHEMA, YAML11_BOOLEAN, YAML11_SEXAGESIMAL } from './yaml-schema.js'

/** One YAML document of a file, with where it starts and where each field is. */
export interface ParsedDocument {
  value: unknown
  docIndex: number
  line: number
  fieldLines: FieldLines
}

export interface ParsedFile {
  documents: ParsedDocument[]
  issues: Issue[]
}

/**
 * Values one file may hold. The parser keeps one event per value, so a dense file of small values
 * (`[1,1,1,…]`) costs far more memory than its bytes: 15 MB of them took gigabytes. Real manifest
 * files hold thousands of values; an object in etcd is at most 1.5 MiB.
 */
const MAX_VALUES = 1_000_000

/** An upper bound of the values in a YAML text: every value ends at a separator or a line end. */
function valueBound(text: string): number {
  let count = 0
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i)
    if (code === 10 || code === 44) count++
  }
  return count + 1
}

/** Limits that keep hostile input bounded (alias bombs, runaway nesting). */
const MAX_DEPTH = 64
const MAX_ALIASES = 1000

/**
 * Parses a YAML (or JSON, its subset) file into documents with positions. Pure: text in, data out.
 * A syntax error yields one error issue at its line and no documents, so nothing of a broken file
 * is half-used.
 */
export function parseYamlFile(text: string, file: string): ParsedFile {
  const values = valueBound(text)
  if (values > MAX_VALUES) {
    const message = `the file holds more than ${MAX_VALUES} values (about ${values}); split it into smaller files`
    return { documents: [], issues: [{ severity: 'error', file, line: 1, message }] }
  }
  try {
    const events = parseEvents(text, { filename: file, maxDepth: MAX_DEPTH })
    const values = constructFromEvents(events, {
      source: text,
      filename: file,
      schema: MANIFEST_SCHEMA,
      maxAliases: MAX_ALIASES
    })
    const walk = walkEvents(events, text, file)
    const documents = walk.documents.map((doc, index) => ({ ...doc, value: values[index] ?? null }))
    return { documents, issues: walk.issues }
  } catch (error) {
    return { documents: [], issues: [yamlIssue(error, file)] }
  }
}

function yamlIssue(error: unknown, file: string): Issue {
  if (error instanceof YAMLException) {
    return {
      severity: 'error',
      file,
      line: (error.mark?.line ?? 0) + 1,
      message: `invalid YAML: ${error.reason}`
    }
  }
  const message = error instanceof Error ? error.message : String(error)
  return { severity: 'error', file, line: 1, message: `invalid YAML: ${message}` }
}

type Frame =
  | { kind: 'mapping'; path: (string | number)[]; key: string | undefined }
  | { kind: 'sequence'; path: (string | number)[]; index: number }
  | { kind: 'document' }

interface Walk {
  documents: Omit<ParsedDocument, 'value'>[]
  issues: Issue[]
}

/** Follows the event stream to record the line of every field and the YAML 1.1 ambiguities. */
function walkEvents(events: readonly Event[], text: string, file: string): Walk {
  const walker = new EventWalker(text, file)
  for (const event of events) walker.on(event)
  return walker.walk
}

class EventWalker {
  readonly walk: Walk = { documents: [], issues: [] }
  private readonly stack: Frame[] = []
  private current: { docIndex: number; line: number; fieldLines: Map<string, number> } | undefined
  private readonly lineOf: (offset: number) => number

  constructor(
    private readonly text: string,
    private readonly file: string
  ) {
    this.lineOf = lineLocator(text)
  }

  on(event: Event): void {
    switch (event.type) {
      case EVENT_ID.DOCUMENT:
        this.current = { docIndex: this.walk.documents.length, line: 0, fieldLines: new Map() }
        this.stack.push({ kind: 'document' })
        break
      case EVENT_ID.MAPPING:
      case EVENT_ID.SEQUENCE: {
        const path = this.place(event.start) ?? ['<complex key>']
        this.stack.push(
          event.type === EVENT_ID.MAPPING
            ? { kind: 'mapping', path, key: undefined }
            : { kind: 'sequence', path, index: 0 }
        )
        break
      }
      case EVENT_ID.SCALAR:
        this.onScalar(event)
        break
      case EVENT_ID.ALIAS:
        this.place(event.anchorStart)
        this.advance()
        break
      case EVENT_ID.POP:
        this.onPop()
        break
    }
  }

  /** The path of the node starting at `offset`; records its line where it is a sequence item or the root. */
  private place(offset: number): (string | number)[] | undefined {
    const parent = this.stack[this.stack.length - 1]
    const current = this.current
    if (!parent || !current) return undefined
    if (parent.kind === 'document') {
      if (current.line === 0 && offset >= 0) current.line = this.lineOf(offset)
      return []
    }
    if (parent.kind === 'sequence') {
      const path = [...parent.path, parent.index]
      if (offset >= 0 && recordsItems(parent.path)) current.fieldLines.set(pathKey(path), this.lineOf(offset))
      return path
    }
    return parent.key === undefined ? undefined : [...parent.path, parent.key]
  }

  /** A node ended: the next node of a sequence is the next item, of a mapping the next key. */
  private advance(): void {
    const parent = this.stack[this.stack.length - 1]
    if (parent?.kind === 'sequence') parent.index += 1
    if (parent?.kind === 'mapping') parent.key = undefined
  }

  private onPop(): void {
    const popped = this.stack.pop()
    if (popped?.kind !== 'document' || !this.current) {
      this.advance()
      return
    }
    const { docIndex, line, fieldLines } = this.current
    this.walk.documents.push({ docIndex, line: line || 1, fieldLines })
    this.current = undefined
  }

  private onScalar(event: ScalarEvent): void {
    const parent = this.stack[this.stack.length - 1]
    if (parent?.kind === 'mapping' && parent.key === undefined) {
      parent.key = getScalarValue(this.text, event)
      if (this.current && event.valueStart >= 0 && parent.path.length < MAX_RECORDED_DEPTH) {
        this.current.fieldLines.set(pathKey([...parent.path, parent.key]), this.lineOf(event.valueStart))
      }
      return
    }
    const path = this.place(event.valueStart)
    if (event.style === SCALAR_STYLE.PLAIN && event.valueStart >= 0 && path) {
      this.checkYaml11(getScalarValue(this.text, event), this.lineOf(event.valueStart), path)
    }
    this.advance()
  }

  /** Plain scalars YAML 1.1 (kubectl) reads otherwise than YAML 1.2 become warnings at their line. */
  private checkYaml11(raw: string, line: number, path: readonly (string | number)[]): void {
    const field = path.join('.')
    const warn = (message: string): void => {
      this.walk.issues.push({
        severity: 'warning',
        file: this.file,
        line,
        docIndex: this.current?.docIndex ?? 0,
        message
      })
    }
    if (YAML11_BOOLEAN.test(raw)) {
      warn(
        `${field}: plain '${raw}' is the string "${raw}" here (YAML 1.2) but a boolean for kubectl (YAML 1.1); quote it or write true/false`
      )
    } else if (LEGACY_OCTAL.test(raw)) {
      warn(
        `${field}: '${raw}' is read as octal (${parseInt(raw, 8)}), as kubectl does; write ${raw.replace(/^([-+]?)0/, (_, sign: string) => `${sign}0o`)} to say so explicitly`
      )
    } else if (YAML11_SEXAGESIMAL.test(raw)) {
      warn(`${field}: plain '${raw}' is a string here but a base-60 number for YAML 1.1; quote it`)
    }
  }
}

/**
 * Which lines are kept: messages point at fields near the top of an object (metadata, annotations,
 * a List item's metadata), at List items and at finalizer entries. Keeping every line of a dense
 * 15 MB document cost gigabytes; these never need more than a few entries per object.
 */
const MAX_RECORDED_DEPTH = 7

function recordsItems(path: readonly (string | number)[]): boolean {
  const last = path[path.length - 1]
  return (path.length === 1 && last === 'items') || last === 'finalizers'
}

/** Maps a 0-based character offset to a 1-based line by binary search over line starts. */
function lineLocator(text: string): (offset: number) => number {
  const starts = [0]
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1)
  return offset => {
    let low = 0
    let high = starts.length - 1
    while (low < high) {
      const mid = (low + high + 1) >> 1
      if ((starts[mid] ?? 0) <= offset) low = mid
      else high = mid - 1
    }
    return low + 1
  }
}
