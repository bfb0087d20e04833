import type { Clock } from '../clock.js'
import type { ClusterAdapter } from '../cluster/client-node.js'
import type { KubeConfigSource } from '../cluster/kubeconfig.js'
import type { ManifestSource } from '../manifests/source.js'
import type { CheckRunCreate, CheckRunUpdate } from '../report/render-check-run.js'
import type { ReadInput, RunContext } from './inputs.js'

/** An annotation as the runner shows it on a file and line. */
export interface AnnotationProps {
  title?: string
  file?: string
  startLine?: number
  endLine?: number
}

/** The runner as the action uses it; @actions/core in production, in-memory in tests. */
export interface Runner {
  read: ReadInput
  context: RunContext
  event: { name: string; payload: unknown }
  info(message: string): void
  warning(message: string, props?: AnnotationProps): void
  error(message: string, props?: AnnotationProps): void
  notice(message: string, props?: AnnotationProps): void
  setSecret(value: string): void
  setOutput(name: string, value: string): void
  setFailed(message: string): void
  saveState(name: string, value: string): void
  getState(name: string): string
  /** Replaces the step summary (written once per run: by main, or by post when main did not finish). */
  writeSummary(markdown: string): Promise<void>
  /** A file the action leaves for later steps (report, Slack payload); returns its path. */
  writeFile(name: string, content: string): Promise<string>
}

/** GitHub's REST API as the action uses it; every call may fail and is tolerated by the caller. */
export interface GitHubApi {
  createCheckRun(body: CheckRunCreate): Promise<number>
  updateCheckRun(id: number, body: CheckRunUpdate): Promise<void>
  /** The first 100 comments of an issue or pull request. */
  listComments(issue: number): Promise<{ id: number; body: string }[]>
  createComment(issue: number, body: string): Promise<void>
  updateComment(id: number, body: string): Promise<void>
  /** Creates a deployment of `ref` to `environment`; returns its id. */
  createDeployment(body: {
    ref: string
    environment: string
    description: string
    transient: boolean
  }): Promise<number>
  /** Deployments of one environment, newest first. */
  listDeployments(environment: string): Promise<number[]>
  createDeploymentStatus(id: number, body: DeploymentStatus): Promise<void>
}

export interface DeploymentStatus {
  state: 'in_progress' | 'success' | 'failure' | 'inactive'
  environmentUrl?: string
  logUrl?: string
  description: string
}

export interface ActionDeps {
  runner: Runner
  clock: Clock
  /** Aborted on SIGINT/SIGTERM: the sync terminates within the runner's grace period. */
  signal: AbortSignal
  source: ManifestSource
  connect(source: KubeConfigSource): { cluster: ClusterAdapter; secrets: string[]; warnings: string[] }
  github(token: string): GitHubApi
  postSlack(url: string, payload: object): Promise<void>
}
