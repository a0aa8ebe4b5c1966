// The loopback text/event-stream server of the EventSource benchmarks, run in a child process by
// startServer() in bench/common.mjs (not meant to be started by hand). Its own process keeps its CPU time
// out of the client's, which is what the benchmarks measure.
//
//   GET /stream/<corpus>  200 text/event-stream: the whole corpus, then the response ends
//   GET /reconnect        200 text/event-stream: `retry: 0` and one event, then the response ends
//
// It tells the parent {type: 'ready', port, corpora} once it listens, answers {type: 'stats', id} with its
// counters, and exits when the parent goes (the IPC channel closes) or after MAX_LIFETIME_MS regardless.
import http from 'node:http'
import {parseArgs} from 'node:util'
import {TOKENS, pick, seededRandom} from './common.mjs'

const WRITE_SIZE = 16 * 1024 // one write per 16 KiB: cheap for the server, a few hundred events per read
const MAX_LIFETIME_MS = 60 * 60 * 1000

const {values} = parseArgs({options: {events: {type: 'string', default: '200000'}}})
const EVENTS = Number(values.events)

// ---------------------------------------------------------------------------------------------------------
// Deterministic corpora: the same bytes on every run and machine (seededRandom() in bench/common.mjs).

const TYPES = ['update', 'patch', 'status']
const SYMBOLS = ['AAPL', 'MSFT', 'GOOG', 'AMZN', 'NVDA', 'TSLA']

/**
 * Builds a corpus from `count` events ({id?, event?, data}). Returns the bytes cut into writes and what
 * a correct client receives: the number of events, the total length of their data, the event types to
 * listen to, and the last event's lastEventId.
 */
function corpus(name, description, events) {
  let text = ''
  let dataLength = 0
  for (const event of events) {
    if (event.id !== undefined) text += `id: ${event.id}\n`
    if (event.event !== undefined) text += `event: ${event.event}\n`
    text += `data: ${event.data}\n\n`
    dataLength += event.data.length
  }
  const body = Buffer.from(text) // ASCII: characters are bytes
  const writes = []
  for (let start = 0; start < body.length; start += WRITE_SIZE) writes.push(body.subarray(start, start + WRITE_SIZE))
  const types = [...new Set(events.map((event) => event.event ?? 'message'))]
  const lastEventId = events.findLast((event) => event.id !== undefined)?.id ?? ''
  const info = {name, description, events: events.length, dataLength, bytes: body.length, types, lastEventId}
  return {info, writes}
}

/** Chat-completion style: one small JSON `data:` line per token (70-80 bytes an event). */
function llmTokens() {
  const random = seededRandom(1)
  const events = []
  for (let i = 0; i < EVENTS; i++) {
    const token = pick(random, TOKENS)
    events.push({data: `{"id":"chatcmpl-1","choices":[{"index":0,"delta":{"content":"${token}"}}]}`})
  }
  return corpus('llm-tokens', 'data only, one JSON line an event, like LLM token streams', events)
}

/** A price feed: `id:`, one of three `event:` names, and a JSON `data:` line (80-100 bytes an event). */
function namedEvents() {
  const random = seededRandom(2)
  const events = []
  for (let i = 1; i <= EVENTS; i++) {
    const price = (100 + random() * 900).toFixed(2)
    const data = `{"seq":${i},"symbol":"${pick(random, SYMBOLS)}","price":${price},"qty":${Math.floor(random() * 500)}}`
    events.push({id: String(i), event: pick(random, TYPES), data})
  }
  return corpus('named', `id, event (${TYPES.join('/')}) and data fields`, events)
}

const corpora = new Map([llmTokens(), namedEvents()].map((c) => [c.info.name, c]))

// ---------------------------------------------------------------------------------------------------------
// Serving

const HEADERS = {'content-type': 'text/event-stream', 'cache-control': 'no-store'}
const RECONNECT_BODY = 'retry: 0\ndata: cycle\n\n'
const stats = {requests: 0, connections: 0, openConnections: 0}

/** Writes the corpus as fast as the client takes it: the next write waits only for 'drain'. */
function stream(response, writes) {
  let next = 0
  let closed = false
  response.once('close', () => (closed = true))
  const pump = () => {
    while (!closed && next < writes.length) {
      if (!response.write(writes[next++])) return void response.once('drain', pump)
    }
    if (!closed) response.end()
  }
  pump()
}

const server = http.createServer((request, response) => {
  stats.requests++
  if (request.url === '/reconnect') {
    response.writeHead(200, HEADERS)
    response.end(RECONNECT_BODY)
    return
  }
  const match = /^\/stream\/([\w-]+)$/.exec(request.url ?? '')
  const found = match && corpora.get(match[1])
  if (!found) {
    response.writeHead(404).end()
    return
  }
  response.writeHead(200, HEADERS)
  stream(response, found.writes)
})
server.keepAliveTimeout = 60_000 // no idle connection is dropped between two runs
server.on('connection', (socket) => {
  stats.connections++
  stats.openConnections++
  socket.once('close', () => stats.openConnections--)
})

process.on('disconnect', () => process.exit(0))
process.on('message', (message) => {
  if (message?.type === 'stats') process.send({type: 'stats', id: message.id, stats})
})
setTimeout(() => process.exit(0), MAX_LIFETIME_MS).unref()

server.listen(0, '127.0.0.1', () => {
  const info = [...corpora.values()].map((c) => c.info)
  process.send({type: 'ready', port: server.address().port, corpora: info})
})
