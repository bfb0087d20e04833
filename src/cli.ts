import { runCli } from './cli/main.js'

// The CLI entry: real streams, working folder and clock in; the exit code out. Nothing else.
const code = await runCli(process.argv.slice(2), {
  out: text => process.stdout.write(text),
  err: text => process.stderr.write(text),
  cwd: process.cwd(),
  env: process.env
}, () => Date.now())
process.exitCode = code
