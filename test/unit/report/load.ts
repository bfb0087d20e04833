// Report and issue fixtures (test/fixtures/report/*.json, reports of real runs against the test
// control plane) read as unknown and checked field by field, so a typo in a fixture fails loudly
// instead of being cast into a Report.
import type { Issue, Severity } from '../../../src/model/issue.js'
import { isRecord } from '../../../src/model/json.js'
import type { Report, ReportPhase, StepReport, TaskReport } from '../../../src/report/model.js'
import { repoText } from '../../support/fixtures.js'

const DIR = 'test/fixtures/report'

function fail(path: string, expected: string): never {
  throw new Error(`fixture: ${path} should be ${expected}`)
}
function str(v: unknown, path: string): string {
  return typeof v === 'string' ? v : fail(path, 'a string')
}
function num(v: unknown, path: string): number {
  return typeof v === 'number' ? v : fail(path, 'a number')
}
function strOrNull(v: unknown, path: string): string | null {
  return v === null ? null : str(v, path)
}
function strings(v: unknown, path: string): string[] {
  return Array.isArray(v) ? v.map((item, i) => str(item, `${path}[${i}]`)) : fail(path, 'an array of strings')
}
function oneOf<T extends string>(v: unknown, values: readonly T[], path: string): T {
  const found = values.find(value => value === v)
  return found ?? fail(path, values.join('|'))
}
function record(v: unknown, path: string): Record<string, unknown> {
  return isRecord(v) ? v : fail(path, 'an object')
}

const PHASES = [
  'PreSync',
  'Sync',
  'PostSync',
  'SyncFail',
  'PreDelete',
  'Delete',
  'PostDelete',
  'NamespaceCleanup',
  'Test'
] as const
const RESULTS = [
  'Synced',
  'SyncFailed',
  'Pruned',
  'PruneSkipped',
  'Deleted',
  'DeleteSkipped',
  'Skipped'
] as const
const STATES = ['pending', 'Running', 'Succeeded', 'Failed', 'Error'] as const
const TYPES = ['resource', 'hook', 'prune', 'delete'] as const
const REPORT_PHASES: readonly ReportPhase[] = ['Succeeded', 'Failed', 'Error', 'Terminated']

function task(v: unknown, path: string): TaskReport {
  const t = record(v, path)
  const source = t['source'] === null ? null : record(t['source'], `${path}.source`)
  const report: TaskReport = {
    phase: oneOf(t['phase'], PHASES, `${path}.phase`),
    wave: num(t['wave'], `${path}.wave`),
    type: oneOf(t['type'], TYPES, `${path}.type`),
    group: str(t['group'], `${path}.group`),
    version: str(t['version'], `${path}.version`),
    kind: str(t['kind'], `${path}.kind`),
    namespace: str(t['namespace'], `${path}.namespace`),
    name: str(t['name'], `${path}.name`),
    hook: t['hook'] === true,
    hookPhase: strOrNull(t['hookPhase'], `${path}.hookPhase`),
    hookFamily: strOrNull(t['hookFamily'], `${path}.hookFamily`),
    result: t['result'] === null ? null : oneOf(t['result'], RESULTS, `${path}.result`),
    state: oneOf(t['state'], STATES, `${path}.state`),
    message: str(t['message'], `${path}.message`),
    startedAt: strOrNull(t['startedAt'], `${path}.startedAt`),
    finishedAt: strOrNull(t['finishedAt'], `${path}.finishedAt`),
    source: source
      ? { file: str(source['file'], `${path}.source.file`), line: num(source['line'], `${path}.source.line`) }
      : null
  }
  if (t['exitCode'] !== undefined) report.exitCode = num(t['exitCode'], `${path}.exitCode`)
  if (t['reason'] !== undefined) report.reason = str(t['reason'], `${path}.reason`)
  for (const field of ['logTail', 'events', 'conditions', 'unavailable'] as const)
    if (t[field] !== undefined) report[field] = strings(t[field], `${path}.${field}`)
  return report
}

function step(v: unknown, path: string): StepReport {
  const s = record(v, path)
  return {
    phase: oneOf(s['phase'], PHASES, `${path}.phase`),
    wave: num(s['wave'], `${path}.wave`),
    tasks: num(s['tasks'], `${path}.tasks`),
    firstWriteAt: strOrNull(s['firstWriteAt'], `${path}.firstWriteAt`),
    completedAt: strOrNull(s['completedAt'], `${path}.completedAt`),
    gapMs: s['gapMs'] === null ? null : num(s['gapMs'], `${path}.gapMs`)
  }
}

function list<T>(v: unknown, path: string, item: (v: unknown, path: string) => T): T[] {
  return Array.isArray(v) ? v.map((x, i) => item(x, `${path}[${i}]`)) : fail(path, 'an array')
}

/** A report fixture, checked against the Report shape. */
export function loadReport(name: string): Report {
  const r = record(JSON.parse(repoText(`${DIR}/${name}.json`)), name)
  return {
    app: str(r['app'], 'app'),
    operation: str(r['operation'], 'operation'),
    mode: strOrNull(r['mode'], 'mode'),
    revision: r['revision'] === null ? null : num(r['revision'], 'revision'),
    sourceRevision: str(r['sourceRevision'], 'sourceRevision'),
    namespace: str(r['namespace'], 'namespace'),
    phase: oneOf(r['phase'], REPORT_PHASES, 'phase'),
    message: str(r['message'], 'message'),
    dryRun: r['dryRun'] === true,
    startedAt: str(r['startedAt'], 'startedAt'),
    finishedAt: str(r['finishedAt'], 'finishedAt'),
    durationMs: num(r['durationMs'], 'durationMs'),
    tasks: list(r['tasks'], 'tasks', task),
    steps: list(r['steps'], 'steps', step),
    skipped: list(r['skipped'], 'skipped', (v, p) => {
      const s = record(v, p)
      return { resource: str(s['resource'], `${p}.resource`), reason: str(s['reason'], `${p}.reason`) }
    }),
    warnings: strings(r['warnings'], 'warnings'),
    notes: strings(r['notes'], 'notes')
  }
}

const SEVERITIES: readonly Severity[] = ['error', 'warning', 'notice']

/** An issues fixture, checked against the Issue shape. */
export function loadIssues(name: string): Issue[] {
  return list(JSON.parse(repoText(`${DIR}/${name}.json`)), name, (v, path) => {
    const i = record(v, path)
    const issue: Issue = {
      severity: oneOf(i['severity'], SEVERITIES, `${path}.severity`),
      message: str(i['message'], `${path}.message`),
      file: str(i['file'], `${path}.file`),
      line: num(i['line'], `${path}.line`)
    }
    if (i['docIndex'] !== undefined) issue.docIndex = num(i['docIndex'], `${path}.docIndex`)
    if (i['key'] !== undefined) {
      const k = record(i['key'], `${path}.key`)
      issue.key = {
        group: str(k['group'], 'group'),
        kind: str(k['kind'], 'kind'),
        namespace: str(k['namespace'], 'ns'),
        name: str(k['name'], 'name')
      }
    }
    return issue
  })
}
