// Renders the README's inputs and outputs tables from action.yml (the one source of truth).
// `node scripts/readme-inputs.mjs` rewrites README.md between the markers; a unit test checks
// the README matches, so the two never drift.
import { readFileSync, writeFileSync } from 'node:fs'
import { load } from 'js-yaml'

export const START =
  '<!-- action-reference:start (generated from action.yml by scripts/readme-inputs.mjs) -->'
export const END = '<!-- action-reference:end -->'

const cell = text =>
  String(text ?? '')
    .replace(/\|/g, '\\|')
    .replace(/\n/g, ' ')
    .trim()

/** The generated Markdown for an action.yml text. */
export function renderReference(actionYml) {
  const action = load(actionYml)
  const inputs = Object.entries(action.inputs ?? {}).map(
    ([name, input]) =>
      `| \`${name}\` | ${input.required ? 'yes' : ''} | ${input.default === undefined ? '' : `\`${cell(input.default)}\``} | ${cell(input.description)} |`
  )
  const outputs = Object.entries(action.outputs ?? {}).map(
    ([name, output]) => `| \`${name}\` | ${cell(output.description)} |`
  )
  return [
    START,
    '### Inputs',
    '',
    '| input | required | default | description |',
    '|---|---|---|---|',
    ...inputs,
    '',
    '### Outputs',
    '',
    '| output | description |',
    '|---|---|',
    ...outputs,
    END
  ].join('\n')
}

/** The README with its reference section replaced. */
export function withReference(readme, actionYml) {
  const from = readme.indexOf(START)
  const to = readme.indexOf(END)
  if (from < 0 || to < 0) throw new Error(`README.md needs the markers ${START} and ${END}`)
  return readme.slice(0, from) + renderReference(actionYml) + readme.slice(to + END.length)
}

if (import.meta.url === `file://${process.argv[1]}`) {
  writeFileSync(
    'README.md',
    withReference(readFileSync('README.md', 'utf8'), readFileSync('action.yml', 'utf8'))
  )
}
