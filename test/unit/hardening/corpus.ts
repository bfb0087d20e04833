// The hostile and broken input corpus of issue 8 (test/fixtures/bad/corpus, see its README.md):
// loading the case folders, laying each out as a throw-away workspace (generated files, symlinks,
// byte-order marks and CRLF made at test time), running the shipped CLI bundle on it with a time
// and heap limit, and comparing what it printed with the case's expected.json. Shared by the unit
// test (plan, no cluster) and the e2e test (sync against the real control plane).
import { spawn } from 'node:child_process'
import { mkdirSync, readFileSync, readdirSync, statSync, symlinkSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { REPO_ROOT } from '../../support/fixtures.js'

export const CORPUS_DIR = path.join(REPO_ROOT, 'test/fixtures/bad/corpus')
export const CLI_BUNDLE = path.join(REPO_ROOT, 'dist/cli.js')
/** Every case's suffix in the repository: keeps `wavesync plan test/fixtures/bad` from walking into the corpus. */
export const SUFFIX = '.in'
export const DEFAULT_MAX_MS = 10_000
/** Source revision passed to every run, so generated hook names do not depend on the environment. */
export const REVISION = '3f9c2ab8d1e4f00d'

export interface ExpectedError {
  /** The file as wavesync names it (repo-relative, or the path as given); absent: any. */
  file?: string
  /** 1-based line; null where there is no line (kubeconfig, connection) or it is not pinned. */
  line: number | null
  messageContains: string
}

export type Generated =
  | { file: string; type: 'oversize'; bytes: number }
  | { file: string; type: 'configmaps'; documents: number }
  | { file: string; type: 'dense-sequence'; bytes: number }
  | { file: string; type: 'binary'; bytes: number; seed: number; noNul?: boolean }
  | { file: string; type: 'utf16'; text: string }
  | { file: string; type: 'deep-alias'; levels: number; aliases: number }

export interface ObjectRef {
  apiVersion: string
  kind: string
  name: string
  namespace?: string
}

/** What a run must end with. */
export interface Outcome {
  exit: number | number[]
  /** Every error the run reports, no more and no fewer (warnings are not counted). */
  errors: ExpectedError[]
  /** Number of planned tasks (plan runs that succeed). */
  tasks?: number
}

export interface CaseSpec extends Outcome {
  description: string
  /** `plan` (default): offline, test/unit/hardening; `sync`: against the cluster, test/e2e. */
  command?: 'plan' | 'sync'
  /** Default `--manifests .`. */
  args?: string[]
  generate?: Generated[]
  transform?: Record<string, ('bom' | 'crlf')[]>
  symlinks?: { path: string; target: string }[]
  /** Run node with --max-old-space-size: a bomb must not crash a small heap. */
  heapMb?: number
  maxMs?: number
  /** Objects that must not exist after a sync (the destination namespace always must not). */
  absent?: ObjectRef[]
  /** The same input through `sync` on the cluster: its own outcome, or false for "not run". Default: as plan. */
  sync?: (Outcome & { absent?: ObjectRef[] }) | false
}

export interface BadCase {
  name: string
  folder: string
  spec: CaseSpec
}

/** Every case folder of the corpus, sorted by name. */
export function loadCorpus(): BadCase[] {
  return readdirSync(CORPUS_DIR, { withFileTypes: true })
    .filter(entry => entry.isDirectory())
    .map(entry => entry.name)
    .sort()
    .map(name => {
      const folder = path.join(CORPUS_DIR, name)
      const spec = JSON.parse(readFileSync(path.join(folder, `expected.json${SUFFIX}`), 'utf8')) as CaseSpec
      return { name, folder, spec }
    })
}

/** The application and namespace of a case: `e2e-bad-<case>[-<suffix>]`, a DNS label of at most 53. */
export function namespaceFor(name: string, suffix?: string): string {
  const base = `e2e-bad-${name}`.slice(0, suffix ? 46 : 53).replace(/-+$/, '')
  return suffix ? `${base}-${suffix}` : base
}

export type Vars = Record<string, string>

/** Replaces `${NAME}` for the names given; other `${…}` stay as they are. */
export function substitute(text: string, vars: Vars): string {
  return text.replace(/\$\{([A-Z_]+)\}/g, (whole, name: string) => vars[name] ?? whole)
}

export interface Layout {
  /** The CLI's working folder: the workspace every path is confined to. */
  workspace: string
  /** A sibling folder outside the workspace, holding what must never be read. */
  outside: string
}

/** Lays a case out under `root`: files (suffix dropped, `${…}` filled in), generated files, symlinks. */
export function materialize(c: BadCase, root: string, vars: Vars): Layout {
  const layout = { workspace: path.join(root, 'ws'), outside: path.join(root, 'outside') }
  mkdirSync(layout.workspace, { recursive: true })
  mkdirSync(layout.outside, { recursive: true })
  for (const relative of filesBelow(c.folder)) {
    if (relative === `expected.json${SUFFIX}`) continue
    if (!relative.endsWith(SUFFIX)) throw new Error(`${c.name}/${relative}: corpus files end with ${SUFFIX}`)
    const name = relative.slice(0, -SUFFIX.length)
    const target = name.startsWith('outside/')
      ? path.join(layout.outside, name.slice('outside/'.length))
      : path.join(layout.workspace, name)
    let text = substitute(readFileSync(path.join(c.folder, relative), 'utf8'), vars)
    for (const step of c.spec.transform?.[name] ?? []) text = step === 'bom' ? `\ufeff${text}` : crlf(text)
    mkdirSync(path.dirname(target), { recursive: true })
    writeFileSync(target, text)
  }
  for (const generated of c.spec.generate ?? []) {
    const target = path.join(layout.workspace, generated.file)
    mkdirSync(path.dirname(target), { recursive: true })
    writeFileSync(target, generate(generated))
  }
  for (const link of c.spec.symlinks ?? []) {
    const at = path.join(layout.workspace, link.path)
    mkdirSync(path.dirname(at), { recursive: true })
    symlinkSync(substitute(link.target, vars), at)
  }
  return layout
}

function filesBelow(folder: string, prefix = ''): string[] {
  return readdirSync(path.join(folder, prefix), { withFileTypes: true }).flatMap(entry => {
    const relative = prefix === '' ? entry.name : `${prefix}/${entry.name}`
    return entry.isDirectory() ? filesBelow(folder, relative) : [relative]
  })
}

function crlf(text: string): string {
  return text.replace(/\r?\n/g, '\r\n')
}

/** Deterministic content for files too big, too binary or too repetitive to keep in the repository. */
export function generate(spec: Generated): Buffer {
  switch (spec.type) {
    case 'oversize':
      return fill(
        'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: oversize\ndata:\n',
        spec.bytes,
        i => `  k${String(i).padStart(7, '0')}: "${'z'.repeat(200)}"\n`
      )
    case 'configmaps': {
      const docs = Array.from(
        { length: spec.documents },
        (_, i) =>
          `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm-${String(i).padStart(5, '0')}\ndata:\n  v: "${'y'.repeat(960)}"\n`
      )
      return Buffer.from(docs.join('---\n'))
    }
    case 'dense-sequence': {
      const head = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: dense\ndata:\n  items: ['
      const count = Math.floor((spec.bytes - head.length - 4) / 2)
      return Buffer.from(`${head}${'1,'.repeat(count)}1]\n`)
    }
    case 'binary': {
      const bytes = Buffer.alloc(spec.bytes)
      let state = spec.seed >>> 0 || 1
      for (let i = 0; i < bytes.length; i++) {
        state ^= state << 13
        state ^= state >>> 17
        state ^= state << 5
        state >>>= 0
        const byte = state & 0xff
        bytes[i] = spec.noNul === true && byte === 0 ? 1 : byte
      }
      return bytes
    }
    case 'utf16':
      return Buffer.from(`\ufeff${spec.text}`, 'utf16le')
    case 'deep-alias': {
      const open = '['.repeat(spec.levels)
      const close = ']'.repeat(spec.levels)
      const lines = [
        `# ${spec.aliases} anchors, each nesting the previous one ${spec.levels} levels deeper.`,
        'apiVersion: v1',
        'kind: ConfigMap',
        'metadata:',
        '  name: deep-alias',
        'data:',
        `  a0: &a0 ${open}1${close}`
      ]
      for (let i = 1; i < spec.aliases; i++) lines.push(`  a${i}: &a${i} ${open}*a${i - 1}${close}`)
      return Buffer.from(lines.join('\n') + '\n')
    }
  }
}

function fill(head: string, bytes: number, line: (i: number) => string): Buffer {
  const parts = [head]
  let size = head.length
  for (let i = 0; size < bytes; i++) {
    const next = line(i)
    parts.push(next)
    size += next.length
  }
  return Buffer.from(parts.join(''))
}

export interface CliRun {
  code: number | null
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
  ms: number
}

/** Runs `node dist/cli.js …` in `cwd`; SIGKILLs it past `killAfterMs` so a hang cannot stall the suite. */
export function runBundle(
  args: readonly string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv; heapMb?: number; killAfterMs: number }
): Promise<CliRun> {
  const node = options.heapMb === undefined ? [] : [`--max-old-space-size=${options.heapMb}`]
  const started = Date.now()
  const child = spawn(process.execPath, [...node, CLI_BUNDLE, ...args], {
    cwd: options.cwd,
    env: { ...(options.env ?? process.env), NODE_OPTIONS: '' },
    stdio: ['ignore', 'pipe', 'pipe']
  })
  let stdout = ''
  let stderr = ''
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk))
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
  const timer = setTimeout(() => child.kill('SIGKILL'), options.killAfterMs)
  return new Promise((resolve, reject) => {
    child.on('error', reject)
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      resolve({ code, signal, stdout, stderr, ms: Date.now() - started })
    })
  })
}

export interface ReportedError {
  file: string
  line: number
  message: string
}

/** Pairs expected with reported errors one to one; returns what does not match, in words. */
export function compareErrors(
  expected: readonly ExpectedError[],
  reported: readonly ReportedError[],
  vars: Vars
): string[] {
  const left = [...reported]
  const problems: string[] = []
  for (const want of expected) {
    const file = want.file === undefined ? undefined : substitute(want.file, vars)
    const contains = substitute(want.messageContains, vars)
    const index = left.findIndex(
      got =>
        (file === undefined || got.file === file) &&
        (want.line === null || got.line === want.line) &&
        got.message.includes(contains)
    )
    if (index >= 0) left.splice(index, 1)
    else problems.push(`missing error ${file ?? '*'}:${want.line ?? '*'}: …${contains}…`)
  }
  for (const extra of left) problems.push(`unexpected error ${extra.file}:${extra.line}: ${extra.message}`)
  return problems
}

/** Problems common to every run: time, crashes, stack traces, the exit code. */
export function runProblems(run: CliRun, exit: number | number[], maxMs: number): string[] {
  const problems: string[] = []
  const allowed = Array.isArray(exit) ? exit : [exit]
  if (run.signal !== null) problems.push(`killed by ${run.signal} after ${run.ms} ms`)
  if (run.code === null || !allowed.includes(run.code))
    problems.push(`exit ${String(run.code)}, expected ${allowed.join(' or ')}`)
  if (run.ms > maxMs) problems.push(`took ${run.ms} ms (limit ${maxMs} ms)`)
  if (/heap out of memory|FATAL ERROR|Invalid string length|Maximum call stack/.test(run.stderr))
    problems.push(`crashed: ${firstLines(run.stderr)}`)
  if (/unexpected error/.test(run.stderr)) problems.push(`an unexpected error: ${firstLines(run.stderr)}`)
  if (/^\s+at .+:\d+:\d+\)?$/m.test(run.stderr)) problems.push('a stack trace on stderr')
  return problems
}

function firstLines(text: string): string {
  return text.split('\n').slice(0, 3).join(' | ').slice(0, 400)
}

interface PlanOutput {
  tasks: unknown[]
  errors: { file: string; line: number; message: string }[]
}

/** Everything wrong with a `plan --format json` run of a case. */
export function planProblems(c: BadCase, run: CliRun, vars: Vars): string[] {
  const { spec } = c
  const problems = runProblems(run, spec.exit, spec.maxMs ?? DEFAULT_MAX_MS)
  let plan: PlanOutput
  try {
    plan = JSON.parse(run.stdout) as PlanOutput
  } catch {
    return [...problems, `stdout is not the JSON plan: ${firstLines(run.stdout || run.stderr)}`]
  }
  problems.push(...compareErrors(spec.errors, plan.errors, vars))
  if (plan.errors.length > 0 && plan.tasks.length > 0) problems.push('tasks listed despite errors')
  if (spec.tasks !== undefined && plan.tasks.length !== spec.tasks)
    problems.push(`${plan.tasks.length} tasks, expected ${spec.tasks}`)
  if (run.stderr.trim() !== '') problems.push(`stderr: ${firstLines(run.stderr)}`)
  return problems
}

/** The `file:line: error: message` lines a sync prints, and its other error lines (`wavesync: …`). */
export function syncErrors(stderr: string): { located: ReportedError[]; general: string[] } {
  const located: ReportedError[] = []
  const general: string[] = []
  for (const line of stderr.split('\n')) {
    const found = /^(.*?):(\d+): error: (.*)$/.exec(line)
    if (found) located.push({ file: found[1] ?? '', line: Number(found[2]), message: found[3] ?? '' })
    else if (line.trim() !== '') general.push(line)
  }
  return { located, general }
}

/**
 * Everything wrong with a sync run, against an outcome: every expected error matches one located
 * error (`file:line: error: …`; an expectation without a line matches any line) or, without a line,
 * any other stderr line; located errors nobody expected are problems too.
 */
export function syncProblems(run: CliRun, outcome: Outcome, vars: Vars, maxMs: number): string[] {
  const problems = runProblems(run, outcome.exit, maxMs)
  const { located, general } = syncErrors(run.stderr)
  const left = [...located]
  for (const want of outcome.errors) {
    const file = want.file === undefined ? undefined : substitute(want.file, vars)
    const contains = substitute(want.messageContains, vars)
    const index = left.findIndex(
      got =>
        (file === undefined || got.file === file) &&
        (want.line === null || got.line === want.line) &&
        got.message.includes(contains)
    )
    if (index >= 0) left.splice(index, 1)
    else if (want.line === null && general.some(line => line.includes(file ?? '') && line.includes(contains)))
      continue
    else
      problems.push(
        `no error ${file ?? '*'}:${want.line ?? '*'} with '${contains}': ${firstLines(run.stderr)}`
      )
  }
  for (const extra of left) problems.push(`unexpected error ${extra.file}:${extra.line}: ${extra.message}`)
  return problems
}

/** Sizes of generated files, for the record (a 20 MB case must really be over 16 MB). */
export function sizeOf(file: string): number {
  return statSync(file).size
}
