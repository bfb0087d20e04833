import { runCli } from './cli/main.js'

// The CLI entry: real streams, working folder, clock and signals in; the exit code out.
// The first SIGINT/SIGTERM terminates the operation cleanly (sync-semantics §4.9); a second exits.
const controller = new AbortController()
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (controller.signal.aborted) process.exit(130)
    process.stderr.write(`\nwavesync: ${signal}: terminating the operation (again to exit at once)\n`)
    controller.abort(signal)
  })
}
const code = await runCli(
  process.argv.slice(2),
  {
    out: text => process.stdout.write(text),
    err: text => process.stderr.write(text),
    cwd: process.cwd(),
    env: process.env
  },
  () => Date.now(),
  controller.signal
)
process.exitCode = code
