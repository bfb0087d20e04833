import { lstat, readFile, readdir, realpath } from 'node:fs/promises'
import path from 'node:path'
import picomatch from 'picomatch'
import type { Issue } from '../model/issue.js'

/** Reads manifest files. The port the loader depends on; tests use an in-memory one. */
export interface ManifestSource {
  /** Expands paths, directories and globs (a leading `!` excludes) to repo-relative files, sorted. */
  resolve(patterns: readonly string[]): Promise<{ files: string[]; issues: Issue[] }>
  /** The text of a repo-relative file. */
  read(file: string): Promise<string>
}

/** Files a directory or glob picks up; explicitly named files may have any extension. */
const MANIFEST_EXTENSIONS = /\.(ya?ml|json)$/i
const MAX_FILE_BYTES = 16 * 1024 * 1024

/**
 * The filesystem adapter, confined to one root (the workspace): a path, glob or symlink that
 * leads outside it is an error, never read.
 */
export function fileManifestSource(root: string): ManifestSource {
  const base = path.resolve(root)
  return {
    resolve: patterns => resolvePatterns(base, patterns),
    read: async file => {
      const full = await confined(base, file)
      const info = await lstat(full)
      if (info.size > MAX_FILE_BYTES) throw new Error(`${file}: file is larger than ${MAX_FILE_BYTES} bytes`)
      return readFile(full, 'utf8')
    }
  }
}

async function resolvePatterns(
  base: string,
  patterns: readonly string[]
): Promise<{ files: string[]; issues: Issue[] }> {
  const includes = patterns.filter(p => !p.startsWith('!'))
  const excludes = patterns
    .filter(p => p.startsWith('!'))
    .map(p => picomatch(normalise(p.slice(1)), { dot: true }))
  const found = new Set<string>()
  const issues: Issue[] = []
  for (const pattern of includes) {
    const problem = await expand(base, pattern, found)
    if (problem) issues.push({ severity: 'error', file: pattern, line: 1, message: problem })
  }
  const files = [...found].filter(file => !excludes.some(matches => matches(file))).sort()
  if (files.length === 0 && issues.length === 0) {
    issues.push({
      severity: 'error',
      file: patterns.join(' ') || '(none)',
      line: 1,
      message: 'no manifest files matched'
    })
  }
  return { files, issues }
}

/** Adds the files one pattern names to `into`; returns a problem to report, if any. */
async function expand(base: string, pattern: string, into: Set<string>): Promise<string | undefined> {
  const relative = normalise(pattern)
  if (picomatch.scan(relative).isGlob) {
    const { base: globBase } = picomatch.scan(relative)
    const matches = picomatch(relative, { dot: false })
    const start = await confined(base, globBase || '.').catch(() => undefined)
    if (!start) return `the glob's folder '${globBase}' is outside the workspace or does not exist`
    const before = into.size
    for (const file of await walk(base, start)) if (matches(file)) into.add(file)
    return into.size === before ? `the glob matched no files` : undefined
  }
  const full = await confined(base, relative).catch((error: unknown) => error)
  if (full instanceof Error) return full.message
  if (typeof full !== 'string') return 'cannot read'
  const info = await lstat(full)
  if (info.isDirectory()) {
    const files = (await walk(base, full)).filter(file => MANIFEST_EXTENSIONS.test(file))
    files.forEach(file => into.add(file))
    return files.length === 0 ? 'the folder holds no .yaml, .yml or .json files' : undefined
  }
  into.add(toRelative(base, full))
  return undefined
}

/** Every regular file below a folder, repo-relative; symlinks that lead outside the root are skipped. */
async function walk(base: string, folder: string): Promise<string[]> {
  const files: string[] = []
  for (const entry of await readdir(folder, { withFileTypes: true })) {
    if (entry.name === '.git' || entry.name === 'node_modules') continue
    const full = path.join(folder, entry.name)
    const real = await confined(base, toRelative(base, full)).catch(() => undefined)
    if (!real) continue
    const info = await lstat(real)
    if (info.isDirectory()) files.push(...(await walk(base, full)))
    else if (info.isFile()) files.push(toRelative(base, full))
  }
  return files
}

/** The real path of a repo-relative file, or an error when it (or a symlink on the way) leaves the root. */
async function confined(base: string, relative: string): Promise<string> {
  const full = path.resolve(base, relative)
  if (!isInside(base, full)) throw new Error(`'${relative}' is outside the workspace (${base})`)
  const real = await realpath(full).catch(() => {
    throw new Error(`'${relative}' does not exist`)
  })
  if (!isInside(await realpath(base), real))
    throw new Error(`'${relative}' leads outside the workspace through a symlink`)
  return real
}

function isInside(base: string, full: string): boolean {
  const relative = path.relative(base, full)
  return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative))
}

function normalise(pattern: string): string {
  return pattern.replace(/\\/g, '/').replace(/^\.\//, '')
}

function toRelative(base: string, full: string): string {
  return path.relative(base, full).split(path.sep).join('/')
}
