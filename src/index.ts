import * as core from '@actions/core'
import { realActionDeps } from './action/deps.js'
import { runMain } from './action/main.js'
import { runPost } from './action/post.js'
import { STATE } from './action/state.js'

// The action's entry, for both `main` and `post` (one bundle): which one runs is told by saved
// state, never by an import side effect. SIGINT/SIGTERM abort the sync, which then terminates.
const controller = new AbortController()
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    core.info(`wavesync: ${signal}: terminating the operation`)
    controller.abort(signal)
  })
}
const deps = realActionDeps(controller.signal)
try {
  if (core.getState(STATE.phase) === 'main') await runPost(deps)
  else await runMain(deps)
} catch (error) {
  core.setFailed(
    `wavesync: unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`
  )
}
