// GitHub's limits for what the action publishes (platform.md §3–§5), in one place, and the
// measuring they need. Pure: no I/O.

/** The job summary is rejected above 1 MiB per step; aim under it (platform.md §4). */
export const SUMMARY_BUDGET_BYTES = 900 * 1024

/** `output.title`, `output.summary` and `output.text` of a check run: at most 65,535 characters each. */
export const CHECK_RUN_TEXT_LIMIT = 65_535

/** Annotations per check-run request; more go in further updates, which append (platform.md §5). */
export const CHECK_RUN_ANNOTATIONS_PER_REQUEST = 50

/** Annotations the runner shows per step and level (error, warning, notice); extras vanish silently. */
export const ANNOTATIONS_PER_STEP = 10

/** The action output `message`: one line for Slack and `if:` conditions (platform.md §10). */
export const OUTPUT_MESSAGE_LIMIT = 300

const encoder = new TextEncoder()

/** The UTF-8 size of text in bytes, which is what GitHub's summary limit counts. */
export function utf8Bytes(text: string): number {
  return encoder.encode(text).length
}

/**
 * Text cut to at most `limit` characters at a line break, ending with `note` on its own line;
 * unchanged when it fits. For the check run's fields, whose limit counts characters.
 */
export function fitChars(text: string, limit: number, note: string): string {
  if (text.length <= limit) return text
  const room = Math.max(0, limit - note.length - 2)
  const cut = text.lastIndexOf('\n', room)
  const head = text.slice(0, cut > 0 ? cut : room)
  return `${head}\n\n${note}`.slice(0, limit)
}
