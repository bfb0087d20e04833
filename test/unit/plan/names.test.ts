import { describe, expect, test } from '@jest/globals'
import { nameProblem } from '../../../src/plan/names.js'

const x = (n: number): string => 'x'.repeat(n)

describe('nameProblem (sync-semantics §5.2.3)', () => {
  test.each([
    ['Job', x(63), undefined], // the Job limit exactly
    [
      'Job',
      x(64),
      `Job name '${x(64)}' has 64 characters; at most 63 (a DNS-1123 subdomain of at most 63 characters)`
    ],
    ['Job', 'migrate.v2', undefined], // subdomains may hold dots
    [
      'Job',
      'Cache-3f9c2ab',
      "Job name 'Cache-3f9c2ab' must be a DNS-1123 subdomain of at most 63 characters: lower-case letters, digits and '-'"
    ],
    [
      'CronJob',
      x(53),
      `CronJob name '${x(53)}' has 53 characters; at most 52 (a DNS-1123 subdomain of at most 52 characters)`
    ],
    [
      'Namespace',
      'team.a',
      "Namespace name 'team.a' must be a DNS-1123 label: lower-case letters, digits and '-'"
    ],
    [
      'Service',
      '1web',
      "Service name '1web' must be a DNS-1035 label (starts with a letter): lower-case letters, digits and '-'"
    ],
    ['ConfigMap', x(253), undefined],
    [
      'ConfigMap',
      x(254),
      `ConfigMap name '${x(254)}' has 254 characters; at most 253 (a DNS-1123 subdomain)`
    ],
    [
      'ConfigMap',
      'Bad_Name',
      "ConfigMap name 'Bad_Name' must be a DNS-1123 subdomain: lower-case letters, digits and '-'"
    ],
    // Kinds without a rule (RBAC, custom resources) only need a valid path segment.
    ['ClusterRole', 'system:aggregate-to-view', undefined],
    ['Widget', 'a/b', "name 'a/b' may not be '.' or '..' or contain '/' or '%'"],
    ['Widget', '..', "name '..' may not be '.' or '..' or contain '/' or '%'"],
    ['Widget', x(254), `name '${x(254)}' is longer than 253 characters`]
  ])('%s %s → %j', (kind, name, problem) => {
    expect(nameProblem(kind, name)).toBe(problem)
  })
})
