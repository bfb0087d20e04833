import { ManifestError, UsageError } from '../model/errors.js'
import { formatIssue } from '../model/issue.js'
import type { CliIo } from './io.js'
import { EXIT } from './io.js'
import { PLAN_USAGE, runPlan } from './plan-command.js'
import { SYNC_USAGE, runSync } from './sync-command.js'
import { runStatus } from './status-command.js'
import { VERSION } from './version.js'

const USAGE = `Usage: wavesync <command> [options]

Commands:
  plan      print the ordered sync plan of manifests (no cluster needed)
  sync      sync manifests to a cluster in phases and waves with hooks (install or upgrade)
  rollback  re-sync an earlier revision's stored manifests, with rollback hooks
  delete    delete the application: PreDelete hooks, objects in reverse order, PostDelete hooks, its namespace
  test      run the test hooks of the deployed revision
  status    the revision history and the last operation's hooks
  version   print wavesync's version

Run 'wavesync <command> --help' for a command's options.
`

/** Dispatches a command line; returns the exit code. One top-level catch turns errors into messages. */
export async function runCli(
  argv: readonly string[],
  io: CliIo,
  now: () => number,
  signal: AbortSignal = new AbortController().signal
): Promise<number> {
  const [command, ...args] = argv
  try {
    switch (command) {
      case 'plan':
        return await runPlan(args, io, now)
      case 'sync':
      case 'rollback':
      case 'delete':
      case 'test':
        return await runSync(args, io, signal, command)
      case 'status':
        return await runStatus(args, io)
      case 'version':
      case '--version':
        io.out(`wavesync ${VERSION}\n`)
        return EXIT.ok
      case undefined:
      case '--help':
      case 'help':
        io.out(USAGE)
        return command === undefined ? EXIT.invalid : EXIT.ok
      default:
        throw new UsageError(`unknown command '${command}'\n\n${USAGE}`)
    }
  } catch (error) {
    return reportError(
      error,
      io,
      command === 'plan'
        ? PLAN_USAGE
        : ['sync', 'rollback', 'delete', 'test'].includes(command ?? '')
          ? SYNC_USAGE
          : USAGE
    )
  }
}

function reportError(error: unknown, io: CliIo, usage: string): number {
  if (error instanceof ManifestError) {
    io.err(error.issues.map(formatIssue).join('\n') + '\n')
    return EXIT.invalid
  }
  if (error instanceof UsageError || isParseArgsError(error)) {
    io.err(`wavesync: ${error.message}\n`)
    if (!(error instanceof UsageError)) io.err(`\n${usage}`)
    return EXIT.invalid
  }
  io.err(
    `wavesync: unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`
  )
  return EXIT.failed
}

/** node:util parseArgs errors; checked by code, not class, which differs across realms (test VMs). */
function isParseArgsError(error: unknown): error is { code: string; message: string } {
  return (
    typeof error === 'object' &&
    error !== null &&
    'code' in error &&
    'message' in error &&
    String(error.code).startsWith('ERR_PARSE_ARGS')
  )
}
