import * as core from '@actions/core'
import { realActionDeps } from './deps.js'
import { runMain } from './main.js'
import { runPost } from './post.js'
import { STATE } from './state.js'

/**
 * The entry @github/local-action calls (`npm run local-action`): it needs an exported `run()`,
 * while src/index.ts runs on import. Main or post, told by saved state, as in the real runner.
 */
export async function run(): Promise<void> {
  const deps = realActionDeps(new AbortController().signal)
  if (core.getState(STATE.phase) === 'main') await runPost(deps)
  else await runMain(deps)
}
