import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { describe, expect, jest, test } from '@jest/globals'
import { KUBECONFIG, ROOT } from './support/cluster.js'
import { kubeClients } from './support/kube.js'

jest.setTimeout(180_000)
const { core, batch, config } = kubeClients()
const NS = 'e2e-cluster'

/** Polls until `check` returns a value, or fails naming what it waited for. */
async function eventually<T>(
  what: string,
  check: () => Promise<T | undefined>,
  timeoutMs = 60_000
): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await check().catch(() => undefined)
    if (value !== undefined) return value
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise(resolve => setTimeout(resolve, 200))
  }
}

describe('the local control plane (issue 3), seen through @kubernetes/client-node', () => {
  test('kubectl apply; a Deployment becomes Available, Jobs complete and fail as scripted, logs, namespace deletion', async () => {
    const applied = spawnSync(
      'kubectl',
      ['--kubeconfig', KUBECONFIG, 'apply', '-f', 'test/fixtures/e2e/cluster/acceptance.yaml'],
      { cwd: ROOT, encoding: 'utf8' }
    )
    expect(applied.stderr.replace(/^Warning: .*\n/gm, '')).toBe('')
    expect(applied.status).toBe(0)

    const deployment = await eventually('web Available', async () => {
      const d = await config
        .makeApiClient((await import('@kubernetes/client-node')).AppsV1Api)
        .readNamespacedDeployment({ name: 'web', namespace: NS })
      return d.status?.conditions?.some(c => c.type === 'Available' && c.status === 'True') &&
        d.status.availableReplicas === 2
        ? d
        : undefined
    })
    expect(deployment.status?.readyReplicas).toBe(2)

    const works = await eventually('Job works Complete', async () => {
      const job = await batch.readNamespacedJob({ name: 'works', namespace: NS })
      return job.status?.conditions?.some(c => c.type === 'Complete' && c.status === 'True') ? job : undefined
    })
    expect(works.status?.succeeded).toBe(1)

    const breaks = await eventually('Job breaks Failed', async () => {
      const job = await batch.readNamespacedJob({ name: 'breaks', namespace: NS })
      return job.status?.conditions?.some(c => c.type === 'Failed' && c.status === 'True') ? job : undefined
    })
    expect(breaks.status?.failed).toBe(1)
    const pods = await core.listNamespacedPod({
      namespace: NS,
      labelSelector: 'batch.kubernetes.io/job-name=breaks'
    })
    const pod = pods.items[0]
    expect(pod?.status?.phase).toBe('Failed')
    expect(pod?.status?.containerStatuses?.[0]?.state?.terminated?.exitCode).toBe(3)
    const logs = await core.readNamespacedPodLog({
      name: pod?.metadata?.name ?? '',
      namespace: NS,
      container: 'main'
    })
    expect(logs).toBe('starting\nboom\n')

    await core.deleteNamespace({ name: NS })
    await eventually(
      'namespace deleted',
      async () =>
        (await core.readNamespace({ name: NS }).then(
          () => true,
          () => false
        ))
          ? undefined
          : true,
      90_000
    )
  })

  test('a second cluster in its own folder comes up, answers, and `down` leaves no process behind', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'wavesync-cluster-'))
    const env = { ...process.env, WAVESYNC_CLUSTER_DIR: dir }
    const script = path.join(ROOT, 'test/cluster/cluster.sh')
    try {
      expect(spawnSync('bash', [script, 'up'], { env, stdio: 'ignore' }).status).toBe(0)
      const version = spawnSync(
        'kubectl',
        ['--kubeconfig', path.join(dir, 'kubeconfig'), 'get', '--raw', '/version'],
        { encoding: 'utf8' }
      )
      expect(JSON.parse(version.stdout)).toMatchObject({ gitVersion: expect.stringMatching(/^v1\.34\./) })
      const pids = readdirSync(path.join(dir, 'pids')).map(file =>
        Number(readFileSync(path.join(dir, 'pids', file), 'utf8'))
      )
      expect(pids.length).toBeGreaterThanOrEqual(5)
      expect(spawnSync('bash', [script, 'down'], { env, stdio: 'ignore' }).status).toBe(0)
      // No recorded process is alive any more (a zombie awaiting its parent counts as gone).
      const alive = pids.filter(
        pid => existsSync(`/proc/${pid}`) && !/^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, 'utf8'))
      )
      expect(alive).toEqual([])
    } finally {
      spawnSync('bash', [script, 'down'], { env, stdio: 'ignore' })
    }
  })
})
