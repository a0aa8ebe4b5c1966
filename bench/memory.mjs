// Memory: what one streamsource EventSource (from dist/) holds on to over a long life, against the loopback
// server. Two runs, each with the heap read after a full gc() before the source exists and after it is
// closed, and the peak heap seen on the way (sampled without gc, so garbage not yet collected counts):
//
//   reconnects  10,000 cycles of request, `retry: 0`, one event, end of stream, reconnect
//   events      1,000,000 named events with ids (the `named` corpus, served again on each reconnect
//               until the total is reached), through every listener type and `lastEventId`
//
//   node --expose-gc bench/memory.mjs [--quick] [--json] [--cycles N] [--events N] [--module path/to/index.js]
//
// --quick     1,000 cycles and 100,000 events
// --json      print the figures as JSON on stdout (progress still goes to stderr)
// --module    load EventSource from another build of streamsource instead of dist/index.js
//
// It prints figures and sets no goal: bench/reconnect.mjs judges the reconnect trend. Exit code 1 when a
// run does not complete (a timeout, a failed source) or streamsource cannot be loaded.
import {setTimeout as sleep} from 'node:timers/promises'
import {integerOption, loadStreamsource, machine, progress, readArgs, requireGc, startReport, startServer, table} from './common.mjs'

const USAGE =
  'usage: node --expose-gc bench/memory.mjs [--quick] [--json] [--cycles N] [--events N] [--module path/index.js]'
const CORPUS_EVENTS = 200_000 // the server's corpus; more events than this take more connections
const SAMPLES = 20 // peak-heap readings per run
const TIMEOUT_MS = 10 * 60 * 1000
const SETTLE_MS = 200 // after close(): time for the aborted request to let its socket go
const WARM_UP_SHARE = 0.05 // a first, unmeasured source does 5% of each run: fetch's lazily loaded parts, compiled code

function readOptions() {
  const values = readArgs({cycles: {type: 'string'}, events: {type: 'string'}}, USAGE)
  return {
    json: values.json,
    module: values.module,
    cycles: integerOption(values, 'cycles', values.quick ? 1_000 : 10_000, USAGE),
    events: integerOption(values, 'events', values.quick ? 100_000 : 1_000_000, USAGE),
  }
}

/**
 * Opens one source on `url`, counts `message`-like events of `types` until `total`, then closes it.
 * The heap is read after gc() before the source is made and after it is closed; in between, every
 * total/SAMPLES events, without gc, for the peak.
 */
async function measure(EventSource, gc, {label, url, init, types, total, check}) {
  gc()
  const heapBefore = process.memoryUsage().heapUsed
  let peak = heapBefore
  let received = 0
  let wrong = 0
  let errors = 0
  const step = Math.max(1, Math.floor(total / SAMPLES))
  const started = process.hrtime.bigint()
  const source = new EventSource(url, init)
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      source.close()
      reject(new Error(`${label}: ${received} of ${total} in ${TIMEOUT_MS / 1000} s: timed out`))
    }, TIMEOUT_MS)
    const onEvent = (event) => {
      received++
      if (!check(event, received)) wrong++
      if (received % step === 0) {
        peak = Math.max(peak, process.memoryUsage().heapUsed)
        progress(`  ${label} ${received.toLocaleString('en')}/${total.toLocaleString('en')}`)
      }
      if (received === total) {
        source.close()
        clearTimeout(timer)
        resolve()
      }
    }
    for (const type of types) source.addEventListener(type, onEvent)
    source.addEventListener('error', (event) => {
      errors++
      if (event.willReconnect === false) {
        clearTimeout(timer)
        reject(new Error(`${label}: the source failed after ${received}: ${event.message}`))
      }
    })
  })
  const seconds = Number(process.hrtime.bigint() - started) / 1e9
  await sleep(SETTLE_MS)
  gc()
  const heapAfter = process.memoryUsage().heapUsed
  return {received, wrong, errorEvents: errors, seconds, heapBefore, heapAfter, growth: heapAfter - heapBefore, peak}
}

const MiB = 1024 * 1024
const mib = (bytes) => `${(bytes / MiB).toFixed(2)} MiB`
const signedMib = (bytes) => `${bytes >= 0 ? '+' : '-'}${mib(Math.abs(bytes))}`

async function main() {
  const options = readOptions()
  const streamsource = await loadStreamsource(options.module)
  const {gc, how: gcHow} = requireGc()
  progress('starting the loopback server')
  const server = await startServer(['--events', String(Math.min(options.events, CORPUS_EVENTS))])
  const named = server.corpora.find((corpus) => corpus.name === 'named')
  const {EventSource} = streamsource
  let runs
  try {
    const reconnectRun = {
      label: 'reconnect cycle',
      url: `${server.origin}/reconnect`,
      init: undefined,
      types: ['message'],
      total: options.cycles,
      check: (event) => event.data === 'cycle',
    }
    const eventRun = {
      label: 'event',
      url: `${server.origin}/stream/named`,
      // The corpus has no retry: reconnect at once when it ends, so the total can span several responses.
      init: {reconnect: {initialDelay: 0}},
      types: named.types,
      total: options.events,
      // Each response restarts the corpus's ids at 1: the nth event of a response has id n.
      check: (event, n) => event.lastEventId === String(((n - 1) % named.events) + 1),
    }
    // Warm-up first, so that "heap before" already holds what any first use of fetch and the source loads.
    for (const run of [reconnectRun, eventRun]) {
      progress(`warm-up: ${run.label}s`)
      await measure(EventSource, gc, {...run, label: `warm-up ${run.label}`, total: Math.ceil(run.total * WARM_UP_SHARE)})
    }
    progress(`${options.cycles.toLocaleString('en')} reconnect cycles`)
    const reconnects = await measure(EventSource, gc, reconnectRun)
    progress(`${options.events.toLocaleString('en')} events`)
    const events = await measure(EventSource, gc, eventRun)
    runs = {reconnects, events}
  } catch (error) {
    progress('')
    console.error(`bench: ${error.message}`)
    server.stop()
    process.exit(1)
  }
  const serverStats = await server.stats()
  server.stop()
  progress('')

  const report = {
    ...machine(streamsource),
    gc: `full gc() before each heap reading but the peaks (${gcHow})`,
    corpus: {name: named.name, events: named.events, bytes: named.bytes},
    server: serverStats,
    ...runs,
  }
  if (options.json) {
    console.log(JSON.stringify(report, null, 2))
    process.exit(0)
  }
  const {say, print} = startReport('streamsource memory (bench/memory.mjs)', report, `streamsource from ${report.streamsource}; ${report.gc}`)
  const row = (name, run, unit) => [
    name,
    run.received.toLocaleString('en'),
    `${run.seconds.toFixed(1)} s`,
    `${Math.round(run.received / run.seconds).toLocaleString('en')}/s`,
    mib(run.heapBefore),
    mib(run.peak),
    mib(run.heapAfter),
    signedMib(run.growth),
    `${(run.growth / run.received).toFixed(2)} B/${unit}`,
  ]
  say()
  say(
    table([
      ['run', 'count', 'time', 'rate', 'heap before', 'peak', 'heap after', 'growth', 'growth per'],
      row('reconnect cycles', runs.reconnects, 'cycle'),
      row(`events (${named.name})`, runs.events, 'event'),
    ]),
  )
  say()
  say(
    `reconnect cycles: ${runs.reconnects.errorEvents.toLocaleString('en')} error events (one per end of stream), ` +
      `${runs.reconnects.wrong} wrong data`,
  )
  const responses = Math.ceil(runs.events.received / named.events)
  say(
    `events: ${named.events.toLocaleString('en')}-event corpus (${mib(named.bytes)}) served ${responses} time(s); ` +
      `${runs.events.wrong} wrong lastEventId, ${runs.events.errorEvents} error events`,
  )
  say(`server: ${serverStats.requests.toLocaleString('en')} requests, ${serverStats.openConnections} connection(s) open at the end`)
  say('heap before: after gc(), before the source exists (after an unmeasured warm-up source did')
  say(`${WARM_UP_SHARE * 100}% of the run); heap after: after gc(), once it is closed; peak: the largest of ${SAMPLES} readings`)
  say('taken while it ran, without gc(), so garbage not yet collected counts.')
  print()
  process.exit(0)
}

await main()
