// Issue 8, Deliver item 3 (offline half): every case of the hostile and broken input corpus
// (test/fixtures/bad/corpus) whose command is `plan`, run through the shipped bundle
// (`node dist/cli.js plan --format json`) in a throw-away workspace, table-driven from the case
// folders. Each must end with its expected exit code and exactly its expected errors (file, line,
// message), within its time limit (10 s unless the case says otherwise), without a crash or stack
// trace, and the bombs within a 256 MB heap. The cluster half is test/e2e/hardening-input.test.ts.
import { mkdtempSync, readdirSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, describe, expect, test } from '@jest/globals'
import type { BadCase } from './corpus.js'
import {
  CORPUS_DIR,
  DEFAULT_MAX_MS,
  REVISION,
  SUFFIX,
  loadCorpus,
  materialize,
  namespaceFor,
  planProblems,
  runBundle,
  sizeOf,
  substitute
} from './corpus.js'
import { slots } from '../../support/slots.js'

const CASES = loadCorpus()
const PLAN_CASES = CASES.filter(c => (c.spec.command ?? 'plan') === 'plan')
const ROOT = mkdtempSync(path.join(os.tmpdir(), 'wavesync-hardening-plan-'))

afterAll(() => rmSync(ROOT, { recursive: true, force: true }))

/** At most three CLI processes at once. */
const inSlot = slots(3)

async function planCase(c: BadCase): Promise<string[]> {
  const ns = namespaceFor(c.name)
  const root = path.join(ROOT, c.name)
  const vars = { NS: ns, WORKSPACE: path.join(root, 'ws'), OUTSIDE: path.join(root, 'outside') }
  const layout = materialize(c, root, vars)
  const args = (c.spec.args ?? ['--manifests', '.']).map(arg => substitute(arg, vars))
  const maxMs = c.spec.maxMs ?? DEFAULT_MAX_MS
  const run = await inSlot(() =>
    runBundle(['plan', '--format', 'json', '--app', ns, '--namespace', ns, '--revision', REVISION, ...args], {
      cwd: layout.workspace,
      env: { PATH: process.env['PATH'] ?? '', HOME: os.tmpdir() },
      ...(c.spec.heapMb !== undefined ? { heapMb: c.spec.heapMb } : {}),
      killAfterMs: maxMs + 5_000
    })
  )
  return planProblems(c, run, vars)
}

describe('the corpus', () => {
  test('holds at least 50 cases, each with a description and an expected outcome', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(50)
    expect(PLAN_CASES.length).toBeGreaterThanOrEqual(50)
    for (const c of CASES) {
      expect({
        name: c.name,
        description: typeof c.spec.description,
        errors: Array.isArray(c.spec.errors)
      }).toEqual({ name: c.name, description: 'string', errors: true })
      expect([c.name, c.spec.exit]).toEqual([c.name, expect.anything()])
    }
  })

  test(`stores every file with the ${SUFFIX} suffix, so a walk of test/fixtures/bad sees only its three files`, () => {
    const walk = (dir: string): string[] =>
      readdirSync(dir, { withFileTypes: true }).flatMap(entry =>
        entry.isDirectory() ? walk(path.join(dir, entry.name)) : [path.join(dir, entry.name)]
      )
    const stray = walk(CORPUS_DIR)
      .map(file => path.relative(CORPUS_DIR, file))
      .filter(file => file !== 'README.md' && !file.endsWith(SUFFIX))
    expect(stray).toEqual([])
  })
})

describe('wavesync plan on hostile and broken input', () => {
  test.concurrent.each(PLAN_CASES.map(c => [c.name, c] as const))(
    '%s',
    async (_name, c) => {
      const problems = await planCase(c)
      for (const generated of c.spec.generate ?? []) {
        const size = sizeOf(path.join(ROOT, c.name, 'ws', generated.file))
        if (generated.type === 'oversize') expect(size).toBeGreaterThan(16 * 1024 * 1024)
        if (generated.type === 'configmaps') expect(size).toBeGreaterThanOrEqual(5 * 1024 * 1024)
        if (generated.type === 'dense-sequence') expect(size).toBeLessThan(16 * 1024 * 1024)
      }
      expect({ case: c.spec.description, problems }).toEqual({ case: c.spec.description, problems: [] })
    },
    60_000
  )
})
