import { ClusterError } from '../model/errors.js'
import { getNumber, getPath, getString, isRecord } from '../model/json.js'
import type { KubeObject } from '../model/object.js'
import { isKubeObject } from '../model/object.js'
import type { RequestIdentity } from './errors.js'
import { statusObjectError, transportError } from './errors.js'
import type { ApiClient } from './http.js'
import type { WatchEnd, WatchEvent } from './port.js'

/** The collection to watch, and the apiVersion/kind to give objects that arrive without them. */
export interface WatchTarget {
  path: string
  apiVersion: string
  kind: string
}

export interface WatchParams {
  resourceVersion: string
  labelSelector?: string
  fieldSelector?: string
  /** The server ends the stream after this long (keep it under undici's 300 s body timeout). */
  timeoutSeconds: number
}

/**
 * Streams a watch over `ApiClient.stream` until it ends, and says why. Not client-node's `Watch`,
 * which cuts a stream after 30 s without data (platform.md §11); bookmarks keep the resourceVersion
 * fresh.
 */
export async function watchStream(
  client: ApiClient,
  target: WatchTarget,
  params: WatchParams,
  onEvent: (event: WatchEvent) => void,
  signal: AbortSignal
): Promise<WatchEnd> {
  const identity = { verb: 'watch' }
  let body: AsyncIterable<Uint8Array>
  try {
    const response = await client.stream({
      method: 'GET',
      path: target.path,
      query: query(params),
      signal,
      verb: 'watch'
    })
    body = response.body
  } catch (error) {
    return failure(error, signal, identity)
  }
  try {
    return await readEvents(body, target, onEvent, identity)
  } catch (error) {
    return failure(error, signal, identity)
  }
}

function query(params: WatchParams): Record<string, string | number | undefined> {
  return {
    watch: 1,
    allowWatchBookmarks: 'true',
    resourceVersion: params.resourceVersion,
    timeoutSeconds: params.timeoutSeconds,
    labelSelector: params.labelSelector,
    fieldSelector: params.fieldSelector
  }
}

async function readEvents(
  body: AsyncIterable<Uint8Array>,
  target: WatchTarget,
  onEvent: (event: WatchEvent) => void,
  identity: RequestIdentity
): Promise<WatchEnd> {
  const lines = new LineSplitter()
  for await (const chunk of body) {
    for (const line of lines.push(chunk)) {
      const end = handleLine(line, target, onEvent, identity)
      // Returning (or throwing) from inside for-await destroys the body: the request is aborted
      // and its connection closed, so an ended watch holds no socket.
      if (end !== undefined) return end
    }
  }
  for (const line of lines.end()) {
    const end = handleLine(line, target, onEvent, identity)
    if (end !== undefined) return end
  }
  return { reason: 'closed' }
}

/** Dispatches one event line; returns how the watch ends when the line ends it. */
function handleLine(
  line: string,
  target: WatchTarget,
  onEvent: (event: WatchEvent) => void,
  identity: RequestIdentity
): WatchEnd | undefined {
  const value = parseLine(line, identity)
  const type = getString(value, ['type'])
  const object = getPath(value, ['object'])
  if (type === 'ADDED' || type === 'MODIFIED' || type === 'DELETED') {
    const filled = withTypeMeta(object, target)
    if (filled !== undefined) onEvent({ type, object: filled })
  } else if (type === 'BOOKMARK') {
    const resourceVersion = getString(object, ['metadata', 'resourceVersion'])
    if (resourceVersion !== undefined) onEvent({ type: 'BOOKMARK', resourceVersion })
  } else if (type === 'ERROR') {
    // 410 Gone: the resourceVersion is older than the server keeps; the caller relists.
    if (getNumber(object, ['code']) === 410) return { reason: 'expired' }
    return { reason: 'error', error: statusObjectError(identity, object) }
  }
  return undefined
}

function parseLine(line: string, identity: RequestIdentity): unknown {
  try {
    return JSON.parse(line)
  } catch {
    throw new ClusterError('the watch stream carried a line that is not JSON', {
      ...identity,
      retryable: true
    })
  }
}

/** The object with apiVersion and kind, which some servers omit in watch events as in lists. */
export function withTypeMeta(
  object: unknown,
  meta: { apiVersion: string; kind: string }
): KubeObject | undefined {
  if (!isRecord(object)) return undefined
  const filled = { apiVersion: meta.apiVersion, kind: meta.kind, ...object }
  return isKubeObject(filled) ? filled : undefined
}

function failure(error: unknown, signal: AbortSignal, identity: RequestIdentity): WatchEnd {
  if (signal.aborted) return { reason: 'aborted' }
  if (error instanceof ClusterError) {
    if (error.details.status === 410) return { reason: 'expired' }
    if (error.details.reason === 'Aborted') return { reason: 'aborted' }
    return { reason: 'error', error }
  }
  return { reason: 'error', error: transportError(identity, error) }
}

/**
 * Splits a byte stream into lines. Chunk boundaries fall anywhere, inside a JSON document or a
 * multi-byte character, so bytes are decoded in streaming mode and partial lines carried over.
 */
export class LineSplitter {
  private readonly decoder = new TextDecoder()
  private rest = ''

  /** The complete, non-blank lines this chunk finishes. */
  push(chunk: Uint8Array): string[] {
    const text = this.rest + this.decoder.decode(chunk, { stream: true })
    const lines = text.split('\n')
    this.rest = lines.pop() ?? ''
    return lines.filter(line => line.trim() !== '')
  }

  /** What is left when the stream ends (a last line without newline). */
  end(): string[] {
    const last = this.rest + this.decoder.decode()
    this.rest = ''
    return last.trim() === '' ? [] : [last]
  }
}
