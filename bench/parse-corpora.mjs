// The parser benchmark's corpora and contestants, shared by bench/parse.mjs (in Node) and
// bench/parse-browser.mjs (the same in Chromium): plain JavaScript with no Node imports, so that the
// page imports this very file. The corpora are deterministic (seeded), delivered the way bytes come off
// the network: arrays of Uint8Array views of one buffer.

const KiB = 1024
const MiB = 1024 * KiB
const MB = 1e6

// ---------------------------------------------------------------------------------------------------------
// Seeded randomness (bench/common.mjs passes these on to bench/sse-server.mjs)

/** mulberry32: a tiny seeded PRNG, so every run on every machine benchmarks the same bytes. */
export function seededRandom(seed) {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

export const pick = (random, list) => list[Math.floor(random() * list.length)]

/** The content of the llm-tokens corpora, one token an event. */
export const TOKENS = [
  ' the', ' a', ' stream', ' of', ' events', ',', '.', ' parser', ' is', ' fast', ' and', ' data', ' line',
  ' to', ' in', ' server', ' sent', ' chunk', ' model', ' token', 'ing', ' response', '\\n', ' JSON', ' it',
]

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

const percent = (part, whole) => `${Math.round((100 * part) / whole)}%`

// ---------------------------------------------------------------------------------------------------------
// Writing and cutting streams

/**
 * Writes events ({id?, event?, comment?, retry?, data: lines[]}) as text/event-stream with line end `eol`
 * (a string, or a function of the line's index giving one). Returns the text, the character offset where
 * each event ends, and what a correct parser reports: the number of events and the total length of
 * their `data` (the lines joined with '\n').
 */
function serializeEvents(events, eol = '\n') {
  const lineEnd = typeof eol === 'function' ? eol : () => eol
  const parts = []
  const ends = []
  let offset = 0
  let dataLength = 0
  let lines = 0
  for (const event of events) {
    let text = ''
    if (event.comment !== undefined) text += `:${event.comment}${lineEnd(lines++)}`
    if (event.id !== undefined) text += `id: ${event.id}${lineEnd(lines++)}`
    if (event.event !== undefined) text += `event: ${event.event}${lineEnd(lines++)}`
    if (event.retry !== undefined) text += `retry: ${event.retry}${lineEnd(lines++)}`
    for (const line of event.data) text += `data: ${line}${lineEnd(lines++)}`
    text += lineEnd(lines++)
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
    if (cut > start) chunks.push(bytes.subarray(start, cut))
    start = Math.max(start, cut)
  }
  if (start < bytes.length) chunks.push(bytes.subarray(start))
  return chunks
}

function everyNBytes(length, size) {
  const cuts = []
  for (let cut = size; cut < length; cut += size) cuts.push(cut)
  return cuts
}

/** Cuts at random sizes in [min, max]. */
function randomCuts(random, length, min, max) {
  const cuts = []
  for (let cut = randomInt(random, min, max); cut < length; cut += randomInt(random, min, max)) cuts.push(cut)
  return cuts
}

function countLineEndBytes(chunks) {
  let count = 0
  for (const chunk of chunks) {
    for (let i = 0; i < chunk.length; i++) if (chunk[i] === 10 || chunk[i] === 13) count++
  }
  return count
}

/** Where the cuts fall: how many split a line, a CRLF, a UTF-8 character (for the corpus table). */
function describeCuts(bytes, chunks) {
  let midLine = 0
  let midCrlf = 0
  let midCharacter = 0
  let offset = 0
  for (const chunk of chunks.slice(0, -1)) {
    offset += chunk.length
    const before = bytes[offset - 1]
    const after = bytes[offset]
    if (before === 13 && after === 10) midCrlf++
    else if (before !== 10 && before !== 13) midLine++
    if ((after & 0xc0) === 0x80) midCharacter++
  }
  const cuts = Math.max(chunks.length - 1, 1)
  const parts = [`${percent(midLine, cuts)} mid-line`]
  if (midCrlf) parts.push(`${midCrlf} mid-CRLF`)
  if (midCharacter) parts.push(`${midCharacter} mid-character`)
  return parts.join(', ')
}

/** A corpus: its chunks, and what a correct parser reports for them (`expected`, see serializeEvents). */
function corpus(name, chunking, bytes, chunks, expected) {
  return {
    name,
    small: SMALL_EVENT_CORPORA.includes(name),
    chunking: `${chunking}; ${describeCuts(bytes, chunks)}`,
    bytes: bytes.length,
    chunks,
    events: expected.events,
    dataLength: expected.dataLength,
    meanEventBytes: Math.round(bytes.length / expected.events),
    lineEnds: countLineEndBytes(chunks),
  }
}

// ---------------------------------------------------------------------------------------------------------
// The corpora

/** Chat-completion style: one small JSON `data:` event per token. */
function llmTokenEvents(random) {
  const events = []
  for (let size = 0; size < 4 * MB; ) {
    const data = `{"id":"c1","choices":[{"index":0,"delta":{"content":"${pick(random, TOKENS)}"}}]}`
    events.push({data: [data]})
    size += data.length + 8
  }
  events.push({data: ['[DONE]']})
  return serializeEvents(events)
}

/** LLM tokens, 1-8 events a read, about one read in four ending inside an event. */
function llmTokensCorpus() {
  const random = seededRandom(1)
  const serialized = llmTokenEvents(random)
  const bytes = new TextEncoder().encode(serialized.text) // ASCII: character offsets are byte offsets
  const cuts = []
  for (let i = 0; ; ) {
    i += randomInt(random, 1, 8)
    if (i >= serialized.ends.length) break
    let cut = serialized.ends[i - 1]
    // TCP segments pay no attention to event boundaries.
    if (random() < 0.25) cut += randomInt(random, 1, serialized.ends[i] - cut - 1)
    cuts.push(cut)
  }
  const chunks = sliceAt(bytes, cuts)
  return corpus('llm-tokens', '1-8 events a read', bytes, chunks, serialized)
}

/** LLM tokens read 16 KiB at a time: a fast server, or a client that fell behind. */
function llmTokens16kCorpus() {
  const serialized = llmTokenEvents(seededRandom(11))
  const bytes = new TextEncoder().encode(serialized.text)
  const chunks = sliceAt(bytes, everyNBytes(bytes.length, 16 * KiB))
  return corpus('llm-tokens-16k', '16 KiB reads', bytes, chunks, serialized)
}

/** LLM tokens, one read per event: a server that flushes every token, read as it arrives. */
function llmTokensEachCorpus() {
  const serialized = llmTokenEvents(seededRandom(12))
  const bytes = new TextEncoder().encode(serialized.text)
  const chunks = sliceAt(bytes, serialized.ends)
  return corpus('llm-tokens-each', 'one read per event', bytes, chunks, serialized)
}

/** A notification feed: id, event type, and a JSON object of six `data:` lines per event. */
function feedEvents(random, targetBytes) {
  const events = []
  for (let size = 0, id = 1; size < targetBytes; id++) {
    const data = [`{"id":${id},"type":"${pick(random, WORDS)}",`]
    for (let line = 1; line < 5; line++) data.push(` "${pick(random, WORDS)}":"${sentence(random, WORDS, 10, 60)}",`)
    data.push(` "end":true}`)
    events.push({id: String(id), event: pick(random, EVENT_TYPES), data})
    size += data.join('').length + 60
  }
  return events
}

function feedCorpus() {
  const serialized = serializeEvents(feedEvents(seededRandom(2), 4 * MB))
  const bytes = new TextEncoder().encode(serialized.text)
  const chunks = sliceAt(bytes, everyNBytes(bytes.length, 16 * KiB))
  return corpus('feed', '16 KiB reads', bytes, chunks, serialized)
}

/** The feed with CRLF line ends, read ~16 KiB at a time, every third read ending between \r and \n. */
function crlfCorpus() {
  const serialized = serializeEvents(feedEvents(seededRandom(3), 4 * MB), '\r\n')
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
  return corpus('crlf', '~16 KiB reads', bytes, sliceAt(bytes, cuts), serialized)
}

/**
 * No single shape: events of 1 to 40 data lines of 0 to 300 characters (some of them accented or
 * Japanese), some with an id, an event type, a comment or a retry; LF, CRLF and CR line ends mixed;
 * reads of 1 B to 8 KiB, cut anywhere (mid-line, mid-CRLF, mid-character).
 */
function mixedCorpus() {
  const random = seededRandom(7)
  const events = []
  for (let size = 0, id = 1; size < 3 * MB; id++) {
    const lines = random() < 0.7 ? 1 : randomInt(random, 2, random() < 0.9 ? 8 : 40)
    const data = []
    for (let line = 0; line < lines; line++) {
      const vocabulary = random() < 0.15 ? MULTIBYTE_WORDS : WORDS
      data.push(random() < 0.05 ? '' : sentence(random, vocabulary, 1, random() < 0.8 ? 60 : 300))
    }
    const event = {data}
    if (random() < 0.5) event.id = String(id)
    if (random() < 0.4) event.event = pick(random, EVENT_TYPES)
    if (random() < 0.05) event.comment = ' keep-alive'
    if (random() < 0.01) event.retry = randomInt(random, 1000, 5000)
    events.push(event)
    size += data.join('').length + 20
  }
  // One line end per event: a CR line end followed by an LF one would be one CRLF, not two line ends.
  const endings = ['\n', '\n', '\n', '\r\n', '\r']
  const eventEnds = new Set()
  for (let lines = 0, e = 0; e < events.length; e++) {
    const event = events[e]
    lines += event.data.length + 1 + ['comment', 'id', 'event', 'retry'].filter((key) => key in event).length
    eventEnds.add(lines)
  }
  let eol = '\n'
  const serialized = serializeEvents(events, (line) => {
    if (line === 0 || eventEnds.has(line)) eol = pick(random, endings)
    return eol
  })
  const bytes = new TextEncoder().encode(serialized.text)
  const cuts = []
  for (let cut = 0; ; ) {
    cut += random() < 0.3 ? randomInt(random, 1, 64) : randomInt(random, 64, 8 * KiB)
    if (cut >= bytes.length) break
    cuts.push(cut)
  }
  return corpus('mixed', '1 B-8 KiB reads', bytes, sliceAt(bytes, cuts), serialized)
}

/** The feed in small reads (1-512 B), nearly all of them ending mid-line. */
function smallReadsCorpus() {
  const random = seededRandom(8)
  const serialized = serializeEvents(feedEvents(random, 2 * MB))
  const bytes = new TextEncoder().encode(serialized.text)
  const chunks = sliceAt(bytes, randomCuts(random, bytes.length, 1, 512))
  return corpus('small-reads', '1-512 B reads', bytes, chunks, serialized)
}

/** Japanese, emoji and accented text, read in random sizes that mostly split a character. */
function multibyteCorpus() {
  const random = seededRandom(4)
  const events = []
  for (let size = 0, id = 1; size < 1.5 * MB; id++) {
    const lines = randomInt(random, 1, 3)
    const data = []
    for (let line = 0; line < lines; line++) data.push(sentence(random, MULTIBYTE_WORDS, 20, 120))
    events.push({id: String(id), event: 'message', data})
    size += data.join('').length
  }
  const serialized = serializeEvents(events)
  const bytes = new TextEncoder().encode(serialized.text)
  const chunks = sliceAt(bytes, randomCuts(random, bytes.length, 256, 4 * KiB))
  return corpus('multibyte', '256 B-4 KiB reads', bytes, chunks, serialized)
}

/** A few events whose single data line is 1 MiB, read 64 KiB at a time. */
function largeEventsCorpus() {
  const random = seededRandom(5)
  const events = []
  for (let id = 1; id <= 8; id++) events.push({id: String(id), event: 'blob', data: [noise(random, MiB)]})
  const serialized = serializeEvents(events)
  const bytes = new TextEncoder().encode(serialized.text)
  const chunks = sliceAt(bytes, everyNBytes(bytes.length, 64 * KiB))
  return corpus('1mb-events', '64 KiB reads', bytes, chunks, serialized)
}

/** One `data:` line of `size` bytes read 64 bytes at a time: any rescanning of the pending line shows. */
function longLineCorpus(name, size) {
  const serialized = serializeEvents([{data: [noise(seededRandom(6), size)]}])
  const bytes = new TextEncoder().encode(serialized.text)
  const chunks = sliceAt(bytes, everyNBytes(bytes.length, 64))
  return corpus(name, '64 B reads', bytes, chunks, serialized)
}

export const CORPORA = {
  'llm-tokens': llmTokensCorpus,
  'llm-tokens-16k': llmTokens16kCorpus,
  'llm-tokens-each': llmTokensEachCorpus,
  'feed': feedCorpus,
  'crlf': crlfCorpus,
  'small-reads': smallReadsCorpus,
  'mixed': mixedCorpus,
  'multibyte': multibyteCorpus,
  '1mb-events': largeEventsCorpus,
  '10mb-line': () => longLineCorpus('10mb-line', 10 * MiB),
  '1mb-line': () => longLineCorpus('1mb-line', MiB),
}
export const CORPUS_NAMES = Object.keys(CORPORA)
/**
 * The small-event corpora that issue #18's goals name (`corpus.small`): LLM tokens in 1-8-event, 16 KiB and
 * one-event reads, the six-line feed, and CRLF. small-reads and mixed (which mixes in non-ASCII text) widen
 * the picture and are reported beside them, as are the large and multi-byte corpora.
 */
export const SMALL_EVENT_CORPORA = ['llm-tokens', 'llm-tokens-16k', 'llm-tokens-each', 'feed', 'crlf']

/** All the corpora, or those `only` names (in the usual order). */
export function buildCorpora(only = CORPUS_NAMES) {
  return CORPUS_NAMES.filter((name) => only.includes(name)).map((name) => CORPORA[name]())
}

// ---------------------------------------------------------------------------------------------------------
// Contestants. Each is its own function literal, called once per module instance, so that V8 keeps
// separate type feedback for each: one `parser.feed(...)` call site seeing several parsers would go
// polymorphic and slow every contestant down. (bench/parse.mjs imports a second instance of this module
// for its second build.)

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
export function runFloor(chunks) {
  const decoder = new TextDecoder()
  let lineEnds = 0
  for (let i = 0; i < chunks.length; i++) lineEnds += countLineEnds(decoder.decode(chunks[i], {stream: true}))
  lineEnds += countLineEnds(decoder.decode())
  return {lineEnds}
}

/** eventsource-parser as its users feed it: text from a streaming TextDecoder (as its own stream does). */
export function eventsourceParserRunner(createEventsourceParser) {
  return function runEventsourceParser(chunks) {
    const {tally, onEvent} = createTally()
    const parser = createEventsourceParser({onEvent})
    const decoder = new TextDecoder()
    for (let i = 0; i < chunks.length; i++) parser.feed(decoder.decode(chunks[i], {stream: true}))
    const rest = decoder.decode()
    if (rest) parser.feed(rest)
    return tally
  }
}

/** streamsource's createParser fed the bytes, as the EventSource feeds it. */
export function bytesRunner(createParser) {
  return function runStreamsourceBytes(chunks) {
    const {tally, onEvent} = createTally()
    const parser = createParser({onEvent})
    for (let i = 0; i < chunks.length; i++) parser.feed(chunks[i])
    return tally
  }
}

/**
 * The browser EventSource's own reader (src/parser/stream-reader.ts, `createStreamReader(callbacks, max)`)
 * fed the bytes, as the EventSource feeds it.
 */
export function readerRunner(createStreamReader) {
  return function runStreamReader(chunks) {
    const {tally, onEvent} = createTally()
    const ignore = () => {}
    const reader = createStreamReader({event: onEvent, id: ignore, retry: ignore, overflow: ignore}, Infinity)
    for (let i = 0; i < chunks.length; i++) reader.feed(chunks[i])
    return tally
  }
}

/** null when `result` is what a correct run over `corpus` reports, else what went wrong. */
export function checkResult(corpus, contestant, result) {
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

export {MB}
