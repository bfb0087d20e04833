/**
 * At most `count` pieces of work at once, across separate (concurrent) tests: each call waits for
 * a free slot. For tests that start CLI processes, so timings stay meaningful on a small machine.
 */
export function slots(count: number): <T>(work: () => Promise<T>) => Promise<T> {
  let free = count
  const waiting: (() => void)[] = []
  return async work => {
    if (free === 0) await new Promise<void>(resolve => waiting.push(resolve))
    else free -= 1
    try {
      return await work()
    } finally {
      const next = waiting.shift()
      if (next) next()
      else free += 1
    }
  }
}
