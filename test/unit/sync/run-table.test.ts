import { describe, expect, test } from '@jest/globals'
import { RunTable } from '../../../src/sync/run-table.js'
import { PENDING } from '../../../src/sync/state.js'
import type { TaskRun } from '../../../src/sync/types.js'

const run = (message: string): TaskRun => ({ ...PENDING, state: 'Running', message })

/** A deterministic pseudo-random sequence, so a failure replays. */
function sequence(seed: number): () => number {
  let x = seed
  return () => (x = (x * 1103515245 + 12345) % 2 ** 31) / 2 ** 31
}

describe('RunTable', () => {
  test('behaves as a Map copied on every update, through overlay folds, with the old tables untouched', () => {
    const random = sequence(7)
    let table: ReadonlyMap<string, TaskRun> = RunTable.EMPTY
    let reference = new Map<string, TaskRun>()
    const history: [ReadonlyMap<string, TaskRun>, Map<string, TaskRun>][] = []
    for (let step = 0; step < 400; step++) {
      const changes: [string, TaskRun][] = []
      for (let i = 0, n = 1 + Math.floor(random() * 5); i < n; i++)
        changes.push([`t${Math.floor(random() * 300)}`, run(`s${step}.${i}`)])
      table = RunTable.with(table, changes)
      reference = new Map(reference)
      for (const [taskId, value] of changes) reference.set(taskId, value)
      history.push([table, reference])
    }
    for (const [snapshot, expected] of history) {
      expect(snapshot.size).toBe(expected.size)
      expect([...snapshot.entries()]).toEqual([...expected.entries()])
      expect([...snapshot.keys()]).toEqual([...expected.keys()])
      expect([...snapshot.values()]).toEqual([...expected.values()])
      expect([...snapshot]).toEqual([...expected])
      const visited: [string, TaskRun][] = []
      snapshot.forEach((value, taskId) => visited.push([taskId, value]))
      expect(visited).toEqual([...expected])
      for (const taskId of ['t0', 't150', 't299', 'missing']) {
        expect(snapshot.get(taskId)).toBe(expected.get(taskId))
        expect(snapshot.has(taskId)).toBe(expected.has(taskId))
      }
    }
  })

  test('starts from any ReadonlyMap, leaving it as it was', () => {
    const start = new Map([['a', run('1')]])
    const table = RunTable.with(start, [
      ['b', run('2')],
      ['a', run('3')]
    ])
    expect([...table].map(([id, value]) => [id, value.message])).toEqual([
      ['a', '3'],
      ['b', '2']
    ])
    expect(start.get('a')?.message).toBe('1')
    expect(start.has('b')).toBe(false)
  })
})
