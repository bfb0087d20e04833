import { describe, expect, test } from '@jest/globals'
import { loadManifests } from '../../../src/manifests/load.js'
import type { ManifestSource } from '../../../src/manifests/source.js'
import { fileManifestSource } from '../../../src/manifests/source.js'
import { formatIssue } from '../../../src/model/issue.js'
import { REPO_ROOT } from '../../support/fixtures.js'

/** An in-memory source: files by name; `read` of a missing file fails like the filesystem would. */
function memorySource(
  files: Record<string, string>,
  resolved: string[] = Object.keys(files).sort()
): ManifestSource {
  return {
    resolve: () => Promise.resolve({ files: [...resolved], issues: [] }),
    read: file => {
      const text = files[file]
      return text === undefined ? Promise.reject(new Error(`ENOENT: ${file}`)) : Promise.resolve(text)
    }
  }
}

const CM = (name: string): string => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n`

describe('loadManifests', () => {
  test('three broken files in one folder: every file read, all three errors with file and line (issue acceptance)', async () => {
    const loaded = await loadManifests(fileManifestSource(REPO_ROOT), ['test/fixtures/bad'])
    expect(loaded.manifests).toEqual([])
    expect(loaded.issues.map(formatIssue)).toEqual([
      'test/fixtures/bad/a-syntax.yaml:5: error: invalid YAML: tab characters must not be used in indentation',
      'test/fixtures/bad/b-no-kind.yaml:2: error: missing kind',
      'test/fixtures/bad/c-duplicate-key.yaml:5: error: invalid YAML: duplicated mapping key'
    ])
  })

  test('manifests keep the sorted file order, then document order', async () => {
    const loaded = await loadManifests(
      memorySource({ 'b.yaml': CM('b1') + '---\n' + CM('b2'), 'a.yaml': CM('a1') }),
      ['.']
    )
    expect(loaded.issues).toEqual([])
    expect(
      loaded.manifests.map(m => `${m.source.file}:${m.source.line} ${m.object.metadata.name ?? ''}`)
    ).toEqual(['a.yaml:1 a1', 'b.yaml:1 b1', 'b.yaml:6 b2'])
  })

  test('good files are decoded even when others are broken; issues sorted by file, line, message', async () => {
    const loaded = await loadManifests(
      memorySource({
        'z.yaml': 'a: [\n',
        'good.yaml': CM('fine'),
        'm.yaml': 'apiVersion: v1\nkind: X\nmetadata: {}\n'
      }),
      ['.']
    )
    expect(loaded.manifests.map(m => m.object.metadata.name)).toEqual(['fine'])
    expect(loaded.issues.map(issue => `${issue.file}:${issue.line}`)).toEqual(['m.yaml:3', 'z.yaml:2'])
  })

  test('a file that cannot be read is an error at line 1, and the others are still read', async () => {
    const loaded = await loadManifests(memorySource({ 'ok.yaml': CM('ok') }, ['gone.yaml', 'ok.yaml']), ['.'])
    expect(loaded.manifests.map(m => m.object.metadata.name)).toEqual(['ok'])
    expect(loaded.issues).toEqual([
      { severity: 'error', file: 'gone.yaml', line: 1, message: 'cannot read: ENOENT: gone.yaml' }
    ])
  })

  test('warnings from the YAML schema are carried along with the manifests', async () => {
    const loaded = await loadManifests(memorySource({ 'w.yaml': CM('w') + 'data:\n  a: yes\n' }), ['.'])
    expect(loaded.manifests).toHaveLength(1)
    expect(loaded.issues.map(issue => [issue.severity, issue.file, issue.line])).toEqual([
      ['warning', 'w.yaml', 6]
    ])
  })
})
