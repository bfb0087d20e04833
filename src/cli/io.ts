/** What a CLI command may touch: its output streams, the working folder and the environment. */
export interface CliIo {
  out(text: string): void
  err(text: string): void
  cwd: string
  env: Readonly<Record<string, string | undefined>>
}

/** Exit codes (sync-semantics §4.10): succeeded, ran and did not succeed, invalid input. */
export const EXIT = { ok: 0, failed: 1, invalid: 2 } as const
