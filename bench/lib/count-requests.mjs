// Preloaded into the measured wavesync process (`node --import <this> dist/cli.js …`): counts the
// HTTP requests it sends and records its peak resident memory, without touching the bundle.
//
// undici (bundled in dist/) publishes every request it creates on the global diagnostics channel
// `undici:request:create` (retries and watches included, HTTP/1.1 and HTTP/2 alike), and each
// response's headers on `undici:request:headers`; channels are global by name, so subscribing here
// sees the bundle's copy. At exit the request log [ms since the process started (performance
// timeOrigin), method, path, ms to response headers],
// the connections opened (with their ALPN protocol) and VmHWM (peak RSS, /proc/self/status) go to
// $BENCH_REQUEST_LOG as JSON.
import diagnostics from 'node:diagnostics_channel'
import { readFileSync, writeFileSync } from 'node:fs'

const out = process.env.BENCH_REQUEST_LOG
const startedAt = Date.now()
const requests = []
const index = new WeakMap()
const connections = []

diagnostics.subscribe('undici:request:create', ({ request }) => {
  index.set(request, requests.length)
  requests.push([Math.round(performance.now()), request.method, request.path, null])
})
diagnostics.subscribe('undici:request:headers', ({ request }) => {
  const i = index.get(request)
  if (i !== undefined) requests[i][3] = Math.round((performance.now() - requests[i][0]) * 10) / 10
})
diagnostics.subscribe('undici:client:connected', ({ socket }) => {
  connections.push({ at: Math.round(performance.now()), alpn: socket?.alpnProtocol || 'http/1.1' })
})

function statusField(name) {
  try {
    const line = readFileSync('/proc/self/status', 'utf8')
      .split('\n')
      .find(l => l.startsWith(`${name}:`))
    return line ? Number(line.split(/\s+/)[1]) : null
  } catch {
    return null
  }
}

process.on('exit', () => {
  if (!out) return
  writeFileSync(
    out,
    JSON.stringify({
      startedAt,
      exitAt: performance.now(),
      peakRssKb: statusField('VmHWM'),
      maxRssKb: process.resourceUsage().maxRSS,
      cpuMs: (process.resourceUsage().userCPUTime + process.resourceUsage().systemCPUTime) / 1000,
      connections,
      requests
    })
  )
})
