// End-to-end events per second: EventSource clients receiving a stream from a loopback HTTP server, with
// streamsource's EventSource (loaded from dist/, so build first; `npm run bench` does) against the
// `eventsource` package and `eventsource-client`. All of them fetch with Node's built-in fetch (undici).
//
//   node --expose-gc bench/eventsource.mjs [--quick] [--json] [--wall] [--rounds N] [--events N]
//                                          [--module path/to/index.js] [--one-process]
//
// --quick     fewer events and rounds: a rough figure in well under a minute on an idle machine
// --json      print the results as JSON on stdout (progress still goes to stderr)
// --wall      rank by wall time instead of the client's CPU time (both are always reported)
// --rounds N  timed rounds per corpus and contestant (default 16, 5 with --quick)
// --events N  events per corpus (default 200,000, 50,000 with --quick)
// --module    load EventSource from another build of streamsource instead of dist/index.js
// --one-process  run every contestant in this process, as an app with four SSE clients would, instead of
//             each in a process of its own (see contestantProcess())
//
// Each run connects, receives every event of a corpus, and closes at the last one (all these clients
// reconnect when a stream ends, as the spec says, so none waits for the end). Every run counts its events
// and sums the lengths of their data, and for the named corpus checks the last event's lastEventId, so a
// contestant that misses or repeats anything stops the benchmark instead of winning it.
//
// It is a measurement, not a test: the exit code is 0 whether or not the goals are met, and 1 when a
// client receives the wrong events, a run times out, or streamsource cannot be loaded.
import {fork} from 'node:child_process'
import {fileURLToPath} from 'node:url'
import {EventSource as EventSourcePackage} from 'eventsource'
import {createEventSource} from 'eventsource-client'
import {
  fail,
  findGc,
  goalStatus,
  integerOption,
  loadStreamsource,
  machine,
  measure,
  median,
  packageVersion,
  pairedRatio,
  progress,
  ratioSummary,
  readArgs,
  rotated,
  spread,
  startReport,
  startServer,
  table,
  times,
  timesWithSpread,
  toMs,
} from './common.mjs'

const USAGE =
  'usage: node --expose-gc bench/eventsource.mjs [--quick] [--json] [--wall] [--rounds N] [--events N] ' +
  '[--module path/index.js] [--one-process]'

const GOAL_LISTENERS = 1.5 // streamsource (listeners) / eventsource (listeners), on every corpus
const GOAL_LISTENERS_VS_CLIENT = 1 // streamsource (listeners) / eventsource-client (iterator), on every corpus
const GOAL_ITERATOR = 1 // streamsource (iterator) / eventsource-client (iterator), on every corpus
const RUN_TIMEOUT_MIN_MS = 60_000 // a run that takes longer than this (or 1 ms an event) has hung
const TOTAL_TIMEOUT_MS = 30 * 60 * 1000

const LISTENERS = 'streamsource (listeners)'
const PACKAGE = 'eventsource (listeners)'
const ITERATOR = 'streamsource (iterator)'
const CLIENT = 'eventsource-client (iterator)'
const CONTESTANTS = [LISTENERS, PACKAGE, ITERATOR, CLIENT]

// ---------------------------------------------------------------------------------------------------------
// Options

function readOptions() {
  const values = readArgs(
    {
      wall: {type: 'boolean', default: false},
      rounds: {type: 'string'},
      events: {type: 'string'},
      'one-process': {type: 'boolean', default: false},
      // Internal: this process is the contestant process of that name (see contestantProcess()).
      contestant: {type: 'string'},
    },
    USAGE,
  )
  return {
    json: values.json,
    clock: values.wall ? 'wall' : 'cpu',
    rounds: integerOption(values, 'rounds', values.quick ? 5 : 16, USAGE),
    events: integerOption(values, 'events', values.quick ? 50_000 : 200_000, USAGE),
    // Untimed runs first, which also check the results. Measured here: a client's first run of 200,000
    // events took 5-8 times as long as its tenth, the next two still 1.5-3 times (V8 compiling the hot
    // paths, undici's and the streams' included, and sizing the young generation), steady from about
    // the fourth; and every corpus warms the code that the other corpora run too.
    warmupRuns: values.quick ? 2 : 3,
    module: values.module,
    oneProcess: values['one-process'],
    contestant: values.contestant,
  }
}

// ---------------------------------------------------------------------------------------------------------
// Contestants. Each is run(url, corpus) and resolves with a tally once the last event has arrived and the
// source is closed: {events, dataLength, lastEventId, wallEnd (hrtime at the last event), failure?}.

function newTally() {
  return {events: 0, dataLength: 0, lastEventId: '', wallEnd: 0n, failure: undefined}
}

/** A run that ends by itself when the last event arrives, or on error, or when it is taking far too long. */
function bounded(corpus, start) {
  return new Promise((resolve) => {
    const tally = newTally()
    let close = () => {}
    const finish = (failure) => {
      clearTimeout(timer)
      if (failure !== undefined && tally.failure === undefined) tally.failure = failure
      close()
      resolve(tally)
    }
    const limit = Math.max(RUN_TIMEOUT_MIN_MS, corpus.events)
    const timer = setTimeout(() => finish(`timed out after ${limit / 1000} s`), limit)
    close = start(tally, finish)
  })
}

/** An EventSource with the browser's interface and one listener for each event type of the corpus. */
function listenersRunner(EventSourceClass) {
  return (url, corpus) =>
    bounded(corpus, (tally, finish) => {
      const source = new EventSourceClass(url)
      const last = corpus.events
      const onMessage = (event) => {
        tally.dataLength += event.data.length
        if (++tally.events === last) {
          tally.wallEnd = process.hrtime.bigint()
          tally.lastEventId = event.lastEventId
          finish()
        }
      }
      for (const type of corpus.types) source.addEventListener(type, onMessage)
      // Costs nothing per event: only the end of a stream (which should not come first) fires it.
      source.addEventListener('error', (event) => finish(`error event: ${event.message ?? 'no message'}`))
      return () => source.close()
    })
}

/** streamsource: `for await (const event of messages(source))`; breaking out of the loop closes the source. */
function streamsourceIteratorRunner({EventSource: EventSourceClass, messages}) {
  return (url, corpus) =>
    bounded(corpus, (tally, finish) => {
      const source = new EventSourceClass(url)
      const last = corpus.events
      ;(async () => {
        for await (const event of messages(source)) {
          tally.dataLength += event.data.length
          if (++tally.events === last) {
            tally.wallEnd = process.hrtime.bigint()
            tally.lastEventId = event.lastEventId
            break
          }
        }
        finish(tally.events === last ? undefined : 'the iterator ended early')
      })().catch((error) => finish(`the iterator threw: ${error?.message ?? error}`))
      // A timeout closes the source, which ends the loop above.
      return () => source.close()
    })
}

/** eventsource-client: its async iterator; breaking out does not close it (its README says so). */
function eventsourceClientRunner(url, corpus) {
  return bounded(corpus, (tally, finish) => {
    const source = createEventSource({url})
    const last = corpus.events
    ;(async () => {
      for await (const message of source) {
        tally.dataLength += message.data.length
        if (++tally.events === last) {
          tally.wallEnd = process.hrtime.bigint()
          // Its messages carry their own `id:` field only; the source keeps the last event ID, as the spec's does.
          tally.lastEventId = source.lastEventId ?? ''
          break
        }
      }
      finish(tally.events === last ? undefined : 'the iterator ended early')
    })().catch((error) => finish(`the iterator threw: ${error?.message ?? error}`))
    return () => source.close()
  })
}

/** null when `tally` is what a correct client receives from `corpus`, else what went wrong. */
function checkTally(corpus, contestant, tally) {
  if (tally.failure !== undefined) {
    return `${contestant} failed after ${tally.events} of ${corpus.events} events: ${tally.failure}`
  }
  if (tally.events !== corpus.events || tally.dataLength !== corpus.dataLength) {
    return (
      `${contestant} received ${tally.events} events with ${tally.dataLength} characters of data; ` +
      `the server sent ${corpus.events} with ${corpus.dataLength}`
    )
  }
  if (tally.lastEventId !== corpus.lastEventId) {
    return `${contestant}'s last event had lastEventId '${tally.lastEventId}', not '${corpus.lastEventId}'`
  }
  return null
}

// ---------------------------------------------------------------------------------------------------------
// Measuring

/**
 * The clocks. Wall time runs from just before the source is created to the moment the last event
 * reaches the listener: the events per second an application sees. CPU time is the client process's
 * (user + system, all threads: process.cpuUsage) from the same start until the source is closed and the
 * process is idle again (settle()), so it holds everything the run cost, the GC work it left behind and
 * the fetch and socket work included, and none of the server's, which runs in another process.
 *
 * CPU time is the clock the figures (and the goals) use, unless --wall. It is what the client library
 * controls, and it is the steadier one here: on a shared 2-core machine the wall clock also counts the
 * spells when the client waits for a core, or for the server process to be scheduled, and those spells
 * have nothing to do with the library. Where a client is fast enough to outrun the server, wall time
 * would hide that (it would wait for the server), while CPU time shows it. Both are in the report.
 */
function createSampler(gc, clock) {
  return async function sample(run, url, corpus) {
    const {result: tally, ...clocks} = await measure(gc, clock, async () => {
      const tally = await run(url, corpus)
      return {result: tally, wallEnd: tally.wallEnd}
    })
    return {...clocks, tally}
  }
}

/**
 * Each contestant in a node process of its own, which the benchmark asks to run one corpus at a time
 * (so the rounds still interleave, and slow spells of the machine still spread over all of them).
 * Why: in one process the contestants share V8's feedback and optimized code for everything of Node's
 * they all run (fetch, web streams, EventTarget, MessageEvent), so each one's speed depends on which
 * others ran beside it. Measured here: `eventsource` on the named corpus took 1,027 ns an event alone in
 * its process and 671 ns beside streamsource; streamsource's listeners measured 1.47-1.67x `eventsource`
 * with only the two in the process and 0.92-0.99x with all four. An app runs one SSE client, not four.
 * `--one-process` measures the old way.
 */
function contestantProcess(contestant, options) {
  const args = ['--contestant', contestant, ...(options.module ? ['--module', options.module] : [])]
  if (options.clock === 'wall') args.push('--wall')
  const child = fork(fileURLToPath(import.meta.url), args, {execArgv: ['--expose-gc'], stdio: ['ignore', 'inherit', 'inherit', 'ipc']})
  const pending = new Map()
  let nextId = 1
  child.on('message', ({id, ...result}) => {
    pending.get(id)?.(result)
    pending.delete(id)
  })
  child.on('exit', (code, signal) => {
    if (pending.size > 0) fail(`the ${contestant} process exited (${signal ?? code}) during a run`)
  })
  process.once('exit', () => child.kill())
  return {
    sample(url, corpus) {
      const id = nextId++
      return new Promise((resolve) => {
        pending.set(id, resolve)
        child.send({id, url, corpus})
      })
    },
    stop: () => child.kill(),
  }
}

/** The contestant process: runs what it is sent, and reports the tally and the clocks. */
async function serveContestant(options) {
  const {gc} = findGc()
  const streamsource = options.contestant === PACKAGE || options.contestant === CLIENT ? undefined : await loadStreamsource(options.module)
  const run = createRunners(streamsource)[options.contestant]
  if (run === undefined) fail(`no contestant named ${options.contestant}`)
  const sample = createSampler(gc, options.clock)
  process.on('message', async ({id, url, corpus}) => {
    const {tally, ...clocks} = await sample(run, url, corpus)
    // A bigint cannot cross the IPC channel, and the clocks already hold what wallEnd was for.
    process.send({id, tally: {...tally, wallEnd: 0}, ...clocks})
  })
  process.on('disconnect', () => process.exit(0))
}

function createRunners(streamsource) {
  return {
    [LISTENERS]: streamsource && listenersRunner(streamsource.EventSource),
    [PACKAGE]: listenersRunner(EventSourcePackage),
    [ITERATOR]: streamsource && streamsourceIteratorRunner(streamsource),
    [CLIENT]: eventsourceClientRunner,
  }
}

/** Untimed runs: every contestant on every corpus, which compiles the hot paths and checks the results. */
async function warmUp(corpora, server, runs, sample) {
  for (let run = 0; run < runs; run++) {
    for (const corpus of corpora) {
      for (const contestant of CONTESTANTS) {
        progress(`warming up ${run + 1}/${runs}: ${corpus.name}, ${contestant}`)
        const {tally} = await sample(contestant, `${server.origin}/stream/${corpus.name}`, corpus)
        const failure = checkTally(corpus, contestant, tally)
        if (failure) fail(`${corpus.name}: ${failure}`)
      }
    }
  }
}

/** Timed rounds, each visiting every corpus with the contestants in an order rotated by the round. */
async function timeRounds(corpora, server, rounds, sample) {
  const samples = {}
  for (const corpus of corpora) {
    samples[corpus.name] = Object.fromEntries(CONTESTANTS.map((name) => [name, {ns: [], wallNs: [], cpuNs: []}]))
  }
  for (let round = 0; round < rounds; round++) {
    for (const corpus of corpora) {
      for (const contestant of rotated(CONTESTANTS, round)) {
        progress(`round ${round + 1}/${rounds}: ${corpus.name}, ${contestant}`)
        const {tally, ...clocks} = await sample(contestant, `${server.origin}/stream/${corpus.name}`, corpus)
        const failure = checkTally(corpus, contestant, tally)
        if (failure) fail(`${corpus.name}: ${failure}`)
        for (const [clock, ns] of Object.entries(clocks)) samples[corpus.name][contestant][clock].push(ns)
      }
    }
  }
  return samples
}

/** How many times faster a is than b: the median over the rounds of time(b) / time(a), see pairedRatio(). */
const pairedSpeedup = (a, b, clock = 'ns') => pairedRatio(b[clock], a[clock])

function analyze(corpora, samples) {
  const throughput = {}
  const ratios = {}
  for (const corpus of corpora) {
    const bySample = samples[corpus.name]
    throughput[corpus.name] = {}
    for (const contestant of CONTESTANTS) {
      const {ns, wallNs, cpuNs} = bySample[contestant]
      const perSecond = (times) => corpus.events / (median(times) / 1e9)
      throughput[corpus.name][contestant] = {
        eventsPerSecond: perSecond(ns),
        spread: spread(ns),
        cpuEventsPerSecond: perSecond(cpuNs),
        wallEventsPerSecond: perSecond(wallNs),
        cpuNsPerEvent: median(cpuNs) / corpus.events,
        cpuMs: toMs(cpuNs),
        wallMs: toMs(wallNs),
      }
    }
    ratios[corpus.name] = {
      vsEventsource: Object.fromEntries(
        CONTESTANTS.map((name) => [name, pairedSpeedup(bySample[name], bySample[PACKAGE])]),
      ),
      vsEventsourceWall: Object.fromEntries(
        CONTESTANTS.map((name) => [name, pairedSpeedup(bySample[name], bySample[PACKAGE], 'wallNs')]),
      ),
      iteratorVsEventsourceClient: pairedSpeedup(bySample[ITERATOR], bySample[CLIENT]),
      iteratorVsEventsourceClientWall: pairedSpeedup(bySample[ITERATOR], bySample[CLIENT], 'wallNs'),
      // Each figure with the interquartile range of the rounds' ratios.
      listenersVsEventsourceClient: ratioSummary(bySample[CLIENT].ns, bySample[LISTENERS].ns),
      iteratorVsListeners: ratioSummary(bySample[LISTENERS].ns, bySample[ITERATOR].ns),
    }
  }
  const goal = (of, value, target) => ({of, value, goal: target, met: value >= target})
  const goals = {
    listeners: corpora.map((c) =>
      goal(`${LISTENERS} / ${PACKAGE}, ${c.name}`, ratios[c.name].vsEventsource[LISTENERS], GOAL_LISTENERS),
    ),
    listenersVsClient: corpora.map((c) =>
      goal(
        `${LISTENERS} / ${CLIENT}, ${c.name}`,
        ratios[c.name].listenersVsEventsourceClient.median,
        GOAL_LISTENERS_VS_CLIENT,
      ),
    ),
    iterator: corpora.map((c) =>
      goal(`${ITERATOR} / ${CLIENT}, ${c.name}`, ratios[c.name].iteratorVsEventsourceClient, GOAL_ITERATOR),
    ),
  }
  return {throughput, ratios, goals}
}

// ---------------------------------------------------------------------------------------------------------
// Reporting

/** 943k, 1.21M: three significant figures. */
function perSecond(value) {
  if (value >= 1e6) return `${(value / 1e6).toFixed(2)}M`
  return `${(value / 1e3).toFixed(value >= 1e5 ? 0 : 1)}k`
}

function environment(streamsource, options, gcHow) {
  return {
    ...machine(streamsource),
    eventsource: packageVersion('eventsource'),
    eventsourceClient: packageVersion('eventsource-client'),
    rounds: options.rounds,
    warmupRuns: options.warmupRuns,
    clock:
      options.clock === 'wall'
        ? 'wall time from creating the source to the last event'
        : "the client process's CPU time (cpuUsage: user + system, all threads) from creating the source " +
          'until it is closed and the process is idle again; the server runs in a child process',
    gc: `minor gc before each run (${options.oneProcess ? gcHow : '--expose-gc'})`,
    processes: options.oneProcess
      ? 'all contestants in one process (--one-process)'
      : 'each contestant in a node process of its own; the rounds interleave them',
  }
}

function printReport(env, corpora, results) {
  const {say, print} = startReport(
    'streamsource EventSource benchmark, end to end through a loopback server (bench/eventsource.mjs)',
    env,
    `streamsource from ${env.streamsource}, eventsource ${env.eventsource}, ` +
      `eventsource-client ${env.eventsourceClient}`,
  )
  say(`${env.rounds} timed rounds after ${env.warmupRuns} untimed run(s) per corpus and contestant; ${env.gc}`)
  say(`clock: ${env.clock}`)
  say(`processes: ${env.processes}`)
  say()
  say('Corpora (served by a node:http server in a child process, in 16 KiB writes)')
  say(
    table([
      ['corpus', 'events', 'bytes', 'bytes/event', 'fields'],
      ...corpora.map((c) => [
        c.name,
        c.events.toLocaleString('en'),
        `${(c.bytes / 1e6).toFixed(1)} MB`,
        (c.bytes / c.events).toFixed(0),
        c.description,
      ]),
    ]),
  )
  const throughputTable = (key, withSpread) =>
    table([
      ['corpus', ...CONTESTANTS],
      ...corpora.map((c) => [
        c.name,
        ...CONTESTANTS.map((name) => {
          const cell = results.throughput[c.name][name]
          return withSpread ? `${perSecond(cell[key])} +-${Math.round(cell.spread * 100)}%` : perSecond(cell[key])
        }),
      ]),
    ])
  const primary = env.clock.startsWith('wall') ? 'wall' : 'cpu'
  say()
  say(`Events per second by ${primary === 'cpu' ? 'client CPU time' : 'wall time'} (median of the rounds,`)
  say('+- half the interquartile range)')
  say(throughputTable('eventsPerSecond', true))
  say()
  say(`Events per second by ${primary === 'cpu' ? 'wall time' : 'client CPU time'} (median of the rounds)`)
  say(throughputTable(primary === 'cpu' ? 'wallEventsPerSecond' : 'cpuEventsPerSecond', false))
  say()
  say('Speed relative to eventsource (listeners), by the first table\'s clock: each the median over the rounds')
  say('of that round\'s ratio (> 1 is faster); in brackets the same by the other clock')
  const other = primary === 'cpu' ? 'vsEventsourceWall' : 'vsEventsource'
  const main = primary === 'cpu' ? 'vsEventsource' : 'vsEventsourceWall'
  say(
    table([
      ['corpus', ...CONTESTANTS],
      ...corpora.map((c) => [
        c.name,
        ...CONTESTANTS.map((name) => {
          const r = results.ratios[c.name]
          return `${times(r[main][name])} (${times(r[other][name])})`
        }),
      ]),
    ]),
  )
  say()
  say('Listeners against eventsource-client, and the iterator against the listeners (the median of the rounds\'')
  say('ratios, in brackets their interquartile range)')
  say(
    table([
      ['corpus', `${LISTENERS} / ${CLIENT}`, `${ITERATOR} / ${LISTENERS}`],
      ...corpora.map((c) => [
        c.name,
        timesWithSpread(results.ratios[c.name].listenersVsEventsourceClient),
        timesWithSpread(results.ratios[c.name].iteratorVsListeners),
      ]),
    ]),
  )
  say()
  say('Goals')
  for (const g of [...results.goals.listeners, ...results.goals.listenersVsClient, ...results.goals.iterator]) {
    say(`  ${g.of}: ${times(g.value)}   goal >= ${times(g.goal)}: ${goalStatus(g.met)}`)
  }
  print()
}

// ---------------------------------------------------------------------------------------------------------

async function main() {
  const options = readOptions()
  if (options.contestant !== undefined) return serveContestant(options)
  const streamsource = await loadStreamsource(options.module)
  const {gc, how: gcHow} = findGc()
  const env = environment(streamsource, options, gcHow)
  setTimeout(() => fail(`the whole benchmark took longer than ${TOTAL_TIMEOUT_MS / 60_000} minutes`), TOTAL_TIMEOUT_MS).unref()

  progress('starting the loopback server')
  const server = await startServer(['--events', String(options.events)])
  let sample
  let stopContestants = () => {}
  if (options.oneProcess) {
    const runners = createRunners(streamsource)
    const sampleHere = createSampler(gc, options.clock)
    sample = (contestant, url, corpus) => sampleHere(runners[contestant], url, corpus)
  } else {
    const processes = Object.fromEntries(CONTESTANTS.map((name) => [name, contestantProcess(name, options)]))
    sample = (contestant, url, corpus) => processes[contestant].sample(url, corpus)
    stopContestants = () => Object.values(processes).forEach((child) => child.stop())
  }
  await warmUp(server.corpora, server, options.warmupRuns, sample)
  const samples = await timeRounds(server.corpora, server, options.rounds, sample)
  stopContestants()
  server.stop()
  progress('')
  const results = analyze(server.corpora, samples)
  if (options.json) {
    console.log(JSON.stringify({...env, unit: 'events per second', corpora: server.corpora, ...results}, null, 2))
  } else {
    printReport(env, server.corpora, results)
  }
  // Keep-alive sockets of the fetch pool would hold the process open for a few seconds more.
  process.exit(0)
}

await main()
