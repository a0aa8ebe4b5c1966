// The script-tag page: a classic script (no modules, no bundler, plain ES5 so it runs wherever the
// ES5 build does) using the global `StreamSource` that /dist/streamsource.global.min.js defines.
// It needs no fetch, Promise or URL of its own: where the browser lacks them, the build streams
// over XMLHttpRequest and this page still works. Self-contained: demo/log.js is an ES module.
;(function () {
  'use strict'

  var MAX_ROWS = 100
  // Grows the server's `retry:` (2000 ms) while the server stays down, up to 10 s between attempts.
  var RECONNECT = {factor: 2, maxDelay: 10000}

  function el(id) {
    return document.getElementById(id)
  }
  var ui = {
    state: el('state'),
    global: el('global'),
    transport: el('transport'),
    lastId: el('last-id'),
    count: el('count'),
    reconnects: el('reconnects'),
    delay: el('delay'),
    echo: el('echo'),
    toggle: el('toggle'),
    clear: el('clear'),
    log: el('log'),
    empty: el('empty'),
  }

  var lastEventId = ''
  var eventCount = 0
  var reconnects = 0
  var requests = 0
  var source

  var library = window.StreamSource
  if (!library || typeof library.EventSource != 'function') {
    setState('closed', 'library not built')
    addRow('system', 'error', 'Could not load /dist/streamsource.global.min.js. Run `npm run build`, then reload.')
    return
  }

  // The build leaves a native EventSource alone and installs its own only where there is none.
  var own = window.EventSource === library.EventSource
  ui.global.textContent = own ? "the library's (this browser has none)" : "the browser's own"
  ui.global.setAttribute('data-value', own ? 'library' : 'native')
  // The build's own choice, made per request (src/transport/legacy.ts): fetch when it can stream a body.
  var fetchStreams =
    typeof window.fetch == 'function' &&
    typeof window.AbortController == 'function' &&
    typeof window.ReadableStream == 'function' &&
    typeof window.Response == 'function' &&
    'body' in window.Response.prototype
  ui.transport.textContent = fetchStreams ? 'fetch' : 'XMLHttpRequest'
  ui.transport.setAttribute('data-value', fetchStreams ? 'fetch' : 'xhr')

  ui.toggle.addEventListener('click', function () {
    if (source) disconnect()
    else connect()
  })
  ui.clear.addEventListener('click', function () {
    while (ui.log.firstChild) ui.log.removeChild(ui.log.firstChild)
    ui.empty.hidden = false
  })
  connect()

  function connect() {
    showState('connecting')
    var es = new library.EventSource('/ticker?symbols=BOLT', {
      // Called before every attempt, reconnects included: a header the browser's EventSource cannot send.
      headers: function () {
        requests++
        return {'X-Demo-Client': 'script-tag page, request ' + requests}
      },
      // After Disconnect → Connect, a new source resumes where the old one stopped.
      lastEventId: lastEventId,
      reconnect: RECONNECT,
    })
    source = es

    es.addEventListener('open', function () {
      showState('open')
      addRow('system', 'open', es.lastEventId ? 'Connected, resuming after event ' + es.lastEventId : 'Connected')
    })
    es.addEventListener('hello', function (event) {
      var hello = parse(event.data)
      ui.echo.textContent = hello && typeof hello.client == 'string' ? hello.client : '—'
      addRow('event', 'hello', event.data)
    })
    es.addEventListener('tick', function (event) {
      lastEventId = event.lastEventId
      ui.lastId.textContent = lastEventId
      ui.count.textContent = String(++eventCount)
      addRow('event', 'tick', event.data, event.lastEventId)
    })
    es.addEventListener('error', function (event) {
      addRow('system', 'error', describeError(event))
      if (event.willReconnect) showState('reconnecting', 'in ' + event.reconnectDelay + ' ms')
      else closed('failed')
    })
    es.addEventListener('reconnect', function (event) {
      ui.reconnects.textContent = String(++reconnects)
      ui.delay.textContent = event.delay + ' ms'
      var row = addRow('system', 'reconnect', 'Attempt ' + event.attempt + ' failed: waiting ' + event.delay + ' ms')
      // The numbers as data too, so a test can read them without parsing the text.
      row.setAttribute('data-attempt', String(event.attempt))
      row.setAttribute('data-delay', String(event.delay))
    })
  }

  function disconnect() {
    if (source) source.close()
    addRow('system', 'closed', 'Disconnected')
    closed()
  }

  function closed(detail) {
    source = undefined
    showState('closed', detail)
  }

  function showState(state, detail) {
    setState(state, detail)
    ui.toggle.textContent = state === 'closed' ? 'Connect' : 'Disconnect'
  }

  /** The badge and <html data-state>, which style.css colours by, as demo/log.js's setState. */
  function setState(state, detail) {
    document.documentElement.setAttribute('data-state', state)
    ui.state.textContent = detail ? state + ' ' + detail : state
  }

  /** A row at the top of the log, as demo/log.js's createLog: text only, the data comes off the network. */
  function addRow(kind, type, text, id) {
    id = id || ''
    var row = document.createElement('tr')
    row.className = kind
    row.setAttribute('data-type', type)
    if (id !== '') row.setAttribute('data-id', id)
    var cells = [
      ['time', new Date().toLocaleTimeString([], {hour12: false})],
      ['id', id],
      ['type', type],
      ['data', text],
    ]
    for (var index = 0; index < cells.length; index++) {
      var cell = document.createElement('td')
      cell.className = cells[index][0]
      cell.textContent = cells[index][1]
      row.appendChild(cell)
    }
    ui.log.insertBefore(row, ui.log.firstChild)
    while (ui.log.childNodes.length > MAX_ROWS) ui.log.removeChild(ui.log.lastChild)
    ui.empty.hidden = true
    return row
  }

  /** An error event in words, as demo/log.js's describeError: why, which attempt, what next. */
  function describeError(event) {
    var status = event.status && event.message.indexOf('HTTP ' + event.status) < 0 ? 'HTTP ' + event.status + ', ' : ''
    var next = event.willReconnect ? 'reconnecting in ' + event.reconnectDelay + ' ms' : 'giving up'
    return event.message + ' (' + status + 'attempt ' + event.attempt + '); ' + next
  }

  function parse(data) {
    try {
      return JSON.parse(data)
    } catch (error) {
      return undefined
    }
  }
})()
