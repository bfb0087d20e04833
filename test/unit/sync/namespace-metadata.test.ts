import { describe, expect, test } from '@jest/globals'
import { Scenario, configMapManifest, manifestFiles } from '../../support/scenario.js'
import { NS } from '../../support/sync-builders.js'

// namespace-labels / namespace-annotations (Argo CD's managedNamespaceMetadata) reach the namespace
// CreateNamespace=true applies: the one it creates, and one that exists already (a server-side
// apply, so its own other labels stay).
describe('namespace metadata on the CreateNamespace namespace', () => {
  const settings = {
    syncOptions: { CreateNamespace: 'true' },
    namespaceMetadata: { labels: { team: 'shop' }, annotations: { 'example.com/owner': 'ops, on call' } }
  }

  test.each([
    { why: 'created by the sync', existing: [] as string[] },
    { why: 'already there', existing: [NS] }
  ])('$why: labels and annotations set', async ({ existing }) => {
    const s = new Scenario(['default', ...existing])
    const result = await s.sync(manifestFiles(configMapManifest('config')), settings)
    expect(result.report?.phase).toBe('Succeeded')
    const namespace = s.cluster.mustFind('Namespace', NS)
    expect(namespace.metadata.labels).toMatchObject({ team: 'shop' })
    expect(namespace.metadata.annotations).toMatchObject({ 'example.com/owner': 'ops, on call' })
  })
})
