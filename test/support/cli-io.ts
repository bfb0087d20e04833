import type { CliIo } from '../../src/cli/io.js'
import { runCli } from '../../src/cli/main.js'
import { REPO_ROOT } from './fixtures.js'

/** 2024-11-21T11:53:20.999Z: Unix seconds 1732190000 (the fraction is dropped). */
export const NOW_MS = 1_732_190_000_999

export interface CliRun {
  code: number
  out: string
  err: string
}

/** Runs the CLI in memory: output captured, working folder the repository, a fixed clock. */
export async function cli(
  argv: readonly string[],
  env: Record<string, string> = {},
  cwd = REPO_ROOT
): Promise<CliRun> {
  let out = ''
  let err = ''
  const io: CliIo = {
    out: text => {
      out += text
    },
    err: text => {
      err += text
    },
    cwd,
    env
  }
  const code = await runCli(argv, io, () => NOW_MS)
  return { code, out, err }
}
