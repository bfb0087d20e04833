/** A per-attempt timeout joined with the caller's signal; `expired` tells a timeout from an abort. */
export class Deadline {
  readonly signal: AbortSignal
  private readonly controller = new AbortController()
  private readonly timer: NodeJS.Timeout

  constructor(
    outer: AbortSignal | undefined,
    readonly ms: number
  ) {
    this.timer = setTimeout(() => this.controller.abort(), ms)
    this.timer.unref()
    this.signal = outer ? AbortSignal.any([outer, this.controller.signal]) : this.controller.signal
  }

  /** True when the timeout (not the caller) ended the request. */
  get expired(): boolean {
    return this.controller.signal.aborted
  }

  /** Stops the timer: the request finished, or a stream got its headers and may now run long. */
  clear(): void {
    clearTimeout(this.timer)
  }
}
