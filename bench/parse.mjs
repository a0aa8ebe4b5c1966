// Throughput of the streaming text/event-stream parser: streamsource's createParser, both builds (loaded
// from dist/, so build first; `npm run bench` does), against eventsource-parser measured in the same
// rounds, and against a "floor" that only decodes UTF-8 and finds the line ends, which every parser has
// to do. The inputs are deterministic corpora (bench/parse-corpora.mjs, shared with the Chromium run of
// bench/parse-browser.mjs) delivered the way bytes come off the network: as arrays of Uint8Array chunks.
//
//   node bench/parse.mjs [--quick] [--json] [--wall] [--rounds N] [--only a,b] [--module path/to/index.js]
//                        [--browser-module path/to/index.js] [--processes N] [--one-process]
//
// --quick     fewer warm-up runs, rounds and sets of processes: a rough figure (the full run took about 5
//             minutes on 2026-12-07)
// --json      print the results as JSON on stdout (progress still goes to stderr)
// --wall      time with the wall clock instead of the process's CPU time (see createSampler)
// --rounds N  timed rounds per corpus and contestant (default 16, 5 with --quick)
// --only a,b  only these corpora (a development aid: the geometric mean and the linearity ratio are
//             only reported when all the corpora they need ran)
// --module    the Node build: load createParser from this file instead of dist/node/index.js (what
//             `import 'streamsource'` gives in Node)
// --browser-module  the browser build: this file instead of dist/index.js (what a bundler gives); the
//             browser EventSource's reader is parser/stream-reader.js beside it
// --processes N  the sets of processes the rounds of a corpus are shared among (default 4, 2 with --quick)
// --one-process  every contestant and corpus in this one process, as before (to compare; see below)
//
// Each contestant runs in a process of its own for each corpus (a child of this one, which holds nothing
// but that parser and that corpus, as an application's process holds one parser reading one kind of
// stream), and this process asks the children for their samples in the rotated order of the rounds, as
// bench/eventsource.mjs runs its clients. In one Chromium page the contestants that ran before slowed
// others down many times over (bench/parse-browser.mjs); in Node, on the five small-event corpora, the
// two ways printed ratios within 0.15 of each other (2026-12-07; --one-process runs the old way).
//
// It is a measurement, not a test: the exit code is 0 whether or not the goals are met. It is 1 only
// when a parser reports the wrong events (or streamsource cannot be loaded), since then the figures
// would compare different work.
import {fork} from 'node:child_process'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {createParser as createEventsourceParser} from 'eventsource-parser'
import {
  CORPUS_NAMES,
  MB,
  SMALL_EVENT_CORPORA,
  buildCorpora,
  bytesRunner,
  checkResult,
  eventsourceParserRunner,
  readerRunner,
  runFloor,
} from './parse-corpora.mjs'
import {
  ROOT,
  fail,
  usageError,
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
  table,
  times,
  timesWithSpread,
  toMs,
} from './common.mjs'

const USAGE =
  'usage: node bench/parse.mjs [--quick] [--json] [--wall] [--rounds N] [--only corpus,...] [--module path/index.js] ' +
  '[--browser-module path/index.js] [--processes N] [--one-process]'

const GOAL_GEOMEAN = 1.5 // Node build (bytes) / eventsource-parser, geometric mean over the corpora
const GOAL_NODE = 1.5 // Node build (bytes) / eventsource-parser, on every small-event corpus
const GOAL_BROWSER = 1.2 // browser build (bytes) / eventsource-parser, on every small-event corpus
const GOAL_LINEARITY = 12 // time(10mb-line) / time(1mb-line); linear time would be 10
const MIN_SAMPLE_MS = 30 // short runs are repeated within one sample so timer and scheduler jitter stay small
const MAX_REPS = 20

const NODE = 'node build (bytes)'
const BROWSER = 'browser build (bytes)'
const READER = 'browser reader (bytes)'
const PEER = 'eventsource-parser'
/** The environment variable that makes this script a child: the contestant and corpus it runs, as JSON. */
const CHILD = 'STREAMSOURCE_BENCH_PARSE_CHILD'
// (No contestant feeds text: closures made by one createParser share V8's type feedback, so a text
// contestant of the same build would slow its bytes contestant down, which no app that feeds one or the
// other sees.)
const CONTESTANTS = ['floor', PEER, NODE, BROWSER, READER]

// ---------------------------------------------------------------------------------------------------------
// Options

function readOptions() {
  const values = readArgs(
    {
      rounds: {type: 'string'},
      wall: {type: 'boolean', default: false},
      only: {type: 'string'},
      'browser-module': {type: 'string'},
      'one-process': {type: 'boolean', default: false},
      processes: {type: 'string'},
    },
    USAGE,
  )
  const rounds = integerOption(values, 'rounds', values.quick ? 5 : 16, USAGE)
  // V8 needed 3-5 runs of a corpus before eventsource-parser's times settled, hence a generous warm-up.
  const warmup = values.quick ? {runs: 2, ms: 50} : {runs: 5, ms: 200}
  const only = values.only === undefined ? undefined : values.only.split(',').map((name) => name.trim())
  const unknown = only?.filter((name) => !CORPUS_NAMES.includes(name)) ?? []
  if (unknown.length > 0) usageError(`unknown corpus(es): ${unknown.join(', ')}; known: ${CORPUS_NAMES.join(', ')}`, USAGE)
  return {
    json: values.json,
    rounds,
    warmup,
    only,
    module: values.module,
    browserModule: values['browser-module'] ?? join(ROOT, 'dist', 'index.js'),
    clock: values.wall ? 'wall' : 'cpu',
    oneProcess: values['one-process'],
    processSets: integerOption(values, 'processes', values.quick ? 2 : 4, USAGE),
  }
}

// The 1mb-line corpus only exists as the denominator of the linearity ratio.
const GEOMEAN_CORPORA = CORPUS_NAMES.filter((name) => name !== '1mb-line')

// ---------------------------------------------------------------------------------------------------------
// Measuring

/**
 * Returns sample(run, chunks, reps): runs `run` over the chunks `reps` times, then settles, and returns
 * the time per run on both clocks (`ns` is the one the figures use) and the last run's result.
 *
 * The default clock is the CPU time of the whole process (user + system, all threads), from the start
 * of the runs to the end of settle(), so that the GC work a run causes is billed to it. It is also
 * steadier: while other jobs share the 2 cores, wall time includes the spells when this process waits
 * for a core (measured under load average 6: 13-186 ms of wall time for runs of 12-20 ms of CPU time).
 * --wall uses process.hrtime around the runs alone, so GC work done after them is billed to no one.
 */
function createSampler(gc, clock) {
  return async function sample(run, chunks, reps) {
    const {ns, wallNs, cpuNs, result} = await measure(gc, clock, () => {
      let last
      for (let i = 0; i < reps; i++) last = run(chunks)
      return {result: last, wallEnd: process.hrtime.bigint()}
    })
    return {ns: ns / reps, wallNs: wallNs / reps, cpuNs: cpuNs / reps, result}
  }
}

/**
 * The runner of one contestant: its parser (loaded here, so that a child process loads only its own) fed
 * the corpus as that parser's users feed it. `instance` keeps the runners of one process apart (see
 * parse-corpora.mjs): each gets a parse-corpora.mjs of its own.
 */
async function loadRunner(contestant, options, instance = '') {
  const corpora = instance ? await import(`./parse-corpora.mjs?${instance}`) : {bytesRunner, readerRunner}
  if (contestant === 'floor') return runFloor
  if (contestant === PEER) return eventsourceParserRunner(createEventsourceParser)
  if (contestant === NODE) return corpora.bytesRunner((await loadStreamsource(options.module, 'createParser')).createParser)
  if (contestant === BROWSER) return corpora.bytesRunner((await loadStreamsource(options.browserModule, 'createParser')).createParser)
  const readerModule = join(dirname(options.browserModule), 'parser', 'stream-reader.js')
  return corpora.readerRunner((await loadStreamsource(readerModule, 'createStreamReader')).createStreamReader)
}

/** What the report says of a corpus: all but its chunks, which only the processes that parse it hold. */
const describe = ({chunks, ...corpus}) => ({...corpus, chunks: chunks.length})

/**
 * The child process of one contestant and one corpus (see the top of this file): it checks what its
 * parser reports, then takes a sample whenever the parent asks ({reps}) and answers with its times.
 */
async function runChild(contestant, corpusName, options) {
  const run = await loadRunner(contestant, options)
  const [corpus] = buildCorpora([corpusName])
  const sample = createSampler(findGc().gc, options.clock)
  process.on('message', async ({reps}) => {
    const {result, ...times} = await sample(run, corpus.chunks, reps)
    process.send({times, failure: checkResult(corpus, contestant, result)})
  })
  process.send({corpus: describe(corpus), failure: checkResult(corpus, contestant, run(corpus.chunks))})
}

/** Starts the children of one corpus; resolves with a take(reps) for each contestant, and stop(). */
async function startChildren(corpusName, options) {
  const children = {}
  const takers = {}
  let corpus
  for (const contestant of CONTESTANTS) {
    const child = fork(fileURLToPath(import.meta.url), process.argv.slice(2), {
      execArgv: ['--expose-gc'],
      env: {...process.env, [CHILD]: JSON.stringify([contestant, corpusName])},
    })
    children[contestant] = child
    const next = () =>
      new Promise((resolve, reject) => {
        const onExit = (code) => reject(new Error(`the ${contestant} process for ${corpusName} exited (${code})`))
        child.once('exit', onExit)
        child.once('message', (message) => {
          child.off('exit', onExit)
          resolve(message)
        })
      })
    const ready = await next()
    if (ready.failure) fail(`${corpusName}: ${ready.failure}`)
    corpus = ready.corpus
    takers[contestant] = async (reps) => {
      const answer = next()
      child.send({reps})
      const {times, failure} = await answer
      if (failure) fail(`${corpusName}: ${failure}`)
      return times
    }
  }
  const stop = () => Object.values(children).forEach((child) => child.kill())
  return {corpus, takers, stop}
}

/** The same in this process (--one-process): every contestant and every corpus side by side. */
async function inProcess(corpora, options) {
  const sample = createSampler(findGc().gc, options.clock)
  const runners = {}
  for (const contestant of CONTESTANTS) runners[contestant] = await loadRunner(contestant, options, contestant)
  for (const corpus of corpora) {
    for (const contestant of CONTESTANTS) {
      const failure = checkResult(corpus, contestant, runners[contestant](corpus.chunks))
      if (failure) fail(`${corpus.name}: ${failure}`)
    }
  }
  return (corpus) =>
    Object.fromEntries(
      CONTESTANTS.map((contestant) => [
        contestant,
        async (reps) => {
          const {result, ...times} = await sample(runners[contestant], corpus.chunks, reps)
          const failure = checkResult(corpus, contestant, result)
          if (failure) fail(`${corpus.name}: ${failure}`)
          return times
        },
      ]),
    )
}

/**
 * Warms every contestant up on one corpus (at least `warmup.runs` runs and `warmup.ms` milliseconds),
 * then takes the timed rounds, the contestants in an order rotated by the round. Returns the samples
 * ({ns, wallNs, cpuNs} per contestant).
 */
async function measureCorpus(name, takers, {warmup, rounds}, firstRound = 0) {
  const reps = {}
  for (const contestant of CONTESTANTS) {
    progress(`  warming up ${name}: ${contestant}`)
    let lastNs = 0
    for (let runs = 0, spentNs = 0; runs < warmup.runs || spentNs < warmup.ms * 1e6; runs++) {
      lastNs = (await takers[contestant](1)).ns
      spentNs += lastNs
    }
    reps[contestant] = Math.min(MAX_REPS, Math.ceil((MIN_SAMPLE_MS * 1e6) / lastNs))
  }
  const samples = Object.fromEntries(CONTESTANTS.map((contestant) => [contestant, {ns: [], wallNs: [], cpuNs: []}]))
  for (let round = firstRound; round < firstRound + rounds; round++) {
    progress(`${name}: round ${round + 1}`)
    for (const contestant of rotated(CONTESTANTS, round)) {
      const times = await takers[contestant](reps[contestant])
      for (const [clock, ns] of Object.entries(times)) samples[contestant][clock].push(ns)
    }
  }
  return samples
}

/** Median throughput, and half the interquartile range of the times relative to the median (the noise). */
function summarize(corpus, {ns, wallNs, cpuNs}) {
  const medianNs = median(ns)
  return {
    mbPerSecond: corpus.bytes / MB / (medianNs / 1e9),
    medianMs: medianNs / 1e6,
    spread: spread(ns),
    wallMs: toMs(wallNs),
    cpuMs: toMs(cpuNs),
  }
}

function geometricMean(values) {
  return Math.exp(values.reduce((sum, value) => sum + Math.log(value), 0) / values.length)
}

function analyze(corpora, samples) {
  const throughput = {}
  for (const corpus of corpora) {
    throughput[corpus.name] = {}
    for (const contestant of CONTESTANTS) {
      throughput[corpus.name][contestant] = summarize(corpus, samples[corpus.name][contestant])
    }
  }
  // Speed ratios, so time(baseline) / time(contestant), with their spread over the rounds.
  const speedup = (corpus, contestant, baseline) =>
    ratioSummary(samples[corpus][baseline].ns, samples[corpus][contestant].ns)
  const ratios = {}
  for (const {name} of corpora) {
    ratios[name] = {
      nodeVsEventsourceParser: speedup(name, NODE, PEER),
      browserVsEventsourceParser: speedup(name, BROWSER, PEER),
      readerVsEventsourceParser: speedup(name, READER, PEER),
      nodeVsFloor: speedup(name, NODE, 'floor'),
    }
  }
  const goals = []
  for (const {name} of corpora.filter((c) => c.small)) {
    const node = ratios[name].nodeVsEventsourceParser.median
    const browser = ratios[name].browserVsEventsourceParser.median
    goals.push({what: `${NODE} / ${PEER}, ${name}`, value: node, goal: GOAL_NODE, met: node >= GOAL_NODE})
    goals.push({what: `${BROWSER} / ${PEER}, ${name}`, value: browser, goal: GOAL_BROWSER, met: browser >= GOAL_BROWSER})
    const reader = ratios[name].readerVsEventsourceParser.median
    goals.push({what: `${READER} / ${PEER}, ${name}`, value: reader, goal: GOAL_BROWSER, met: reader >= GOAL_BROWSER})
  }
  const ran = (name) => ratios[name] !== undefined
  if (!GEOMEAN_CORPORA.every(ran) || !ran('1mb-line') || !ran('10mb-line')) return {throughput, ratios, goals}
  const geomeanValue = geometricMean(GEOMEAN_CORPORA.map((name) => ratios[name].nodeVsEventsourceParser.median))
  const geomean = {
    of: `${NODE} / ${PEER}`,
    corpora: GEOMEAN_CORPORA,
    value: geomeanValue,
    goal: GOAL_GEOMEAN,
    met: geomeanValue >= GOAL_GEOMEAN,
  }
  const linearity = {}
  for (const contestant of CONTESTANTS) {
    const small = samples['1mb-line'][contestant]
    const large = samples['10mb-line'][contestant]
    const ratio = pairedRatio(large.ns, small.ns)
    // The goal is streamsource's; the other contestants' ratios are there for reference.
    const met = contestant.includes('build') ? ratio <= GOAL_LINEARITY : null
    const ms1mb = throughput['1mb-line'][contestant].medianMs
    const ms10mb = throughput['10mb-line'][contestant].medianMs
    linearity[contestant] = {ms1mb, ms10mb, ratio, goal: GOAL_LINEARITY, met}
  }
  return {throughput, ratios, goals, geomean, linearity}
}

// ---------------------------------------------------------------------------------------------------------
// Reporting

function formatNumber(value) {
  if (value >= 100) return value.toFixed(0)
  if (value >= 10) return value.toFixed(1)
  return value.toFixed(2)
}

/** The gc line of the report, worded as before findGc() moved to common.mjs, so that old reports compare. */
function gcNote(gc, how) {
  if (gc === undefined) return how
  return how === '--expose-gc' ? 'minor gc before each sample (--expose-gc)' : 'minor gc before each sample'
}

function environment(streamsource, browserBuild, options, gcHow) {
  return {
    ...machine(streamsource),
    browserBuild: browserBuild.label,
    eventsourceParser: packageVersion('eventsource-parser'),
    rounds: options.rounds,
    processes: options.oneProcess
      ? 'all contestants and corpora in one process (--one-process)'
      : `a process per contestant and corpus, ${options.processSets} sets of them per corpus sharing its rounds`,
    only: options.only,
    warmup: options.warmup,
    clock:
      options.clock === 'wall'
        ? 'wall time of the runs (hrtime)'
        : 'CPU time of the process (cpuUsage), not wall time; includes the GC work left after the runs',
    gc: gcHow,
  }
}

function printReport(env, corpora, results) {
  const {say, print} = startReport(
    'streamsource parser benchmark (bench/parse.mjs)',
    env,
    `streamsource: node build ${env.streamsource}, browser build ${env.browserBuild}; eventsource-parser ${env.eventsourceParser}`,
  )
  say(
    `${env.rounds} timed rounds, each set of processes after a warm-up of at least ${env.warmup.runs} runs and ` +
      `${env.warmup.ms} ms per corpus and contestant; ${env.gc}`,
  )
  say(`clock: ${env.clock}`)
  say(`processes: ${env.processes}`)
  say()
  say('Corpora')
  say(
    table([
      ['corpus', 'input', 'chunks', 'events', 'B/event', 'chunking'],
      ...corpora.map((c) => [
        c.name,
        `${(c.bytes / MB).toFixed(2)} MB`,
        c.chunks.toLocaleString('en'),
        c.events.toLocaleString('en'),
        c.meanEventBytes.toLocaleString('en'),
        c.chunking,
      ]),
    ]),
  )
  say()
  say('Throughput, MB/s (10^6 input bytes per second; median of the rounds, +- half the interquartile range)')
  say(
    table([
      ['corpus', ...CONTESTANTS],
      ...corpora.map((c) =>
        [c.name].concat(
          CONTESTANTS.map((name) => {
            const cell = results.throughput[c.name][name]
            return `${formatNumber(cell.mbPerSecond)} +-${Math.round(cell.spread * 100)}%`
          }),
        ),
      ),
    ]),
  )
  say()
  say('Speed ratios (esp = eventsource-parser; > 1 means streamsource is faster): the median over the rounds of')
  say('that round\'s ratio (the two ran back to back, so machine noise mostly cancels), in brackets the')
  say('interquartile range of those ratios')
  say(
    table([
      ['corpus', 'node build / esp', 'browser build / esp', 'browser reader / esp', 'node build / floor'],
      ...corpora.map((c) => {
        const r = results.ratios[c.name]
        return [
          c.name,
          timesWithSpread(r.nodeVsEventsourceParser),
          timesWithSpread(r.browserVsEventsourceParser),
          timesWithSpread(r.readerVsEventsourceParser),
          timesWithSpread(r.nodeVsFloor),
        ]
      }),
    ]),
  )
  say()
  if (results.goals.length > 0) {
    say('Goals on every small-event corpus (the median ratio)')
    for (const g of results.goals) say(`  ${g.what}: ${times(g.value)}   goal >= ${times(g.goal)}: ${goalStatus(g.met)}`)
    say()
  }
  const {geomean} = results
  if (geomean === undefined) {
    say('(--only: no geometric mean or linearity ratio, which need all the corpora)')
    return print()
  }
  say(`Geometric mean of ${geomean.of} over ${geomean.corpora.join(', ')}:`)
  say(`  ${times(geomean.value)}   goal >= ${times(geomean.goal)}: ${goalStatus(geomean.met)}`)
  say()
  say(`Linearity: time(10mb-line) / time(1mb-line), median of the rounds' ratios; linear time is 10x,`)
  say(`goal <= ${GOAL_LINEARITY}x`)
  say(
    table([
      ['contestant', '1mb-line ms', '10mb-line ms', 'ratio', ''],
      ...CONTESTANTS.map((name) => {
        const l = results.linearity[name]
        const status = l.met === null ? '(reference)' : goalStatus(l.met)
        return [name, l.ms1mb.toFixed(1), l.ms10mb.toFixed(1), `${l.ratio.toFixed(1)}x`, status]
      }),
    ]),
  )
  print()
}

function printJson(env, corpora, results) {
  const json = {
    ...env,
    unit: 'MB/s = 10^6 input bytes per second',
    corpora,
    ...results,
  }
  console.log(JSON.stringify(json, null, 2))
}

// ---------------------------------------------------------------------------------------------------------

async function main() {
  const options = readOptions()
  const child = process.env[CHILD]
  if (child !== undefined) return runChild(...JSON.parse(child), options)
  const streamsource = await loadStreamsource(options.module, 'createParser')
  const browserBuild = await loadStreamsource(options.browserModule, 'createParser')
  const {gc, how: gcHow} = findGc()
  const env = environment(streamsource, browserBuild, options, gcNote(gc, gcHow))
  const names = CORPUS_NAMES.filter((name) => (options.only ?? CORPUS_NAMES).includes(name))
  const corpora = []
  const samples = {}
  if (options.oneProcess) {
    progress('generating corpora, checking what each parser reports')
    const built = buildCorpora(names)
    const takersOf = await inProcess(built, options)
    for (const corpus of built) {
      corpora.push(describe(corpus))
      samples[corpus.name] = await measureCorpus(corpus.name, takersOf(corpus), options)
    }
  } else {
    for (const name of names) {
      // The rounds are shared out among several sets of processes: how fast a process runs a parser
      // depends on what its JIT made of it, which can differ from one process to the next (the Node build
      // on llm-tokens-each: 1.47x eventsource-parser in one run, 1.19x in the next, each with a tight
      // spread), so the spread of the rounds shows that too.
      for (let set = 0; set < options.processSets; set++) {
        progress(`${name}: starting a process for each contestant (set ${set + 1} of ${options.processSets})`)
        const {corpus, takers, stop} = await startChildren(name, options)
        try {
          if (set === 0) corpora.push(corpus)
          const rounds = Math.ceil((options.rounds * (set + 1)) / options.processSets) - Math.ceil((options.rounds * set) / options.processSets)
          const taken = await measureCorpus(name, takers, {...options, rounds}, Math.ceil((options.rounds * set) / options.processSets))
          if (set === 0) samples[name] = taken
          else for (const [contestant, clocks] of Object.entries(taken)) for (const [clock, list] of Object.entries(clocks)) samples[name][contestant][clock].push(...list)
        } finally {
          stop()
        }
      }
    }
  }
  progress('')
  const results = analyze(corpora, samples)
  if (options.json) printJson(env, corpora, results)
  else printReport(env, corpora, results)
}

await main()
