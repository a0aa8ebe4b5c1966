// Reconnect cycles: one streamsource EventSource (from dist/) against a loopback server whose every
// response is `retry: 0`, one event, and the end of the stream, so the source reconnects at once, again
// and again. Checks that the cycles leave nothing behind: the heap after a full GC at cycle 1,000 against
// cycle 10,000, and the handles (sockets, timers) still open once the source is closed.
//
//   node --expose-gc bench/reconnect.mjs [--quick] [--json] [--cycles N] [--module path/to/index.js]
//
// --quick     2,000 cycles instead of 10,000
// --cycles N  how many cycles (at least 100); the heap is compared between N/10 and N
// --json      print the results as JSON on stdout (progress still goes to stderr)
// --module    load EventSource from another build of streamsource instead of dist/index.js
//
// The exit code is 0 whether or not the goal is met; 1 when the cycles do not complete (a timeout, an
// event that never came), or streamsource cannot be loaded.
import {setTimeout as sleep} from 'node:timers/promises'
import {
  goalStatus,
  integerOption,
  loadStreamsource,
  machine,
  progress,
  readArgs,
  requireGc,
  startReport,
  startServer,
  table,
} from './common.mjs'

const USAGE = 'usage: node --expose-gc bench/reconnect.mjs [--quick] [--json] [--cycles N] [--module path/index.js]'

const MiB = 1024 * 1024
// Heap growth from cycle N/10 to cycle N that counts as noise: under 1 MiB, or under 5% of the heap.
const GOAL_GROWTH_BYTES = MiB
const GOAL_GROWTH_SHARE = 0.05
const CHECKPOINTS = 10 // heap readings at every tenth of the cycles
const TIMEOUT_MIN_MS = 120_000 // the cycles have hung if they take longer than this or 30 ms each
const TIMEOUT_PER_CYCLE_MS = 30
const HANDLES_SETTLE_MS = 200 // after close(): time for aborted requests to let their sockets go

function readOptions() {
  const values = readArgs({cycles: {type: 'string'}}, USAGE)
  const cycles = integerOption(values, 'cycles', values.quick ? 2_000 : 10_000, USAGE, 100)
  return {json: values.json, cycles, module: values.module}
}

/** Open handles by type ('TCPSocketWrap', 'Timeout', ...), as process.getActiveResourcesInfo() lists them. */
function countResources() {
  const counts = {}
  for (const type of process.getActiveResourcesInfo()) counts[type] = (counts[type] ?? 0) + 1
  return counts
}

/**
 * Runs the cycles: a cycle is one response, so one `message` event, then the reconnect. The heap is read
 * inside the message listener of every checkpoint cycle, so every reading is taken at the same point of
 * a cycle, with the same objects of that cycle alive.
 */
function runCycles(EventSource, url, cycles, gc) {
  return new Promise((resolve, reject) => {
    const step = cycles / CHECKPOINTS
    const heap = []
    let messages = 0
    let errors = 0
    let wrongData = 0
    const source = new EventSource(url)
    const limit = Math.max(TIMEOUT_MIN_MS, cycles * TIMEOUT_PER_CYCLE_MS)
    const timer = setTimeout(() => {
      source.close()
      reject(new Error(`${messages} of ${cycles} cycles in ${limit / 1000} s: timed out`))
    }, limit)
    const started = process.hrtime.bigint()
    source.addEventListener('message', (event) => {
      messages++
      if (event.data !== 'cycle') wrongData++
      if (messages % step === 0) {
        gc()
        heap.push({cycle: messages, heapUsed: process.memoryUsage().heapUsed})
        progress(`  cycle ${messages.toLocaleString('en')}/${cycles.toLocaleString('en')}`)
      }
      if (messages === cycles) {
        const seconds = Number(process.hrtime.bigint() - started) / 1e9
        source.close()
        clearTimeout(timer)
        resolve({messages, errors, wrongData, seconds, heap, readyState: source.readyState})
      }
    })
    // Each end of a stream fires `error` (readyState CONNECTING) before the reconnect, as the spec says.
    // One that does not reconnect would stop the cycles: that is a failure, not a figure.
    source.addEventListener('error', (event) => {
      errors++
      if (event.willReconnect === false) {
        clearTimeout(timer)
        reject(new Error(`the source failed after ${messages} cycles: ${event.message}`))
      }
    })
  })
}

/** Least-squares slope of heapUsed over the cycles, in bytes per 1,000 cycles. */
function slopePerThousand(points) {
  const n = points.length
  const mx = points.reduce((sum, p) => sum + p.cycle, 0) / n
  const my = points.reduce((sum, p) => sum + p.heapUsed, 0) / n
  let num = 0
  let den = 0
  for (const p of points) {
    num += (p.cycle - mx) * (p.heapUsed - my)
    den += (p.cycle - mx) ** 2
  }
  return den === 0 ? 0 : (1000 * num) / den
}

const kib = (bytes) => `${(bytes / 1024).toFixed(0)} KiB`
const signedKib = (bytes) => `${bytes >= 0 ? '+' : '-'}${kib(Math.abs(bytes))}`

async function main() {
  const options = readOptions()
  const streamsource = await loadStreamsource(options.module)
  const {gc, how: gcHow} = requireGc()
  progress('starting the loopback server')
  // Small corpora: this server only serves /reconnect here.
  const server = await startServer(['--events', '1'])
  const url = `${server.origin}/reconnect`
  const before = countResources()

  progress(`${options.cycles.toLocaleString('en')} reconnect cycles`)
  let result
  try {
    result = await runCycles(streamsource.EventSource, url, options.cycles, gc)
  } catch (error) {
    progress('')
    console.error(`bench: ${error.message}`)
    process.exit(1)
  }
  // The source is closed: what is still open now is what the cycles left behind (or the fetch pool keeps).
  await sleep(HANDLES_SETTLE_MS)
  const after = countResources()
  const serverStats = await server.stats()
  server.stop()
  progress('')

  const first = result.heap[0]
  const last = result.heap.at(-1)
  const growth = last.heapUsed - first.heapUsed
  const share = growth / first.heapUsed
  const heapMet = growth < GOAL_GROWTH_BYTES || share < GOAL_GROWTH_SHARE
  // The first readings still include V8's warm-up (compiled code, feedback, fetch's lazily built parts),
  // so the trend that would show a leak is the one over the second half of the cycles.
  const slope = slopePerThousand(result.heap.filter((p) => p.cycle >= options.cycles / 2))
  const types = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort()
  // getActiveResourcesInfo() lists what keeps the event loop alive: a request in flight, a reconnect
  // timer. The fetch pool's idle keep-alive socket is unref'd, so it is not listed; the server counts it,
  // and one is what a closed source may leave (fetch's pool keeps it, not the source).
  const extraSockets = (after.TCPSocketWrap ?? 0) - (before.TCPSocketWrap ?? 0)
  const extraTimers = (after.Timeout ?? 0) - (before.Timeout ?? 0)
  const handlesMet = extraSockets <= 0 && extraTimers <= 0 && serverStats.openConnections <= 1

  const report = {
    ...machine(streamsource),
    gc: `full gc() before each heap reading (${gcHow})`,
    cycles: options.cycles,
    seconds: result.seconds,
    messages: result.messages,
    errorEvents: result.errors,
    wrongData: result.wrongData,
    readyStateAfterClose: result.readyState,
    heap: result.heap,
    heapGrowth: {from: first, to: last, bytes: growth, share, secondHalfSlopePerThousandCycles: slope},
    handles: {before, after, extraSockets, extraTimers},
    server: serverStats,
    goals: {
      heap: {goal: `growth < ${kib(GOAL_GROWTH_BYTES)} or < ${GOAL_GROWTH_SHARE * 100}%`, met: heapMet},
      handles: {
        goal: 'after close(): no request, socket or timer keeping the process alive; the server sees at most 1 ' +
          'connection open (the idle keep-alive one)',
        met: handlesMet,
      },
    },
  }
  if (options.json) {
    console.log(JSON.stringify(report, null, 2))
    process.exit(0)
  }
  const {say, print} = startReport(
    'streamsource reconnect cycles (bench/reconnect.mjs)',
    report,
    `streamsource from ${report.streamsource}; ${report.gc}`,
  )
  say()
  say(
    `${result.messages.toLocaleString('en')} cycles (each: request, 200 text/event-stream, \`retry: 0\`, one ` +
      'event, end of stream, reconnect)',
  )
  say(
    `in ${result.seconds.toFixed(1)} s (${Math.round(result.messages / result.seconds).toLocaleString('en')} cycles/s); ` +
      `${result.errors.toLocaleString('en')} error events (one per end of stream), ${result.wrongData} wrong data`,
  )
  say(
    `server: ${serverStats.requests.toLocaleString('en')} requests over ${serverStats.connections.toLocaleString('en')} ` +
      `connection(s), ${serverStats.openConnections} still open after close()`,
  )
  say()
  say('Heap used after a full GC')
  say(
    table([
      ['cycle', 'heapUsed', `vs cycle ${first.cycle.toLocaleString('en')}`],
      ...result.heap.map((p) => [p.cycle.toLocaleString('en'), kib(p.heapUsed), signedKib(p.heapUsed - first.heapUsed)]),
    ]),
  )
  say(
    `growth from cycle ${first.cycle.toLocaleString('en')} to ${last.cycle.toLocaleString('en')}: ${signedKib(growth)} ` +
      `(${(share * 100).toFixed(2)}%); trend over the second half ${signedKib(slope)} per 1,000 cycles`,
  )
  say(`  goal ${report.goals.heap.goal}: ${goalStatus(heapMet)}`)
  say()
  say(`Active handles (process.getActiveResourcesInfo()) before the source, and ${HANDLES_SETTLE_MS} ms after close()`)
  say(table([['type', 'before', 'after'], ...types.map((type) => [type, before[type] ?? 0, after[type] ?? 0])]))
  say('(ProcessWrap and a PipeWrap are the server child process and its IPC channel; stdout and stderr are')
  say(' PipeWraps too when piped. The fetch pool\'s idle keep-alive socket is unref\'d, so not listed: the')
  say(' server\'s count of open connections above shows it.)')
  say(`  goal ${report.goals.handles.goal}: ${goalStatus(handlesMet)}`)
  print()
  // An idle keep-alive socket of the fetch pool would hold the process open for a few seconds more.
  process.exit(0)
}

await main()
