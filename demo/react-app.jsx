// The React page's app: a price board on useEventSource. Every component that shows something of
// the stream calls the same hook with the same URL and options, so they share one connection:
// the connection panel (status, errors, reconnects, the Reconnect and Close buttons), one row per
// symbol, and the event log. Bundled by demo/bundle.mjs (esbuild) as /react-app.js.
import {StrictMode, useCallback, useEffect, useRef, useState} from 'react'
import {createRoot} from 'react-dom/client'
import {useEventSource} from 'streamsource/react'
import {describeError} from './log.js'

const SYMBOLS = ['SSE', 'ACME', 'WAVE']
const TICKER_URL = `/ticker?symbols=${SYMBOLS.join(',')}`
// Module constants: options equal by content share a connection anyway, but stable ones say so.
const EVENTS = ['tick']
const RECONNECT = {factor: 2, maxDelay: 10_000}
const MAX_ROWS = 200
const HISTORY = 40

/**
 * The ticker stream, as every component here subscribes to it. `parse` runs once per event for
 * all of them; `onMessage` is each component's own and sees every event, in order.
 */
function useTicker(onMessage) {
  return useEventSource(TICKER_URL, {events: EVENTS, parse: JSON.parse, reconnect: RECONNECT, onMessage})
}

function App() {
  const [rows, setRows] = useState([])
  const nextKey = useRef(0)
  const log = useCallback((kind, type, text, id = '') => {
    const row = {key: nextKey.current++, kind, type, text, id, time: new Date().toLocaleTimeString([], {hour12: false})}
    setRows((previous) => [row, ...previous].slice(0, MAX_ROWS))
  }, [])
  return (
    <>
      <ConnectionPanel log={log} onClear={() => setRows([])} />
      <PriceBoard />
      <EventLog rows={rows} log={log} />
    </>
  )
}

/** The connection's state and controls, and the log's lines about the connection. */
function ConnectionPanel({log, onClear}) {
  const [count, setCount] = useState(0)
  const [reconnects, setReconnects] = useState(0)
  const [lastDelay, setLastDelay] = useState()
  const [lastError, setLastError] = useState()
  const [restarting, setRestarting] = useState(false)
  // The last id seen, and the one a new connection resumes after (taken when the stream stops).
  const lastId = useRef('')
  const resumeFrom = useRef('')
  const {status, error, message, close, reconnect} = useTicker((tick) => {
    lastId.current = tick.lastEventId
    setCount((n) => n + 1)
  })

  useEffect(() => {
    document.documentElement.dataset['state'] = status === 'open' || status === 'connecting' || status === 'reconnecting' ? status : 'closed'
    if (status !== 'open') resumeFrom.current = lastId.current
    if (status === 'open') {
      log('system', 'open', resumeFrom.current ? `Connected, resuming after event ${resumeFrom.current}` : 'Connected')
    } else if (status === 'closed') {
      log('system', 'closed', 'Closed: close() ended the connection for every component')
    }
  }, [status, log])

  // A new error event each time an attempt ends: why, and what happens next.
  useEffect(() => {
    if (!error) return
    setLastError(error)
    log('system', 'error', describeError(error))
    if (error.willReconnect) {
      setReconnects((n) => n + 1)
      setLastDelay(error.reconnectDelay)
    }
  }, [error, log])

  function onReconnect() {
    resumeFrom.current = lastId.current
    log('system', 'reconnect', 'reconnect(): a new connection at once')
    reconnect()
  }

  async function onRestart() {
    setRestarting(true)
    log('system', 'restart', 'POST /ticker/restart: the server drops every stream and stays down a moment')
    try {
      const response = await fetch('/ticker/restart', {method: 'POST', cache: 'no-store'})
      if (!response.ok) log('system', 'error', `Restart refused: HTTP ${response.status}`)
    } catch (failure) {
      log('system', 'error', `Restart failed: ${failure.message}`)
    } finally {
      setRestarting(false)
    }
  }

  const detail =
    status === 'reconnecting' && error?.reconnectDelay !== undefined ? ` in ${Number((error.reconnectDelay / 1000).toFixed(1))} s` : ''
  return (
    <section className="panel summary compact" aria-label="Connection">
      <dl className="stats stats-top">
        <div>
          <dt>Connection</dt>
          <dd>
            <span id="state" className="state" role="status">
              {status}
              {detail}
            </span>
          </dd>
        </div>
        <Stat id="last-id" label="Last event ID" value={message?.lastEventId} />
        <Stat id="count" label="Events" value={count} />
        <Stat id="reconnects" label="Reconnects" value={reconnects} />
        <Stat id="delay" label="Last delay" value={lastDelay === undefined ? undefined : `${lastDelay} ms`} />
        <Stat id="attempt" label="Attempt" value={lastError?.attempt} />
        <div className="stat-wide">
          <dt>Last error</dt>
          <dd id="error" className="error-text">
            {lastError ? `${lastError.message}${error ? '' : ' (recovered)'}` : '—'}
          </dd>
        </div>
      </dl>
      <div className="actions">
        <button id="reconnect" type="button" onClick={onReconnect}>
          Reconnect
        </button>
        <button id="close" type="button" className="secondary" onClick={close} disabled={status === 'closed'}>
          Close
        </button>
        <button id="restart" type="button" className="secondary" onClick={onRestart} disabled={restarting}>
          Restart server
        </button>
        <button id="clear" type="button" className="secondary" onClick={onClear}>
          Clear log
        </button>
      </div>
    </section>
  )
}

function Stat({id, label, value}) {
  return (
    <div>
      <dt>{label}</dt>
      <dd id={id}>{value === undefined || value === '' ? '—' : value}</dd>
    </div>
  )
}

function PriceBoard() {
  return (
    <section className="panel" aria-labelledby="board-title">
      <h2 id="board-title">Prices</h2>
      <table className="board">
        <thead>
          <tr>
            <th>Symbol</th>
            <th className="num">Price</th>
            <th className="num">Change</th>
            <th>Trend</th>
            <th className="num">Event ID</th>
          </tr>
        </thead>
        <tbody>
          {SYMBOLS.map((symbol) => (
            <Quote key={symbol} symbol={symbol} />
          ))}
        </tbody>
      </table>
    </section>
  )
}

/** One symbol's row: its own subscription, keeping only its symbol's ticks. */
function Quote({symbol}) {
  const [quote, setQuote] = useState()
  useTicker((tick) => {
    if (tick.data.symbol !== symbol) return
    setQuote((previous) => ({
      price: tick.data.price,
      change: tick.data.change,
      id: tick.lastEventId,
      history: [...(previous?.history ?? []), tick.data.price].slice(-HISTORY),
    }))
  })
  const direction = quote && quote.change < 0 ? 'down' : 'up'
  return (
    <tr data-symbol={symbol}>
      <td className="symbol">{symbol}</td>
      <td className="num price-cell">{quote ? quote.price.toFixed(2) : '—'}</td>
      <td className={`num change ${direction}`}>{quote ? `${direction === 'up' ? '▲' : '▼'} ${Math.abs(quote.change).toFixed(2)}` : ''}</td>
      <td>
        <Sparkline values={quote?.history ?? []} />
      </td>
      <td className="num id-cell">{quote?.id ?? '—'}</td>
    </tr>
  )
}

function Sparkline({values}) {
  const width = 120
  const height = 24
  if (values.length < 2) return <svg className="spark" width={width} height={height} aria-hidden="true" />
  const min = Math.min(...values)
  const range = Math.max(...values) - min || 1
  const points = values
    .map((value, index) => {
      const x = (index / (values.length - 1)) * width
      const y = height - 2 - ((value - min) / range) * (height - 4)
      return `${x.toFixed(1)},${y.toFixed(1)}`
    })
    .join(' ')
  return (
    <svg className="spark" width={width} height={height} viewBox={`0 0 ${width} ${height}`} aria-hidden="true">
      <polyline points={points} />
    </svg>
  )
}

/** The log: rendered from the App's rows; this component adds one row per event it receives. */
function EventLog({rows, log}) {
  useTicker((tick) => log('event', tick.type, JSON.stringify(tick.data), tick.lastEventId))
  return (
    <section className="panel" aria-labelledby="log-title">
      <h2 id="log-title">
        Event log <span className="muted">(newest first)</span>
      </h2>
      <div className="table-wrap">
        <table>
          <thead>
            <tr>
              <th className="col-time">Time</th>
              <th className="col-id">ID</th>
              <th className="col-type">Type</th>
              <th>Data</th>
            </tr>
          </thead>
          <tbody id="log">
            {rows.map((row) => (
              <tr key={row.key} className={row.kind} data-type={row.type} data-id={row.id || undefined}>
                <td className="time">{row.time}</td>
                <td className="id">{row.id}</td>
                <td className="type">{row.type}</td>
                <td className="data">{row.text}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {rows.length === 0 && <p className="empty">Waiting for events…</p>}
    </section>
  )
}

createRoot(document.getElementById('app')).render(
  <StrictMode>
    <App />
  </StrictMode>,
)
