// The flaky page: the library's EventSource against a server that drops connections and
// answers 503, showing each error, each scheduled reconnect with its delay, and where the
// stream resumes (Last-Event-ID).
import {createLog, describeError, loadLibrary, logReconnect, setState} from './log.js'

const el = (id) => /** @type {HTMLElement} */ (document.getElementById(id))
const ui = {
  state: el('state'),
  lastId: el('last-id'),
  count: el('count'),
  reconnects: el('reconnects'),
  delay: el('delay'),
  status: el('status'),
  toggle: el('toggle'),
  clear: el('clear'),
}
const log = createLog(el('log'), el('empty'))

// The server fails by attempt number per client, so this page gets its own sequence of
// failures however many other pages are open.
const client = Math.random().toString(36).slice(2, 12)
let lastEventId = ''
let count = 0
let reconnects = 0
/** @type {EventSource | undefined} */
let source

const library = await loadLibrary(ui.state, log)
if (library) {
  ui.toggle.addEventListener('click', () => (source ? disconnect() : connect(library)))
  ui.clear.addEventListener('click', () => log.clear())
  connect(library)
}

function connect({EventSource, retryOnStatus}) {
  setState(ui.state, 'connecting')
  ui.toggle.textContent = 'Disconnect'
  const es = new EventSource(`/flaky?client=${client}`, {
    // After Disconnect → Connect, a new source picks up where the old one stopped.
    lastEventId,
    reconnect: {initialDelay: 500, factor: 2, maxDelay: 8000, jitter: 0.5},
    extensions: [retryOnStatus([503])],
  })
  source = es

  es.addEventListener('open', () => {
    setState(ui.state, 'open')
    log.add('system', 'open', es.lastEventId ? `Connected, resuming after event ${es.lastEventId}` : 'Connected')
  })
  es.addEventListener('message', (event) => {
    lastEventId = event.lastEventId
    ui.lastId.textContent = lastEventId
    ui.count.textContent = String(++count)
    log.add('event', 'message', event.data, event.lastEventId)
  })
  es.addEventListener('error', (event) => {
    ui.status.textContent = event.status ? String(event.status) : 'no response'
    log.add('system', 'error', describeError(event))
    if (event.willReconnect) setState(ui.state, 'reconnecting', `in ${event.reconnectDelay} ms`)
    else closed('failed')
  })
  es.addEventListener('reconnect', (event) => {
    ui.reconnects.textContent = String(++reconnects)
    ui.delay.textContent = `${event.delay} ms`
    logReconnect(log, event)
  })
}

function disconnect() {
  source?.close()
  log.add('system', 'closed', 'Disconnected')
  closed()
}

function closed(detail) {
  source = undefined
  setState(ui.state, 'closed', detail)
  ui.toggle.textContent = 'Connect'
}
