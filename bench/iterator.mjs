// What `for await` costs an event, against what a listener costs: why `messages(source)` cannot be as
// fast as `addEventListener` (issue 18 asks for "the async iterator no slower than the listeners").
// All in this process, with no network: a `fetch` option hands the EventSource a body of `--events`
// events (an LLM-token stream) in 16 KiB chunks, each there as soon as it is read, so that only the
// parser, the events and their delivery are timed. The rounds alternate the contestants:
//
//   a call            a plain function called with each of the stream's events (what a listener
//                     costs beyond the EventSource's own work)
//   a dispatchEvent   the same, dispatched to one listener of an EventSource (what delivering an
//                     event to listeners costs)
//   for await alone   a `for await` over an iterator whose every result is ready: the least any
//                     async iterator costs an event (one promise, one microtask)
//   listeners         an EventSource and one `message` listener
//   messages()        the same EventSource, read by `for await (const event of messages(source))`
//
// Each figure is nanoseconds an event (the median of the rounds, with half the interquartile range).
// Usage: node --expose-gc bench/iterator.mjs [--quick] [--json] [--rounds N] [--events N] [--module path/index.js]
import {fail, findGc, integerOption, loadStreamsource, median, pick, quantile, readArgs, rotated, seededRandom, TOKENS} from './common.mjs'

const USAGE = 'usage: node --expose-gc bench/iterator.mjs [--quick] [--json] [--rounds N] [--events N] [--module path/index.js]'
const values = readArgs({rounds: {type: 'string'}, events: {type: 'string'}, module: {type: 'string'}}, USAGE)
const quick = values.quick === true
const rounds = integerOption(values, 'rounds', quick ? 5 : 15, USAGE)
const events = integerOption(values, 'events', quick ? 50_000 : 200_000, USAGE)
const CHUNK = 16 * 1024

const {EventSource, messages, label, stale} = await loadStreamsource(values.module)
const {gc} = findGc()

// The stream: one token an event, with an id, as LLM APIs send them.
const random = seededRandom(18)
let text = ''
for (let i = 0; i < events; i++) text += `id: ${i}\ndata: {"token":${JSON.stringify(pick(random, TOKENS))}}\n\n`
const body = new TextEncoder().encode(text)

/** A `fetch` for the EventSources: the body in `CHUNK`-byte chunks, each read at once, then its end. */
const fetchBody = async () => {
  let offset = 0
  const stream = new ReadableStream({
    pull(controller) {
      if (offset < body.length) controller.enqueue(body.subarray(offset, (offset += CHUNK)))
      else controller.close()
    },
  }, {highWaterMark: 0})
  return new Response(stream, {status: 200, headers: {'content-type': 'text/event-stream'}})
}

/** What every contestant reports, checked against the stream: events and data characters seen. */
const expected = {events, dataLength: 0}
let sink = 0

/** Events as the library makes them, for the two contestants that do not read the stream. */
const sample = await new Promise((resolve) => {
  const kept = []
  const source = new EventSource('http://127.0.0.1:9/', {fetch: fetchBody})
  source.addEventListener('message', (event) => {
    kept.push(event)
    if (kept.length === events) {
      source.close()
      resolve(kept)
    }
  })
})
for (const event of sample) expected.dataLength += event.data.length

const contestants = {
  'a call': () => {
    let dataLength = 0
    const listener = (event) => (dataLength += event.data.length)
    for (let i = 0; i < sample.length; i++) listener(sample[i])
    return {events: sample.length, dataLength}
  },
  'a dispatchEvent': () => {
    let dataLength = 0
    // A source that never connects: only its listener list and dispatch are timed.
    const target = new EventSource('http://127.0.0.1:9/', {fetch: () => new Promise(() => {})})
    target.close()
    target.addEventListener('message', (event) => (dataLength += event.data.length))
    for (let i = 0; i < sample.length; i++) target.dispatchEvent(sample[i])
    return {events: sample.length, dataLength}
  },
  'for await alone': async () => {
    let i = 0
    let dataLength = 0
    let seen = 0
    const iterator = {
      next: () => Promise.resolve(i < sample.length ? {value: sample[i++], done: false} : {value: undefined, done: true}),
      [Symbol.asyncIterator]() {
        return this
      },
    }
    for await (const event of iterator) {
      dataLength += event.data.length
      seen++
    }
    return {events: seen, dataLength}
  },
  listeners: () =>
    new Promise((resolve) => {
      const source = new EventSource('http://127.0.0.1:9/', {fetch: fetchBody})
      let seen = 0
      let dataLength = 0
      source.addEventListener('message', (event) => {
        dataLength += event.data.length
        if (++seen === events) {
          source.close()
          resolve({events: seen, dataLength})
        }
      })
    }),
  'messages()': async () => {
    const source = new EventSource('http://127.0.0.1:9/', {fetch: fetchBody})
    let seen = 0
    let dataLength = 0
    for await (const event of messages(source)) {
      dataLength += event.data.length
      if (++seen === events) break
    }
    return {events: seen, dataLength}
  },
}

const names = Object.keys(contestants)
const times = Object.fromEntries(names.map((name) => [name, []]))
for (let round = -2; round < rounds; round++) {
  // Two warm-up rounds, then the timed ones; the order turns each round.
  for (const name of rotated(names, Math.max(0, round))) {
    gc?.('minor')
    const start = process.hrtime.bigint()
    const result = await contestants[name]()
    const ns = Number(process.hrtime.bigint() - start) / events
    if (result.events !== expected.events || result.dataLength !== expected.dataLength) {
      fail(`${name} saw ${result.events} events with ${result.dataLength} characters; the stream has ${expected.events} with ${expected.dataLength}`)
    }
    sink += result.dataLength
    if (round >= 0) times[name].push(ns)
  }
}

/** The median, and half the interquartile range in nanoseconds (common.mjs's `spread` is relative). */
const summarize = (list) => {
  const sorted = [...list].sort((a, b) => a - b)
  return {ns: median(sorted), spread: (quantile(sorted, 0.75) - quantile(sorted, 0.25)) / 2}
}
const summary = Object.fromEntries(Object.entries(times).map(([name, list]) => [name, summarize(list)]))
// What the iterator adds over the listeners, and what the least async iterator costs.
const iteratorOverListeners = summary['messages()'].ns - summary.listeners.ns
const floor = summary['for await alone'].ns - summary['a call'].ns
const dispatch = summary['a dispatchEvent'].ns - summary['a call'].ns

if (values.json) {
  console.log(JSON.stringify({events, rounds, chunk: CHUNK, module: label, nsPerEvent: summary, iteratorOverListeners, forAwaitOverCall: floor, dispatchOverCall: dispatch, sink: sink > 0}))
} else {
  if (stale) console.log(`(${label} is older than src/: run \`npm run build\` to measure the sources)`)
  console.log(`${events} events in ${CHUNK / 1024} KiB chunks, ${rounds} rounds, ${label}, Node ${process.version}\n`)
  console.log(`${'contestant'.padEnd(20)} ${'ns an event'.padStart(12)}`)
  for (const [name, {ns, spread}] of Object.entries(summary)) console.log(`${name.padEnd(20)} ${ns.toFixed(0).padStart(6)} +-${spread.toFixed(0)}`)
  console.log(`\nmessages() / listeners: ${(summary.listeners.ns / summary['messages()'].ns).toFixed(2)}x the speed (goal >= 1.00x)`)
  console.log(`Over a plain call, an event costs ${dispatch.toFixed(0)} ns more through dispatchEvent and ${floor.toFixed(0)} ns more through the least \`for await\`;`)
  console.log(`messages() costs ${iteratorOverListeners.toFixed(0)} ns an event more than listeners. An iterator can only be as fast as listeners where \`for await\` costs no more than dispatching.`)
}
