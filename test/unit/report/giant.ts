// A report far over every GitHub limit: thousands of tasks in dozens of waves and hooks with
// 10,000-line logs, built from the failed-hook fixture so its shape stays realistic.
import type { Report, StepReport, TaskReport } from '../../../src/report/model.js'
import { loadReport } from './load.js'

const LOG_LINES = 10_000

function log(name: string, last: string): string[] {
  const lines = Array.from(
    { length: LOG_LINES - 1 },
    (_, i) =>
      `2026-11-21T13:09:${String(i % 60).padStart(2, '0')}.000Z ${name}: step ${i} <ok> | rows=${i * 7}`
  )
  return [...lines, last]
}

function resource(i: number, wave: number): TaskReport {
  return {
    phase: 'Sync',
    wave,
    type: 'resource',
    group: 'apps',
    version: 'v1',
    kind: 'Deployment',
    namespace: 'shop',
    name: `service-${String(i).padStart(4, '0')}`,
    hook: false,
    hookPhase: null,
    hookFamily: null,
    result: null,
    state: 'pending',
    message: '',
    startedAt: null,
    finishedAt: null,
    source: { file: `deploy/shop/services/service-${i}.yaml`, line: 1 }
  }
}

/** 3,000 pending Sync resources in 60 waves around the failed PreSync hook; three 10k-line logs. */
export function giantReport(): Report {
  const base = loadReport('failed-hook')
  const withLogs = base.tasks.map(t =>
    t.hook ? { ...t, logTail: log(t.name, t.logTail?.[t.logTail.length - 1] ?? `${t.name} done`) } : t
  )
  const pre = withLogs.filter(t => t.phase === 'PreSync')
  const post = withLogs.filter(t => t.phase === 'SyncFail')
  const sync = Array.from({ length: 3000 }, (_, i) => resource(i, Math.floor(i / 50)))
  const steps: StepReport[] = [
    ...base.steps.filter(s => s.phase === 'PreSync'),
    ...Array.from({ length: 60 }, (_, wave) => ({
      phase: 'Sync' as const,
      wave,
      tasks: 50,
      firstWriteAt: null,
      completedAt: null,
      gapMs: null
    })),
    ...base.steps.filter(s => s.phase === 'SyncFail')
  ]
  return { ...base, tasks: [...pre, ...sync, ...post], steps }
}
