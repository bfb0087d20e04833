// Issue 8, Deliver item 3 (cluster half): the hostile and broken input corpus
// (test/fixtures/bad/corpus) through `node dist/cli.js sync` against the real control plane.
// - every `sync` case (guardrails, malformed kubeconfigs, a kubeconfig pointing nowhere, a kind the
//   server does not serve): its exit code and errors, within its time limit, no crash or stack trace;
// - every `plan` case that must fail, once more through sync: the same errors, exit 2;
// - for all of them, nothing was applied: the case's namespace `e2e-bad-<case>-<run>` does not exist
//   afterwards, nor any object the case names under `absent`;
// - CRLF line endings and a byte-order mark load, and apply the same values as LF would.
import { randomBytes } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, jest, test } from '@jest/globals'
import { KubernetesObjectApi } from '@kubernetes/client-node'
import { load } from 'js-yaml'
import type { BadCase, ObjectRef, Outcome, Vars } from '../unit/hardening/corpus.js'
import {
  DEFAULT_MAX_MS,
  REVISION,
  loadCorpus,
  materialize,
  namespaceFor,
  runBundle,
  substitute,
  syncProblems
} from '../unit/hardening/corpus.js'
import { KUBECONFIG } from './support/cluster.js'
import { kubeClients } from './support/kube.js'
import { slots } from '../support/slots.js'

jest.setTimeout(120_000)
const { core, config } = kubeClients()
const objects = KubernetesObjectApi.makeApiClient(config)
const RUN = randomBytes(3).toString('hex')
const ROOT = mkdtempSync(path.join(os.tmpdir(), 'wavesync-hardening-sync-'))
const CASES = loadCorpus()

/** The sync outcome of a case: its own `sync`, else the plan outcome; undefined when not run through sync. */
function syncOutcome(c: BadCase): (Outcome & { absent?: ObjectRef[] }) | undefined {
  if (c.spec.command === 'sync') return c.spec
  if (c.spec.sync === false) return undefined
  if (c.spec.sync !== undefined) return c.spec.sync
  return c.spec.exit === 2 ? { exit: 2, errors: c.spec.errors } : undefined
}
const SYNC_CASES = CASES.filter(c => syncOutcome(c) !== undefined)

const cluster = ((): { server: string; ca: string } => {
  const doc = load(readFileSync(KUBECONFIG, 'utf8')) as { clusters: { cluster: Record<string, string> }[] }
  const entry = doc.clusters[0]?.cluster ?? {}
  return { server: entry['server'] ?? '', ca: entry['certificate-authority-data'] ?? '' }
})()
let closedPort = ''
/** Every object a case must not leave: checked per case, deleted at the end whatever happened. */
const touched: ObjectRef[] = []

beforeAll(async () => {
  // A port that was free a moment ago: nothing listens there, so connecting is refused.
  const server = net.createServer()
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  closedPort = String(typeof address === 'object' && address ? address.port : 1)
  await new Promise(resolve => server.close(resolve))
})

afterAll(async () => {
  for (const ref of touched.reverse())
    await objects.delete(manifestOf(ref), undefined, undefined, 0).catch(() => undefined)
  rmSync(ROOT, { recursive: true, force: true })
})

function manifestOf(ref: ObjectRef): {
  apiVersion: string
  kind: string
  metadata: { name: string; namespace?: string }
} {
  return {
    apiVersion: ref.apiVersion,
    kind: ref.kind,
    metadata: { name: ref.name, ...(ref.namespace ? { namespace: ref.namespace } : {}) }
  }
}

async function present(ref: ObjectRef): Promise<boolean> {
  return objects.read(manifestOf(ref)).then(
    () => true,
    (error: unknown) => {
      const code = (error as { code?: number }).code
      if (code === 404) return false
      throw error
    }
  )
}

/** At most three CLI processes at once. */
const inSlot = slots(3)

function varsFor(c: BadCase): Vars {
  const root = path.join(ROOT, c.name)
  return {
    NS: namespaceFor(c.name, RUN),
    WORKSPACE: path.join(root, 'ws'),
    OUTSIDE: path.join(root, 'outside'),
    API_SERVER: cluster.server,
    CA_DATA: cluster.ca,
    CLOSED_PORT: closedPort
  }
}

/** Syncs a case; returns every problem: with the run, and with what exists afterwards. */
async function syncCase(c: BadCase, outcome: Outcome & { absent?: ObjectRef[] }): Promise<string[]> {
  const vars = varsFor(c)
  const ns = vars['NS'] ?? ''
  const layout = materialize(c, path.join(ROOT, c.name), vars)
  const absent: ObjectRef[] = [
    { apiVersion: 'v1', kind: 'Namespace', name: ns },
    ...[...(c.spec.absent ?? []), ...(outcome.absent ?? [])].map(ref => ({
      ...ref,
      name: substitute(ref.name, vars),
      ...(ref.namespace ? { namespace: substitute(ref.namespace, vars) } : {})
    }))
  ]
  touched.push(...absent)
  const maxMs = c.spec.maxMs ?? DEFAULT_MAX_MS
  const args = [
    'sync',
    '--app',
    ns,
    '--namespace',
    ns,
    '--sync-options',
    'CreateNamespace=true',
    '--revision',
    REVISION,
    '--timeout',
    '60s',
    ...(c.spec.args ?? ['--manifests', '.']).map(arg => substitute(arg, vars))
  ]
  const run = await inSlot(() =>
    runBundle(args, {
      cwd: layout.workspace,
      env: { ...process.env, KUBECONFIG },
      ...(c.spec.heapMb !== undefined ? { heapMb: c.spec.heapMb } : {}),
      killAfterMs: maxMs + 5_000
    })
  )
  const problems = syncProblems(run, outcome, vars, maxMs)
  for (const ref of absent) {
    if (await present(ref)) problems.push(`applied despite the failure: ${ref.kind} ${ref.name}`)
  }
  return problems
}

describe('wavesync sync on hostile and broken input: clear errors, nothing applied', () => {
  test('the corpus has cluster cases and failing plan cases to replay', () => {
    expect(CASES.filter(c => c.spec.command === 'sync').length).toBeGreaterThanOrEqual(15)
    expect(SYNC_CASES.length).toBeGreaterThanOrEqual(60)
  })

  test.concurrent.each(SYNC_CASES.map(c => [c.name, c] as const))(
    '%s',
    async (_name, c) => {
      const outcome = syncOutcome(c)
      if (outcome === undefined) throw new Error(`${c.name} has no sync outcome`)
      const problems = await syncCase(c, outcome)
      expect({ case: c.spec.description, problems }).toEqual({ case: c.spec.description, problems: [] })
    },
    90_000
  )
})

describe('line endings and byte-order marks', () => {
  test('a manifest with a BOM and CRLF line endings applies the same values as with LF', async () => {
    const c = CASES.find(found => found.name === 'text-bom-crlf-valid')
    if (!c) throw new Error('corpus case text-bom-crlf-valid is missing')
    const vars = varsFor(c)
    const ns = vars['NS'] ?? ''
    touched.push({ apiVersion: 'v1', kind: 'Namespace', name: ns })
    const layout = materialize(c, path.join(ROOT, `${c.name}-apply`), vars)
    const raw = readFileSync(path.join(layout.workspace, 'app.yaml'))
    expect([...raw.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf])
    expect(raw.toString('utf8')).toContain('\r\n')
    const run = await runBundle(
      ['sync', '--app', ns, '--namespace', ns, '--sync-options', 'CreateNamespace=true', '--manifests', '.'],
      { cwd: layout.workspace, env: { ...process.env, KUBECONFIG }, killAfterMs: 60_000 }
    )
    expect({ code: run.code, stderr: run.stderr.match(/error.*/g) ?? [] }).toEqual({ code: 0, stderr: [] })
    const first = await core.readNamespacedConfigMap({ name: 'bomcrlf', namespace: ns })
    const second = await core.readNamespacedConfigMap({ name: 'bomcrlf-second', namespace: ns })
    expect(first.data).toEqual({ greeting: 'hello' })
    expect(second.data).toEqual({ script: 'echo one\necho two\n' })
    await core.deleteNamespace({ name: ns })
  })
})
