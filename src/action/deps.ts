import { readFileSync } from 'node:fs'
import { writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import * as core from '@actions/core'
import type { getOctokit } from '@actions/github'
import { fetch } from 'undici'
import { realClock } from '../clock.js'
import { createCluster } from '../cluster/client-node.js'
import { loadKubeConfig } from '../cluster/kubeconfig.js'
import { fileManifestSource } from '../manifests/source.js'
import type { RunContext } from './inputs.js'
import { getNumber, getString } from '../model/json.js'
import type { ActionDeps, GitHubApi, Runner } from './ports.js'

/** The only module that builds the action's real adapters (architecture §2). */
export function realActionDeps(signal: AbortSignal): ActionDeps {
  const env = process.env
  const workspace = env['GITHUB_WORKSPACE'] ?? process.cwd()
  return {
    runner: coreRunner(env),
    clock: realClock,
    signal,
    source: fileManifestSource(workspace),
    connect: source => {
      const loaded = loadKubeConfig(source, { env })
      return {
        cluster: createCluster(loaded, { onSecret: token => core.setSecret(token) }),
        secrets: loaded.secrets,
        warnings: loaded.warnings
      }
    },
    github: token => octokitApi(token, env),
    postSlack
  }
}

function runContext(env: NodeJS.ProcessEnv, event: unknown): RunContext {
  return {
    pullRequest: pullRequestOf(event, env['INPUT_PR-NUMBER']),
    sha: env['GITHUB_SHA'] ?? 'local',
    repository: env['GITHUB_REPOSITORY'] ?? 'local/repository',
    runId: env['GITHUB_RUN_ID'] ?? '0',
    runAttempt: env['GITHUB_RUN_ATTEMPT'] ?? '1',
    serverUrl: env['GITHUB_SERVER_URL'] ?? 'https://github.com',
    actor: env['GITHUB_ACTOR'] ?? '',
    host: os.hostname(),
    kubeconfigEnv: env['KUBECONFIG'],
    ...(env['GITHUB_REF'] ? { ref: env['GITHUB_REF'] } : {})
  }
}

function coreRunner(env: NodeJS.ProcessEnv): Runner {
  const tempDir = env['RUNNER_TEMP'] ?? os.tmpdir()
  const payload = readEvent(env['GITHUB_EVENT_PATH'])
  return {
    read: name => core.getInput(name),
    context: runContext(env, payload),
    event: { name: env['GITHUB_EVENT_NAME'] ?? '', payload },
    info: message => core.info(message),
    warning: (message, props) => core.warning(message, props),
    error: (message, props) => core.error(message, props),
    notice: (message, props) => core.notice(message, props),
    setSecret: value => core.setSecret(value),
    setOutput: (name, value) => core.setOutput(name, value),
    setFailed: message => core.setFailed(message),
    saveState: (name, value) => core.saveState(name, value),
    getState: name => core.getState(name),
    writeSummary: async markdown => {
      await core.summary.addRaw(markdown).write({ overwrite: true })
    },
    writeFile: async (name, content) => {
      const file = path.join(tempDir, name)
      await writeFile(file, content)
      return file
    }
  }
}

function readEvent(file: string | undefined): unknown {
  if (!file) return {}
  try {
    const value: unknown = JSON.parse(readFileSync(file, 'utf8'))
    return value
  } catch {
    return {}
  }
}

type Rest = ReturnType<typeof getOctokit>['rest']

/**
 * The GitHub API through Octokit. `@actions/github` is imported on first use, not at start-up:
 * check runs and previews are opt-in, and importing it builds Octokit and parses the event payload.
 */
function octokitApi(token: string, env: NodeJS.ProcessEnv): GitHubApi {
  let client: Promise<Rest> | undefined
  const rest = async (): Promise<Rest> =>
    (client ??= import('@actions/github').then(github => github.getOctokit(token).rest))
  const [owner = '', repo = ''] = (env['GITHUB_REPOSITORY'] ?? '/').split('/')
  const base = { owner, repo }
  return {
    createCheckRun: async body => {
      const { checks } = await rest()
      return Number((await checks.create({ ...base, ...body })).data.id)
    },
    updateCheckRun: async (id, body) => {
      const { checks } = await rest()
      await checks.update({ ...base, check_run_id: id, ...body })
    },
    listComments: async issue => {
      const { issues } = await rest()
      const { data } = await issues.listComments({ ...base, issue_number: issue, per_page: 100 })
      return data.map(c => ({ id: c.id, body: c.body ?? '' }))
    },
    createComment: async (issue, body) => {
      const { issues } = await rest()
      await issues.createComment({ ...base, issue_number: issue, body })
    },
    updateComment: async (id, body) => {
      const { issues } = await rest()
      await issues.updateComment({ ...base, comment_id: id, body })
    },
    createDeployment: async body => {
      const { repos } = await rest()
      const { data } = await repos.createDeployment({
        ...base,
        ref: body.ref,
        environment: body.environment,
        description: body.description,
        transient_environment: body.transient,
        auto_merge: false,
        required_contexts: []
      })
      if (!('id' in data)) throw new Error(`deployment not created: ${data.message ?? 'merge conflict'}`)
      return data.id
    },
    listDeployments: async environment => {
      const { repos } = await rest()
      const { data } = await repos.listDeployments({ ...base, environment, per_page: 100 })
      return data.map(d => d.id)
    },
    createDeploymentStatus: async (id, body) => {
      const { repos } = await rest()
      await repos.createDeploymentStatus({
        ...base,
        deployment_id: id,
        state: body.state,
        description: body.description,
        ...(body.environmentUrl ? { environment_url: body.environmentUrl } : {}),
        ...(body.logUrl ? { log_url: body.logUrl } : {})
      })
    }
  }
}

/**
 * Posts a Slack payload: 10 s timeout, one retry on 429/5xx honouring Retry-After (platform.md §10).
 * Throws on final failure; the caller turns that into a warning, never a changed outcome.
 */
async function postSlack(url: string, payload: object): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(payload),
      signal: AbortSignal.timeout(10_000)
    })
    if (response.ok) return
    const retryable = response.status === 429 || response.status >= 500
    if (!retryable || attempt >= 2) throw new Error(`Slack answered ${response.status}`)
    const wait = Math.min(10, Number(response.headers.get('retry-after') ?? '1') || 1)
    await new Promise(resolve => setTimeout(resolve, wait * 1000))
  }
}

/**
 * The pull request a preview is for: from a pull_request(_target) event, or the pr-number input
 * (workflow_run events from forks carry no pull request, so the upload step passes it on).
 */
function pullRequestOf(event: unknown, prNumber: string | undefined): RunContext['pullRequest'] {
  const number = getNumber(event, ['pull_request', 'number']) ?? (prNumber ? Number(prNumber) : undefined)
  if (number === undefined || !Number.isInteger(number)) return undefined
  return {
    number,
    action: getString(event, ['action']) ?? '',
    headSha:
      getString(event, ['pull_request', 'head', 'sha']) ??
      getString(event, ['workflow_run', 'head_sha']) ??
      ''
  }
}
