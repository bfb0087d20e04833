import { afterAll, beforeAll, describe, expect, test } from '@jest/globals'
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { loadManifests } from '../../../src/manifests/load.js'
import type { ManifestSource } from '../../../src/manifests/source.js'
import { fileManifestSource } from '../../../src/manifests/source.js'

const CM = (name: string): string => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n`
const SECRET = 'apiVersion: v1\nkind: Secret\nmetadata:\n  name: outside-secret\n'

/**
 * A temp folder holding `root/` (the workspace) and `outside/` (never to be read):
 *
 *   root/k8s/b.yaml, a.yml, c.json, notes.txt, .hidden.yaml
 *   root/k8s/sub/d.yaml, root/k8s/sub/deeper/e.yaml
 *   root/k8s/node_modules/dep/chart.yaml, root/k8s/.git/hooks.yaml (never walked into)
 *   root/other/x.yaml, root/empty/readme.md
 *   root/links/inside.yaml → ../k8s/b.yaml (stays inside)
 *   root/inside-links/inside.yaml → ../k8s/b.yaml (a folder whose only entry stays inside)
 *   root/links/escape.yaml → ../../outside/secret.yaml
 *   root/escape-dir → ../outside
 *   root/escaping/escape.yaml → ../../outside/secret.yaml (a folder whose only entry escapes)
 */
let temp = ''
let root = ''
let source: ManifestSource

beforeAll(async () => {
  temp = await mkdtemp(path.join(tmpdir(), 'wavesync-source-'))
  root = path.join(temp, 'root')
  const files: Record<string, string> = {
    'root/k8s/b.yaml': CM('b'),
    'root/k8s/a.yml': CM('a'),
    'root/k8s/c.json': JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' } }),
    'root/k8s/notes.txt': 'not a manifest',
    'root/k8s/.hidden.yaml': CM('hidden'),
    'root/k8s/sub/d.yaml': CM('d'),
    'root/k8s/sub/deeper/e.yaml': CM('e'),
    // Never walked into: dependencies and git internals.
    'root/k8s/node_modules/dep/chart.yaml': CM('dependency'),
    'root/k8s/.git/hooks.yaml': CM('git'),
    'root/other/x.yaml': CM('x'),
    'root/empty/readme.md': '# nothing here',
    'outside/secret.yaml': SECRET
  }
  for (const [file, text] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(temp, file)), { recursive: true })
    await writeFile(path.join(temp, file), text)
  }
  await mkdir(path.join(root, 'links'))
  await mkdir(path.join(root, 'escaping'))
  await symlink('../k8s/b.yaml', path.join(root, 'links/inside.yaml'))
  await mkdir(path.join(root, 'inside-links'))
  await symlink('../k8s/b.yaml', path.join(root, 'inside-links/inside.yaml'))
  await symlink('../../outside/secret.yaml', path.join(root, 'links/escape.yaml'))
  await symlink('../../outside/secret.yaml', path.join(root, 'escaping/escape.yaml'))
  await symlink('../outside', path.join(root, 'escape-dir'))
  source = fileManifestSource(root)
})

afterAll(async () => {
  await rm(temp, { recursive: true, force: true })
})

// fileManifestSource.resolve

test.each([
  // A folder is read recursively, .yaml/.yml/.json only, sorted, skipping node_modules and .git;
  // dotfiles are included in folders.
  [
    ['k8s'],
    ['k8s/.hidden.yaml', 'k8s/a.yml', 'k8s/b.yaml', 'k8s/c.json', 'k8s/sub/d.yaml', 'k8s/sub/deeper/e.yaml']
  ],
  // `./` and backslashes are normalised.
  [['./k8s/sub'], ['k8s/sub/d.yaml', 'k8s/sub/deeper/e.yaml']],
  // An explicitly named file may have any extension.
  [['k8s/notes.txt'], ['k8s/notes.txt']],
  // A glob matches repo-relative paths; `**` crosses folders; dotfiles are not matched by globs.
  [['k8s/**/*.yaml'], ['k8s/b.yaml', 'k8s/sub/d.yaml', 'k8s/sub/deeper/e.yaml']],
  // `!` excludes by glob, after all includes are expanded.
  [
    ['k8s', '!k8s/sub/**'],
    ['k8s/.hidden.yaml', 'k8s/a.yml', 'k8s/b.yaml', 'k8s/c.json']
  ],
  [['k8s/*.yaml', 'other', '!**/b.yaml'], ['other/x.yaml']],
  // Several patterns are merged, deduplicated and sorted together.
  [
    ['other', 'k8s/sub', 'k8s/sub/d.yaml'],
    ['k8s/sub/d.yaml', 'k8s/sub/deeper/e.yaml', 'other/x.yaml']
  ],
  // A symlink named explicitly that stays inside is followed and listed under its real path,
  // so it is not read twice when its target is named too.
  [['links/inside.yaml', 'k8s/b.yaml'], ['k8s/b.yaml']],
  // Inside a folder, a symlink staying inside is listed under its own path.
  [['inside-links'], ['inside-links/inside.yaml']]
])('resolve %j → %j', async (patterns, files) => {
  expect(await source.resolve(patterns)).toEqual({ files, issues: [] })
})

test('a glob picks up manifest files only (.yaml, .yml, .json), like a folder', async () => {
  expect(await source.resolve(['k8s/*'])).toEqual({
    files: ['k8s/a.yml', 'k8s/b.yaml', 'k8s/c.json'],
    issues: []
  })
})

test.each([
  // `../` reaching outside: an error naming the pattern, nothing listed.
  [['../outside/secret.yaml'], `'../outside/secret.yaml' is outside the workspace (ROOT)`],
  // A path that climbs out and back in is judged by where it lands.
  [['k8s/../../outside/secret.yaml'], `'k8s/../../outside/secret.yaml' is outside the workspace (ROOT)`],
  // A glob whose folder is outside.
  [
    ['../outside/*.yaml'],
    "the glob '../outside/*.yaml' reaches outside the workspace ('..' in a glob is not allowed)"
  ],
  // A symlink leading outside, named explicitly.
  [['links/escape.yaml'], `'links/escape.yaml' leads outside the workspace through a symlink`],
  // A symlinked folder leading outside.
  [['escape-dir'], `'escape-dir' leads outside the workspace through a symlink`],
  // Missing paths and empty folders say so.
  [['nope.yaml'], `'nope.yaml' does not exist`],
  [['empty'], 'the folder holds no .yaml, .yml or .json files'],
  [['k8s/*.md'], 'the glob matched no .yaml, .yml or .json files']
])('%j is an error: %s', async (patterns, message) => {
  const resolved = await source.resolve(patterns)
  expect(resolved.files).toEqual([])
  expect(resolved.issues).toEqual([
    { severity: 'error', file: patterns[0], line: 1, message: message.replace('ROOT', root) }
  ])
})

test('everything excluded: "no manifest files matched"', async () => {
  expect(await source.resolve(['other', '!other/**'])).toEqual({
    files: [],
    issues: [{ severity: 'error', file: 'other !other/**', line: 1, message: 'no manifest files matched' }]
  })
})

test('a folder holding a symlink that leads outside: an error, and the outside file is never listed', async () => {
  const resolved = await source.resolve(['links'])
  expect(resolved.files).toEqual(['links/inside.yaml'])
  expect(resolved.issues).toEqual([
    {
      severity: 'error',
      file: 'links/escape.yaml',
      line: 1,
      message: `'links/escape.yaml' leads outside the workspace through a symlink`
    }
  ])
})

test('a glob over the whole workspace never lists what symlinks outside point to', async () => {
  const resolved = await source.resolve(['**/*.yaml'])
  expect(resolved.files.filter(file => file.startsWith('escape') || file.includes('secret'))).toEqual([])
  expect(resolved.files).not.toContain('links/escape.yaml')
})

test('a symlink cycle inside the workspace lists each file once and terminates', async () => {
  const cycleRoot = path.join(temp, 'cycle')
  await mkdir(path.join(cycleRoot, 'dir'), { recursive: true })
  await writeFile(path.join(cycleRoot, 'dir/a.yaml'), CM('a'))
  await symlink('..', path.join(cycleRoot, 'dir/loop'))
  const resolved = await fileManifestSource(cycleRoot).resolve(['dir'])
  // Compared by count first: a failure would otherwise print dozens of dir/loop/dir/loop/… paths.
  expect({ count: resolved.files.length, first: resolved.files[0] }).toEqual({
    count: 1,
    first: 'dir/a.yaml'
  })
})

describe('a workspace reached through a symlink (macOS tmpdir, symlinked checkouts)', () => {
  let linked: ManifestSource
  beforeAll(async () => {
    await symlink('root', path.join(temp, 'root-link'))
    linked = fileManifestSource(path.join(temp, 'root-link'))
  })

  test.each([
    // A file, a folder and a glob resolve exactly as through the real path.
    [['k8s/b.yaml'], ['k8s/b.yaml']],
    [['k8s/sub'], ['k8s/sub/d.yaml', 'k8s/sub/deeper/e.yaml']],
    [['k8s/*.yaml'], ['k8s/b.yaml']]
  ])('%j → %j', async (patterns, files) => {
    expect(await linked.resolve(patterns)).toEqual({ files, issues: [] })
  })

  test('its files load', async () => {
    const loaded = await loadManifests(linked, ['k8s/b.yaml'])
    expect(loaded.issues).toEqual([])
    expect(loaded.manifests.map(m => `${m.source.file}:${m.source.line}`)).toEqual(['k8s/b.yaml:1'])
  })
})

describe('fileManifestSource.read', () => {
  test('reads a file inside the workspace', async () => {
    expect(await source.read('k8s/b.yaml')).toBe(CM('b'))
  })

  test.each([
    // Never read through a symlink leading outside, even when asked directly.
    ['links/escape.yaml', `'links/escape.yaml' leads outside the workspace through a symlink`],
    ['../outside/secret.yaml', `'../outside/secret.yaml' is outside the workspace (ROOT)`]
  ])('refuses %s', async (file, message) => {
    await expect(source.read(file)).rejects.toThrow(message.replace('ROOT', root))
  })
})

describe('loadManifests over the filesystem', () => {
  test('an escaping symlink in a folder is an error and its content never becomes a manifest', async () => {
    const loaded = await loadManifests(source, ['escaping'])
    expect(loaded.manifests).toEqual([])
    expect(loaded.issues.map(issue => [issue.severity, issue.file])).toEqual([
      ['error', 'escaping/escape.yaml']
    ])
  })

  test('decodes a folder in sorted file order', async () => {
    const loaded = await loadManifests(source, ['k8s'])
    expect(loaded.issues).toEqual([])
    expect(loaded.manifests.map(m => m.object.metadata.name)).toEqual(['hidden', 'a', 'b', 'c', 'd', 'e'])
  })
})
