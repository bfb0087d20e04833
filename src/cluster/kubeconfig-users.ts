// What wavesync checks and masks about kubeconfig users: exec plugins present before first use, and
// credential values to hand to the runner's masking (platform.md §7).
import { accessSync, constants, readFileSync, statSync } from 'node:fs'
import path from 'node:path'
import type { KubeConfig, User } from '@kubernetes/client-node'
import { UsageError } from '../model/errors.js'
import { getArray, getPath, getString, isRecord } from '../model/json.js'

// Masking short strings mangles every log line containing them (actions/runner#507).
export const MIN_SECRET_LENGTH = 8

const AUTH_PROVIDER_SECRETS = ['id-token', 'refresh-token', 'client-secret', 'access-token']

/** Credential values to mask (≥ 8 characters), and how many shorter ones were left unmasked. */
export interface CredentialSecrets {
  secrets: string[]
  skipped: number
}

/**
 * Every credential value of every user, as written in the kubeconfig: token (token-file contents
 * included: client-node reads them in), password, client certificate and key data, exec `env`
 * values, auth-provider tokens and secrets, and the contents of a token file (in-cluster).
 * The whole kubeconfig is never a secret: `apiVersion: v1` would be masked in every log.
 */
export function credentialSecrets(config: KubeConfig): CredentialSecrets {
  const values = config.getUsers().flatMap(userValues)
  const unique = [...new Set(values.map(value => value.trim()).filter(value => value !== ''))]
  const secrets = unique.filter(value => value.length >= MIN_SECRET_LENGTH)
  return { secrets, skipped: unique.length - secrets.length }
}

function userValues(user: User): string[] {
  const values = [user.token, user.password, user.certData, user.keyData]
  const exec: unknown = user.exec ?? getPath(user.authProvider, ['config', 'exec'])
  for (const entry of getArray(exec, ['env'])) values.push(getString(entry, ['value']))
  const providerConfig = getPath(user.authProvider, ['config'])
  for (const field of AUTH_PROVIDER_SECRETS) values.push(getString(providerConfig, [field]))
  const tokenFile = getString(providerConfig, ['tokenFile'])
  if (tokenFile !== undefined) values.push(readOptional(tokenFile))
  return values.filter((value): value is string => typeof value === 'string')
}

function readOptional(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8')
  } catch {
    return undefined
  }
}

/**
 * Fails early, naming the plugin, when the current user authenticates with an exec plugin
 * (`aws`, `gke-gcloud-auth-plugin`, `kubelogin`) that cannot be run: old client-node versions
 * threw a bare TypeError (#1159), newer ones an ENOENT on the first request.
 */
export function checkExecPlugin(config: KubeConfig, env: Readonly<Record<string, string | undefined>>): void {
  const user = config.getCurrentUser()
  if (user === null) return
  const exec: unknown = user.exec ?? getPath(user.authProvider, ['config', 'exec'])
  if (!isRecord(exec)) return
  const command = getString(exec, ['command'])
  if (command === undefined || command === '') {
    throw new UsageError(`kubeconfig user "${user.name}" has an exec section without a command`)
  }
  if (findExecutable(command, env['PATH'] ?? '') !== undefined) return
  const where = command.includes('/') ? 'is not an executable file' : 'is not on PATH'
  const hint = getString(exec, ['installHint'])
  throw new UsageError(
    `kubeconfig user "${user.name}" authenticates with exec plugin "${command}", which ${where}` +
      (hint !== undefined ? ` (${hint.trim().slice(0, 300)})` : '')
  )
}

/** The path a command would run from: itself when it has a slash, else the first match on PATH. */
export function findExecutable(command: string, searchPath: string): string | undefined {
  if (command.includes('/')) return isExecutableFile(command) ? command : undefined
  for (const dir of searchPath.split(path.delimiter)) {
    if (dir === '') continue
    const candidate = path.join(dir, command)
    if (isExecutableFile(candidate)) return candidate
  }
  return undefined
}

function isExecutableFile(file: string): boolean {
  try {
    accessSync(file, constants.X_OK)
    return statSync(file).isFile()
  } catch {
    return false
  }
}
