import { describe, expect, test } from '@jest/globals'
import type { RunContext } from '../../../src/action/inputs.js'
import { parseInputs } from '../../../src/action/inputs.js'
import { UsageError } from '../../../src/model/errors.js'

const CONTEXT: RunContext = {
  sha: 'abc1234def5678',
  repository: 'acme/shop',
  runId: '42',
  runAttempt: '2',
  serverUrl: 'https://github.com',
  actor: 'octocat',
  host: 'runner-1',
  kubeconfigEnv: undefined,
  pullRequest: undefined
}
const BASE = { manifests: 'k8s/\n!k8s/dev/', app: 'shop', kubeconfig: 'apiVersion: v1\nkind: Config' }

function parse(inputs: Record<string, string>, context: Partial<RunContext> = {}) {
  return parseInputs(name => inputs[name] ?? '', { ...CONTEXT, ...context })
}

function problems(inputs: Record<string, string>, context: Partial<RunContext> = {}): string[] {
  try {
    parse(inputs, context)
    return []
  } catch (error) {
    if (!(error instanceof UsageError)) throw error
    return error.message.split('\n')
  }
}

describe('defaults', () => {
  test('a minimal step: defaults from the run context and the spec', () => {
    const { sync, kubeconfig, publish } = parse(BASE)
    expect(sync).toMatchObject({
      app: 'shop',
      namespace: 'shop',
      inventoryNamespace: 'shop',
      manifests: ['k8s/', '!k8s/dev/'],
      operation: 'sync',
      prune: false,
      dryRun: false,
      wait: true,
      timeoutMs: 30 * 60_000,
      objectTimeoutMs: 5 * 60_000,
      waveDelayMs: 0,
      parallelism: 10,
      revision: 'abc1234def5678',
      operationId: '42-2',
      holder: 'acme/shop/42-2@runner-1',
      runUrl: 'https://github.com/acme/shop/actions/runs/42'
    })
    expect(kubeconfig).toEqual({ kind: 'text', text: 'apiVersion: v1\nkind: Config' })
    expect(publish).toEqual({
      token: '',
      preview: undefined,
      checkRunName: undefined,
      slackWebhookUrl: undefined
    })
  })

  test('no kubeconfig input: KUBECONFIG from an earlier step, else in-cluster when asked', () => {
    expect(parse({ ...BASE, kubeconfig: '' }, { kubeconfigEnv: '/tmp/kc' }).kubeconfig).toEqual({
      kind: 'env'
    })
    expect(parse({ ...BASE, kubeconfig: '', 'in-cluster': 'true' }).kubeconfig).toEqual({
      kind: 'in-cluster'
    })
  })
})

test.each([
  // Each row: inputs that are wrong, and the exact problem reported (all problems are collected).
  [{ app: 'Shop_1' }, "input app must be a DNS-1123 label of at most 53 characters, not 'Shop_1'"],
  [{ manifests: '' }, 'input manifests is required: paths, folders or globs, one per line'],
  [{ prune: 'yes' }, "input prune: 'yes' is not a boolean (true or false)"],
  [{ timeout: '10 minutes' }, "input timeout: '10 minutes' is not a duration such as 90s, 5m or 1h30m"],
  [{ parallelism: '0' }, 'input parallelism must be a whole number from 1 to 100'],
  [
    { operation: 'destroy' },
    "input operation must be one of sync, install, upgrade, rollback, delete, test, not 'destroy'"
  ],
  [
    { 'sync-options': 'Prune=False' },
    'input sync-options: sync option Prune=False: value must be one of Prune=false, Prune=confirm (case-sensitive)'
  ],
  [{ 'skip-hooks': 'PreSnyc' }, expect.stringMatching(/^input skip-hooks: unknown entry 'PreSnyc'/)],
  [{ 'slack-webhook-url': 'hooks.slack.com/x' }, 'input slack-webhook-url must be an https:// URL'],
  [{ 'rollback-to': 'last' }, "input rollback-to must be a revision number, not 'last'"],
  [{ kubeconfig: '' }, expect.stringMatching(/^input kubeconfig is empty and KUBECONFIG is not set/)]
])('invalid: %j', (bad, problem) => {
  expect(problems({ ...BASE, ...bad })).toEqual([problem])
})

test('several problems are reported together', () => {
  expect(problems({ ...BASE, app: '', prune: 'maybe', timeout: 'soon' })).toHaveLength(3)
})

describe('operations and previews', () => {
  test('delete, rollback and test need no manifests', () => {
    expect(parse({ ...BASE, manifests: '', operation: 'delete', 'keep-history': 'true' }).sync).toMatchObject(
      { operation: 'delete', keepHistory: true }
    )
    expect(parse({ ...BASE, manifests: '', operation: 'rollback', 'rollback-to': '3' }).sync).toMatchObject({
      operation: 'rollback',
      rollbackTo: 3
    })
  })

  test('a preview: namespace pr-<number>, CreateNamespace, URL filled in; closing the PR deletes', () => {
    const pullRequest = { number: 17, action: 'synchronize', headSha: 'feedbeef' }
    const opened = parse(
      { ...BASE, preview: 'true', 'preview-url': 'https://pr-{number}.example.com/{namespace}' },
      { pullRequest }
    )
    expect(opened.sync).toMatchObject({
      namespace: 'pr-17',
      operation: 'sync',
      syncOptions: { CreateNamespace: 'true' }
    })
    expect(opened.publish.preview).toEqual({
      number: 17,
      url: 'https://pr-17.example.com/pr-17',
      environment: 'preview-pr-17',
      comment: true
    })
    const closed = parse({ ...BASE, preview: 'true' }, { pullRequest: { ...pullRequest, action: 'closed' } })
    expect(closed.sync.operation).toBe('delete')
  })

  test('a preview outside a pull request event is an error', () => {
    expect(problems({ ...BASE, preview: 'true' })).toEqual([
      'input preview needs a pull_request event (or the pr-number input)'
    ])
  })

  test('check run: off by default; on, named after the app unless named', () => {
    expect(parse({ ...BASE, 'check-run': 'true' }).publish.checkRunName).toBe('wavesync / shop')
    expect(
      parse({ ...BASE, 'check-run': 'true', 'check-run-name': 'deploy / prod' }).publish.checkRunName
    ).toBe('deploy / prod')
  })
})

describe('retry and namespace metadata (seed 001: syncPolicy.retry, managedNamespaceMetadata)', () => {
  test('retry inputs become the policy; the default is no retry', () => {
    expect(parse(BASE).sync.retry).toEqual({ limit: 0, backoffMs: 5_000, factor: 2, maxBackoffMs: 180_000 })
    const retry = {
      'retry-limit': '5',
      'retry-backoff': '5s',
      'retry-factor': '2',
      'retry-max-backoff': '3m'
    }
    expect(parse({ ...BASE, ...retry }).sync.retry).toEqual({
      limit: 5,
      backoffMs: 5_000,
      factor: 2,
      maxBackoffMs: 180_000
    })
  })

  test.each<[string, Record<string, string>, string]>([
    [
      'a limit that is not a number',
      { 'retry-limit': 'five' },
      'input retry-limit must be a whole number from 0 to 100'
    ],
    [
      'a backoff that is not a duration',
      { 'retry-backoff': 'soon' },
      "input retry-backoff: 'soon' is not a duration such as 90s, 5m or 1h30m"
    ],
    [
      'labels without CreateNamespace',
      { 'namespace-labels': 'env=dev' },
      'inputs namespace-labels and namespace-annotations need CreateNamespace=true in sync-options'
    ],
    [
      'a label value with a space',
      { 'sync-options': 'CreateNamespace=true', 'namespace-labels': 'env=dev box' },
      "input namespace-labels/namespace-annotations: label 'env=dev box': a label value must be empty, or 63 characters or less, alphanumeric, with -, _ or . inside"
    ]
  ])('%s', (_, inputs, expected) => {
    expect(problems({ ...BASE, ...inputs })).toContain(expected)
  })

  test('labels (comma or line separated) and annotations (one per line, commas kept) for CreateNamespace', () => {
    const { sync } = parse({
      ...BASE,
      'sync-options': 'CreateNamespace=true',
      'namespace-labels': 'env=dev\nteam=team-a, tier=web',
      'namespace-annotations': 'team=team-a\nmanage-by=argocd\nexample.com/owners=a, b'
    })
    expect(sync.namespaceMetadata).toEqual({
      labels: { env: 'dev', team: 'team-a', tier: 'web' },
      annotations: { team: 'team-a', 'manage-by': 'argocd', 'example.com/owners': 'a, b' }
    })
  })

  test('a preview creates its namespace, so labels need no sync-options', () => {
    const pullRequest = { number: 7, action: 'opened', headSha: 'f00', headRef: 'feature' }
    const { sync } = parse({ ...BASE, preview: 'true', 'namespace-labels': 'preview=true' }, { pullRequest })
    expect(sync.namespaceMetadata).toEqual({ labels: { preview: 'true' } })
  })
})
