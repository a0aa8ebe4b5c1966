// The ticker page: the library's EventSource on /ticker, showing each event, each error with what
// happens next (`willReconnect`, `reconnectDelay`, `attempt`, `status`), each scheduled reconnect,
// and where the stream resumes (Last-Event-ID) after a drop or a server restart.
import {createLog, describeError, loadLibrary, logReconnect, setState} from './log.js'

const MAX_ROWS = 100
// Grows the server's `retry:` (2000 ms) while the server stays down, up to 10 s between attempts.
const RECONNECT = {factor: 2, maxDelay: 10_000}

const el = (id) => /** @type {HTMLElement} */ (document.getElementById(id))
const ui = {
  state: el('state'),
  price: el('price'),
  change: el('change'),
  lastId: el('last-id'),
  count: el('count'),
  reconnects: el('reconnects'),
  delay: el('delay'),
  toggle: el('toggle'),
  restart: /** @type {HTMLButtonElement} */ (el('restart')),
  clear: el('clear'),
}
const log = createLog(el('log'), el('empty'), MAX_ROWS)

let lastEventId = ''
let eventCount = 0
let reconnects = 0
/** @type {EventSource | undefined} the open (or reconnecting) source; undefined once closed */
let source

const library = await loadLibrary(ui.state, log)
if (library) {
  ui.toggle.addEventListener('click', () => (source ? disconnect() : connect(library.EventSource)))
  ui.restart.addEventListener('click', restartServer)
  ui.clear.addEventListener('click', () => log.clear())
  connect(library.EventSource)
}

function connect(EventSource) {
  showState('connecting')
  // After Disconnect → Connect, a new source resumes where the old one stopped.
  const es = new EventSource('/ticker', {lastEventId, reconnect: RECONNECT})
  source = es

  es.addEventListener('open', () => {
    showState('open')
    log.add('system', 'open', es.lastEventId ? `Connected, resuming after event ${es.lastEventId}` : 'Connected')
  })
  es.addEventListener('tick', (event) => {
    lastEventId = event.lastEventId
    ui.lastId.textContent = lastEventId
    ui.count.textContent = String(++eventCount)
    log.add('event', 'tick', event.data, event.lastEventId)
    showQuote(event.data)
  })
  es.addEventListener('error', (event) => {
    log.add('system', 'error', describeError(event))
    if (event.willReconnect) showState('reconnecting', `in ${seconds(event.reconnectDelay)} s`)
    else closed('failed')
  })
  es.addEventListener('reconnect', (event) => {
    ui.reconnects.textContent = String(++reconnects)
    ui.delay.textContent = `${event.delay} ms`
    logReconnect(log, event)
  })
}

function disconnect() {
  // close() aborts the request at once: the server sees the stream end.
  source?.close()
  log.add('system', 'closed', 'Disconnected')
  closed()
}

function closed(detail) {
  source = undefined
  showState('closed', detail)
}

/** Asks the demo server to drop every ticker stream and stay down a moment, as a restart would. */
async function restartServer() {
  ui.restart.disabled = true
  log.add('system', 'restart', 'POST /ticker/restart: the server drops every stream and stays down a moment')
  try {
    const response = await fetch('/ticker/restart', {method: 'POST', cache: 'no-store'})
    if (!response.ok) log.add('system', 'error', `Restart refused: HTTP ${response.status}`)
  } catch (error) {
    log.add('system', 'error', `Restart failed: ${error.message}`)
  } finally {
    ui.restart.disabled = false
  }
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

function showState(state, detail) {
  setState(ui.state, state, detail)
  ui.toggle.textContent = state === 'closed' ? 'Connect' : 'Disconnect'
}

function seconds(ms) {
  return Number((ms / 1000).toFixed(1))
}
