// Throughput of the streaming text/event-stream parser: streamsource's createParser (loaded from dist/,
// so build first; `npm run bench` does) against eventsource-parser, and against a "floor" that only
// decodes UTF-8 and finds the line ends, which every parser has to do. The inputs are deterministic
// corpora delivered the way bytes come off the network: as arrays of Uint8Array chunks.
//
//   node bench/parse.mjs [--quick] [--json] [--wall] [--rounds N] [--only a,b] [--module path/to/index.js]
//
// --quick     fewer warm-up runs and rounds: a rough figure in about 20 s instead of about a minute
// --json      print the results as JSON on stdout (progress still goes to stderr)
// --wall      time with the wall clock instead of the process's CPU time (see createSampler)
// --rounds N  timed rounds per corpus and contestant (default 16, 4 with --quick)
// --only a,b  only these corpora (a development aid: the geometric mean and the linearity ratio are
//             only reported when all the corpora they need ran)
// --module    load createParser from another build of streamsource instead of dist/node/index.js (what
//             `import 'streamsource'` gives in Node)
//
// It is a measurement, not a test: the exit code is 0 whether or not the goals are met. It is 1 only
// when a parser reports the wrong events (or streamsource cannot be loaded), since then the figures
// would compare different work.
import {createParser as createEventsourceParser} from 'eventsource-parser'
import {
  TOKENS,
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
  pick,
  progress,
  readArgs,
  rotated,
  seededRandom,
  spread,
  startReport,
  table,
  times,
  toMs,
} from './common.mjs'

const USAGE =
  'usage: node bench/parse.mjs [--quick] [--json] [--wall] [--rounds N] [--only corpus,...] [--module path/index.js]'

const KiB = 1024
const MiB = 1024 * KiB
const MB = 1e6 // the throughput unit: MB/s is 10^6 input bytes per second
const GOAL_GEOMEAN = 1.5 // streamsource (bytes) / eventsource-parser, geometric mean over the corpora
const GOAL_LINEARITY = 12 // time(10mb-line) / time(1mb-line); linear time would be 10
const MIN_SAMPLE_MS = 30 // short runs are repeated within one sample so timer and scheduler jitter stay small
const MAX_REPS = 20

const CONTESTANTS = ['floor', 'eventsource-parser', 'streamsource (bytes)', 'streamsource (string)']

// ---------------------------------------------------------------------------------------------------------
// Options

function readOptions() {
  const values = readArgs(
    {rounds: {type: 'string'}, wall: {type: 'boolean', default: false}, only: {type: 'string'}},
    USAGE,
  )
  const rounds = integerOption(values, 'rounds', values.quick ? 4 : 16, USAGE)
  // V8 needed 3-5 runs of a corpus before eventsource-parser's times settled, hence a generous warm-up.
  const warmup = values.quick ? {runs: 2, ms: 50} : {runs: 5, ms: 200}
  const only = values.only === undefined ? undefined : values.only.split(',').map((name) => name.trim())
  const unknown = only?.filter((name) => !CORPUS_NAMES.includes(name)) ?? []
  if (unknown.length > 0) usageError(`unknown corpus(es): ${unknown.join(', ')}; known: ${CORPUS_NAMES.join(', ')}`, USAGE)
  return {json: values.json, rounds, warmup, only, module: values.module, clock: values.wall ? 'wall' : 'cpu'}
}

// ---------------------------------------------------------------------------------------------------------
// Deterministic corpora

const randomInt = (random, min, max) => min + Math.floor(random() * (max - min + 1))

const WORDS = [
  'alpha', 'bravo', 'charlie', 'delta', 'echo', 'foxtrot', 'stream', 'event', 'parser', 'buffer', 'chunk',
  'update', 'status', 'value', 'network', 'latency', 'reconnect', 'retry', 'message', 'payload', 'id',
]
// Mostly 3-byte (kana, kanji) and 4-byte (emoji, astral: two UTF-16 units) characters, some 2-byte ones.
const MULTIBYTE_WORDS = [
  'こんにちは', '世界', 'ストリーム', '解析器', 'イベント', '東京', 'データ', '接続', '再試行', '日本語',
  '😀', '🎉', '🚀', '👍🏽', '❤️', '🇯🇵', '𝔘𝔫𝔦𝔠𝔬𝔡𝔢', 'café', 'naïve', 'über', 'señor', 'Ελληνικά', 'Привет', 'ok',
]
const EVENT_TYPES = ['update', 'message', 'patch', 'status']
const NOISE_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'

function sentence(random, vocabulary, minLength, maxLength) {
  const target = randomInt(random, minLength, maxLength)
  let text = pick(random, vocabulary)
  while (text.length < target) text += ` ${pick(random, vocabulary)}`
  return text
}

/** `length` random base64 characters: a large payload with no line ends in it. */
function noise(random, length) {
  const bytes = new Uint8Array(length)
  for (let i = 0; i < length; i++) bytes[i] = NOISE_ALPHABET.charCodeAt((random() * 64) | 0)
  return new TextDecoder().decode(bytes)
}

/**
 * Writes events ({id?, event?, data: lines[]}) as text/event-stream with line end `eol`. Returns the
 * text, the character offset where each event ends, and what a correct parser reports: the number of
 * events and the total length of their `data` (the lines joined with '\n').
 */
function serializeEvents(events, eol = '\n') {
  const parts = []
  const ends = []
  let offset = 0
  let dataLength = 0
  for (const event of events) {
    let text = ''
    if (event.id !== undefined) text += `id: ${event.id}${eol}`
    if (event.event !== undefined) text += `event: ${event.event}${eol}`
    for (const line of event.data) text += `data: ${line}${eol}`
    text += eol
    parts.push(text)
    offset += text.length
    ends.push(offset)
    dataLength += event.data.join('\n').length
  }
  return {text: parts.join(''), ends, events: events.length, dataLength}
}

/** Cuts `bytes` at the increasing offsets `cuts`: views of one buffer, like pooled socket reads. */
function sliceAt(bytes, cuts) {
  const chunks = []
  let start = 0
  for (const cut of cuts) {
    chunks.push(bytes.subarray(start, cut))
    start = cut
  }
  if (start < bytes.length) chunks.push(bytes.subarray(start))
  return chunks
}

function everyNBytes(length, size) {
  const cuts = []
  for (let cut = size; cut < length; cut += size) cuts.push(cut)
  return cuts
}

function countLineEndBytes(chunks) {
  let count = 0
  for (const chunk of chunks) {
    for (let i = 0; i < chunk.length; i++) if (chunk[i] === 10 || chunk[i] === 13) count++
  }
  return count
}

/** A corpus: its chunks, and what a correct parser reports for them (`expected`, see serializeEvents). */
function corpus(name, chunking, chunks, expected) {
  return {
    name,
    chunking,
    bytes: chunks.reduce((sum, chunk) => sum + chunk.length, 0),
    chunks,
    events: expected.events,
    dataLength: expected.dataLength,
    lineEnds: countLineEndBytes(chunks),
  }
}

/** Chat-completion style: one small JSON `data:` event per token, a few events per network read. */
function llmTokensCorpus() {
  const random = seededRandom(1)
  const events = []
  for (let size = 0; size < 6 * MB; ) {
    const token = pick(random, TOKENS)
    const data = `{"id":"c1","choices":[{"index":0,"delta":{"content":"${token}"}}]}`
    events.push({data: [data]})
    size += data.length + 8
  }
  events.push({data: ['[DONE]']})
  const serialized = serializeEvents(events)
  const bytes = new TextEncoder().encode(serialized.text) // ASCII: character offsets are byte offsets
  const cuts = []
  let midEvent = 0
  for (let i = 0; ; ) {
    i += randomInt(random, 1, 8)
    if (i >= serialized.ends.length) break
    let cut = serialized.ends[i - 1]
    // About one read in four ends inside an event, as TCP segments pay no attention to event boundaries.
    if (random() < 0.25) {
      cut += randomInt(random, 1, serialized.ends[i] - cut - 1)
      midEvent++
    }
    cuts.push(cut)
  }
  const chunking = `1-8 events per read, ${percent(midEvent, cuts.length)} of reads end mid-event`
  return corpus('llm-tokens', chunking, sliceAt(bytes, cuts), serialized)
}

/** A notification feed: id, event type and 3-5 data lines per event. */
function feedEvents(random, targetBytes) {
  const events = []
  for (let size = 0, id = 1; size < targetBytes; id++) {
    const data = [`{"id":${id},"type":"${pick(random, WORDS)}",`]
    const lines = randomInt(random, 3, 5)
    for (let line = 1; line < lines - 1; line++) {
      data.push(` "${pick(random, WORDS)}":"${sentence(random, WORDS, 40, 160)}",`)
    }
    data.push(` "end":true}`)
    events.push({id: String(id), event: pick(random, EVENT_TYPES), data})
    size += data.join('').length + 30 + 7 * lines
  }
  return events
}

function feedCorpus() {
  const serialized = serializeEvents(feedEvents(seededRandom(2), 6 * MB))
  const bytes = new TextEncoder().encode(serialized.text)
  return corpus('feed', '16 KiB reads', sliceAt(bytes, everyNBytes(bytes.length, 16 * KiB)), serialized)
}

/** The feed with CRLF line ends, read ~16 KiB at a time, every third read ending between \r and \n. */
function crlfCorpus() {
  const serialized = serializeEvents(feedEvents(seededRandom(3), 6 * MB), '\r\n')
  const bytes = new TextEncoder().encode(serialized.text)
  const cuts = []
  for (let cut = 16 * KiB, n = 0; cut < bytes.length; cut += 16 * KiB, n++) {
    if (n % 3 === 2) {
      const cr = bytes.indexOf(13, cut)
      if (cr === -1 || cr + 1 >= bytes.length) break
      cut = cr + 1
    }
    cuts.push(cut)
  }
  const split = cuts.filter((cut) => bytes[cut - 1] === 13 && bytes[cut] === 10).length
  const chunking = `~16 KiB reads, ${split} of ${cuts.length} cuts between \\r and \\n`
  return corpus('crlf', chunking, sliceAt(bytes, cuts), serialized)
}

/** Japanese, emoji and accented text, read in random sizes that mostly split a character. */
function multibyteCorpus() {
  const random = seededRandom(4)
  const events = []
  for (let size = 0, id = 1; size < 2.5 * MB; id++) {
    const lines = randomInt(random, 1, 3)
    const data = []
    for (let line = 0; line < lines; line++) data.push(sentence(random, MULTIBYTE_WORDS, 20, 120))
    events.push({id: String(id), event: 'message', data})
    size += data.join('').length
  }
  const serialized = serializeEvents(events)
  const bytes = new TextEncoder().encode(serialized.text)
  const cuts = []
  for (let cut = 0; ; ) {
    cut += randomInt(random, 256, 4 * KiB)
    if (cut >= bytes.length) break
    cuts.push(cut)
  }
  // A UTF-8 continuation byte (10xxxxxx) right after a cut means the cut split a character.
  const split = cuts.filter((cut) => (bytes[cut] & 0xc0) === 0x80).length
  const chunking = `256 B-4 KiB reads, ${split} of ${cuts.length} cuts inside a character`
  return corpus('multibyte', chunking, sliceAt(bytes, cuts), serialized)
}

/** A few events whose single data line is 1 MiB, read 64 KiB at a time. */
function largeEventsCorpus() {
  const random = seededRandom(5)
  const events = []
  for (let id = 1; id <= 8; id++) events.push({id: String(id), event: 'blob', data: [noise(random, MiB)]})
  const serialized = serializeEvents(events)
  const bytes = new TextEncoder().encode(serialized.text)
  const chunks = sliceAt(bytes, everyNBytes(bytes.length, 64 * KiB))
  return corpus('1mb-events', '64 KiB reads', chunks, serialized)
}

/** One `data:` line of `size` bytes read 64 bytes at a time: any rescanning of the pending line shows. */
function longLineCorpus(name, size) {
  const serialized = serializeEvents([{data: [noise(seededRandom(6), size)]}])
  const bytes = new TextEncoder().encode(serialized.text)
  return corpus(name, '64 B reads', sliceAt(bytes, everyNBytes(bytes.length, 64)), serialized)
}

const CORPORA = {
  'llm-tokens': llmTokensCorpus,
  'feed': feedCorpus,
  '1mb-events': largeEventsCorpus,
  'crlf': crlfCorpus,
  'multibyte': multibyteCorpus,
  '10mb-line': () => longLineCorpus('10mb-line', 10 * MiB),
  '1mb-line': () => longLineCorpus('1mb-line', MiB),
}
const CORPUS_NAMES = Object.keys(CORPORA)

/** All the corpora, or those --only names (in the usual order). */
function buildCorpora(only = CORPUS_NAMES) {
  return CORPUS_NAMES.filter((name) => only.includes(name)).map((name) => CORPORA[name]())
}

// The 1mb-line corpus only exists as the denominator of the linearity ratio.
const GEOMEAN_CORPORA = ['llm-tokens', 'feed', '1mb-events', 'crlf', 'multibyte', '10mb-line']

// ---------------------------------------------------------------------------------------------------------
// Contestants. Each is its own function (none made by a shared factory) so that V8 keeps separate type
// feedback for each: one shared `parser.feed(...)` call site seeing several parsers would go polymorphic
// and slow every contestant down.

/**
 * What a parser reports: the number of events, and their data lengths so that no work is skipped.
 * Reading the last character makes V8 flatten a data string built as a rope, so a parser cannot
 * look fast by leaving that copy to whoever reads the event.
 */
function createTally() {
  const tally = {events: 0, dataLength: 0, lastChar: 0}
  const onEvent = (event) => {
    tally.events++
    tally.dataLength += event.data.length
    tally.lastChar ^= event.data.charCodeAt(event.data.length - 1) | 0
  }
  return {tally, onEvent}
}

function countLineEnds(text) {
  let count = 0
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) count++
  for (let i = text.indexOf('\r'); i !== -1; i = text.indexOf('\r', i + 1)) count++
  return count
}

/** The cost any parser pays: decode the UTF-8 and find every line end. No lines, no events. */
function runFloor(chunks) {
  const decoder = new TextDecoder()
  let lineEnds = 0
  for (let i = 0; i < chunks.length; i++) lineEnds += countLineEnds(decoder.decode(chunks[i], {stream: true}))
  lineEnds += countLineEnds(decoder.decode())
  return {lineEnds}
}

function runEventsourceParser(chunks) {
  const {tally, onEvent} = createTally()
  const parser = createEventsourceParser({onEvent})
  const decoder = new TextDecoder()
  for (let i = 0; i < chunks.length; i++) parser.feed(decoder.decode(chunks[i], {stream: true}))
  const rest = decoder.decode()
  if (rest) parser.feed(rest)
  return tally
}

function streamsourceRunners(createParser) {
  function runStreamsourceBytes(chunks) {
    const {tally, onEvent} = createTally()
    const parser = createParser({onEvent})
    for (let i = 0; i < chunks.length; i++) parser.feed(chunks[i])
    return tally
  }

  function runStreamsourceString(chunks) {
    const {tally, onEvent} = createTally()
    const parser = createParser({onEvent})
    const decoder = new TextDecoder()
    for (let i = 0; i < chunks.length; i++) parser.feed(decoder.decode(chunks[i], {stream: true}))
    const rest = decoder.decode()
    if (rest) parser.feed(rest)
    return tally
  }

  return {bytes: runStreamsourceBytes, string: runStreamsourceString}
}

/** null when `result` is what a correct run over `corpus` reports, else what went wrong. */
function checkResult(corpus, contestant, result) {
  if (contestant === 'floor') {
    if (result.lineEnds === corpus.lineEnds) return null
    return `floor counted ${result.lineEnds} line ends, the corpus has ${corpus.lineEnds}`
  }
  if (result.events === corpus.events && result.dataLength === corpus.dataLength) return null
  return (
    `${contestant} reported ${result.events} events with ${result.dataLength} characters of data; ` +
    `the corpus has ${corpus.events} events with ${corpus.dataLength}`
  )
}

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
 * Runs every contestant once on every corpus and exits if any reports the wrong events. The failures
 * are printed as they are found: a parser that is quadratic on long lines would take minutes on the
 * 10mb-line, which comes last.
 */
function checkAll(corpora, runners) {
  let failures = 0
  for (const corpus of corpora) {
    for (const contestant of CONTESTANTS) {
      progress(`  checking ${corpus.name}: ${contestant}`)
      const failure = checkResult(corpus, contestant, runners[contestant](corpus.chunks))
      if (failure) {
        progress('')
        console.error(`bench: ${corpus.name}: ${failure}`)
        failures++
      }
    }
  }
  if (failures > 0) fail(`${failures} wrong result(s)`)
}

/**
 * Warms every contestant up on every corpus (at least `warmup.runs` runs and `warmup.ms` milliseconds).
 * Returns how many runs make up one timed sample, per corpus and contestant.
 */
async function warmUp(corpora, runners, warmup, sample) {
  const reps = {}
  for (const corpus of corpora) {
    reps[corpus.name] = {}
    for (const contestant of CONTESTANTS) {
      progress(`  warming up ${corpus.name}: ${contestant}`)
      let lastNs = 0
      for (let runs = 0, spentNs = 0; runs < warmup.runs || spentNs < warmup.ms * 1e6; runs++) {
        lastNs = (await sample(runners[contestant], corpus.chunks, 1)).ns
        spentNs += lastNs
      }
      reps[corpus.name][contestant] = Math.min(MAX_REPS, Math.ceil((MIN_SAMPLE_MS * 1e6) / lastNs))
    }
  }
  return reps
}

/** Timed rounds, each visiting every corpus with the contestants in an order rotated by the round. */
async function timeRounds(corpora, runners, reps, rounds, sample) {
  const samples = {}
  for (const corpus of corpora) {
    const empty = () => ({ns: [], wallNs: [], cpuNs: []})
    samples[corpus.name] = Object.fromEntries(CONTESTANTS.map((name) => [name, empty()]))
  }
  for (let round = 0; round < rounds; round++) {
    progress(`round ${round + 1}/${rounds}`)
    for (const corpus of corpora) {
      for (const contestant of rotated(CONTESTANTS, round)) {
        const runs = reps[corpus.name][contestant]
        const {result, ...times} = await sample(runners[contestant], corpus.chunks, runs)
        const failure = checkResult(corpus, contestant, result)
        if (failure) fail(`${corpus.name}: ${failure}`)
        for (const [clock, ns] of Object.entries(times)) samples[corpus.name][contestant][clock].push(ns)
      }
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
  // Speed ratios, so time(baseline) / time(contestant).
  const speedup = (corpus, contestant, baseline) =>
    pairedRatio(samples[corpus][baseline].ns, samples[corpus][contestant].ns)
  const ratios = {}
  for (const {name} of corpora) {
    ratios[name] = {
      bytesVsEventsourceParser: speedup(name, 'streamsource (bytes)', 'eventsource-parser'),
      stringVsEventsourceParser: speedup(name, 'streamsource (string)', 'eventsource-parser'),
      bytesVsFloor: speedup(name, 'streamsource (bytes)', 'floor'),
      stringVsFloor: speedup(name, 'streamsource (string)', 'floor'),
    }
  }
  const ran = (name) => ratios[name] !== undefined
  if (!GEOMEAN_CORPORA.every(ran) || !ran('1mb-line') || !ran('10mb-line')) return {throughput, ratios}
  const geomeanValue = geometricMean(GEOMEAN_CORPORA.map((name) => ratios[name].bytesVsEventsourceParser))
  const geomean = {
    of: 'streamsource (bytes) / eventsource-parser',
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
    const met = contestant.startsWith('streamsource') ? ratio <= GOAL_LINEARITY : null
    const ms1mb = throughput['1mb-line'][contestant].medianMs
    const ms10mb = throughput['10mb-line'][contestant].medianMs
    linearity[contestant] = {ms1mb, ms10mb, ratio, goal: GOAL_LINEARITY, met}
  }
  return {throughput, ratios, geomean, linearity}
}

// ---------------------------------------------------------------------------------------------------------
// Reporting

function formatNumber(value) {
  if (value >= 100) return value.toFixed(0)
  if (value >= 10) return value.toFixed(1)
  return value.toFixed(2)
}

const percent = (part, whole) => `${Math.round((100 * part) / whole)}%`

/** The gc line of the report, worded as before findGc() moved to common.mjs, so that old reports compare. */
function gcNote(gc, how) {
  if (gc === undefined) return how
  return how === '--expose-gc' ? 'minor gc before each sample (--expose-gc)' : 'minor gc before each sample'
}

function environment(streamsource, options, gcHow) {
  return {
    ...machine(streamsource),
    eventsourceParser: packageVersion('eventsource-parser'),
    rounds: options.rounds,
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
    `streamsource from ${env.streamsource}, eventsource-parser ${env.eventsourceParser}`,
  )
  say(
    `${env.rounds} timed rounds, each after a warm-up of at least ${env.warmup.runs} runs and ` +
      `${env.warmup.ms} ms per corpus and contestant; ${env.gc}`,
  )
  say(`clock: ${env.clock}`)
  say()
  say('Corpora')
  say(
    table([
      ['corpus', 'input', 'chunks', 'events', 'chunking'],
      ...corpora.map((c) => [
        c.name,
        `${(c.bytes / MB).toFixed(2)} MB`,
        c.chunks.length.toLocaleString('en'),
        c.events.toLocaleString('en'),
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
  say('Speed ratios (esp = eventsource-parser; > 1 means streamsource is faster), each the median over the')
  say('rounds of that round\'s ratio: the two contestants ran back to back, so machine noise mostly cancels')
  say(
    table([
      ['corpus', 'bytes / esp', 'string / esp', 'bytes / floor', 'string / floor'],
      ...corpora.map((c) => {
        const r = results.ratios[c.name]
        return [
          c.name,
          times(r.bytesVsEventsourceParser),
          times(r.stringVsEventsourceParser),
          times(r.bytesVsFloor),
          times(r.stringVsFloor),
        ]
      }),
    ]),
  )
  say()
  const {geomean} = results
  if (geomean === undefined) {
    say('(--only: no geometric mean or linearity ratio, which need all the corpora)')
    return print()
  }
  say(`Geometric mean of streamsource (bytes) / eventsource-parser over ${geomean.corpora.join(', ')}:`)
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
    corpora: corpora.map(({chunks, ...c}) => ({...c, chunks: chunks.length})),
    ...results,
  }
  console.log(JSON.stringify(json, null, 2))
}

// ---------------------------------------------------------------------------------------------------------

async function main() {
  const options = readOptions()
  const streamsource = await loadStreamsource(options.module, 'createParser')
  const {gc, how: gcHow} = findGc()
  const env = environment(streamsource, options, gcNote(gc, gcHow))
  const {bytes, string} = streamsourceRunners(streamsource.createParser)
  const runners = {
    'floor': runFloor,
    'eventsource-parser': runEventsourceParser,
    'streamsource (bytes)': bytes,
    'streamsource (string)': string,
  }

  progress('generating corpora')
  const corpora = buildCorpora(options.only)
  progress('checking what each parser reports')
  checkAll(corpora, runners)
  progress('warming up')
  const sample = createSampler(gc, options.clock)
  const reps = await warmUp(corpora, runners, options.warmup, sample)
  const samples = await timeRounds(corpora, runners, reps, options.rounds, sample)
  progress('')
  const results = analyze(corpora, samples)
  if (options.json) printJson(env, corpora, results)
  else printReport(env, corpora, results)
}

await main()
