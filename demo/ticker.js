// The demo page's client. It reads /ticker with fetch, feeds every chunk of bytes to the
// streamsource parser, and reconnects by itself the way EventSource does (sending
// Last-Event-ID, waiting the server's `retry`), so each step of the protocol shows in the log.
import {createLog, setState as showState} from './log.js'

const MAX_ROWS = 100
// What EventSource implementations commonly wait before the server has sent a `retry:`.
const DEFAULT_RETRY_MS = 3000

const el = (id) => /** @type {HTMLElement} */ (document.getElementById(id))
const ui = {
  state: el('state'),
  price: el('price'),
  change: el('change'),
  lastId: el('last-id'),
  count: el('count'),
  reconnects: el('reconnects'),
  retry: el('retry'),
  toggle: el('toggle'),
  clear: el('clear'),
  log: el('log'),
  empty: el('empty'),
}
const log = createLog(ui.log, ui.empty, MAX_ROWS)

let lastEventId = ''
let retryMs = DEFAULT_RETRY_MS
let eventCount = 0
let reconnects = 0
/** @type {AbortController | undefined} the request in flight, aborted on Disconnect */
let current
/** @type {ReturnType<typeof setTimeout> | undefined} */
let reconnectTimer

// A dynamic import, so a missing build shows up as a message on the page, not a blank one.
let createParser
try {
  const library = await import('/dist/index.js')
  createParser = library.createParser
} catch (error) {
  setState('closed', 'library not built')
  log.add('system', 'error', `Could not load /dist/index.js (${error.message}). Run \`npm run build\`, then reload.`)
}

if (createParser) {
  ui.toggle.addEventListener('click', () => (current || reconnectTimer ? disconnect() : connect()))
  ui.clear.addEventListener('click', () => {
    log.clear()
  })
  connect()
}

async function connect() {
  clearTimeout(reconnectTimer)
  reconnectTimer = undefined
  const controller = new AbortController()
  current = controller
  setState('connecting')

  const headers = {Accept: 'text/event-stream'}
  if (lastEventId !== '') headers['Last-Event-ID'] = lastEventId

  let response
  try {
    response = await fetch('/ticker', {headers, cache: 'no-store', signal: controller.signal})
  } catch (error) {
    if (controller.signal.aborted) return
    log.add('system', 'error', `Network error: ${error.message}`)
    return scheduleReconnect()
  }

  const type = response.headers.get('Content-Type') ?? ''
  if (response.status !== 200 || !/^text\/event-stream\b/i.test(type)) {
    // EventSource gives up for good here: asking again would get the same answer.
    controller.abort()
    current = undefined
    setState('closed', 'failed')
    log.add('system', 'error', `Server answered ${response.status} (${type || 'no content type'}); not reconnecting.`)
    return
  }

  setState('open')
  log.add('system', 'open', lastEventId === '' ? 'Connected' : `Connected, resuming after event ${lastEventId}`)

  // A new parser per connection: an event cut off by a dropped connection is discarded.
  const parser = createParser({
    onEvent: showEvent,
    onRetry(ms) {
      retryMs = ms
      ui.retry.textContent = `${ms} ms`
      log.add('system', 'retry', `Server asks to wait ${ms} ms before reconnecting`)
    },
    onComment(text) {
      log.add('comment', 'comment', `: ${text}`)
    },
    onError(error) {
      log.add('system', 'error', `Parse error: ${error.message}`)
    },
  })

  const reader = response.body.getReader()
  try {
    for (;;) {
      const {done, value} = await reader.read()
      if (done) break
      parser.feed(value)
    }
  } catch (error) {
    if (controller.signal.aborted) return
    log.add('system', 'error', `Connection lost: ${error.message}`)
  }
  if (controller.signal.aborted) return
  scheduleReconnect()
}

function scheduleReconnect() {
  current = undefined
  setState('reconnecting', `in ${Number((retryMs / 1000).toFixed(1))} s`)
  log.add('system', 'closed', `Stream ended; reconnecting in ${retryMs} ms`)
  reconnectTimer = setTimeout(() => {
    reconnects++
    ui.reconnects.textContent = String(reconnects)
    connect()
  }, retryMs)
}

function disconnect() {
  clearTimeout(reconnectTimer)
  reconnectTimer = undefined
  current?.abort()
  current = undefined
  setState('closed')
  log.add('system', 'closed', 'Disconnected')
}

/** @param {{id?: string, event?: string, data: string}} message */
function showEvent({id, event, data}) {
  // Like EventSource, an event without an id keeps the last one.
  if (id !== undefined) {
    lastEventId = id
    ui.lastId.textContent = id === '' ? '(reset)' : id
  }
  eventCount++
  ui.count.textContent = String(eventCount)
  const type = event ?? 'message'
  log.add('event', type, data, id)
  if (type === 'tick') showQuote(data)
}

function showQuote(data) {
  let quote
  try {
    quote = JSON.parse(data)
  } catch {
    return
  }
  if (typeof quote.price !== 'number') return
  ui.price.textContent = quote.price.toFixed(2)
  const change = typeof quote.change === 'number' ? quote.change : 0
  ui.change.textContent = `${change >= 0 ? '▲' : '▼'} ${Math.abs(change).toFixed(2)}`
  ui.change.className = `change ${change >= 0 ? 'up' : 'down'}`
}

function setState(state, detail) {
  showState(ui.state, state, detail)
  ui.toggle.textContent = state === 'closed' ? 'Connect' : 'Disconnect'
}
