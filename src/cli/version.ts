/**
 * The package's version. scripts/bundle.mjs replaces `WAVESYNC_VERSION` with package.json's
 * `version` (esbuild `define`), so the shipped CLI knows it without reading a file at start-up;
 * unbundled runs (the unit tests) have no such global and say "development".
 */
declare const WAVESYNC_VERSION: string | undefined

export const VERSION: string = typeof WAVESYNC_VERSION === 'string' ? WAVESYNC_VERSION : 'development'
