// The chat page: POSTs a prompt with the library's EventSource and shows the answer as its
// tokens arrive, with every step (401, token refresh, reconnect, end) in the log.
import {createLog, loadLibrary, setState} from './log.js'

// The server refuses this one, so the first request shows the refresh; "Expire token" sets it again.
const EXPIRED_TOKEN = 'expired-token'

const el = (id) => /** @type {HTMLElement} */ (document.getElementById(id))
const ui = {
  form: /** @type {HTMLFormElement} */ (el('chat-form')),
  prompt: /** @type {HTMLInputElement} */ (el('prompt')),
  send: /** @type {HTMLButtonElement} */ (el('send')),
  expire: el('expire'),
  clear: el('clear'),
  state: el('state'),
  token: el('token'),
  count: el('count'),
  lastId: el('last-id'),
  reconnects: el('reconnects'),
  answer: el('answer'),
}
const log = createLog(el('log'), el('empty'))

let token = EXPIRED_TOKEN
// Set by the error listener on a 401 and read by the headers function on the next attempt:
// the error event always fires before the reconnect it announces.
let tokenRejected = false
/** @type {EventSource | undefined} the completion in progress */
let source

showToken()
const library = await loadLibrary(ui.state, log)
if (library) {
  ui.form.addEventListener('submit', (event) => {
    event.preventDefault()
    ask(library, ui.prompt.value)
  })
  ui.expire.addEventListener('click', () => {
    token = EXPIRED_TOKEN
    showToken()
    log.add('system', 'token', 'Token set back to the expired one')
  })
  ui.clear.addEventListener('click', () => log.clear())
  ui.send.disabled = false
}

function ask({EventSource, oneShot, retryOnStatus}, prompt) {
  // One answer at a time: a new prompt replaces the one still streaming.
  source?.close()
  ui.answer.textContent = ''
  ui.count.textContent = '0'
  ui.lastId.textContent = '—'
  ui.reconnects.textContent = '0'
  let count = 0
  let reconnects = 0
  tokenRejected = false

  log.add('system', 'request', `POST /chat ${JSON.stringify({prompt})}`)
  setState(ui.state, 'connecting')
  const es = new EventSource('/chat', {
    method: 'POST',
    // Called before every attempt, so a retry after a 401 goes out with the refreshed token.
    headers: async () => {
      if (tokenRejected) {
        tokenRejected = false
        token = await fetchToken()
        showToken()
        log.add('system', 'token', `Fetched a fresh token from /token: ${token}`)
      }
      return {'Content-Type': 'application/json', Authorization: `Bearer ${token}`}
    },
    body: JSON.stringify({prompt}),
    extensions: [
      // A completion is one response: when the server ends it, the source closes instead of posting again.
      oneShot(),
      // A 401 would otherwise fail the connection for good; retrying it gives the headers function
      // its chance to refresh the token (three attempts, so a token that never works cannot loop).
      retryOnStatus([401]),
    ],
    reconnect: {initialDelay: 250, maxAttempts: 3},
  })
  source = es

  es.addEventListener('open', () => {
    setState(ui.state, 'open', 'streaming')
    log.add('system', 'open', es.lastEventId ? `Connected, resuming after token ${es.lastEventId}` : 'Connected')
  })
  es.addEventListener('message', (event) => {
    if (event.lastEventId) ui.lastId.textContent = event.lastEventId
    if (event.data === '[DONE]') {
      log.add('event', 'done', '[DONE]', event.lastEventId)
      return
    }
    let piece
    try {
      piece = JSON.parse(event.data).token
    } catch {
      log.add('system', 'error', `Not JSON: ${event.data}`)
      return
    }
    if (typeof piece !== 'string') return
    // Appended as a text node: what the server (or a model) says is never parsed as HTML.
    ui.answer.append(piece)
    ui.count.textContent = String(++count)
    log.add('event', 'token', JSON.stringify(piece), event.lastEventId)
  })
  es.addEventListener('error', (event) => {
    if (event.status === 401) tokenRejected = true
    const next = event.willReconnect ? `; retrying in ${event.reconnectDelay} ms` : '; giving up'
    log.add('system', 'error', `${event.message} (attempt ${event.attempt})${next}`)
    if (event.willReconnect) setState(ui.state, 'reconnecting', `in ${event.reconnectDelay} ms`)
    else setState(ui.state, 'closed', 'failed')
  })
  es.addEventListener('reconnect', (event) => {
    ui.reconnects.textContent = String(++reconnects)
    log.add('system', 'reconnect', `Attempt ${event.attempt} failed; next try in ${event.delay} ms`)
  })
  es.addEventListener('end', () => {
    setState(ui.state, 'closed', 'done')
    log.add('system', 'end', `The server ended the answer after ${count} tokens`)
  })
}

async function fetchToken() {
  const response = await fetch('/token', {cache: 'no-store'})
  if (!response.ok) throw new Error(`GET /token answered ${response.status}`)
  const {token: fresh} = await response.json()
  if (typeof fresh !== 'string') throw new Error('GET /token gave no token')
  return fresh
}

function showToken() {
  ui.token.textContent = token
  ui.token.dataset['expired'] = String(token === EXPIRED_TOKEN)
}
