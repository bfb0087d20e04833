import { describe, expect, test } from '@jest/globals'
import { PLAN_USAGE } from '../../../src/cli/plan-command.js'
import { cli } from '../../support/cli-io.js'

describe('runCli', () => {
  test('--help and help: the command list on stdout, exit 0', async () => {
    const help = await cli(['--help'])
    expect(help.code).toBe(0)
    expect(help.err).toBe('')
    expect(help.out.startsWith('Usage: wavesync <command> [options]\n\nCommands:\n')).toBe(true)
    expect(help.out).toContain('\n  plan      print the ordered sync plan of manifests (no cluster needed)\n')
    expect(help.out.endsWith("\nRun 'wavesync <command> --help' for a command's options.\n")).toBe(true)
    expect(await cli(['help'])).toEqual(help)
  })

  test('--version and version: the version on stdout, exit 0 (unbundled: "development")', async () => {
    const expected = { code: 0, out: 'wavesync development\n', err: '' }
    expect(await cli(['--version'])).toEqual(expected)
    expect(await cli(['version'])).toEqual(expected)
  })

  test('the command list is one aligned column: every description starts at the same place', async () => {
    const help = (await cli(['--help'])).out
    const commands = help.slice(help.indexOf('Commands:\n') + 10, help.indexOf('\n\nRun ')).split('\n')
    const columns = commands.map(line => /^ {2}[a-z]+ +/.exec(line)?.[0].length)
    expect(columns.length).toBeGreaterThan(5)
    expect(new Set(columns)).toEqual(new Set([12]))
  })

  test('no command: the usage on stdout, exit 2 (invalid input)', async () => {
    const usage = (await cli(['--help'])).out
    expect(await cli([])).toEqual({ code: 2, out: usage, err: '' })
  })

  test('an unknown command: named, then the usage, on stderr, exit 2', async () => {
    const usage = (await cli(['--help'])).out
    expect(await cli(['deploy'])).toEqual({
      code: 2,
      out: '',
      err: `wavesync: unknown command 'deploy'\n\n${usage}\n`
    })
  })

  test('a command gets its own --help', async () => {
    expect(await cli(['plan', '--help'])).toEqual({ code: 0, out: PLAN_USAGE, err: '' })
  })
})

describe('sync flags for retries and namespace metadata', () => {
  test('bad values are each named, exit 2, before anything is read', async () => {
    const run = await cli([
      'sync',
      '--app',
      'shop',
      '--manifests',
      'k8s',
      '--retry-limit',
      'five',
      '--retry-backoff',
      'soon',
      '--namespace-label',
      'env=dev'
    ])
    expect(run.code).toBe(2)
    expect(run.err).toContain('--retry-limit must be a whole number from 0 to 100')
    expect(run.err).toContain("--retry-backoff must be a duration such as 90s, 5m or 1h30m, not 'soon'")
    expect(run.err).toContain(
      '--namespace-label and --namespace-annotation need --sync-options CreateNamespace=true'
    )
  })
})
