// client-node's modules rather than its root, which also loads the generated API and the watch, exec,
// attach, cp and port-forward clients (ws, tar-fs, …) at start-up; types may come from the root.
import { KubeConfig } from '@kubernetes/client-node/dist/config.js'
import { HttpMethod, RequestContext } from '@kubernetes/client-node/dist/gen/http/http.js'
import type { Dispatcher } from 'undici'

/** Headers to send (Authorization, Impersonate-User) and, when TLS options apply, a dispatcher. */
export interface Credentials {
  headers: Record<string, string>
  dispatcher?: Dispatcher
}

/**
 * Produces credentials; may run an exec plugin or read a token file. `fresh` (after a 401) asks
 * to bypass every cache, as client-go re-runs the exec plugin when the server refuses its token.
 */
export type Authenticate = (options: { fresh: boolean }) => Promise<Credentials>

/** Credentials as cached: when obtained, and a generation to tell a stale copy from a newer one. */
export interface AuthState extends Credentials {
  at: number
  generation: number
}

/**
 * Credentials from a kubeconfig, through client-node's own code for tokens, client certificates,
 * exec plugins, OIDC and token files. Each call builds a new undici Agent, hence the cache below.
 */
export function kubeConfigAuthenticator(config: KubeConfig, server: string): Authenticate {
  let current = config
  return async ({ fresh }) => {
    // client-node caches exec credentials until their expirationTimestamp, inside the KubeConfig's
    // private authenticators: a copy starts with empty caches, so a revoked token is really renewed.
    if (fresh) current = withFreshAuthenticators(current)
    const context = new RequestContext(server, HttpMethod.GET)
    await current.applySecurityAuthentication(context)
    const dispatcher = context.getDispatcher()
    return { headers: context.getHeaders(), ...(dispatcher !== undefined ? { dispatcher } : {}) }
  }
}

function withFreshAuthenticators(config: KubeConfig): KubeConfig {
  const copy = new KubeConfig()
  copy.loadFromOptions({
    clusters: config.getClusters(),
    users: config.getUsers(),
    contexts: config.getContexts(),
    currentContext: config.getCurrentContext()
  })
  return copy
}

/**
 * Caches credentials for `ttlMs`, so a request costs no authentication work, while exec-plugin
 * and token-file credentials still rotate. Concurrent callers share one refresh.
 */
export class AuthCache {
  private state: AuthState | undefined
  private pending: { fresh: boolean; promise: Promise<AuthState> } | undefined
  private generation = 0
  private readonly tokens = new Set<string>()

  constructor(
    private readonly authenticate: Authenticate,
    private readonly now: () => number,
    private readonly ttlMs: number,
    private readonly onSecret?: (value: string) => void
  ) {}

  /** Cached credentials, refreshed when older than the TTL. */
  async current(): Promise<AuthState> {
    const state = this.state
    if (state !== undefined && this.now() - state.at < this.ttlMs) return state
    return this.refresh(false)
  }

  /** After a 401 with `stale`: fresh credentials, unless another request got some since. */
  async renew(stale: AuthState): Promise<AuthState> {
    const state = this.state
    if (state !== undefined && state.generation > stale.generation) return state
    return this.refresh(true)
  }

  // Concurrent callers share one refresh; a renewal does not settle for a pending routine refresh.
  private refresh(fresh: boolean): Promise<AuthState> {
    if (this.pending !== undefined && (this.pending.fresh || !fresh)) return this.pending.promise
    const promise = this.load(fresh).finally(() => {
      if (this.pending?.promise === promise) this.pending = undefined
    })
    this.pending = { fresh, promise }
    return promise
  }

  private async load(fresh: boolean): Promise<AuthState> {
    const credentials = await this.authenticate({ fresh })
    this.reportToken(credentials.headers)
    this.generation += 1
    this.state = { ...credentials, at: this.now(), generation: this.generation }
    return this.state
  }

  // Exec plugins and OIDC refreshes mint tokens that were never in the kubeconfig: the caller masks them.
  private reportToken(headers: Record<string, string>): void {
    const match = /^Bearer\s+(\S+)/.exec(headers['Authorization'] ?? '')
    const token = match?.[1]
    if (token === undefined || this.tokens.has(token)) return
    this.tokens.add(token)
    this.onSecret?.(token)
  }
}
