// The floor: the same objects sent as raw server-side-apply PATCH requests, `parallelism` in flight
// over one keep-alive undici Agent with the admin kubeconfig's client certificate, and nothing else
// (no discovery, no dry run, no waiting). Run as its own process, timed spawn to exit like the
// tools it is compared with; it also prints the time of the requests alone.
//
//   node bench/lib/floor.mjs --kubeconfig K --dir D --namespace NS [--parallelism 10]
import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { parseArgs } from 'node:util'
import * as yaml from 'js-yaml'
import { Kube, collectionPath, readKubeconfig } from './kube.mjs'

const { values } = parseArgs({
  options: {
    kubeconfig: { type: 'string' },
    dir: { type: 'string' },
    namespace: { type: 'string' },
    parallelism: { type: 'string', default: '10' },
    // kind: the order wavesync writes in (its kind order, ConfigMaps before Services before
    // Deployments), so the floor gets the same benefit of controllers starting last; file: as listed.
    order: { type: 'string', default: 'kind' },
    // The floor of wavesync's protocol: every object dry-run on the server first (sync-semantics
    // §8: nothing is written unless every task passes), then applied; both passes at parallelism.
    'dry-run-first': { type: 'boolean', default: false }
  }
})
const KIND_ORDER = ['Namespace', 'Secret', 'ConfigMap', 'Service', 'Deployment', 'Job']
const parallelism = Number(values.parallelism)
const objects = readdirSync(values.dir)
  .filter(f => f.endsWith('.yaml'))
  .sort()
  .flatMap(f => yaml.loadAll(readFileSync(path.join(values.dir, f), 'utf8')))
  .filter(Boolean)
if (values.order === 'kind') objects.sort((a, b) => KIND_ORDER.indexOf(a.kind) - KIND_ORDER.indexOf(b.kind)) // stable
const kube = new Kube(readKubeconfig(values.kubeconfig))

let failures = 0
async function pass(dryRun) {
  let next = 0
  const query = { fieldManager: 'bench-floor', fieldValidation: 'Strict', force: 'true' }
  if (dryRun) query.dryRun = 'All'
  async function worker() {
    while (next < objects.length) {
      const object = objects[next++]
      const body = { ...object, metadata: { ...object.metadata, namespace: values.namespace } }
      const target = `${collectionPath(object.apiVersion, object.kind, values.namespace)}/${object.metadata.name}`
      // JSON is YAML; the content type wavesync and client-node send.
      const answer = await kube.call('PATCH', target, {
        body,
        contentType: 'application/apply-patch+yaml',
        query
      })
      if (answer.status >= 300) {
        failures += 1
        console.error(`${answer.status} ${target}: ${JSON.stringify(answer.body).slice(0, 200)}`)
      }
    }
  }
  await Promise.all(Array.from({ length: Math.min(parallelism, objects.length) }, worker))
}

const t0 = performance.now()
if (values['dry-run-first']) await pass(true)
const dryRunMs = performance.now() - t0
await pass(false)
const requestsMs = performance.now() - t0
await kube.close()
const usage = process.resourceUsage()
console.log(
  JSON.stringify({
    objects: objects.length,
    requests: kube.requests,
    failures,
    requestsMs,
    dryRunMs: values['dry-run-first'] ? dryRunMs : 0,
    cpuMs: (usage.userCPUTime + usage.systemCPUTime) / 1000,
    maxRssKb: usage.maxRSS
  })
)
process.exitCode = failures > 0 ? 1 : 0
