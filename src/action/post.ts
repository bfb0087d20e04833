import type { Cluster, ObjectRef } from '../cluster/port.js'
import { hookOutcome } from '../health/hook-phase.js'
import { ApplicationLock } from '../inventory/lock.js'
import { InventoryStore } from '../inventory/store.js'
import { isRecord } from '../model/json.js'
import { removeFinalizer } from '../sync/removal.js'
import { parseInputs } from './inputs.js'
import { errorMessage } from '../model/errors.js'
import type { ActionDeps } from './ports.js'
import { STATE } from './state.js'

/** Post has its own deadline: the runner kills the job 5 minutes after a cancel, and CI waits on us. */
const POST_BUDGET_MS = 60_000

/**
 * The post step (architecture §3c): does nothing when main finished. Otherwise main was killed
 * mid-operation, and post completes sync-semantics §4.9 from the saved state: finalizers off every
 * recorded hook, running hooks deleted, the inventory record marked failed, the lock released,
 * the check run completed as cancelled, the summary written. Idempotent: running it twice is harmless.
 */
export async function runPost(deps: ActionDeps): Promise<void> {
  const { runner } = deps
  if (runner.getState(STATE.phase) !== 'main' || runner.getState(STATE.mainFinished) === 'true') return
  const target = parseTarget(runner.getState(STATE.target))
  const inputs = parseInputs(runner.read, runner.context)
  const { cluster } = deps.connect(inputs.kubeconfig)
  const signal = AbortSignal.timeout(POST_BUDGET_MS)
  const done: string[] = []
  try {
    done.push(...(await settleHooks(cluster, parseHooks(runner.getState(STATE.hooks)), signal)))
    if (target)
      done.push(...(await failRecordAndRelease(cluster, deps, target, inputs.sync.operationId, signal)))
  } catch (error) {
    runner.warning(`post: finalisation incomplete: ${errorMessage(error)}`)
  } finally {
    await cluster.close()
  }
  await completeCheckRun(deps, inputs.publish.token)
  runner.setOutput('result', 'cancelled')
  await runner.writeSummary(
    `## ⛔ wavesync: ${target?.app ?? inputs.sync.app} terminated\n\nThe sync was cancelled before it finished; the post step cleaned up:\n\n${done.map(line => `- ${line}`).join('\n') || '- nothing was left to clean up'}\n`
  )
}

interface Target {
  app: string
  inventoryNamespace: string
  holder: string
}

function parseTarget(raw: string): Target | undefined {
  try {
    const value: unknown = JSON.parse(raw)
    if (!isRecord(value)) return undefined
    const { app, inventoryNamespace, holder } = value
    return typeof app === 'string' && typeof inventoryNamespace === 'string' && typeof holder === 'string'
      ? { app, inventoryNamespace, holder }
      : undefined
  } catch {
    return undefined
  }
}

function parseHooks(raw: string): ObjectRef[] {
  try {
    const value: unknown = JSON.parse(raw || '[]')
    if (!Array.isArray(value)) return []
    return value.filter(isRecord).flatMap(item => {
      const { group, version, kind, namespace, name } = item
      const strings = [group, version, kind, namespace, name].every(field => typeof field === 'string')
      return strings
        ? [
            {
              group: String(group),
              version: String(version),
              kind: String(kind),
              namespace: String(namespace),
              name: String(name)
            }
          ]
        : []
    })
  } catch {
    return []
  }
}

/** Every recorded hook: our finalizer removed; deleted if it is still running (§4.9.1–2). */
async function settleHooks(
  cluster: Cluster,
  hooks: readonly ObjectRef[],
  signal: AbortSignal
): Promise<string[]> {
  const lines: string[] = []
  for (const ref of hooks) {
    const live = await cluster.get(ref, signal)
    if (!live) continue
    await removeFinalizer(cluster, ref, live.metadata.uid, signal)
    if (hookOutcome(live).state === 'Running') {
      await cluster.delete(ref, {
        propagationPolicy: 'Foreground',
        signal,
        ...(live.metadata.uid ? { uid: live.metadata.uid } : {})
      })
      lines.push(`deleted the running hook ${ref.kind} ${ref.namespace}/${ref.name}`)
    } else lines.push(`released hook ${ref.kind} ${ref.namespace}/${ref.name}`)
  }
  return lines
}

/** The operation's pending record → failed ("Operation terminated"); the Lease released if we hold it. */
async function failRecordAndRelease(
  cluster: Cluster,
  deps: ActionDeps,
  target: Target,
  operationId: string,
  signal: AbortSignal
): Promise<string[]> {
  const lines: string[] = []
  const store = new InventoryStore(cluster, target.app, target.inventoryNamespace)
  const { records } = await store.history(signal)
  for (const record of records.filter(
    r => r.status.startsWith('pending-') && r.operation.id === operationId
  )) {
    await store.update(
      {
        ...record,
        status: 'failed',
        operation: {
          ...record.operation,
          phase: 'Failed',
          message: 'Operation terminated',
          finishedAt: new Date(deps.clock.now()).toISOString()
        }
      },
      signal
    )
    lines.push(`marked revision ${record.revision} failed (Operation terminated)`)
  }
  const lock = new ApplicationLock(cluster, deps.clock, target.app, target.inventoryNamespace, {
    holder: target.holder,
    waitMs: 0,
    durationSeconds: 30
  })
  await lock.release(signal)
  lines.push('released the lock')
  return lines
}

async function completeCheckRun(deps: ActionDeps, token: string): Promise<void> {
  const id = Number(deps.runner.getState(STATE.checkRunId))
  if (!Number.isInteger(id) || id <= 0) return
  try {
    await deps.github(token).updateCheckRun(id, {
      status: 'completed',
      conclusion: 'cancelled',
      output: {
        title: 'Sync cancelled',
        summary: 'The workflow was cancelled while wavesync was syncing; the post step cleaned up.'
      }
    })
  } catch (error) {
    deps.runner.warning(`check run not completed (${errorMessage(error)})`)
  }
}
