import type { Clock } from '../../src/clock.js'

interface Timer {
  due: number
  seq: number
  resolve: () => void
  reject: (reason: unknown) => void
  cleanup: () => void
}

/** The instant every scenario starts at: 2024-11-21T12:00:00Z, a whole second. */
export const EPOCH = Date.UTC(2024, 10, 21, 12, 0, 0)

/**
 * Lets every pending promise chain run: a few macrotask turns, each of which first drains the
 * microtask queue. Nothing here waits for real time; the fakes never use real timers.
 */
export async function settle(turns = 20): Promise<void> {
  for (let i = 0; i < turns; i++) await new Promise<void>(resolve => setImmediate(resolve))
}

/**
 * The `Clock` port where time only moves when a test says so. `sleep` registers a timer; `advance`
 * moves time forward, firing due timers in order (earliest first, then in the order they were
 * set) and letting the code they wake run before looking for the next one, so a timer set by a
 * woken sleeper fires within the same `advance` when it falls due.
 */
export class FakeClock implements Clock {
  private current: number
  private seq = 0
  private readonly timers = new Set<Timer>()

  constructor(start = EPOCH) {
    this.current = start
  }

  now(): number {
    return this.current
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(abortReason(signal))
    // Like setTimeout(0): nothing to wait for, but the caller still yields a macrotask turn.
    if (ms <= 0) return new Promise<void>(resolve => setImmediate(resolve))
    return new Promise<void>((resolve, reject) => {
      const onAbort = (): void => {
        this.timers.delete(timer)
        reject(abortReason(signal))
      }
      const timer: Timer = {
        due: this.current + ms,
        seq: this.seq++,
        resolve,
        reject,
        cleanup: () => signal?.removeEventListener('abort', onAbort)
      }
      this.timers.add(timer)
      signal?.addEventListener('abort', onAbort, { once: true })
    })
  }

  /** Moves time forward by `ms`, firing every timer that falls due on the way. */
  async advance(ms: number): Promise<void> {
    const target = this.current + Math.max(0, ms)
    await settle()
    for (let timer = this.nextTimer(target); timer; timer = this.nextTimer(target)) {
      this.current = Math.max(this.current, timer.due)
      this.fire(timer)
      await settle()
    }
    this.current = target
    await settle()
  }

  /** Moves time to `instant` (never backwards). */
  async advanceTo(instant: number): Promise<void> {
    await this.advance(Math.max(0, instant - this.current))
  }

  /** Jumps to the next timer and fires it (and any due at the same instant); false when none is set. */
  async runNext(): Promise<boolean> {
    await settle()
    const next = this.nextTimer(Number.POSITIVE_INFINITY)
    if (!next) return false
    await this.advance(next.due - this.current)
    return true
  }

  /** How many sleeps are pending. */
  get pendingTimers(): number {
    return this.timers.size
  }

  /** When the earliest pending sleep falls due, if any. */
  nextDue(): number | undefined {
    return this.nextTimer(Number.POSITIVE_INFINITY)?.due
  }

  private nextTimer(limit: number): Timer | undefined {
    let best: Timer | undefined
    for (const timer of this.timers) {
      if (timer.due > limit) continue
      if (!best || timer.due < best.due || (timer.due === best.due && timer.seq < best.seq)) best = timer
    }
    return best
  }

  private fire(timer: Timer): void {
    this.timers.delete(timer)
    timer.cleanup()
    timer.resolve()
  }
}

function abortReason(signal: AbortSignal | undefined): unknown {
  return signal?.reason ?? new Error('aborted')
}
