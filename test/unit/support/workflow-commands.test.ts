import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { describe, expect, test } from '@jest/globals'
import {
  FileCommandError,
  parseKeyValueFile,
  parsePathFile,
  prependPath
} from '../../support/github/file-commands.js'
import {
  type OutputLine,
  applyMasks,
  escapeData,
  escapeProperty,
  parseCommandLine,
  parseLog,
  unescapeData,
  unescapeProperty
} from '../../support/github/workflow-commands.js'

const ROOT = path.resolve(import.meta.dirname, '../../..')

const TRICKY = [
  'plain',
  '100% done',
  'a%25b and %0A and %3A%2C literally',
  'line 1\nline 2\r\nline 3',
  'colon: comma, equals= heredoc<<EOF',
  '::error::not a nested command',
  'ünïcødé ✓',
  'trailing newline\n',
  ''
]

/**
 * Runs @actions/core itself in a child process (the code the bundle ships) with file-command
 * files, and returns its stdout and the files' contents.
 */
function runToolkit(script: string): { stdout: string; files: Record<string, string> } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'wavesync-toolkit-'))
  try {
    const names = ['GITHUB_OUTPUT', 'GITHUB_STATE', 'GITHUB_ENV', 'GITHUB_PATH', 'GITHUB_STEP_SUMMARY']
    const env: Record<string, string> = { PATH: process.env['PATH'] ?? '', TRICKY: JSON.stringify(TRICKY) }
    for (const name of names) {
      env[name] = path.join(dir, name)
      writeFileSync(env[name], '')
    }
    const child = spawnSync(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `import * as core from '@actions/core'\nconst TRICKY = JSON.parse(process.env.TRICKY)\n${script}`
      ],
      {
        cwd: ROOT,
        env,
        encoding: 'utf8'
      }
    )
    if (child.status !== 0) throw new Error(`toolkit script failed: ${child.stderr}`)
    return {
      stdout: child.stdout,
      files: Object.fromEntries(names.map(n => [n, readFileSync(path.join(dir, n), 'utf8')]))
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

function lines(stdout: string): OutputLine[] {
  return stdout
    .split('\n')
    .filter((l, i, all) => i < all.length - 1 || l !== '')
    .map(text => ({ stream: 'stdout', text, atMs: 0 }))
}

describe('round trip through @actions/core', () => {
  test('annotations: messages and properties (title, file, lines, columns) come back exactly', () => {
    const { stdout } = runToolkit(`
      TRICKY.forEach((message, i) => core.error(message, { title: 'T: ' + TRICKY[(i + 1) % TRICKY.length], file: 'dir:x/a,b %.yaml', startLine: i + 1, endLine: i + 2 }))
      core.warning('w', { file: 'c.yaml', startLine: 7, startColumn: 3, endColumn: 9 })
      core.notice('n')
    `)
    const parsed = parseLog(lines(stdout))
    expect(parsed.annotations).toEqual([
      ...TRICKY.map((message, i) => ({
        level: 'error',
        message,
        title: 'T: ' + (TRICKY[(i + 1) % TRICKY.length] ?? ''),
        file: 'dir:x/a,b %.yaml',
        line: i + 1,
        endLine: i + 2
      })),
      { level: 'warning', message: 'w', file: 'c.yaml', line: 7, col: 3, endColumn: 9 },
      { level: 'notice', message: 'n' }
    ])
  })

  test('masks, groups and debug lines', () => {
    const { stdout } = runToolkit(`
      core.setSecret('multi\\nline-secret')
      core.setSecret('tok%en')
      core.startGroup('Wave 1: deploy, 50%')
      core.info('applied web')
      core.info('::notacommand::x')
      core.endGroup()
      core.debug('details: a\\nb')
    `)
    const parsed = parseLog(lines(stdout))
    expect(parsed.masks).toEqual(['multi\nline-secret', 'tok%en'])
    expect(parsed.groups).toEqual([
      { title: 'Wave 1: deploy, 50%', lines: ['applied web', '::notacommand::x'] }
    ])
    expect(parsed.debug).toEqual(['details: a\nb'])
    expect(applyMasks('x multi y line-secret tok%en', parsed.masks)).toBe('x *** y *** ***')
  })

  test('outputs, state, env and path files come back exactly (multi-line, =, <<, JSON, empty)', () => {
    const { files } = runToolkit(`
      TRICKY.forEach((v, i) => { core.setOutput('out' + i, v); core.saveState('state' + i, v); core.exportVariable('ENV_' + i, v) })
      core.setOutput('json', { a: [1, 'b'] })
      core.saveState('number', 42)
      core.addPath('/opt/one')
      core.addPath('/opt/two')
    `)
    const expected = (prefix: string): Record<string, string> =>
      Object.fromEntries(TRICKY.map((v, i) => [prefix + i, v]))
    expect(parseKeyValueFile(files['GITHUB_OUTPUT'] ?? '')).toEqual({
      ...expected('out'),
      json: '{"a":[1,"b"]}'
    })
    expect(parseKeyValueFile(files['GITHUB_STATE'] ?? '')).toEqual({ ...expected('state'), number: '42' })
    expect(parseKeyValueFile(files['GITHUB_ENV'] ?? '')).toEqual(expected('ENV_'))
    expect(parsePathFile(files['GITHUB_PATH'] ?? '')).toEqual(['/opt/one', '/opt/two'])
    expect(prependPath(['/opt/one', '/opt/two'], '/usr/bin')).toBe('/opt/two:/opt/one:/usr/bin')
  })

  test('escaping here matches the toolkit byte for byte', () => {
    const { stdout } = runToolkit(`TRICKY.forEach(v => core.error(v, { title: v }))`)
    // An empty title is skipped by the toolkit, which still writes the space after the name.
    const expected = TRICKY.map(v =>
      v === '' ? '::error ::' : `::error title=${escapeProperty(v)}::${escapeData(v)}`
    )
    expect(stdout.split('\n').slice(0, -1)).toEqual(expected)
    expect(parseCommandLine('::error ::')).toEqual({ name: 'error', properties: {}, data: '' })
    for (const v of TRICKY) {
      expect(unescapeData(escapeData(v))).toBe(v)
      expect(unescapeProperty(escapeProperty(v))).toBe(v)
    }
  })
})

describe('the runner’s reading of commands', () => {
  test('leading whitespace, case-insensitive property names, dropped empty properties', () => {
    expect(parseCommandLine('   ::warning FILE=a.yaml,Line=3,title=,=x::msg')).toEqual({
      name: 'warning',
      properties: { FILE: 'a.yaml', Line: '3' },
      data: 'msg'
    })
    const parsed = parseLog([{ stream: 'stderr', text: '::error File=a.yaml,LINE=3::from stderr', atMs: 0 }])
    expect(parsed.annotations).toEqual([{ level: 'error', message: 'from stderr', file: 'a.yaml', line: 3 }])
    expect(parsed.commands[0]?.stream).toBe('stderr')
  })

  test('unregistered names and lines without a closing :: are text', () => {
    expect(parseCommandLine('::unknown::x')).toBeUndefined()
    expect(parseCommandLine('::error')).toBeUndefined()
    expect(parseCommandLine('text ::error::x')).toBeUndefined()
  })

  test('unescaping is the runner’s sequential replacement (data leaves %3A alone)', () => {
    expect(unescapeData('a%3Ab%0Ac%25d')).toBe('a%3Ab\nc%d')
    expect(unescapeProperty('a%3Ab%2Cc%0Dd')).toBe('a:b,c\rd')
  })

  test('stop-commands suspends parsing until the token comes back', () => {
    const parsed = parseLog(
      ['::stop-commands::pause-123', '::error::not parsed', '::pause-123::', '::error::parsed'].map(text => ({
        stream: 'stdout' as const,
        text,
        atMs: 0
      }))
    )
    expect(parsed.annotations).toEqual([{ level: 'error', message: 'parsed' }])
    expect(parsed.text).toEqual(['::error::not parsed'])
  })
})

describe('the runner’s reading of file commands', () => {
  test('name=value and name<<DELIMITER, the later entry wins, empty lines skipped', () => {
    expect(parseKeyValueFile('a=1\n\nb<<EOF\nx\ny\nEOF\na=2=3\nc<<D\nD\n')).toEqual({
      a: '2=3',
      b: 'x\ny',
      c: ''
    })
    // `=` before `<<` makes it a plain assignment.
    expect(parseKeyValueFile('k=v<<x\n')).toEqual({ k: 'v<<x' })
  })

  test.each([
    ['=value\n', "Invalid format '=value'. Name must not be empty"],
    ['name<<\n', "Invalid format 'name<<'. Name must not be empty and delimiter must not be empty"],
    ['name<<EOF\nvalue\n', "Invalid value. Matching delimiter not found 'EOF'"],
    ['name<<EOF\nvalue', 'Invalid value. EOF marker missing new line.'],
    ['just text\n', "Invalid format 'just text'"]
  ])('%j is refused like the runner refuses it', (text, message) => {
    expect(() => parseKeyValueFile(text)).toThrow(new FileCommandError(message))
  })
})
