// Runs a measured child process: wall time from spawn to exit (performance.now), exit code, and
// its output (collected, never printed while measuring).
import { spawn } from 'node:child_process'
import { existsSync, readFileSync, rmSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

export const BENCH = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
export const ROOT = path.resolve(BENCH, '..')
const COUNTER = path.join(BENCH, 'lib', 'count-requests.mjs')

/** Spawns a command; resolves {code, wallMs, stdout, stderr, startedAt}. */
export function timed(command, args, { env = {}, cwd = ROOT, timeoutMs = 600_000 } = {}) {
  return new Promise((resolve, reject) => {
    const startedAt = Date.now()
    const t0 = performance.now()
    const child = spawn(command, args, {
      cwd,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe']
    })
    const stdout = []
    const stderr = []
    child.stdout.on('data', d => stdout.push(d))
    child.stderr.on('data', d => stderr.push(d))
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs)
    child.on('error', reject)
    child.on('close', code => {
      clearTimeout(timer)
      resolve({
        code,
        wallMs: performance.now() - t0,
        startedAt,
        stdout: Buffer.concat(stdout).toString('utf8'),
        stderr: Buffer.concat(stderr).toString('utf8')
      })
    })
  })
}

/**
 * `node --import count-requests.mjs <script> …`: the measured Node process with its HTTP requests
 * counted and its peak RSS recorded (count-requests.mjs). Resolves the run plus `counted`.
 */
export async function timedNode(script, args, { env = {}, logFile, nodeFlags = [], ...options } = {}) {
  rmSync(logFile, { force: true })
  const run = await timed(process.execPath, ['--import', COUNTER, ...nodeFlags, script, ...args], {
    ...options,
    env: { ...env, BENCH_REQUEST_LOG: logFile }
  })
  run.counted = existsSync(logFile) ? JSON.parse(readFileSync(logFile, 'utf8')) : undefined
  return run
}

/**
 * Classifies request lines [t, method, pathAndQuery] (count-requests.mjs) by what they do:
 * discovery, list, watch, get, apply, dry-run apply, create, update, patch, delete — and by resource.
 */
export function classify(requests) {
  const byKind = {}
  const byResource = {}
  for (const [, method, target] of requests) {
    const url = new URL(target, 'https://x')
    const query = url.searchParams
    const parts = url.pathname.split('/').filter(Boolean)
    const rest = parts[0] === 'api' ? parts.slice(2) : parts[0] === 'apis' ? parts.slice(3) : []
    const [resource, name] = rest[0] === 'namespaces' && rest.length >= 3 ? rest.slice(2) : rest
    const dry = query.get('dryRun') === 'All' ? 'dry-run ' : ''
    let kind
    if (url.pathname === '/version') kind = 'version'
    else if (rest.length === 0) kind = 'discovery'
    else if (method === 'GET' && (query.get('watch') === '1' || query.get('watch') === 'true')) kind = 'watch'
    else if (method === 'GET') kind = name === undefined ? 'list' : 'get'
    else if (method === 'PATCH') kind = dry + (query.get('force') !== null ? 'apply' : 'patch')
    else if (method === 'POST') kind = dry + 'create'
    else if (method === 'PUT') kind = dry + 'update'
    else if (method === 'DELETE') kind = dry + 'delete'
    else kind = method
    byKind[kind] = (byKind[kind] ?? 0) + 1
    const key = resource || '(discovery)'
    byResource[key] = (byResource[key] ?? 0) + 1
  }
  return { total: requests.length, byKind, byResource }
}
