import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import type { Report } from '../../../src/report/model.js'
import { KUBECONFIG, ROOT } from './cluster.js'

export interface CliRun {
  code: number | null
  stdout: string
  stderr: string
  report: Report | undefined
}

/**
 * Runs the shipped bundle (`node dist/cli.js`) as a user would, against the test cluster, with a
 * report file; `onStderr` sees progress lines as they come (to cancel mid-wave, for instance).
 */
export function runWavesync(
  args: readonly string[],
  options: { onStderr?: (text: string, kill: (signal: NodeJS.Signals) => void) => void } = {}
): Promise<CliRun> {
  const reportPath = path.join(mkdtempSync(path.join(os.tmpdir(), 'wavesync-e2e-')), 'report.json')
  const child = spawn(process.execPath, [path.join(ROOT, 'dist/cli.js'), ...args, '--report', reportPath], {
    cwd: ROOT,
    env: { ...process.env, KUBECONFIG, GITHUB_SHA: '3f9c2ab8d1e4f00d' },
    stdio: ['ignore', 'pipe', 'pipe']
  })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString()
    options.onStderr?.(stderr, signal => child.kill(signal))
  })
  return new Promise(resolve => {
    child.on('close', code => {
      let report: Report | undefined
      try {
        report = JSON.parse(readFileSync(reportPath, 'utf8')) as Report
      } catch {
        report = undefined
      }
      resolve({ code, stdout, stderr, report })
    })
  })
}
