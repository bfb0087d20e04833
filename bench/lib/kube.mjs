// A minimal API-server client for the benchmark harness (setup, cleanup, watching) and for the
// "floor": raw JSON over one keep-alive undici Agent authenticated with the admin kubeconfig's
// client certificate. Deliberately independent of src/: the harness must not measure itself.
import { readFileSync } from 'node:fs'
import { setTimeout as sleep } from 'node:timers/promises'
import { Agent, request } from 'undici'
import * as yaml from 'js-yaml'

/** Server URL and TLS material of the kubeconfig's current context (inline data or file paths). */
export function readKubeconfig(file) {
  const config = yaml.load(readFileSync(file, 'utf8'))
  const context = config.contexts.find(c => c.name === config['current-context'])?.context
  const cluster = config.clusters.find(c => c.name === context.cluster)?.cluster
  const user = config.users.find(u => u.name === context.user)?.user
  const material = (data, path) =>
    data !== undefined
      ? Buffer.from(data, 'base64').toString('utf8')
      : path
        ? readFileSync(path, 'utf8')
        : undefined
  return {
    server: cluster.server,
    ca: material(cluster['certificate-authority-data'], cluster['certificate-authority']),
    cert: material(user['client-certificate-data'], user['client-certificate']),
    key: material(user['client-key-data'], user['client-key'])
  }
}

/** The REST collection path of the kinds the benchmark generates. */
export function collectionPath(apiVersion, kind, namespace) {
  const plural = {
    ConfigMap: 'configmaps',
    Service: 'services',
    Deployment: 'deployments',
    Job: 'jobs',
    Pod: 'pods',
    Secret: 'secrets',
    Namespace: 'namespaces'
  }[kind]
  if (!plural) throw new Error(`bench: no REST path known for kind ${kind}`)
  const base = apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`
  return namespace ? `${base}/namespaces/${namespace}/${plural}` : `${base}/${plural}`
}

export class Kube {
  /** @param {{server: string, ca?: string, cert?: string, key?: string}} target */
  constructor(target, agentOptions = {}) {
    this.server = target.server
    this.agent = new Agent({
      connect: { ca: target.ca, cert: target.cert, key: target.key, keepAlive: true },
      keepAliveTimeout: 60_000,
      ...agentOptions
    })
    this.requests = 0
  }

  async close() {
    await this.agent.close()
  }

  /** One request; resolves {status, body (parsed JSON or text)}. Throws on transport errors only. */
  async call(method, path, { body, contentType = 'application/json', query, signal } = {}) {
    this.requests += 1
    const url = new URL(this.server + path)
    for (const [name, value] of Object.entries(query ?? {})) url.searchParams.set(name, String(value))
    const headers = { accept: 'application/json' }
    if (body !== undefined) headers['content-type'] = contentType
    const response = await request(url, {
      method,
      headers,
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
      dispatcher: this.agent,
      signal
    })
    const text = await response.body.text()
    let parsed = text
    try {
      parsed = text === '' ? undefined : JSON.parse(text)
    } catch {
      // not JSON (metrics, logs)
    }
    return { status: response.statusCode, body: parsed }
  }

  async ok(method, path, options) {
    const answer = await this.call(method, path, options)
    if (answer.status >= 300)
      throw new Error(`${method} ${path}: ${answer.status} ${JSON.stringify(answer.body).slice(0, 300)}`)
    return answer.body
  }

  async createNamespace(name, labels = {}) {
    const answer = await this.call('POST', '/api/v1/namespaces', {
      body: {
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: { name, labels: { 'bench.wavesync.dev': 'true', ...labels } }
      }
    })
    if (answer.status !== 201 && answer.status !== 409)
      throw new Error(`create namespace ${name}: ${answer.status} ${JSON.stringify(answer.body)}`)
    // The default ServiceAccount is needed before pods can be created in it.
    for (let i = 0; i < 100; i++) {
      const sa = await this.call('GET', `/api/v1/namespaces/${name}/serviceaccounts/default`)
      if (sa.status === 200) return
      await sleep(50)
    }
  }

  /** Deletes a namespace (only ever one the benchmark created); does not wait. */
  async deleteNamespace(name) {
    await this.call('DELETE', `/api/v1/namespaces/${name}`, { body: { propagationPolicy: 'Background' } })
  }

  async list(path, query = {}) {
    return this.ok('GET', path, { query })
  }

  async count(path, query = {}) {
    return (await this.list(path, query)).items.length
  }

  /**
   * Frees the node's pod capacity (250) between runs: deletes the namespace's Deployments and Jobs
   * and waits until its pods are gone. Pods of the simulator terminate at once.
   */
  async deleteWorkloads(namespace, timeoutMs = 90_000) {
    const background = { body: { propagationPolicy: 'Background' } }
    await this.call('DELETE', `/apis/apps/v1/namespaces/${namespace}/deployments`, background)
    await this.call('DELETE', `/apis/batch/v1/namespaces/${namespace}/jobs`, background)
    const deadline = Date.now() + timeoutMs
    while (Date.now() < deadline) {
      const pods = await this.count(`/api/v1/namespaces/${namespace}/pods`)
      const replicaSets = await this.count(`/apis/apps/v1/namespaces/${namespace}/replicasets`)
      if (pods === 0 && replicaSets === 0) return
      await sleep(200)
    }
    throw new Error(`bench: workloads of ${namespace} not gone after ${timeoutMs} ms`)
  }

  /**
   * Watches a collection from `resourceVersion`, calling onEvent(type, object, receivedAtMs) for
   * each event, until the signal aborts. Resumes when the server ends the stream.
   */
  async watch(path, resourceVersion, onEvent, signal) {
    let version = resourceVersion
    while (!signal.aborted) {
      const url = new URL(this.server + path)
      url.searchParams.set('watch', '1')
      url.searchParams.set('allowWatchBookmarks', 'true')
      url.searchParams.set('resourceVersion', version)
      url.searchParams.set('timeoutSeconds', '240')
      try {
        const response = await request(url, { method: 'GET', dispatcher: this.agent, signal })
        let rest = ''
        const decoder = new TextDecoder()
        for await (const chunk of response.body) {
          const receivedAt = Date.now()
          const lines = (rest + decoder.decode(chunk, { stream: true })).split('\n')
          rest = lines.pop() ?? ''
          for (const line of lines) {
            if (line.trim() === '') continue
            const event = JSON.parse(line)
            version = event.object?.metadata?.resourceVersion ?? version
            if (event.type !== 'BOOKMARK' && event.type !== 'ERROR')
              onEvent(event.type, event.object, receivedAt)
          }
        }
      } catch (error) {
        if (signal.aborted) return
        throw error
      }
    }
  }
}

/** Lists a collection and watches it from the list's resourceVersion; returns a stop function. */
export async function follow(kube, path, onEvent) {
  const listed = await kube.list(path)
  const now = Date.now()
  for (const item of listed.items) onEvent('ADDED', item, now)
  const controller = new AbortController()
  const done = kube.watch(path, listed.metadata.resourceVersion, onEvent, controller.signal).catch(error => {
    if (!controller.signal.aborted) console.error(`bench: watch ${path} failed: ${error.message}`)
  })
  return async () => {
    controller.abort()
    await done
  }
}
