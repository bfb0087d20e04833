// The stand-in's state: what a wavesync run created or changed on "GitHub", per server. Ids
// increment per kind from bases above 2^32, as GitHub's check-run ids are today, so an id kept
// in a 32-bit integer or mangled through a float shows up.
import { createHash } from 'node:crypto'
import type { JsonRecord } from './openapi.js'

export interface GitHubUser {
  login: string
  id: number
  type: 'Bot' | 'User'
}

export const ACTIONS_BOT: GitHubUser = { login: 'github-actions[bot]', id: 41898282, type: 'Bot' }

export interface CheckRunAnnotation {
  path: string
  start_line: number
  end_line: number
  start_column?: number
  end_column?: number
  annotation_level: string
  message: string
  title?: string
  raw_details?: string
}

export interface CheckRunRecord {
  id: number
  owner: string
  repo: string
  name: string
  head_sha: string
  status: string
  conclusion: string | null
  started_at: string | null
  completed_at: string | null
  external_id: string | null
  details_url: string | null
  output: { title: string | null; summary: string | null; text: string | null }
  /** Every annotation sent, in order (updates append, as GitHub does). */
  annotations: CheckRunAnnotation[]
  /** Each request body that created or changed this run. */
  history: JsonRecord[]
}

export interface IssueCommentRecord {
  id: number
  owner: string
  repo: string
  issue_number: number
  body: string
  user: GitHubUser
  created_at: string
  updated_at: string
}

export interface DeploymentRecord {
  id: number
  owner: string
  repo: string
  ref: string
  sha: string
  task: string
  environment: string
  description: string | null
  payload: unknown
  transient_environment: boolean
  production_environment: boolean
  created_at: string
  updated_at: string
}

export interface DeploymentStatusRecord {
  id: number
  deployment_id: number
  state: string
  description: string
  environment: string
  environment_url: string
  log_url: string
  target_url: string
  created_at: string
  updated_at: string
}

export interface CommitStatusRecord {
  id: number
  owner: string
  repo: string
  sha: string
  state: string
  context: string
  description: string | null
  target_url: string | null
  created_at: string
}

export interface PullSeed {
  number: number
  owner?: string
  repo?: string
  headSha?: string
  headRef?: string
  baseSha?: string
  baseRef?: string
  state?: 'open' | 'closed'
  merged?: boolean
  title?: string
  /** Head repository full name when the PR comes from a fork (`someone/shop`). */
  headRepository?: string
}

export interface PullRecord {
  number: number
  owner: string
  repo: string
  head: { sha: string; ref: string; repository: string }
  base: { sha: string; ref: string }
  state: 'open' | 'closed'
  merged: boolean
  title: string
}

/** A deterministic 40-hex "commit" for a label. */
export function fakeSha(label: string): string {
  return createHash('sha1').update(label).digest('hex')
}

/** GitHub's timestamps: ISO 8601 in UTC without milliseconds. */
export function githubTime(date = new Date()): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z')
}

export class GitHubApiStore {
  readonly checkRuns: CheckRunRecord[] = []
  readonly comments: IssueCommentRecord[] = []
  readonly deployments: DeploymentRecord[] = []
  readonly deploymentStatuses: DeploymentStatusRecord[] = []
  readonly commitStatuses: CommitStatusRecord[] = []
  readonly pulls: PullRecord[] = []
  private readonly counters = new Map<string, number>()

  constructor(
    readonly defaults: { owner: string; repo: string },
    readonly bot: GitHubUser
  ) {}

  nextId(kind: 'check-run' | 'comment' | 'deployment' | 'deployment-status' | 'status' | 'generic'): number {
    const bases = {
      'check-run': 40_000_000_001,
      comment: 4_400_000_001,
      deployment: 5_500_000_001,
      'deployment-status': 6_600_000_001,
      status: 7_700_000_001,
      generic: 8_800_000_001
    }
    const next = this.counters.get(kind) ?? bases[kind]
    this.counters.set(kind, next + 1)
    return next
  }

  checkRun(owner: string, repo: string, id: number): CheckRunRecord | undefined {
    return this.checkRuns.find(r => r.id === id && r.owner === owner && r.repo === repo)
  }

  /** Comments of one issue or pull request, oldest first (GitHub's order). */
  issueComments(
    issueNumber: number,
    owner = this.defaults.owner,
    repo = this.defaults.repo
  ): IssueCommentRecord[] {
    return this.comments.filter(c => c.issue_number === issueNumber && c.owner === owner && c.repo === repo)
  }

  /** Seeds a comment, e.g. the sticky comment a previous run left, possibly by another user. */
  addComment(seed: {
    issueNumber: number
    body: string
    user?: GitHubUser
    owner?: string
    repo?: string
    createdAt?: string
  }): IssueCommentRecord {
    const time = seed.createdAt ?? githubTime()
    const record: IssueCommentRecord = {
      id: this.nextId('comment'),
      owner: seed.owner ?? this.defaults.owner,
      repo: seed.repo ?? this.defaults.repo,
      issue_number: seed.issueNumber,
      body: seed.body,
      user: seed.user ?? this.bot,
      created_at: time,
      updated_at: time
    }
    this.comments.push(record)
    return record
  }

  addPull(seed: PullSeed): PullRecord {
    const owner = seed.owner ?? this.defaults.owner
    const repo = seed.repo ?? this.defaults.repo
    const record: PullRecord = {
      number: seed.number,
      owner,
      repo,
      head: {
        sha: seed.headSha ?? fakeSha(`pr-${seed.number}-head`),
        ref: seed.headRef ?? `feature-${seed.number}`,
        repository: seed.headRepository ?? `${owner}/${repo}`
      },
      base: { sha: seed.baseSha ?? fakeSha('main'), ref: seed.baseRef ?? 'main' },
      state: seed.state ?? 'open',
      merged: seed.merged ?? false,
      title: seed.title ?? `Pull request #${seed.number}`
    }
    const existing = this.pulls.findIndex(
      p => p.number === record.number && p.owner === owner && p.repo === repo
    )
    if (existing >= 0) this.pulls.splice(existing, 1)
    this.pulls.push(record)
    return record
  }
}
