/**
 * Runs `work` over items with at most `limit` in flight; results keep the items' order. When a
 * task throws, no further item is started and the first error is thrown only once every task in
 * flight has settled: the caller's next move (marking tasks failed, returning from a step) must
 * never race work still running in the background.
 */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<R>
): Promise<R[]> {
  const results: R[] = new Array<R>(items.length)
  let next = 0
  let failure: { error: unknown } | undefined
  const worker = async (): Promise<void> => {
    while (failure === undefined && next < items.length) {
      const index = next++
      const item = items[index]
      if (item === undefined) continue
      try {
        results[index] = await work(item)
      } catch (error) {
        failure ??= { error }
      }
    }
  }
  await Promise.all(Array.from({ length: Math.min(Math.max(1, limit), items.length) }, worker))
  if (failure) throw failure.error
  return results
}

/** Splits a sorted list into runs of consecutive items with the same key (kind batches, §4.4.4). */
export function consecutiveBatches<T>(items: readonly T[], key: (item: T) => string): T[][] {
  const batches: T[][] = []
  for (const item of items) {
    const last = batches[batches.length - 1]
    const first = last?.[0]
    if (last && first !== undefined && key(first) === key(item)) last.push(item)
    else batches.push([item])
  }
  return batches
}
