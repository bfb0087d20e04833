import { existsSync, readFileSync } from 'node:fs'
import path from 'node:path'
import type { Cluster as ClusterEntry, Context, User } from '@kubernetes/client-node'
// The module, not the package root: see auth.ts.
import { KubeConfig } from '@kubernetes/client-node/dist/config.js'
import { load } from 'js-yaml'
import { UsageError, errorMessage } from '../model/errors.js'
import { isRecord } from '../model/json.js'
import { checkExecPlugin, credentialSecrets, MIN_SECRET_LENGTH } from './kubeconfig-users.js'

/** Where the kubeconfig comes from (platform.md §7). */
export type KubeConfigSource =
  /** Raw YAML, or base64 of it (detected): an action input holding a secret. */
  | { kind: 'text'; text: string }
  | { kind: 'file'; path: string }
  /** `KUBECONFIG` (colon-separated, merged like kubectl), else `~/.kube/config`. */
  | { kind: 'env' }
  /** The pod's service account (ARC runners). */
  | { kind: 'in-cluster' }

/** A kubeconfig ready to use: the server it points at, and what to mask before anything is logged. */
export interface LoadedKubeConfig {
  config: KubeConfig
  server: string
  /** The current context's name, for logs. */
  context: string
  /** Credential values of at least 8 characters, for `core.setSecret`. */
  secrets: string[]
  /** Problems worth a warning that do not stop the run. */
  warnings: string[]
}

export interface LoadOptions {
  /** Environment for KUBECONFIG, HOME, PATH (exec plugins) and proxies; process.env by default. */
  env?: Readonly<Record<string, string | undefined>>
}

/**
 * Loads and checks a kubeconfig. Unlike client-node's `loadFromDefault`, never falls back to
 * `http://localhost:8080`: no current context or cluster is an error naming the form seen.
 * Throws `UsageError` (bad input, exit code 2) with a message that quotes no credential.
 */
export function loadKubeConfig(source: KubeConfigSource, options: LoadOptions = {}): LoadedKubeConfig {
  const env = options.env ?? process.env
  const { config, origin } = read(source, env)
  const { server, context } = checkCurrent(config, origin)
  checkExecPlugin(config, env)
  const { secrets, skipped } = credentialSecrets(config)
  const warnings: string[] = []
  if (skipped > 0) {
    warnings.push(
      `${skipped} credential value(s) in the kubeconfig are shorter than ${MIN_SECRET_LENGTH} characters ` +
        'and are not masked (masking short strings mangles logs)'
    )
  }
  if (config.getCurrentUser() === null)
    warnings.push(`${origin}: context "${context}" has no user; requests are anonymous`)
  // client-node honours the kubeconfig's proxy-url only (platform.md §11).
  const proxy = env['HTTPS_PROXY'] ?? env['https_proxy']
  if (proxy && !config.getCurrentCluster()?.proxyUrl) {
    warnings.push(
      'HTTPS_PROXY is set but not used: set proxy-url on the kubeconfig cluster to go through a proxy'
    )
  }
  return { config, server, context, secrets, warnings }
}

function read(
  source: KubeConfigSource,
  env: Readonly<Record<string, string | undefined>>
): { config: KubeConfig; origin: string } {
  switch (source.kind) {
    case 'text':
      return { config: fromText(source.text, 'kubeconfig input', undefined), origin: 'kubeconfig input' }
    case 'file':
      return { config: fromFile(source.path), origin: `kubeconfig file ${source.path}` }
    case 'env':
      return fromEnv(env)
    case 'in-cluster':
      return { config: inCluster(env), origin: 'in-cluster config' }
  }
}

/**
 * Raw YAML or base64 of it. Raw-vs-base64 confusion is the classic kubectl-action bug, so the
 * error says which form the input looked like and why it was refused.
 */
function fromText(text: string, origin: string, dir: string | undefined): KubeConfig {
  const trimmed = text.trim()
  if (trimmed === '') throw new UsageError(`${origin} is empty`)
  let yamlText = trimmed
  let form = 'YAML'
  if (looksLikePath(trimmed)) {
    throw new UsageError(
      `${origin} looks like a file path, not kubeconfig content: pass it as a kubeconfig file`
    )
  }
  if (looksLikeBase64(trimmed)) {
    yamlText = Buffer.from(trimmed.replace(/\s+/g, ''), 'base64').toString('utf8')
    form = 'base64'
    if (!isKubeConfigDocument(parseYaml(yamlText))) {
      throw new UsageError(`${origin} looks like base64 but does not decode to a kubeconfig`)
    }
  }
  const document = parseYaml(yamlText)
  if (document === NOT_YAML) throw new UsageError(`${origin} is not YAML (nor base64 of YAML)`)
  if (!isKubeConfigDocument(document)) {
    throw new UsageError(`${origin} is YAML but not a kubeconfig (no clusters, contexts or users lists)`)
  }
  return build(yamlText, `${origin} (${form})`, dir)
}

function build(yamlText: string, origin: string, dir: string | undefined): KubeConfig {
  const config = new KubeConfig()
  try {
    config.loadFromString(yamlText)
  } catch (error) {
    // client-node's messages name fields (`clusters[0].cluster.server is missing`), never values.
    throw new UsageError(`${origin} is invalid: ${errorMessage(error)}`)
  }
  // loadFromString leaves relative certificate paths relative to the working directory.
  config.makePathsAbsolute(dir ?? process.cwd())
  return config
}

function fromFile(file: string): KubeConfig {
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (error) {
    const code = isRecord(error) && typeof error['code'] === 'string' ? error['code'] : 'unreadable'
    throw new UsageError(`kubeconfig file ${file} cannot be read (${code})`)
  }
  return fromText(text, `kubeconfig file ${file}`, path.dirname(path.resolve(file)))
}

/** kubectl's merge: for each name the first file defining it wins, as does the first current-context. */
function fromEnv(env: Readonly<Record<string, string | undefined>>): { config: KubeConfig; origin: string } {
  const variable = env['KUBECONFIG'] ?? ''
  if (variable.trim() === '') {
    const home = path.join(env['HOME'] ?? '', '.kube', 'config')
    if (env['HOME'] !== undefined && existsSync(home))
      return { config: fromFile(home), origin: `kubeconfig file ${home}` }
    throw new UsageError('no kubeconfig: KUBECONFIG is not set and ~/.kube/config does not exist')
  }
  const files = variable.split(path.delimiter).filter(file => file !== '')
  // kubectl skips files that do not exist; a KUBECONFIG naming none of them is an error.
  const present = files.filter(file => existsSync(file))
  if (present.length === 0) throw new UsageError(`KUBECONFIG names no file that exists (${files.join(', ')})`)
  const origin = `KUBECONFIG (${present.join(path.delimiter)})`
  return { config: merge(present.map(fromFile)), origin }
}

function merge(configs: KubeConfig[]): KubeConfig {
  const [first, ...rest] = configs
  if (first === undefined || rest.length === 0) return first ?? new KubeConfig()
  const clusters = new Map<string, ClusterEntry>()
  const users = new Map<string, User>()
  const contexts = new Map<string, Context>()
  let currentContext = ''
  for (const config of configs) {
    for (const entry of config.getClusters()) if (!clusters.has(entry.name)) clusters.set(entry.name, entry)
    for (const entry of config.getUsers()) if (!users.has(entry.name)) users.set(entry.name, entry)
    for (const entry of config.getContexts()) if (!contexts.has(entry.name)) contexts.set(entry.name, entry)
    currentContext ||= config.getCurrentContext() ?? ''
  }
  const merged = new KubeConfig()
  merged.loadFromOptions({
    clusters: [...clusters.values()],
    users: [...users.values()],
    contexts: [...contexts.values()],
    currentContext
  })
  return merged
}

const TOKEN_PATH = '/var/run/secrets/kubernetes.io/serviceaccount/token'

function inCluster(env: Readonly<Record<string, string | undefined>>): KubeConfig {
  if (!env['KUBERNETES_SERVICE_HOST'] || !env['KUBERNETES_SERVICE_PORT']) {
    throw new UsageError('in-cluster config needs KUBERNETES_SERVICE_HOST and _PORT: not running in a pod?')
  }
  if (!existsSync(TOKEN_PATH))
    throw new UsageError(`in-cluster config needs a service account token at ${TOKEN_PATH}`)
  const config = new KubeConfig()
  config.loadFromCluster()
  return config
}

/** The current context and its cluster must exist: no silent default server. */
function checkCurrent(config: KubeConfig, origin: string): { server: string; context: string } {
  const name = config.getCurrentContext()
  const known = config.getContexts().map(context => context.name)
  if (!name) {
    const list = known.length > 0 ? ` (contexts: ${known.join(', ')})` : ''
    throw new UsageError(`${origin} has no current-context${list}`)
  }
  const context = config.getContextObject(name)
  if (context === null) throw new UsageError(`${origin}: current-context "${name}" is not among its contexts`)
  const cluster = config.getCurrentCluster()
  if (cluster === null) {
    throw new UsageError(
      `${origin}: context "${name}" names cluster "${context.cluster}", which is not defined`
    )
  }
  if (cluster.server.startsWith('http://') && !cluster.skipTLSVerify) {
    throw new UsageError(
      `${origin}: cluster "${cluster.name}" uses plain http:// (${cluster.server}), which client-node refuses ` +
        'unless the cluster sets insecure-skip-tls-verify: true; use https'
    )
  }
  return { server: cluster.server, context: name }
}

const NOT_YAML = Symbol('not YAML')

function parseYaml(text: string): unknown {
  try {
    return load(text)
  } catch {
    return NOT_YAML
  }
}

function isKubeConfigDocument(value: unknown): boolean {
  if (!isRecord(value)) return false
  return (
    ['clusters', 'contexts', 'users'].some(field => Array.isArray(value[field])) || value['kind'] === 'Config'
  )
}

// One line of base64 alphabet (line-wrapped base64 is accepted too): YAML always has ':' or spaces.
function looksLikeBase64(text: string): boolean {
  return /^[A-Za-z0-9+/=_-]+$/.test(text.replace(/\s+/g, '')) && !/\s/.test(text.split('\n')[0] ?? '')
}

function looksLikePath(text: string): boolean {
  return !text.includes('\n') && /^(~|\.{1,2})?\/[^\s:]*$/.test(text) && !looksLikeBase64Kubeconfig(text)
}

// A base64 kubeconfig starts with the encoding of `apiVersion`, `clusters`, `kind` … never with '/'.
function looksLikeBase64Kubeconfig(text: string): boolean {
  return isKubeConfigDocument(parseYaml(Buffer.from(text, 'base64').toString('utf8')))
}
