import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { load } from 'js-yaml'
import type { Health } from '../../../src/health/types.js'
import type { KubeObject } from '../../../src/model/object.js'
import { isKubeObject } from '../../../src/model/object.js'

/** test/fixtures/health: one live object per file, named `<kind>-<state>.yaml`. */
export const FIXTURE_DIR = path.resolve(import.meta.dirname, '../../fixtures/health')

/** Loads `<name>.yaml` and narrows it; a fixture that is not a Kubernetes object is a test bug. */
export function fixture(name: string): KubeObject {
  const value: unknown = load(readFileSync(path.join(FIXTURE_DIR, `${name}.yaml`), 'utf8'))
  if (!isKubeObject(value)) throw new Error(`fixture ${name} is not a Kubernetes object`)
  return value
}

/** Every fixture name, sorted, without the extension. */
export function fixtureNames(): string[] {
  return readdirSync(FIXTURE_DIR)
    .filter(file => file.endsWith('.yaml'))
    .map(file => file.slice(0, -'.yaml'.length))
    .sort()
}

/** The verdict of a built-in rule or a convention (the common case in the tables). */
export function judgedAs(status: Health['status'], message: string): Health {
  return { status, message, conventions: true }
}

/** Narrows hand-built data (malformed on purpose) to a KubeObject without casting. */
export function asObject(value: unknown): KubeObject {
  if (!isKubeObject(value)) throw new Error('not a Kubernetes object')
  return value
}
