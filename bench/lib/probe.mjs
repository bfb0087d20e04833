// Preloaded by bench/profile.mjs into the wavesync process, after count-requests.mjs:
//  - BENCH_PROBE_RSS=<file>: every 100 ms, [ms, RSS MB, V8 heap total/used MB, new/old/code space MB];
//  - BENCH_PROBE_ALLOC=<file>: V8's sampling heap profiler over the whole run, objects later
//    collected by minor and major GCs included, so it shows where the allocation volume (the
//    garbage that sizes the young generation) comes from, not only what is live at exit.
import inspector from 'node:inspector'
import { readFileSync, writeFileSync } from 'node:fs'
import v8 from 'node:v8'

const rssOut = process.env.BENCH_PROBE_RSS
const allocOut = process.env.BENCH_PROBE_ALLOC
const mb = bytes => Math.round(bytes / 2 ** 20)

if (rssOut) {
  const samples = []
  const timer = setInterval(() => {
    const rss = Number(/VmRSS:\s+(\d+)/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1]) / 1024
    const heap = v8.getHeapStatistics()
    const spaces = Object.fromEntries(v8.getHeapSpaceStatistics().map(s => [s.space_name, mb(s.space_size)]))
    samples.push([
      Math.round(performance.now()),
      Math.round(rss),
      mb(heap.total_heap_size),
      mb(heap.used_heap_size),
      spaces.new_space,
      spaces.old_space,
      spaces.code_space
    ])
  }, 100)
  timer.unref()
  process.on('exit', () => writeFileSync(rssOut, JSON.stringify(samples)))
}

if (allocOut) {
  const session = new inspector.Session()
  session.connect()
  session.post('HeapProfiler.enable')
  session.post('HeapProfiler.startSampling', {
    samplingInterval: 16384,
    includeObjectsCollectedByMajorGC: true,
    includeObjectsCollectedByMinorGC: true
  })
  process.on('exit', () => {
    // The inspector session answers synchronously in-process.
    session.post('HeapProfiler.stopSampling', (error, result) => {
      if (!error) writeFileSync(allocOut, JSON.stringify(result.profile))
    })
  })
}
