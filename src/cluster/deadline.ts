/**
 * A per-attempt timeout joined with the caller's signal; `expired` tells a timeout from an abort.
 *
 * Not `AbortSignal.any`: that registers each request's signal as a dependent of the caller's,
 * which lives for the whole operation, so aborting it at the end walked every request ever sent.
 * Here the caller's abort is forwarded by one listener, removed when the attempt is over.
 */
export class Deadline {
  readonly signal: AbortSignal
  private readonly controller = new AbortController()
  private readonly timer: NodeJS.Timeout
  private timedOut = false
  private readonly forward: (() => void) | undefined

  constructor(
    private readonly outer: AbortSignal | undefined,
    readonly ms: number
  ) {
    this.signal = this.controller.signal
    this.timer = setTimeout(() => {
      this.timedOut = true
      this.controller.abort()
    }, ms)
    this.timer.unref()
    if (outer?.aborted) this.controller.abort(outer.reason)
    else if (outer) {
      this.forward = () => this.controller.abort(outer.reason)
      outer.addEventListener('abort', this.forward, { once: true })
    }
  }

  /** True when the timeout (not the caller) ended the request. */
  get expired(): boolean {
    return this.timedOut
  }

  /**
   * Stops the timer: a stream got its headers and may now run long (the caller can still abort
   * it). Call `release` too once the stream ends, or the caller's signal keeps a listener.
   */
  clear(): void {
    clearTimeout(this.timer)
  }

  /** The attempt is over: no timer, and the caller's signal no longer reaches it. */
  release(): void {
    this.clear()
    if (this.forward) this.outer?.removeEventListener('abort', this.forward)
  }
}
