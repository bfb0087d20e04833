import { getEventListeners } from 'node:events'
import { describe, expect, test } from '@jest/globals'
import { Deadline } from '../../../src/cluster/deadline.js'

describe('Deadline', () => {
  test('the caller’s abort reaches the attempt, and is not a timeout', () => {
    const outer = new AbortController()
    const deadline = new Deadline(outer.signal, 60_000)
    outer.abort()
    expect(deadline.signal.aborted).toBe(true)
    expect(deadline.expired).toBe(false)
    deadline.release()
  })

  test('an already aborted caller aborts the attempt at once', () => {
    const outer = new AbortController()
    outer.abort()
    const deadline = new Deadline(outer.signal, 60_000)
    expect(deadline.signal.aborted).toBe(true)
    deadline.release()
  })

  test('the timer aborts the attempt as a timeout', async () => {
    const deadline = new Deadline(undefined, 5)
    await new Promise(resolve => deadline.signal.addEventListener('abort', resolve))
    expect(deadline.expired).toBe(true)
  })

  test('released attempts leave nothing on the caller’s signal, however many there were', () => {
    const outer = new AbortController()
    for (let i = 0; i < 500; i++) new Deadline(outer.signal, 60_000).release()
    expect(getEventListeners(outer.signal, 'abort')).toHaveLength(0)
  })

  test('a cleared stream no longer times out but still answers the caller’s abort', async () => {
    const outer = new AbortController()
    const deadline = new Deadline(outer.signal, 5)
    deadline.clear()
    await new Promise(resolve => setTimeout(resolve, 20))
    expect(deadline.signal.aborted).toBe(false)
    outer.abort()
    expect(deadline.signal.aborted).toBe(true)
    expect(deadline.expired).toBe(false)
  })
})
