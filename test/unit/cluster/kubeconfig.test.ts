import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, describe, expect, test } from '@jest/globals'
import { createCluster } from '../../../src/cluster/client-node.js'
import type { KubeConfigSource } from '../../../src/cluster/kubeconfig.js'
import { loadKubeConfig } from '../../../src/cluster/kubeconfig.js'
import { UsageError } from '../../../src/model/errors.js'
import { REPO_ROOT } from '../../support/fixtures.js'
import { header, lastCall, mockAgent } from './mock-api.js'

const DIR = path.join(REPO_ROOT, 'test/fixtures/kubeconfig')
const fixture = (name: string): string => path.join(DIR, name)
const text = (name: string): string => readFileSync(fixture(name), 'utf8')
const base64 = (value: string): string => Buffer.from(value).toString('base64')
const NO_ENV = { PATH: '/usr/bin:/bin' }

const temp = mkdtempSync(path.join(tmpdir(), 'wavesync-kubeconfig-'))
afterAll(() => rmSync(temp, { recursive: true, force: true }))

/** The UsageError message loading fails with (fails the test when loading succeeds). */
function failure(source: KubeConfigSource, env: Record<string, string> = NO_ENV): string {
  try {
    loadKubeConfig(source, { env })
  } catch (error) {
    if (error instanceof UsageError) return error.message
    throw error
  }
  throw new Error('expected loading to fail')
}

describe('text input: raw YAML or base64, detected', () => {
  test('raw YAML: server, context and the credentials to mask; short ones skipped with a warning', () => {
    const loaded = loadKubeConfig({ kind: 'text', text: text('token.yaml') }, { env: NO_ENV })
    expect(loaded.server).toBe('https://k8s.example.test:6443')
    expect(loaded.context).toBe('ci')
    expect(loaded.secrets.sort()).toEqual(
      ['fake-bearer-token-0123456789', 'Q0xJRU5ULUNFUlQtREFUQQ==', 'Q0xJRU5ULUtFWS1EQVRB'].sort()
    )
    expect(loaded.warnings).toEqual([
      '1 credential value(s) in the kubeconfig are shorter than 8 characters and are not masked (masking short strings mangles logs)'
    ])
    // Never the whole kubeconfig, nor non-secret fields such as the CA or the user name.
    expect(loaded.secrets.join()).not.toMatch(/apiVersion|Q0EtREFUQS|deployer/)
  })

  test('HTTPS_PROXY without proxy-url is reported: client-node ignores it', () => {
    const env = { ...NO_ENV, HTTPS_PROXY: 'http://proxy.example.test:3128' }
    const loaded = loadKubeConfig({ kind: 'file', path: fixture('auth-provider.yaml') }, { env })
    expect(loaded.warnings).toEqual([
      'HTTPS_PROXY is set but not used: set proxy-url on the kubeconfig cluster to go through a proxy'
    ])
  })

  test('base64 of the same YAML, line-wrapped as `base64` prints it', () => {
    const wrapped = base64(text('token.yaml')).replace(/(.{76})/g, '$1\n')
    const loaded = loadKubeConfig({ kind: 'text', text: `${wrapped}\n` }, { env: NO_ENV })
    expect(loaded.server).toBe('https://k8s.example.test:6443')
    expect(loaded.secrets).toContain('fake-bearer-token-0123456789')
  })

  test.each([
    [
      'base64 of something else',
      base64('just some text'),
      'looks like base64 but does not decode to a kubeconfig'
    ],
    ['broken YAML', 'clusters: [unclosed\n  - : :', 'is not YAML (nor base64 of YAML)'],
    ['YAML that is no kubeconfig', 'name: value\nother: 1\n', 'is YAML but not a kubeconfig'],
    ['a file path', '/home/runner/.kube/config', 'looks like a file path'],
    ['nothing', '  \n', 'kubeconfig input is empty']
  ])('%s: the error names the form seen', (_case, input, message) => {
    expect(failure({ kind: 'text', text: input })).toContain(message)
  })

  test('an invalid entry reports the field, not a value', () => {
    const yaml =
      'apiVersion: v1\nkind: Config\nclusters:\n  - name: x\n    cluster: { certificate-authority-data: c2VjcmV0 }\n'
    expect(failure({ kind: 'text', text: yaml })).toBe(
      'kubeconfig input (YAML) is invalid: clusters[0].cluster.server is missing'
    )
  })
})

describe('checks: no silent default server', () => {
  test('no current-context: the contexts are listed', () => {
    expect(failure({ kind: 'file', path: fixture('no-current-context.yaml') })).toBe(
      `kubeconfig file ${fixture('no-current-context.yaml')} has no current-context (contexts: first, second)`
    )
  })

  test('a current-context that is not defined, or names no cluster', () => {
    const yaml = text('token.yaml')
    expect(
      failure({ kind: 'text', text: yaml.replace('current-context: ci', 'current-context: nope') })
    ).toBe('kubeconfig input: current-context "nope" is not among its contexts')
    expect(failure({ kind: 'text', text: yaml.replace('cluster: prod,', 'cluster: gone,') })).toBe(
      'kubeconfig input: context "ci" names cluster "gone", which is not defined'
    )
  })

  test('plain http:// without insecure-skip-tls-verify is refused with a clear message', () => {
    expect(failure({ kind: 'file', path: fixture('http-server.yaml') })).toContain(
      'cluster "plain" uses plain http:// (http://127.0.0.1:8080), which client-node refuses unless the cluster sets insecure-skip-tls-verify: true'
    )
  })

  test('an exec plugin that is not on PATH is named, with its install hint', () => {
    const yaml = text('exec-plugin.yaml').replace('COMMAND', 'wavesync-no-such-plugin')
    expect(failure({ kind: 'text', text: yaml })).toBe(
      'kubeconfig user "aws" authenticates with exec plugin "wavesync-no-such-plugin", which is not on PATH ' +
        '(Install the AWS CLI (https://aws.amazon.com/cli/))'
    )
    expect(
      failure({ kind: 'text', text: yaml.replace('wavesync-no-such-plugin', '/nowhere/aws') })
    ).toContain('"/nowhere/aws", which is not an executable file')
  })

  test('an exec plugin found on PATH passes; its env values are masked', () => {
    const yaml = text('exec-plugin.yaml').replace('COMMAND', 'sh')
    const loaded = loadKubeConfig({ kind: 'text', text: yaml }, { env: NO_ENV })
    expect(loaded.secrets.sort()).toEqual(['eu-west-1', 'fake-aws-secret-key-0123456789'])
  })

  test('in-cluster outside a pod is a clear error', () => {
    expect(failure({ kind: 'in-cluster' })).toBe(
      'in-cluster config needs KUBERNETES_SERVICE_HOST and _PORT: not running in a pod?'
    )
  })
})

describe('files and KUBECONFIG', () => {
  test('relative certificate paths become absolute against the file folder', () => {
    const loaded = loadKubeConfig({ kind: 'file', path: fixture('relative-paths.yaml') }, { env: NO_ENV })
    expect(loaded.config.getCurrentCluster()?.caFile).toBe(path.join(DIR, 'certs/ca.crt'))
    expect(loaded.config.getCurrentUser()?.keyFile).toBe(path.join(DIR, 'certs/admin.key'))
  })

  test('a missing file names the file and the error code only', () => {
    expect(failure({ kind: 'file', path: '/nowhere/kubeconfig' })).toBe(
      'kubeconfig file /nowhere/kubeconfig cannot be read (ENOENT)'
    )
  })

  test('KUBECONFIG merges like kubectl: first definition of a name wins, first current-context wins', () => {
    const KUBECONFIG = [fixture('merge-first.yaml'), '/nowhere/skipped', fixture('merge-second.yaml')].join(
      ':'
    )
    const loaded = loadKubeConfig({ kind: 'env' }, { env: { ...NO_ENV, KUBECONFIG } })
    expect(loaded.context).toBe('from-second')
    expect(loaded.server).toBe('https://first.example.test')
    expect(loaded.config.getCurrentUser()?.token).toBe('first-file-token-0123456789')
    expect(loaded.secrets.sort()).toEqual(['first-file-token-0123456789'])
  })

  test('KUBECONFIG naming no existing file, or unset without ~/.kube/config, is an error (no localhost:8080)', () => {
    expect(failure({ kind: 'env' }, { KUBECONFIG: '/nowhere/a:/nowhere/b' })).toBe(
      'KUBECONFIG names no file that exists (/nowhere/a, /nowhere/b)'
    )
    expect(failure({ kind: 'env' }, { HOME: temp })).toBe(
      'no kubeconfig: KUBECONFIG is not set and ~/.kube/config does not exist'
    )
  })
})

describe('credentials to mask', () => {
  test('auth-provider tokens and client secret', () => {
    const loaded = loadKubeConfig({ kind: 'file', path: fixture('auth-provider.yaml') }, { env: NO_ENV })
    expect(loaded.secrets.sort()).toEqual([
      'fake-client-secret-0123',
      'fake-refresh-token-0123',
      'fake.id.token-0123456789'
    ])
  })

  test('token-file contents (read by client-node), trimmed', () => {
    const tokenFile = path.join(temp, 'token')
    writeFileSync(tokenFile, 'token-from-a-file-0123456789\n')
    const yaml = text('token.yaml').replace('token: fake-bearer-token-0123456789', `token-file: ${tokenFile}`)
    expect(loadKubeConfig({ kind: 'text', text: yaml }, { env: NO_ENV }).secrets).toContain(
      'token-from-a-file-0123456789'
    )
  })
})

test('createCluster sends the kubeconfig token through client-node authentication', async () => {
  const { agent, api } = mockAgent()
  const yaml = text('token.yaml').replace('https://k8s.example.test:6443', 'https://k8s.test:6443')
  const loaded = loadKubeConfig({ kind: 'text', text: yaml }, { env: NO_ENV })
  api.intercept({ path: '/version', method: 'GET' }).reply(200, { gitVersion: 'v1.34.2' })
  const cluster = createCluster(loaded, { dispatcher: agent })
  await expect(cluster.serverVersion()).resolves.toBe('v1.34.2')
  expect(header(lastCall(agent), 'authorization')).toBe('Bearer fake-bearer-token-0123456789')
  agent.assertNoPendingInterceptors()
  await agent.close()
})

test('a 401 re-runs an exec plugin even though client-node still caches its unexpired token', async () => {
  const { agent, api } = mockAgent()
  const counter = path.join(temp, 'exec-counter')
  const yaml = text('exec-plugin.yaml')
    .replace('https://eks.example.test', 'https://k8s.test:6443')
    .replace('COMMAND', fixture('exec-plugin.sh'))
    .replace('{ name: AWS_REGION, value: eu-west-1 }', `{ name: COUNTER_FILE, value: '${counter}' }`)
  const loaded = loadKubeConfig({ kind: 'text', text: yaml }, { env: NO_ENV })
  const unauthorized = { kind: 'Status', code: 401, reason: 'Unauthorized', message: 'Unauthorized' }
  api
    .intercept({ path: '/version', headers: { authorization: 'Bearer exec-token-1' } })
    .reply(401, unauthorized)
  api
    .intercept({ path: '/version', headers: { authorization: 'Bearer exec-token-2' } })
    .reply(200, { gitVersion: 'v1' })
  const cluster = createCluster(loaded, { dispatcher: agent })
  await expect(cluster.serverVersion()).resolves.toBe('v1')
  expect(readFileSync(counter, 'utf8').trim()).toBe('2')
  agent.assertNoPendingInterceptors()
  await agent.close()
})
