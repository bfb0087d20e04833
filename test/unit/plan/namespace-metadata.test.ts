import { describe, expect, test } from '@jest/globals'
import { parseMetadataPairs } from '../../../src/plan/namespace-metadata.js'
import { Scenario, configMapManifest, manifestText } from '../../support/scenario.js'

// The CreateNamespace namespace's labels and annotations (Argo CD managedNamespaceMetadata),
// checked as the API server checks them, so a bad one fails before anything is written.

describe('parseMetadataPairs', () => {
  test.each<[string, string[], 'label' | 'annotation', Record<string, string>, string[]]>([
    ['plain pairs', ['env=dev', 'team=a'], 'label', { env: 'dev', team: 'a' }, []],
    [
      'a prefixed key and spaces around',
      [' example.com/tier = web '],
      'label',
      { 'example.com/tier': 'web' },
      []
    ],
    ['an empty label value', ['flag='], 'label', { flag: '' }, []],
    ['an annotation value with spaces and commas', ['owners=a, b c'], 'annotation', { owners: 'a, b c' }, []],
    ['no equals sign', ['env'], 'label', {}, ["label 'env': expected key=value"]],
    [
      'a key name with a bad character',
      ['bad key=x'],
      'annotation',
      {},
      ["annotation 'bad key=x': its name must be 63 characters or less, alphanumeric, with -, _ or . inside"]
    ],
    [
      'an upper-case prefix',
      ['Example.com/x=y'],
      'label',
      {},
      ["label 'Example.com/x=y': its prefix 'Example.com' is not a DNS subdomain"]
    ],
    [
      'a label value over 63 characters',
      [`v=${'a'.repeat(64)}`],
      'label',
      {},
      [
        `label 'v=${'a'.repeat(64)}': a label value must be empty, or 63 characters or less, alphanumeric, with -, _ or . inside`
      ]
    ],
    ['a key given twice', ['env=dev', 'env=prod'], 'label', { env: 'dev' }, ["label 'env' is given twice"]]
  ])('%s', (_, items, what, values, problems) => {
    expect(parseMetadataPairs(items, what)).toEqual({ values, problems })
  })
})

describe('a sync with CreateNamespace=true and namespace metadata', () => {
  test('the namespace it creates carries the labels and annotations', async () => {
    const s = new Scenario()
    const result = await s.sync(
      { 'app/cm.yaml': manifestText(configMapManifest('settings')) },
      {
        namespace: 'team-a',
        inventoryNamespace: 'team-a',
        syncOptions: { CreateNamespace: 'true' },
        namespaceMetadata: { labels: { env: 'dev' }, annotations: { team: 'team-a' } }
      }
    )
    expect(result.report?.phase).toBe('Succeeded')
    const ns = s.cluster.find('Namespace', 'team-a')
    expect(ns?.metadata.labels).toMatchObject({ env: 'dev' })
    expect(ns?.metadata.annotations).toMatchObject({ team: 'team-a' })
  })
})
