import type { Dirent } from 'node:fs'
import { lstat, readFile, readdir, realpath, stat } from 'node:fs/promises'
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
 * leads outside it is an error, never read. The root itself may be reached through a symlink.
 */
export function fileManifestSource(root: string): ManifestSource {
  let workspace: Promise<Workspace> | undefined
  const open = (): Promise<Workspace> =>
    (workspace ??= realpath(path.resolve(root)).then(real => new Workspace(real)))
  return {
    resolve: async patterns => (await open()).resolve(patterns),
    read: async file => {
      const full = await (await open()).confined(file)
      const info = await stat(full)
      if (info.size > MAX_FILE_BYTES) throw new Error(`${file}: file is larger than ${MAX_FILE_BYTES} bytes`)
      return readFile(full, 'utf8')
    }
  }
}

interface Problem {
  file?: string
  message: string
}

class Workspace {
  constructor(private readonly base: string) {}

  async resolve(patterns: readonly string[]): Promise<{ files: string[]; issues: Issue[] }> {
    const excludes = patterns.filter(p => p.startsWith('!')).map(p => excluder(normalise(p.slice(1))))
    const found = new Set<string>()
    const issues: Issue[] = []
    for (const pattern of patterns.filter(p => !p.startsWith('!'))) {
      const problems = await this.expand(pattern, found)
      issues.push(
        ...problems.map(({ file, message }) => ({
          severity: 'error' as const,
          file: file ?? pattern,
          line: 1,
          message
        }))
      )
    }
    const files = [...found].filter(file => !excludes.some(excluded => excluded(file))).sort()
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

  /** Adds the files one pattern names to `into`; returns the problems to report (at the pattern, or a file). */
  private async expand(pattern: string, into: Set<string>): Promise<Problem[]> {
    const relative = normalise(pattern)
    const scan = picomatch.scan(relative)
    if (scan.isGlob && relative.split('/').includes('..')) {
      // `k8s/**/../../x`: a glob may not climb; said plainly rather than "matched no files".
      return [
        { message: `the glob '${pattern}' reaches outside the workspace ('..' in a glob is not allowed)` }
      ]
    }
    if (scan.isGlob) {
      const start = await this.confined(scan.base || '.').catch(() => undefined)
      if (!start)
        return [{ message: `the glob's folder '${scan.base}' is outside the workspace or does not exist` }]
      const matches = picomatch(relative)
      const walked = await this.walk(scan.base || '.')
      const files = walked.files.filter(file => MANIFEST_EXTENSIONS.test(file) && matches(file))
      files.forEach(file => into.add(file))
      return [
        ...walked.problems,
        ...(files.length === 0 ? [{ message: 'the glob matched no .yaml, .yml or .json files' }] : [])
      ]
    }
    const full = await this.confined(relative).catch((error: unknown) =>
      error instanceof Error ? error : new Error(String(error))
    )
    if (full instanceof Error) return [{ message: full.message }]
    if (!(await stat(full)).isDirectory()) {
      into.add(this.relative(full))
      return []
    }
    const walked = await this.walk(relative)
    const files = walked.files.filter(file => MANIFEST_EXTENSIONS.test(file))
    files.forEach(file => into.add(file))
    const empty = files.length === 0 && walked.problems.length === 0
    return [
      ...walked.problems,
      ...(empty ? [{ message: 'the folder holds no .yaml, .yml or .json files' }] : [])
    ]
  }

  /**
   * Every regular file below a folder, by its repo-relative path as written. A symlink leading
   * outside the workspace is a problem (never followed); a folder already visited (a symlink
   * cycle) is not entered twice.
   */
  private async walk(
    folder: string,
    visited = new Set<string>()
  ): Promise<{ files: string[]; problems: Problem[] }> {
    const result: { files: string[]; problems: Problem[] } = { files: [], problems: [] }
    const real = await this.confined(folder)
    if (visited.has(real)) return result
    visited.add(real)
    for (const entry of (await readdir(real, { withFileTypes: true })).sort((a, b) =>
      a.name < b.name ? -1 : 1
    )) {
      if (entry.name === '.git' || entry.name === 'node_modules') continue
      const child = folder === '.' ? entry.name : `${folder}/${entry.name}`
      const kind = await this.entryKind(entry, child, result.problems)
      if (kind === 'file') result.files.push(child)
      if (kind !== 'folder') continue
      const inner = await this.walk(child, visited)
      result.files.push(...inner.files)
      result.problems.push(...inner.problems)
    }
    return result
  }

  /**
   * A folder entry's kind. Inside a real folder an entry that is not a symlink is where it says
   * (no realpath, no stat); a symlink is confined and followed; anything else is skipped.
   */
  private async entryKind(
    entry: Dirent,
    child: string,
    problems: Problem[]
  ): Promise<'file' | 'folder' | undefined> {
    if (entry.isFile()) return 'file'
    if (entry.isDirectory()) return 'folder'
    const target = await this.confined(child).catch((error: unknown) =>
      error instanceof Error ? error : new Error(String(error))
    )
    if (target instanceof Error) {
      if (entry.isSymbolicLink()) problems.push({ file: child, message: target.message })
      return undefined
    }
    const info = await stat(target)
    return info.isDirectory() ? 'folder' : info.isFile() ? 'file' : undefined
  }

  /** The real path of a repo-relative path, or an error when it (or a symlink on the way) leaves the root. */
  async confined(relative: string): Promise<string> {
    const full = path.resolve(this.base, relative)
    if (!isInside(this.base, full)) throw new Error(`'${relative}' is outside the workspace (${this.base})`)
    const real = await realpath(full).catch(async () => {
      const link = await lstat(full).catch(() => undefined)
      throw new Error(
        link?.isSymbolicLink() ? `'${relative}' is a broken symlink` : `'${relative}' does not exist`
      )
    })
    if (!isInside(this.base, real))
      throw new Error(`'${relative}' leads outside the workspace through a symlink`)
    return real
  }

  private relative(full: string): string {
    return path.relative(this.base, full).split(path.sep).join('/')
  }
}

/** `!k8s/dev` excludes the folder and everything below it, like `!k8s/dev/**`. */
function excluder(pattern: string): (file: string) => boolean {
  const matches = picomatch(pattern, { dot: true })
  const folder = pattern.replace(/\/+$/, '')
  return file => matches(file) || file.startsWith(folder + '/')
}

function isInside(base: string, full: string): boolean {
  const relative = path.relative(base, full)
  return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative))
}

function normalise(pattern: string): string {
  return pattern.replace(/\\/g, '/').replace(/^\.\//, '')
}
