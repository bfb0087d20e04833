import path from 'node:path'
import { parseArgs } from 'node:util'
import { createCluster } from '../cluster/client-node.js'
import { loadKubeConfig } from '../cluster/kubeconfig.js'
import { InventoryStore } from '../inventory/store.js'
import { UsageError } from '../model/errors.js'
import { statusText } from '../report/render-status.js'
import type { CliIo } from './io.js'
import { EXIT } from './io.js'

export const STATUS_USAGE = `Usage: wavesync status --app <name> [--namespace <ns>] [--inventory-namespace <ns>] [--kubeconfig <path>]

Prints the application's revision history and the last operation's hooks, one per line.
`

const OPTIONS = {
  app: { type: 'string' },
  namespace: { type: 'string' },
  'inventory-namespace': { type: 'string' },
  kubeconfig: { type: 'string' },
  help: { type: 'boolean', default: false }
} as const

/** `wavesync status`: reads the inventory records; writes nothing. */
export async function runStatus(args: readonly string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({ args: [...args], options: OPTIONS, strict: true })
  if (values.help) {
    io.out(STATUS_USAGE)
    return EXIT.ok
  }
  const app = values.app ?? ''
  if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(app))
    throw new UsageError(`--app must be a DNS-1123 label, not '${app}'`)
  const namespace = values['inventory-namespace'] ?? values.namespace ?? app
  const source = values.kubeconfig
    ? { kind: 'file' as const, path: path.resolve(io.cwd, values.kubeconfig) }
    : { kind: 'env' as const }
  const cluster = createCluster(loadKubeConfig(source, { env: io.env }))
  try {
    const { records, problems } = await new InventoryStore(cluster, app, namespace).history()
    io.out(statusText(app, records, problems))
    return EXIT.ok
  } finally {
    await cluster.close()
  }
}
