// What the demo pages share: the event log table, the connection state badge and the words for
// an error event, the same markup and classes on every page so style.css styles them all alike.

const MAX_ROWS = 200

/**
 * A log that adds rows at the top of `tbody`. Text only (no HTML), since the data comes off the network.
 * @param {HTMLElement} tbody
 * @param {HTMLElement} empty the "waiting" line, hidden once there is a row
 * @param {number} [maxRows] the oldest rows past this many are dropped
 */
export function createLog(tbody, empty, maxRows = MAX_ROWS) {
  return {
    /**
     * @param {'event' | 'comment' | 'system'} kind
     * @param {string} type
     * @param {string} text
     * @param {string} [id]
     * @returns {HTMLTableRowElement} the new row, for callers that tag it with data attributes
     */
    add(kind, type, text, id = '') {
      const row = document.createElement('tr')
      row.className = kind
      row.dataset['type'] = type
      if (id !== '') row.dataset['id'] = id
      const cells = [
        ['time', new Date().toLocaleTimeString([], {hour12: false})],
        ['id', id],
        ['type', type],
        ['data', text],
      ]
      for (const [name, value] of cells) {
        const cell = document.createElement('td')
        cell.className = name
        cell.textContent = value
        row.append(cell)
      }
      tbody.prepend(row)
      while (tbody.childElementCount > maxRows) tbody.lastElementChild?.remove()
      empty.hidden = true
      return row
    },
    clear() {
      tbody.replaceChildren()
      empty.hidden = false
    },
  }
}

/** Shows the EventSource's state on the badge; style.css colours it by `data-state` on <html>. */
export function setState(badge, state, detail) {
  document.documentElement.dataset['state'] = state
  badge.textContent = detail ? `${state} ${detail}` : state
}

/** Loads the built library, or says on the page (and in the log) that it is missing. */
export async function loadLibrary(badge, log) {
  try {
    return await import('/dist/index.js')
  } catch (error) {
    setState(badge, 'closed', 'library not built')
    log.add('system', 'error', `Could not load /dist/index.js (${error.message}). Run \`npm run build\`, then reload.`)
    return undefined
  }
}

/**
 * An `error` event of the library's EventSource in words: why the attempt ended, which attempt it
 * was, and what happens next (the details it carries: `status`, `attempt`, `willReconnect`,
 * `reconnectDelay`).
 */
export function describeError(event) {
  // HTTPError's message names the status already; others (a wrong content type) do not.
  const status = event.status && !event.message.includes(`HTTP ${event.status}`) ? `HTTP ${event.status}, ` : ''
  const next = event.willReconnect ? `reconnecting in ${event.reconnectDelay} ms` : 'giving up'
  return `${event.message} (${status}attempt ${event.attempt}); ${next}`
}

/**
 * Logs a `reconnect` event of the library's EventSource: the attempt that failed and the wait
 * before the next, also as the row's `data-attempt` and `data-delay`, so a test can read them
 * without parsing the text.
 */
export function logReconnect(log, event) {
  const row = log.add('system', 'reconnect', `Attempt ${event.attempt} failed: waiting ${event.delay} ms`)
  row.dataset['attempt'] = String(event.attempt)
  row.dataset['delay'] = String(event.delay)
}
