import { ApiextensionsV1Api, BatchV1Api, CoreV1Api, KubeConfig } from '@kubernetes/client-node'
import { KUBECONFIG } from './cluster.js'

/** An independent view of the cluster through @kubernetes/client-node, to check what wavesync did. */
export function kubeClients(): { core: CoreV1Api; batch: BatchV1Api; config: KubeConfig } {
  const config = new KubeConfig()
  config.loadFromFile(KUBECONFIG)
  return { core: config.makeApiClient(CoreV1Api), batch: config.makeApiClient(BatchV1Api), config }
}

/** Deletes a namespace (if present) and waits until it is gone, so each test starts clean. */
export async function freshNamespace(core: CoreV1Api, name: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  await core.deleteNamespace({ name }).catch(() => undefined)
  while (Date.now() < deadline) {
    const found = await core.readNamespace({ name }).then(
      () => true,
      () => false
    )
    if (!found) return
    await new Promise(resolve => setTimeout(resolve, 250))
  }
  throw new Error(`namespace ${name} was not deleted within ${timeoutMs} ms`)
}

/** Deletes a CustomResourceDefinition (and so its objects) left by an earlier run, and waits until it is gone. */
export async function freshCrd(config: KubeConfig, name: string, timeoutMs = 60_000): Promise<void> {
  const api = config.makeApiClient(ApiextensionsV1Api)
  const deadline = Date.now() + timeoutMs
  await api.deleteCustomResourceDefinition({ name }).catch(() => undefined)
  while (Date.now() < deadline) {
    if (!(await exists(() => api.readCustomResourceDefinition({ name })))) return
    await new Promise(resolve => setTimeout(resolve, 250))
  }
  throw new Error(`CustomResourceDefinition ${name} was not deleted within ${timeoutMs} ms`)
}

/** Whether an object exists, from a read call that rejects on 404. */
export async function exists(read: () => Promise<unknown>): Promise<boolean> {
  return read().then(
    () => true,
    () => false
  )
}

/**
 * Waits until a read rejects (the object is gone), polling; false if it is still there after
 * `timeoutMs`. For deletions wavesync issues and does not await (foreground propagation leaves the
 * object until the garbage collector removed its dependents, which takes longer on a loaded machine).
 */
export async function goneWithin(read: () => Promise<unknown>, timeoutMs = 60_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (!(await exists(read))) return true
    await new Promise(resolve => setTimeout(resolve, 250))
  }
  return !(await exists(read))
}
