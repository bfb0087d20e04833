import { readFileSync } from 'node:fs'
import path from 'node:path'
import { expect, test } from '@jest/globals'

const ROOT = path.resolve(import.meta.dirname, '../..')

test('the README documents every input and output of action.yml (run node scripts/readme-inputs.mjs)', async () => {
  const { withReference } = (await import(path.join(ROOT, 'scripts/readme-inputs.mjs'))) as {
    withReference: (readme: string, actionYml: string) => string
  }
  const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8')
  const regenerated = withReference(readme, readFileSync(path.join(ROOT, 'action.yml'), 'utf8'))
  expect(readme).toBe(regenerated)
})
