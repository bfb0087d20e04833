// Runs the shipped action bundle the way the GitHub Actions runner does (actions/runner's
// NodeScriptActionHandler and FileCommandManager; platform.md §1, §2, §8), knowing nothing of the
// action's internals beyond its action.yml:
//   - `node <runs.main>` in GITHUB_WORKSPACE with INPUT_<NAME> for every declared input (the
//     action.yml default when the test gives none; `${{ github.token }}` evaluated), the GITHUB_*
//     and RUNNER_* variables, fresh file-command files per step and the event payload file;
//   - optional cancellation as the runner does it: SIGINT, SIGTERM 7.5 s later, the process tree
//     killed at 10 s;
//   - then `node <runs.post>` (post-if defaults to always()) with STATE_<name> from the main step's
//     GITHUB_STATE file and the main step's GITHUB_ENV / GITHUB_PATH applied.
// Returns exit codes, output, workflow commands (annotations, masks, groups), outputs, state and
// the job summary of each step.
import { spawn } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { load } from 'js-yaml'
import { type ActionEventSpec, type BuiltEvent, buildEvent } from '../../support/github/events.js'
import {
  FileCommandError,
  parseKeyValueFile,
  parsePathFile,
  prependPath
} from '../../support/github/file-commands.js'
import {
  type Annotation,
  type LogGroup,
  type OutputLine,
  type Stream,
  type WorkflowCommand,
  applyMasks,
  parseLog
} from '../../support/github/workflow-commands.js'

/** The repository root (this file lives in test/e2e/support). */
const ROOT = path.resolve(import.meta.dirname, '../../..')

/** The token the runner would put in `${{ github.token }}`; the GitHub stand-in can require it. */
export const DEFAULT_TOKEN = 'ghs_stand-in-token-for-wavesync-tests'

export interface CancelSpec {
  /** Which step to cancel (default main). */
  step?: 'main' | 'post'
  /** Send SIGINT when a line of stdout or stderr matches. */
  onOutput?: RegExp
  onStdout?: RegExp
  onStderr?: RegExp
  /** ...or this long after the step started. */
  afterMs?: number
  /** ...or when this settles (e.g. `api.waitForRequest('checks/create')`). */
  when?: Promise<unknown>
}

export interface RunActionOptions {
  /** Inputs as a workflow's `with:` gives them; names as in action.yml (`dry-run`). */
  inputs?: Readonly<Record<string, string | number | boolean | undefined>>
  /** Default: a push to refs/heads/main. */
  event?: ActionEventSpec
  /**
   * GITHUB_API_URL: the stand-in's url. Default: port 9 on loopback, so a stray call fails at once
   * and never reaches api.github.com (undici's fetch says "bad port", node:http ECONNREFUSED).
   */
  apiUrl?: string
  serverUrl?: string
  repository?: string
  /** `${{ github.token }}` (default DEFAULT_TOKEN). */
  token?: string
  /** Default: the repository root. */
  workspace?: string
  /** Directory holding action.yml (default: the repository root). */
  actionDir?: string
  /** Overrides runs.main / runs.post (paths relative to actionDir or absolute). */
  main?: string
  post?: string | false
  /** Extra variables for both steps (KUBECONFIG, …); `undefined` removes one. */
  env?: Readonly<Record<string, string | undefined>>
  /** Pass the test process's environment through (minus GITHUB_*, INPUT_*, STATE_*, RUNNER_*, ACTIONS_*). */
  inheritEnv?: boolean
  runId?: number
  runAttempt?: number
  runNumber?: number
  actor?: string
  workflow?: string
  job?: string
  /** The step's id (GITHUB_ACTION); default `__self`, as for `uses: ./`. */
  stepId?: string
  /** RUNNER_DEBUG=1 (ACTIONS_STEP_DEBUG). */
  debug?: boolean
  /** Secrets the runner already masks (like `${{ secrets.X }}`), for `StepRun.log`. */
  secrets?: readonly string[]
  cancel?: CancelSpec
  /** The runner's escalation after SIGINT; shorten in unit tests. */
  signals?: { sigtermAfterMs?: number; killAfterMs?: number }
  /** A step's `timeout-minutes`, in ms: on expiry the runner cancels the step the same way. */
  stepTimeoutMs?: number
  /** Safety net: SIGKILL a step that runs longer (default 5 minutes). */
  maxStepMs?: number
  /** Sees every output line as it arrives; `cancel()` sends SIGINT now. */
  onLine?: (line: OutputLine, control: { step: 'main' | 'post'; cancel: () => void }) => void
}

export interface StepRun {
  step: 'main' | 'post'
  exitCode: number | null
  signal: NodeJS.Signals | null
  /** success: exit 0 and valid file commands; cancelled: the runner cancelled it. */
  outcome: 'success' | 'failure' | 'cancelled'
  timedOut: boolean
  signalsSent: { signal: NodeJS.Signals; atMs: number }[]
  durationMs: number
  stdout: string
  stderr: string
  /** Both streams, line by line, in arrival order. */
  lines: OutputLine[]
  /** The log as the runner would show it: masks (and `secrets`) replaced by ***. */
  log: string
  commands: WorkflowCommand[]
  annotations: Annotation[]
  masks: string[]
  groups: LogGroup[]
  debug: string[]
  outputs: Record<string, string>
  /** What this step saved with saveState. */
  state: Record<string, string>
  exportedEnv: Record<string, string>
  addedPath: string[]
  /** This step's GITHUB_STEP_SUMMARY file. */
  summary: string
  /** Problems the runner would report for the file commands (they fail the step). */
  fileCommandErrors: string[]
  /** The environment the step was started with. */
  env: Record<string, string>
}

export interface ActionRun {
  main: StepRun
  /** Undefined when action.yml has no post (or `post: false`). */
  post: StepRun | undefined
  /** The main step's outputs (what later steps see as steps.<id>.outputs). */
  outputs: Record<string, string>
  /** The state the main step saved (given to post as STATE_<name>). */
  state: Record<string, string>
  /** Main's then post's summary, as the job page shows them. */
  summary: string
  annotations: Annotation[]
  event: BuiltEvent
  eventPath: string
  /** What the runner itself would warn about (unexpected inputs). */
  runnerWarnings: string[]
  /** RUNNER_TEMP of the run (report files and the like live here). */
  runnerTemp: string
  tempDir: string
  cleanup(): void
}

interface ActionManifest {
  inputs: Map<string, string | undefined>
  main: string
  post: string | undefined
  postIf: string
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function readManifest(actionDir: string): ActionManifest {
  const file = ['action.yml', 'action.yaml'].map(f => path.join(actionDir, f)).find(f => existsSync(f))
  if (file === undefined) throw new Error(`no action.yml in ${actionDir}`)
  const doc: unknown = load(readFileSync(file, 'utf8'))
  if (!isRecord(doc) || !isRecord(doc['runs'])) throw new Error(`${file} has no runs: section`)
  const runs = doc['runs']
  if (typeof runs['main'] !== 'string') throw new Error(`${file}: runs.main is missing`)
  const inputs = new Map<string, string | undefined>()
  if (isRecord(doc['inputs'])) {
    for (const [name, spec] of Object.entries(doc['inputs'])) {
      const d = isRecord(spec) ? spec['default'] : undefined
      inputs.set(name, d === undefined || d === null ? undefined : String(d))
    }
  }
  return {
    inputs,
    main: runs['main'],
    post: typeof runs['post'] === 'string' ? runs['post'] : undefined,
    postIf: typeof runs['post-if'] === 'string' ? runs['post-if'] : 'always()'
  }
}

/** `INPUT_` + upper-cased name with spaces → `_` (hyphens kept): `dry-run` → `INPUT_DRY-RUN`. */
export function inputVariable(name: string): string {
  return `INPUT_${name.replace(/ /g, '_').toUpperCase()}`
}

function evaluateDefault(value: string, github: Record<string, string>): string {
  return value.replace(/\$\{\{\s*([^}]*?)\s*\}\}/g, (_, expr: string) => {
    const found = /^github\.(\w+)$/.exec(expr)
    const v = found?.[1] === undefined ? undefined : github[found[1]]
    if (v === undefined)
      throw new Error(`action.yml default uses \${{ ${expr} }}, which the test runner cannot evaluate`)
    return v
  })
}

const PASS_THROUGH = ['PATH', 'HOME', 'USER', 'LANG', 'LC_ALL', 'TZ', 'TMPDIR', 'SHELL']
const RUNNER_OWNED = /^(GITHUB_|INPUT_|STATE_|RUNNER_|ACTIONS_)|^(CI|NODE_OPTIONS)$/

function baseEnvironment(options: RunActionOptions): Record<string, string> {
  const env: Record<string, string> = {}
  for (const [k, v] of Object.entries(process.env)) {
    if (v === undefined) continue
    if (options.inheritEnv === true ? !RUNNER_OWNED.test(k) : PASS_THROUGH.includes(k)) env[k] = v
  }
  return env
}

interface Layout {
  tempDir: string
  runnerTemp: string
  fileCommands: string
  eventPath: string
}

function makeLayout(): Layout {
  const tempDir = mkdtempSync(path.join(os.tmpdir(), 'wavesync-action-'))
  const runnerTemp = path.join(tempDir, '_temp')
  const fileCommands = path.join(runnerTemp, '_runner_file_commands')
  const eventDir = path.join(runnerTemp, '_github_workflow')
  for (const dir of [fileCommands, eventDir, path.join(tempDir, '_tool')]) mkdirSync(dir, { recursive: true })
  return { tempDir, runnerTemp, fileCommands, eventPath: path.join(eventDir, 'event.json') }
}

const FILE_COMMANDS = {
  GITHUB_OUTPUT: 'set_output_',
  GITHUB_STATE: 'save_state_',
  GITHUB_STEP_SUMMARY: 'step_summary_',
  GITHUB_ENV: 'set_env_',
  GITHUB_PATH: 'add_path_'
} as const
type FileCommandVariable = keyof typeof FILE_COMMANDS

/** Fresh, empty file-command files for one step, as the runner creates them. */
function stepFiles(layout: Layout): Record<FileCommandVariable, string> {
  const suffix = randomUUID()
  const file = (prefix: string): string => {
    const at = path.join(layout.fileCommands, prefix + suffix)
    writeFileSync(at, '')
    return at
  }
  return {
    GITHUB_OUTPUT: file(FILE_COMMANDS.GITHUB_OUTPUT),
    GITHUB_STATE: file(FILE_COMMANDS.GITHUB_STATE),
    GITHUB_STEP_SUMMARY: file(FILE_COMMANDS.GITHUB_STEP_SUMMARY),
    GITHUB_ENV: file(FILE_COMMANDS.GITHUB_ENV),
    GITHUB_PATH: file(FILE_COMMANDS.GITHUB_PATH)
  }
}

function githubEnvironment(
  options: RunActionOptions,
  event: BuiltEvent,
  layout: Layout,
  workspace: string,
  actionDir: string
): Record<string, string> {
  const repository = options.repository ?? 'octo-org/shop'
  const [owner = 'octo-org'] = repository.split('/')
  const apiUrl = options.apiUrl ?? 'http://127.0.0.1:9'
  const workflow = options.workflow ?? 'deploy'
  const env: Record<string, string> = {
    CI: 'true',
    GITHUB_ACTIONS: 'true',
    GITHUB_ACTION: options.stepId ?? '__self',
    GITHUB_ACTION_PATH: actionDir,
    GITHUB_ACTION_REPOSITORY: '',
    GITHUB_ACTION_REF: '',
    GITHUB_ACTOR: options.actor ?? 'octocat',
    GITHUB_ACTOR_ID: '2000001',
    GITHUB_TRIGGERING_ACTOR: options.actor ?? 'octocat',
    GITHUB_API_URL: apiUrl,
    GITHUB_GRAPHQL_URL: `${apiUrl}/graphql`,
    GITHUB_SERVER_URL: options.serverUrl ?? 'https://github.com',
    GITHUB_BASE_REF: event.baseRef,
    GITHUB_HEAD_REF: event.headRef,
    GITHUB_EVENT_NAME: event.eventName,
    GITHUB_EVENT_PATH: layout.eventPath,
    GITHUB_JOB: options.job ?? 'deploy',
    GITHUB_REF: event.ref,
    GITHUB_REF_NAME: event.ref.replace(/^refs\/(heads|tags|pull)\//, ''),
    GITHUB_REF_PROTECTED: 'false',
    GITHUB_REF_TYPE: event.ref.startsWith('refs/tags/') ? 'tag' : 'branch',
    GITHUB_REPOSITORY: repository,
    GITHUB_REPOSITORY_ID: '700000001',
    GITHUB_REPOSITORY_OWNER: owner,
    GITHUB_REPOSITORY_OWNER_ID: '1000001',
    GITHUB_RETENTION_DAYS: '90',
    GITHUB_RUN_ATTEMPT: String(options.runAttempt ?? 1),
    GITHUB_RUN_ID: String(options.runId ?? 8_100_000_001),
    GITHUB_RUN_NUMBER: String(options.runNumber ?? 42),
    GITHUB_SHA: event.sha,
    GITHUB_WORKFLOW: workflow,
    GITHUB_WORKFLOW_REF: `${repository}/.github/workflows/${workflow}.yml@${event.ref}`,
    GITHUB_WORKFLOW_SHA: event.sha,
    GITHUB_WORKSPACE: workspace,
    RUNNER_ARCH: 'X64',
    RUNNER_ENVIRONMENT: 'github-hosted',
    RUNNER_NAME: 'GitHub Actions 1',
    RUNNER_OS: 'Linux',
    RUNNER_TEMP: layout.runnerTemp,
    RUNNER_TOOL_CACHE: path.join(layout.tempDir, '_tool')
  }
  if (options.debug === true) env['RUNNER_DEBUG'] = '1'
  return env
}

function inputEnvironment(
  manifest: ActionManifest,
  options: RunActionOptions,
  github: Record<string, string>,
  warnings: string[]
): Record<string, string> {
  const env: Record<string, string> = {}
  for (const [name, value] of manifest.inputs)
    if (value !== undefined) env[inputVariable(name)] = evaluateDefault(value, github)
  const declared = [...manifest.inputs.keys()]
  const unexpected: string[] = []
  for (const [name, value] of Object.entries(options.inputs ?? {})) {
    if (value === undefined) continue
    if (!declared.some(d => d.toLowerCase() === name.toLowerCase())) unexpected.push(name)
    env[inputVariable(name)] = String(value)
  }
  if (unexpected.length > 0)
    warnings.push(
      `Unexpected input(s) '${unexpected.join("', '")}', valid inputs are ['${declared.join("', '")}']`
    )
  return env
}

interface StepSpec {
  step: 'main' | 'post'
  script: string
  cwd: string
  env: Record<string, string>
  files: Record<FileCommandVariable, string>
  options: RunActionOptions
}

function readFileCommands(
  spec: StepSpec,
  errors: string[]
): Pick<StepRun, 'outputs' | 'state' | 'exportedEnv' | 'addedPath' | 'summary'> {
  const keyValue = (variable: FileCommandVariable, label: string): Record<string, string> => {
    try {
      return parseKeyValueFile(readFileSync(spec.files[variable], 'utf8'))
    } catch (error) {
      if (!(error instanceof FileCommandError)) throw error
      errors.push(`Unable to process file command '${label}' successfully: ${error.message}`)
      return {}
    }
  }
  return {
    outputs: keyValue('GITHUB_OUTPUT', 'output'),
    state: keyValue('GITHUB_STATE', 'state'),
    exportedEnv: keyValue('GITHUB_ENV', 'env'),
    addedPath: parsePathFile(readFileSync(spec.files.GITHUB_PATH, 'utf8')),
    summary: readFileSync(spec.files.GITHUB_STEP_SUMMARY, 'utf8')
  }
}

/** Splits a stream into lines as they complete (the runner reads output line by line). */
function lineSplitter(
  stream: Stream,
  emit: (line: OutputLine) => void,
  started: number
): { push(chunk: string): void; flush(): void } {
  let partial = ''
  return {
    push(chunk) {
      partial += chunk
      let lf = partial.indexOf('\n')
      while (lf >= 0) {
        emit({ stream, text: partial.slice(0, lf).replace(/\r$/, ''), atMs: Date.now() - started })
        partial = partial.slice(lf + 1)
        lf = partial.indexOf('\n')
      }
    },
    flush() {
      if (partial !== '') emit({ stream, text: partial.replace(/\r$/, ''), atMs: Date.now() - started })
      partial = ''
    }
  }
}

async function runStep(spec: StepSpec): Promise<StepRun> {
  const { options } = spec
  const started = Date.now()
  const child = spawn(process.execPath, [spec.script], {
    cwd: spec.cwd,
    env: spec.env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true
  })
  const signalsSent: StepRun['signalsSent'] = []
  const timers: NodeJS.Timeout[] = []
  let exited = false
  let cancelled = false
  let timedOut = false
  const send = (signal: NodeJS.Signals, group = false): void => {
    if (exited || child.pid === undefined) return
    signalsSent.push({ signal, atMs: Date.now() - started })
    try {
      process.kill(group ? -child.pid : child.pid, signal)
    } catch {
      // already gone
    }
  }
  const cancel = (): void => {
    if (cancelled || exited) return
    cancelled = true
    send('SIGINT')
    timers.push(setTimeout(() => send('SIGTERM'), options.signals?.sigtermAfterMs ?? 7_500))
    timers.push(setTimeout(() => send('SIGKILL', true), options.signals?.killAfterMs ?? 10_000))
  }
  const plan =
    options.cancel !== undefined && (options.cancel.step ?? 'main') === spec.step ? options.cancel : undefined
  if (plan?.afterMs !== undefined) timers.push(setTimeout(cancel, plan.afterMs))
  plan?.when?.then(cancel, cancel)
  if (options.stepTimeoutMs !== undefined) {
    timers.push(
      setTimeout(() => {
        timedOut = true
        cancel()
      }, options.stepTimeoutMs)
    )
  }
  timers.push(setTimeout(() => send('SIGKILL', true), options.maxStepMs ?? 300_000))

  const lines: OutputLine[] = []
  const onLine = (line: OutputLine): void => {
    lines.push(line)
    const rx = line.stream === 'stdout' ? plan?.onStdout : plan?.onStderr
    if (plan?.onOutput?.test(line.text) === true || rx?.test(line.text) === true) cancel()
    options.onLine?.(line, { step: spec.step, cancel })
  }
  const out = lineSplitter('stdout', onLine, started)
  const err = lineSplitter('stderr', onLine, started)
  let stdout = ''
  let stderr = ''
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk
    out.push(chunk)
  })
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk
    err.push(chunk)
  })
  const [exitCode, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve, reject) => {
    child.on('error', reject)
    child.on('close', (code, sig) => resolve([code, sig]))
  })
  exited = true
  for (const t of timers) clearTimeout(t)
  out.flush()
  err.flush()

  const fileCommandErrors: string[] = []
  const files = readFileCommands(spec, fileCommandErrors)
  const parsed = parseLog(lines)
  const masks = [...(options.secrets ?? []), ...parsed.masks]
  const failed = exitCode !== 0 || fileCommandErrors.length > 0
  return {
    step: spec.step,
    exitCode,
    signal,
    outcome: cancelled && !timedOut ? 'cancelled' : failed || timedOut ? 'failure' : 'success',
    timedOut,
    signalsSent,
    durationMs: Date.now() - started,
    stdout,
    stderr,
    lines,
    log: applyMasks(lines.map(l => l.text).join('\n'), masks),
    commands: parsed.commands,
    annotations: parsed.annotations,
    masks: parsed.masks,
    groups: parsed.groups,
    debug: parsed.debug,
    ...files,
    fileCommandErrors,
    env: spec.env
  }
}

function resolveScript(actionDir: string, file: string): string {
  return path.isAbsolute(file) ? file : path.join(actionDir, file)
}

function postShouldRun(postIf: string, main: StepRun): boolean {
  const condition = postIf.replace(/^\$\{\{\s*|\s*\}\}$/g, '').trim()
  if (condition === 'always()') return true
  if (condition === 'success()') return main.outcome === 'success'
  if (condition === 'failure()') return main.outcome === 'failure'
  if (condition === 'cancelled()') return main.outcome === 'cancelled'
  throw new Error(`runs.post-if: ${postIf} is not supported by the test runner`)
}

/** Runs main and then post of the action as the runner would; see the file comment. */
export async function runAction(options: RunActionOptions = {}): Promise<ActionRun> {
  const actionDir = options.actionDir ?? ROOT
  const workspace = options.workspace ?? ROOT
  const manifest = readManifest(actionDir)
  const layout = makeLayout()
  const repository = options.repository ?? 'octo-org/shop'
  const event = buildEvent(options.event ?? { name: 'push' }, {
    repository,
    actor: options.actor ?? 'octocat',
    serverUrl: options.serverUrl ?? 'https://github.com',
    apiUrl: options.apiUrl ?? 'http://127.0.0.1:9'
  })
  writeFileSync(layout.eventPath, JSON.stringify(event.payload, null, 2))
  const github = githubEnvironment(options, event, layout, workspace, actionDir)
  const runnerWarnings: string[] = []
  const token = options.token ?? DEFAULT_TOKEN
  const expressionContext: Record<string, string> = {
    token,
    repository,
    sha: event.sha,
    ref: event.ref,
    event_name: event.eventName,
    run_id: github['GITHUB_RUN_ID'] ?? '',
    run_attempt: github['GITHUB_RUN_ATTEMPT'] ?? '',
    server_url: github['GITHUB_SERVER_URL'] ?? '',
    api_url: github['GITHUB_API_URL'] ?? '',
    workspace,
    actor: github['GITHUB_ACTOR'] ?? ''
  }
  const inputs = inputEnvironment(manifest, options, expressionContext, runnerWarnings)
  const extra: Record<string, string> = {}
  const removed = new Set<string>()
  for (const [k, v] of Object.entries(options.env ?? {})) {
    if (v === undefined) removed.add(k)
    else extra[k] = v
  }
  // Later steps get what GITHUB_ENV exported, but the runner's own GITHUB_* and INPUT_* win.
  const stepEnv = (
    files: Record<FileCommandVariable, string>,
    exported: Record<string, string>,
    more: Record<string, string>
  ): Record<string, string> => {
    const env: Record<string, string> = {
      ...baseEnvironment(options),
      ...extra,
      ...exported,
      ...github,
      ...inputs,
      ...files,
      ...more
    }
    return Object.fromEntries(Object.entries(env).filter(([k]) => !removed.has(k)))
  }
  const cwd = workspace
  const mainFiles = stepFiles(layout)
  const mainScript = resolveScript(actionDir, options.main ?? manifest.main)
  const main = await runStep({
    step: 'main',
    script: mainScript,
    cwd,
    env: stepEnv(mainFiles, {}, {}),
    files: mainFiles,
    options
  })

  let post: StepRun | undefined
  const postScript = options.post === false ? undefined : (options.post ?? manifest.post)
  if (postScript !== undefined && postShouldRun(manifest.postIf, main)) {
    const postFiles = stepFiles(layout)
    const state = Object.fromEntries(Object.entries(main.state).map(([k, v]) => [`STATE_${k}`, v]))
    const basePath = stepEnv(postFiles, main.exportedEnv, {})['PATH']
    const env = stepEnv(postFiles, main.exportedEnv, {
      ...state,
      PATH: prependPath(main.addedPath, basePath)
    })
    post = await runStep({
      step: 'post',
      script: resolveScript(actionDir, postScript),
      cwd,
      env,
      files: postFiles,
      options
    })
  }
  return {
    main,
    post,
    outputs: main.outputs,
    state: main.state,
    summary: [main.summary, post?.summary ?? ''].filter(s => s !== '').join(''),
    annotations: [...main.annotations, ...(post?.annotations ?? [])],
    event,
    eventPath: layout.eventPath,
    runnerWarnings,
    runnerTemp: layout.runnerTemp,
    tempDir: layout.tempDir,
    cleanup: () => rmSync(layout.tempDir, { recursive: true, force: true })
  }
}
