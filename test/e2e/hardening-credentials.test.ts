// Issue 8, Deliver item 5: credentials never leak. The shipped action bundle (`node dist/index.js`,
// then its post step, run as the GitHub runner does: support/action-runner.ts) syncs against the
// real control plane with three kinds of kubeconfig credential:
//   (a) a bearer token: a ServiceAccount bound to cluster-admin, its token from the TokenRequest API;
//   (b) the admin client certificate and key (client-key-data);
//   (c) an exec plugin (test/fixtures/bad/credentials/exec-plugin.sh) printing an ExecCredential with
//       a second token, and given a secret in its `env`;
// each once with a sync that succeeds and once with a failing hook, with check-run: true and a
// Slack webhook; plus a token the server refuses. Every output is scanned: stdout and stderr of
// main and post, the summary, outputs, saved state, every file under the runner's temp folder (the
// report, the Slack payload, the file-command files), every request to the GitHub stand-in (URL,
// headers, body) and every Slack request. None may hold the token, the client key (base64 or PEM),
// the exec credential or the plugin's secret; and the `::add-mask::` commands must have covered them.
import { randomBytes } from 'node:crypto'
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, jest, test } from '@jest/globals'
import { RbacAuthorizationV1Api } from '@kubernetes/client-node'
import { dump, load } from 'js-yaml'
import { type GitHubApiServer, expectNoApiViolations, startGitHubApi } from '../support/github/api-server.js'
import { type SlackReceiver, startSlackReceiver } from '../support/github/slack-receiver.js'
import { type ActionRun, DEFAULT_TOKEN, runAction } from './support/action-runner.js'
import { KUBECONFIG, ROOT } from './support/cluster.js'
import { kubeClients } from './support/kube.js'

jest.setTimeout(180_000)
const { core, config } = kubeClients()
const rbac = config.makeApiClient(RbacAuthorizationV1Api)

const RUN = randomBytes(3).toString('hex')
const HOME_NS = `e2e-bad-creds-${RUN}`
const ACCOUNT = 'wavesync-deployer'
const BINDING = `e2e-bad-creds-${RUN}`
const FIXTURES = path.join(ROOT, 'test/fixtures/bad/credentials')
const TEMP = mkdtempSync(path.join(os.tmpdir(), 'wavesync-hardening-creds-'))
const WORKSPACE = path.join(TEMP, 'workspace')
const ADMIN_TEXT = readFileSync(KUBECONFIG, 'utf8')

interface AdminKubeconfig {
  clusters: { name: string; cluster: { server: string; 'certificate-authority-data': string } }[]
  users: { user: { 'client-certificate-data': string; 'client-key-data': string } }[]
}
const ADMIN = load(ADMIN_TEXT) as AdminKubeconfig
const CLUSTER = ADMIN.clusters[0]?.cluster ?? { server: '', 'certificate-authority-data': '' }

type Kind = 'token' | 'client-key' | 'exec' | 'refused-token'
interface Credential {
  kind: Kind
  kubeconfig: string
  /** What must appear nowhere, with a label for the failure message. */
  secrets: { label: string; value: string }[]
  /** What the `::add-mask::` commands must include. */
  masked: string[]
}
const credentials = new Map<Kind, Credential>()
const namespaces: string[] = []
const servers: { close(): Promise<void> }[] = []
const runs: ActionRun[] = []

/** A kubeconfig for the test cluster with one user. */
function kubeconfigWith(user: Record<string, unknown>): string {
  return dump({
    apiVersion: 'v1',
    kind: 'Config',
    'current-context': 'hardening',
    clusters: [{ name: 'local', cluster: CLUSTER }],
    users: [{ name: 'deployer', user }],
    contexts: [{ name: 'hardening', context: { cluster: 'local', user: 'deployer' } }]
  })
}

/** A JWT's parts worth looking for on their own: the whole token and its signature. */
function tokenSecrets(label: string, token: string): { label: string; value: string }[] {
  const signature = token.split('.')[2] ?? ''
  return [
    { label, value: token },
    ...(signature.length >= 16 ? [{ label: `${label} (signature)`, value: signature }] : [])
  ]
}

async function serviceAccountToken(): Promise<string> {
  const answer = await core.createNamespacedServiceAccountToken({
    name: ACCOUNT,
    namespace: HOME_NS,
    body: { spec: { expirationSeconds: 3600 } }
  })
  const token = answer.status?.token
  if (!token) throw new Error('the TokenRequest API returned no token')
  return token
}

beforeAll(async () => {
  await core.createNamespace({ body: { metadata: { name: HOME_NS } } })
  await core.createNamespacedServiceAccount({ namespace: HOME_NS, body: { metadata: { name: ACCOUNT } } })
  await rbac.createClusterRoleBinding({
    body: {
      metadata: { name: BINDING },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-admin' },
      subjects: [{ kind: 'ServiceAccount', name: ACCOUNT, namespace: HOME_NS }]
    }
  })
  // (a) a bearer token.
  const token = await serviceAccountToken()
  credentials.set('token', {
    kind: 'token',
    kubeconfig: kubeconfigWith({ token }),
    secrets: tokenSecrets('bearer token', token),
    masked: [token]
  })
  // (b) the admin client certificate: the key as written (base64) and decoded (PEM, and its lines).
  const admin = ADMIN.users[0]?.user
  if (!admin) throw new Error(`${KUBECONFIG} has no user`)
  const keyData = admin['client-key-data']
  const pem = Buffer.from(keyData, 'base64').toString('utf8')
  const pemLines = pem.split('\n').filter(line => line.length >= 16 && !line.startsWith('-----'))
  credentials.set('client-key', {
    kind: 'client-key',
    kubeconfig: ADMIN_TEXT,
    secrets: [
      { label: 'client-key-data', value: keyData },
      { label: 'client key (PEM)', value: pem.trim() },
      ...pemLines.map((value, i) => ({ label: `client key (PEM line ${i + 1})`, value }))
    ],
    masked: [keyData, admin['client-certificate-data']]
  })
  // (c) an exec plugin printing an ExecCredential with a second token, given a secret in its env.
  const execToken = await serviceAccountToken()
  const tokenFile = path.join(TEMP, 'exec-token')
  writeFileSync(tokenFile, execToken, { mode: 0o600 })
  const pluginSecret = `plugin-${randomBytes(16).toString('hex')}`
  credentials.set('exec', {
    kind: 'exec',
    kubeconfig: kubeconfigWith({
      exec: {
        apiVersion: 'client.authentication.k8s.io/v1',
        command: 'sh',
        args: [path.join(FIXTURES, 'exec-plugin.sh'), tokenFile],
        env: [{ name: 'WAVESYNC_E2E_PLUGIN_SECRET', value: pluginSecret }],
        interactiveMode: 'Never'
      }
    }),
    secrets: [
      ...tokenSecrets('exec credential', execToken),
      { label: 'exec env secret', value: pluginSecret }
    ],
    masked: [execToken, pluginSecret]
  })
  // A well-formed token the server does not know: the failure message must not quote it either.
  const refused = `${token.split('.').slice(0, 2).join('.')}.${randomBytes(64).toString('base64url')}`
  credentials.set('refused-token', {
    kind: 'refused-token',
    kubeconfig: kubeconfigWith({ token: refused }),
    secrets: tokenSecrets('refused token', refused),
    masked: [refused]
  })
  mkdirSync(WORKSPACE, { recursive: true })
  for (const name of ['succeeds.yaml', 'fails.yaml'])
    writeFileSync(path.join(WORKSPACE, name), readFileSync(path.join(FIXTURES, `${name}.in`)))
})

afterAll(async () => {
  await Promise.all(servers.splice(0).map(server => server.close()))
  for (const run of runs.splice(0)) run.cleanup()
  await rbac.deleteClusterRoleBinding({ name: BINDING }).catch(() => undefined)
  for (const name of [...namespaces, HOME_NS]) await core.deleteNamespace({ name }).catch(() => undefined)
  rmSync(TEMP, { recursive: true, force: true })
})

interface Scenario {
  run: ActionRun
  api: GitHubApiServer
  slack: SlackReceiver
}

async function sync(kind: Kind, outcome: 'ok' | 'fail'): Promise<Scenario> {
  const credential = credentials.get(kind)
  if (!credential) throw new Error(`no ${kind} credential`)
  const app = `e2e-bad-cred-${kind}-${outcome}-${RUN}`
  namespaces.push(app)
  const api = await startGitHubApi({ token: DEFAULT_TOKEN })
  const slack = await startSlackReceiver()
  servers.push(api, slack)
  const run = await runAction({
    workspace: WORKSPACE,
    apiUrl: api.url,
    inputs: {
      manifests: outcome === 'ok' ? 'succeeds.yaml' : 'fails.yaml',
      app,
      namespace: app,
      kubeconfig: credential.kubeconfig,
      'sync-options': 'CreateNamespace=true',
      'check-run': true,
      'slack-webhook-url': slack.url,
      timeout: '2m'
    }
  })
  runs.push(run)
  return { run, api, slack }
}

function filesBelow(dir: string): string[] {
  return readdirSync(dir).flatMap(name => {
    const full = path.join(dir, name)
    return statSync(full).isDirectory() ? filesBelow(full) : [full]
  })
}

/** Every output of a run, by where it went. `::add-mask::` lines are the masking itself, not output. */
function outputsOf({ run, api, slack }: Scenario): [string, string][] {
  const places: [string, string][] = []
  for (const step of [run.main, ...(run.post ? [run.post] : [])]) {
    const shown = (text: string): string =>
      text
        .split('\n')
        .filter(line => !line.trimStart().startsWith('::add-mask::'))
        .join('\n')
    places.push(
      [`${step.step} stdout`, shown(step.stdout)],
      [`${step.step} stderr`, shown(step.stderr)],
      [`${step.step} summary`, step.summary],
      [`${step.step} outputs`, JSON.stringify(step.outputs)],
      [`${step.step} saved state`, JSON.stringify(step.state)],
      [`${step.step} exported env`, JSON.stringify(step.exportedEnv)]
    )
  }
  for (const file of filesBelow(run.tempDir))
    places.push([`file ${path.relative(run.tempDir, file)}`, readFileSync(file, 'utf8')])
  for (const name of ['report', 'slack-payload-path']) {
    const file = run.outputs[name]
    if (file) places.push([`output ${name} (${file})`, readFileSync(file, 'utf8')])
  }
  for (const r of api.requests)
    places.push([`GitHub ${r.method} ${r.path}`, `${r.url}\n${JSON.stringify(r.headers)}\n${r.rawBody}`])
  for (const r of slack.requests)
    places.push([`Slack ${r.method} ${r.path}`, `${JSON.stringify(r.headers)}\n${r.rawBody}`])
  slack.payloads.forEach((payload, i) => places.push([`Slack payload ${i + 1}`, JSON.stringify(payload)]))
  return places
}

/** Every credential of every kind found in the given places. */
function found(places: readonly [string, string][]): string[] {
  const all = [...credentials.values()].flatMap(c => c.secrets)
  return places.flatMap(([where, text]) =>
    all.filter(secret => text.includes(secret.value)).map(secret => `${secret.label} in ${where}`)
  )
}

/** Every credential found anywhere in a run's outputs. */
function leaks(scenario: Scenario): string[] {
  const places = outputsOf(scenario)
  // The scan reaches what it must: the report, the Slack payload file, the check-run requests.
  const where = places.map(([name]) => name)
  expect(where).toEqual(
    expect.arrayContaining([
      expect.stringMatching(/^output report /),
      expect.stringMatching(/^output slack-payload-path /),
      expect.stringMatching(/^GitHub POST /),
      expect.stringMatching(/^GitHub PATCH /)
    ])
  )
  // Control: the detector finds the credential where it is known to be (the add-mask commands).
  expect(found([['raw main stdout', scenario.run.main.stdout]])).not.toEqual([])
  return found(places)
}

function expectMasked(scenario: Scenario, kind: Kind): void {
  const masks = scenario.run.main.masks
  const credential = credentials.get(kind)
  for (const value of credential?.masked ?? [])
    expect({ kind, masked: masks.includes(value) }).toEqual({ kind, masked: true })
  for (const mask of masks) {
    expect(mask).not.toContain('\n')
    expect(mask).not.toMatch(/apiVersion|kind: Config|server:|current-context/)
  }
}

describe.each([
  ['a bearer token (TokenRequest API)', 'token'],
  ['the admin client certificate and key', 'client-key'],
  ['an exec plugin', 'exec']
] as const)('credentials from %s', (_label, kind) => {
  test('a sync that succeeds and one whose hook fails: no output holds a credential; all were masked', async () => {
    const [ok, fail] = await Promise.all([sync(kind, 'ok'), sync(kind, 'fail')])

    expect([ok.run.main.exitCode, ok.run.outputs['result']]).toEqual([0, 'succeeded'])
    expect([fail.run.main.exitCode, fail.run.outputs['result']]).toEqual([1, 'failed'])
    expect(fail.run.outputs['failed-hook']).toBe('PreSync/migrate')
    for (const scenario of [ok, fail]) {
      expect(scenario.run.post?.exitCode).toBe(0)
      expect(scenario.api.requestsFor('checks/create')).toHaveLength(1)
      expectNoApiViolations(scenario.api)
      expect(leaks(scenario)).toEqual([])
      expectMasked(scenario, kind)
    }
    // The failure reached Slack (the success does not post): that payload was scanned too.
    expect(fail.slack.payloads.length).toBeGreaterThanOrEqual(1)
    expect(JSON.stringify(fail.slack.payloads[0])).toContain('PreSync/migrate')
  })
})

describe('a token the API server refuses', () => {
  test('the sync fails with a clear message that does not quote the token', async () => {
    const scenario = await sync('refused-token', 'ok')
    expect(scenario.run.main.exitCode).toBe(1)
    expect(scenario.run.main.stdout).toMatch(/Unauthorized|401/)
    expect(leaks(scenario)).toEqual([])
    expectMasked(scenario, 'refused-token')
  })
})
