import type { KubeConfig } from '@kubernetes/client-node'
import { HttpMethod, RequestContext } from '@kubernetes/client-node'
import type { Dispatcher } from 'undici'

/** Headers to send (Authorization, Impersonate-User) and, when TLS options apply, a dispatcher. */
export interface Credentials {
  headers: Record<string, string>
  dispatcher?: Dispatcher
}

/** Produces fresh credentials; may run an exec plugin or read a token file. */
export type Authenticate = () => Promise<Credentials>

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
  return async () => {
    const context = new RequestContext(server, HttpMethod.GET)
    await config.applySecurityAuthentication(context)
    const dispatcher = context.getDispatcher()
    return { headers: context.getHeaders(), ...(dispatcher !== undefined ? { dispatcher } : {}) }
  }
}

/**
 * Caches credentials for `ttlMs`, so a request costs no authentication work, while exec-plugin
 * and token-file credentials still rotate. Concurrent callers share one refresh.
 */
export class AuthCache {
  private state: AuthState | undefined
  private pending: Promise<AuthState> | undefined
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
    return this.refresh()
  }

  /** After a 401 with `stale`: refresh, unless another request already did since `stale` was issued. */
  async renew(stale: AuthState): Promise<AuthState> {
    const state = this.state
    if (state !== undefined && state.generation > stale.generation) return state
    return this.refresh()
  }

  private refresh(): Promise<AuthState> {
    this.pending ??= this.load().finally(() => {
      this.pending = undefined
    })
    return this.pending
  }

  private async load(): Promise<AuthState> {
    const credentials = await this.authenticate()
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
