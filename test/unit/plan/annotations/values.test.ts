import { describe, expect, test } from '@jest/globals'
import {
  formatDuration,
  parseDuration,
  parseWave,
  splitList
} from '../../../../src/plan/annotations/values.js'

describe('splitList (sync-semantics §2.1.2)', () => {
  test.each([
    ['PreSync', ['PreSync']], // one item
    ['PreSync,PostSync', ['PreSync', 'PostSync']], // order kept
    [' PreSync ,\tPostSync\t', ['PreSync', 'PostSync']], // spaces and tabs trimmed around items
    ['PreSync,,PostSync,', ['PreSync', 'PostSync']], // empty items dropped
    ['PostSync,PreSync,PostSync', ['PostSync', 'PreSync']], // duplicates dropped, first kept
    ['Pre Sync', ['Pre Sync']], // inner blanks are part of the item
    [' , ,', []], // nothing left: the caller reports an empty list
    ['', []]
  ])('%j → %j', (value, items) => {
    expect(splitList(value)).toEqual(items)
  })
})

describe('parseWave (sync-semantics §2.4)', () => {
  test.each([
    ['5', 5], // plain
    ['-3', -3], // negative allowed
    ['+2', 2], // explicit plus
    ['007', 7], // leading zeros are decimal
    ['2147483647', 2147483647], // int32 max
    ['-2147483648', -2147483648], // int32 min
    ['2147483648', undefined], // int32 max + 1
    ['-2147483649', undefined], // int32 min - 1
    ['1.5', undefined], // no decimals
    ['5 ', undefined], // no blanks: trailing blank is not trimmed
    [' 5', undefined], // nor leading
    ['', undefined],
    ['+', undefined],
    ['0x10', undefined], // no hex
    ['1e3', undefined], // no exponent
    ['five', undefined]
  ])('%j → %j', (value, wave) => {
    expect(parseWave(value)).toBe(wave)
  })
})

describe('parseDuration (sync-semantics §2.7)', () => {
  test.each([
    ['90s', 90_000],
    ['5m', 300_000],
    ['1h30m', 5_400_000],
    ['250ms', 250],
    ['1m30s500ms', 90_500],
    ['0s', undefined], // must be > 0
    ['5x', undefined], // unknown unit
    ['5', undefined], // unit required
    ['1.5h', undefined], // no decimals
    ['-5s', undefined], // no sign
    [' 5s', undefined], // no blanks
    ['', undefined]
  ])('%j → %j ms', (value, ms) => {
    expect(parseDuration(value)).toBe(ms)
  })
})

describe('formatDuration', () => {
  test.each([
    [250, '250ms'],
    [90_000, '1m30s'],
    [300_000, '5m'],
    [5_400_000, '1h30m'],
    [3_600_000, '1h']
  ])('%d ms → %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text)
  })
})
