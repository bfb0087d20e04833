import { describe, expect, test } from '@jest/globals'
import { editDistance, suggestKey } from '../../../../src/plan/annotations/keys.js'

describe('editDistance', () => {
  test.each([
    ['abc', 'abc', 0],
    ['abc', 'abd', 1], // substitution
    ['abc', 'ab', 1], // deletion
    ['ab', 'abc', 1], // insertion
    ['weight', 'wieght', 2], // a transposition is two edits
    ['abc', 'xyz', 3], // capped at 3
    ['a', 'abcdef', 3] // length difference alone reaches the cap
  ])('%s ↔ %s = %d', (a, b, distance) => {
    expect(editDistance(a, b)).toBe(distance)
  })
})

describe('suggestKey: typos of known keys (edit distance ≤ 2)', () => {
  test.each([
    ['argocd.argoproj.io/hooks-delete-policy', 'argocd.argoproj.io/hook-delete-policy'], // the spec's example
    ['helm.sh/hook-wieght', 'helm.sh/hook-weight'], // transposition
    ['argocd.argoproj.io/sync-option', 'argocd.argoproj.io/sync-options'],
    ['argocd.argoproj.io/syncwave', 'argocd.argoproj.io/sync-wave'],
    ['sherpack.io/hooks', 'sherpack.io/hook'],
    ['wavesync.dev/timeouts', 'wavesync.dev/timeout'],
    ['argocd.argoproj.io/tracking-id', undefined], // Argo's own key: not a typo of ours
    ['argocd.argoproj.io/compare-options', undefined],
    ['wavesync.dev/foo', undefined]
  ])('%s → %s', (key, suggestion) => {
    expect(suggestKey(key)).toBe(suggestion)
  })
})
