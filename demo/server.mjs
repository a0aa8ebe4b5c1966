// The demo's server: the pages, the built library from dist/, a fake price ticker over
// Server-Sent Events, a fake LLM chat (POST, bearer tokens), a deliberately flaky stream, and the
// React page's app bundled on request (demo/bundle.mjs).
// Plain node:http; esbuild (a devDependency) is loaded only for the React page's bundle, so the
// other pages need nothing but a build.
import {createServer} from 'node:http'
import {realpathSync} from 'node:fs'
import {readFile, stat} from 'node:fs/promises'
import {dirname, extname, join, resolve, sep} from 'node:path'
import {fileURLToPath, pathToFileURL} from 'node:url'
import {createBundle} from './bundle.mjs'

const demoDir = dirname(fileURLToPath(import.meta.url))
const defaultDistDir = join(demoDir, '..', 'dist')

const mimeTypes = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.cjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.ts': 'text/plain; charset=utf-8',
  '.cts': 'text/plain; charset=utf-8',
  '.mts': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
}

// Only these of demo/'s own files are public: the server's source stays private.
const demoFiles = new Set([
  '/index.html',
  '/ticker.js',
  '/chat.html',
  '/chat.js',
  '/flaky.html',
  '/flaky.js',
  '/react.html',
  '/react.js',
  '/script-tag.html',
  '/script-tag.js',
  '/log.js',
  '/style.css',
  '/favicon.svg',
])

/** The token the chat page starts with: always refused, so the page has to fetch a fresh one. */
const EXPIRED_TOKEN = 'expired-token'
/** A prompt is a sentence or two; anything larger is refused rather than buffered. */
const MAX_CHAT_BODY = 16 * 1024

/**
 * What /flaky does on each attempt of one client, in a cycle: deterministic, so the demo (and its
 * test) always show the same story: events, a drop, two 503s with growing backoff, events again.
 */
const FLAKY_PLAN = ['events', 'unavailable', 'unavailable']
/** Events /flaky sends before it drops the connection. */
const FLAKY_EVENTS_PER_ATTEMPT = 4
/** Clients /flaky remembers; the oldest is forgotten first, so memory stays bounded. */
const FLAKY_MAX_CLIENTS = 1000
/** The request header /ticker echoes back (the script-tag page sends it), and the most of it echoed. */
const CLIENT_HEADER = 'x-demo-client'
const MAX_CLIENT_HEADER = 100

/**
 * The symbols /ticker quotes (`?symbols=SSE,ACME`; SSE alone by default): each a made-up price
 * curve around `base`, shifted by `phase` ticks so the curves differ.
 */
const SYMBOLS = {
  SSE: {base: 100, phase: 0},
  ACME: {base: 42, phase: 17},
  WAVE: {base: 250, phase: 41},
  BOLT: {base: 8, phase: 73},
}

// The page loads nothing from elsewhere and no inline script, so it can run under a
// strict policy: proof that the library works for sites that use one.
const pageSecurityHeaders = {
  'Content-Security-Policy':
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; " +
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
}

const DEFAULT_PORT = 3000
const PORT_ATTEMPTS = 20

/**
 * Starts the demo server.
 * @param {import('./server.d.mts').DemoServerOptions} [options]
 * @returns {Promise<import('./server.d.mts').DemoServer>}
 */
export async function startDemoServer(options = {}) {
  const {
    port = DEFAULT_PORT,
    host = '127.0.0.1',
    portAttempts = port === 0 ? 0 : PORT_ATTEMPTS,
    distDir = defaultDistDir,
    tickInterval = 1000,
    keepAliveInterval = 15_000,
    retry = 2000,
    chatTokenInterval = 30,
    flakyEventInterval = 250,
    restartDowntime = 3000,
  } = options

  /** Responses of /ticker still streaming, so close() and disconnectClients() can end them. */
  const streams = new Set()
  /** /ticker streams opened since the start: the React page's test counts its connections. */
  let tickerConnections = 0
  /** Until when /ticker plays a server that is down, after POST /ticker/restart. */
  let downUntil = 0
  /** Tokens handed out by /token; /chat accepts only these. Bounded like the flaky clients. */
  const validTokens = new Set()
  let tokenCount = 0
  /** What /chat was asked with, for the tests to check that the page refreshed its token. */
  const chatRequests = []
  /** What /ticker was asked with (the X-Demo-Client header, Last-Event-ID), for the tests. */
  const tickerRequests = []
  /** Attempts per /flaky client (the page's `client` query parameter). */
  const flakyAttempts = new Map()

  /** The React page's app, bundled on first request and kept in memory. */
  const reactApp = createBundle(join(demoDir, 'react-app.jsx'), {distDir})

  const server = createServer((req, res) => {
    handle(req, res).catch((error) => {
      console.error('[demo]', error)
      if (!res.headersSent) send(res, 500, 'Internal server error')
      else res.destroy()
    })
  })

  async function handle(req, res) {
    // Only origin-form targets (`/path?query`). Appended to a dummy origin, the URL parser only splits
    // path from query: the Host header is not trusted, and `//x` stays a path instead of a host.
    const target = req.url ?? '/'
    if (!target.startsWith('/')) return send(res, 400, 'Bad request')
    const {pathname, searchParams} = new URL(`http://demo.invalid${target}`)
    if (pathname === '/chat') {
      if (req.method !== 'POST') {
        res.setHeader('Allow', 'POST')
        return send(res, 405, 'Method not allowed')
      }
      return chat(req, res)
    }
    if (pathname === '/ticker/restart') {
      if (req.method !== 'POST') {
        res.setHeader('Allow', 'POST')
        return send(res, 405, 'Method not allowed')
      }
      return restartTicker(res)
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD')
      return send(res, 405, 'Method not allowed')
    }
    if (pathname === '/ticker') return ticker(req, res, searchParams.get('symbols'))
    if (pathname === '/react-app.js') return serveReactApp(req, res)
    if (pathname === '/token') return token(res)
    if (pathname === '/flaky') return flaky(req, res, searchParams.get('client') ?? '')
    if (pathname === '/' || demoFiles.has(pathname)) {
      const file = join(demoDir, pathname === '/' ? 'index.html' : pathname.slice(1))
      const headers = extname(file) === '.html' ? pageSecurityHeaders : {}
      return serveFile(req, res, file, headers)
    }
    if (pathname.startsWith('/dist/')) {
      const file = resolveInside(distDir, pathname.slice('/dist/'.length))
      if (file) return serveFile(req, res, file, {'X-Content-Type-Options': 'nosniff'})
    }
    return send(res, 404, 'Not found')
  }

  /**
   * Quotes for `symbols` (comma-separated, SSE when absent): one `tick` event per symbol per tick,
   * ids counting up across symbols, so the symbol and price of every id are fixed and a resumed
   * stream continues exactly where it stopped. A request with an X-Demo-Client header (which the
   * browser's own EventSource cannot send) gets a `hello` event first that echoes it.
   */
  function ticker(req, res, symbolsParam) {
    const clientHeader = req.headers[CLIENT_HEADER]
    const client = clientHeader === undefined ? undefined : String(clientHeader).slice(0, MAX_CLIENT_HEADER)
    tickerRequests.push({symbols: symbolsParam, client, lastEventId: parseLastEventId(req.headers['last-event-id'])})
    if (tickerRequests.length > 100) tickerRequests.shift()
    if (Date.now() < downUntil) {
      // A server that is down: the connection goes without a response, as a refused one would.
      return req.socket.destroy()
    }
    const symbols = symbolsParam === null ? ['SSE'] : symbolsParam.split(',')
    const unknown = symbols.find((symbol) => !Object.hasOwn(SYMBOLS, symbol))
    if (unknown !== undefined || new Set(symbols).size !== symbols.length) {
      return send(res, 400, `Expected ?symbols= with some of ${Object.keys(SYMBOLS).join(',')}, each once`)
    }
    // Resume after the last event the client saw, as EventSource asks on reconnection.
    const last = parseLastEventId(req.headers['last-event-id'])
    let nextId = last === undefined ? 1 : last + 1

    res.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-store',
      Connection: 'keep-alive',
      // Reverse proxies (nginx) otherwise hold events back in their buffers.
      'X-Accel-Buffering': 'no',
    })
    if (req.method === 'HEAD') return res.end()

    tickerConnections++
    res.write(`retry: ${retry}\n\n`)
    // No id: the client's Last-Event-ID stays the last tick's.
    if (client !== undefined) res.write(`event: hello\ndata: ${JSON.stringify({client, lastEventId: last ?? null})}\n\n`)
    const tick = () => {
      const time = new Date().toISOString()
      let events = ''
      for (let count = 0; count < symbols.length; count++) {
        const id = nextId++
        events += `event: tick\nid: ${id}\ndata: ${JSON.stringify({...quote(symbols, id), time})}\n\n`
      }
      res.write(events)
    }
    // The first tick goes out at once so the page shows data as soon as it connects.
    tick()
    const ticks = setInterval(tick, tickInterval)
    // Comments are ignored by clients but keep idle proxies from closing the connection.
    const keepAlive = setInterval(() => res.write(': keep-alive\n\n'), keepAliveInterval)
    streams.add(res)
    // 'close' fires both when the client goes away and when we end the response.
    res.on('close', () => {
      clearInterval(ticks)
      clearInterval(keepAlive)
      streams.delete(res)
    })
  }

  /** Ends every /ticker stream and refuses new ones for `restartDowntime` ms: a server restart. */
  function restartTicker(res) {
    downUntil = Date.now() + restartDowntime
    for (const stream of streams) stream.end()
    res.writeHead(204, {'Cache-Control': 'no-store'})
    res.end()
  }

  async function serveReactApp(req, res) {
    let code
    try {
      code = await reactApp()
    } catch (error) {
      console.error(`[demo] /react-app.js: ${error.message}`)
      return send(res, 500, `The React demo could not be bundled.\n\n${error.message}`)
    }
    res.writeHead(200, {
      'Content-Type': mimeTypes['.js'],
      'Content-Length': Buffer.byteLength(code),
      'Cache-Control': 'no-cache',
      'X-Content-Type-Options': 'nosniff',
    })
    res.end(req.method === 'HEAD' ? undefined : code)
  }

  /** A fresh bearer token, as an auth server would issue after the old one expired. */
  function token(res) {
    const value = `fresh-${++tokenCount}-${Math.random().toString(36).slice(2, 10)}`
    validTokens.add(value)
    if (validTokens.size > FLAKY_MAX_CLIENTS) validTokens.delete(validTokens.values().next().value)
    res.writeHead(200, {'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store'})
    res.end(JSON.stringify({token: value}))
  }

  /** A fake LLM completion: POST {prompt} with a bearer token, the answer streamed a token at a time. */
  async function chat(req, res) {
    const authorization = String(req.headers['authorization'] ?? '')
    const bearer = /^Bearer (\S+)$/.exec(authorization)?.[1]
    const last = parseLastEventId(req.headers['last-event-id'])
    const record = {authorization, lastEventId: last, status: 0}
    chatRequests.push(record)
    if (chatRequests.length > 100) chatRequests.shift()

    const body = await readBody(req, MAX_CHAT_BODY)
    let prompt
    try {
      prompt = JSON.parse(body ?? '').prompt
    } catch {}
    if (typeof prompt !== 'string' || prompt.trim() === '') {
      record.status = body === undefined ? 413 : 400
      return send(res, record.status, body === undefined ? 'Prompt too large' : 'Expected JSON {"prompt": "..."}')
    }
    if (!bearer || !validTokens.has(bearer)) {
      record.status = 401
      res.setHeader('WWW-Authenticate', `Bearer error="invalid_token"`)
      return send(res, 401, bearer === EXPIRED_TOKEN ? 'Token expired' : 'Unknown token')
    }

    record.status = 200
    res.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-store',
      'X-Accel-Buffering': 'no',
    })
    const tokens = answerTokens(prompt)
    // Token ids count from 1, so a dropped completion resumes after the last token it got.
    let index = last ?? 0
    const timer = setInterval(() => {
      if (index < tokens.length) {
        index++
        res.write(`id: ${index}\ndata: ${JSON.stringify({token: tokens[index - 1]})}\n\n`)
        return
      }
      clearInterval(timer)
      // The OpenAI-style end marker, then the end of the response: the client's oneShot() closes here.
      res.end('data: [DONE]\n\n')
    }, chatTokenInterval)
    res.on('close', () => clearInterval(timer))
  }

  /** An event stream that fails on purpose, the same way on the same attempt of each client. */
  function flaky(req, res, client) {
    const attempt = (flakyAttempts.get(client) ?? 0) + 1
    // Deleted and set again, so the Map's order is least recently seen first.
    flakyAttempts.delete(client)
    flakyAttempts.set(client, attempt)
    if (flakyAttempts.size > FLAKY_MAX_CLIENTS) flakyAttempts.delete(flakyAttempts.keys().next().value)

    if (FLAKY_PLAN[(attempt - 1) % FLAKY_PLAN.length] === 'unavailable') {
      res.setHeader('Retry-After', '1')
      return send(res, 503, `Attempt ${attempt}: service unavailable, retry after 1 s`)
    }

    const last = parseLastEventId(req.headers['last-event-id'])
    let nextId = last === undefined ? 1 : last + 1
    res.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-store',
      'X-Accel-Buffering': 'no',
    })
    if (req.method === 'HEAD') return res.end()
    let sent = 0
    const sendEvent = () => {
      if (sent === FLAKY_EVENTS_PER_ATTEMPT) {
        // No clean end: the socket just goes, as when a proxy or a server process dies.
        return res.destroy()
      }
      sent++
      const id = nextId++
      res.write(`id: ${id}\ndata: ${JSON.stringify({n: id, attempt, resumedAfter: last ?? null})}\n\n`)
    }
    sendEvent()
    const timer = setInterval(sendEvent, flakyEventInterval)
    res.on('close', () => clearInterval(timer))
  }

  const boundPort = await listen(server, port, host, portAttempts)
  const url = `http://${formatHost(host)}:${boundPort}/`

  return {
    url,
    port: boundPort,
    openStreams: () => streams.size,
    tickerConnections: () => tickerConnections,
    chatRequests: () => chatRequests.map((record) => ({...record})),
    tickerRequests: () => tickerRequests.map((record) => ({...record})),
    disconnectClients() {
      for (const res of streams) res.end()
    },
    close() {
      return new Promise((resolveClose, rejectClose) => {
        for (const res of streams) res.end()
        server.close((error) => (error ? rejectClose(error) : resolveClose()))
        // Idle keep-alive sockets would otherwise hold close() open for seconds.
        server.closeAllConnections()
      })
    },
  }
}

/** Listens on `port`, or the next free one up to `port + attempts` when it is taken. */
async function listen(server, port, host, attempts) {
  for (let candidate = port; ; candidate++) {
    try {
      await new Promise((resolveListen, rejectListen) => {
        const onError = (error) => rejectListen(error)
        server.once('error', onError)
        server.listen(candidate, host, () => {
          server.off('error', onError)
          resolveListen()
        })
      })
      return server.address().port
    } catch (error) {
      if (error.code !== 'EADDRINUSE' || candidate >= port + attempts) throw error
    }
  }
}

/** The file `relative` names inside `base`, or undefined when it would leave `base`. */
function resolveInside(base, relative) {
  let decoded
  try {
    decoded = decodeURIComponent(relative)
  } catch {
    return undefined
  }
  if (decoded.includes('\0')) return undefined
  const root = resolve(base)
  const file = resolve(root, decoded)
  return file.startsWith(root + sep) ? file : undefined
}

async function serveFile(req, res, file, headers) {
  let body
  try {
    // Directories and missing files alike are a 404.
    if (!(await stat(file)).isFile()) return send(res, 404, 'Not found')
    body = await readFile(file)
  } catch {
    return send(res, 404, 'Not found')
  }
  res.writeHead(200, {
    ...headers,
    'Content-Type': mimeTypes[extname(file)] ?? 'application/octet-stream',
    'Content-Length': body.length,
    // Always revalidate, so a rebuild of dist/ shows up on reload.
    'Cache-Control': 'no-cache',
  })
  res.end(req.method === 'HEAD' ? undefined : body)
}

/** The request body as text, or undefined when it is longer than `limit` bytes. */
async function readBody(req, limit) {
  const chunks = []
  let size = 0
  for await (const chunk of req) {
    size += chunk.length
    if (size > limit) return undefined
    chunks.push(chunk)
  }
  return Buffer.concat(chunks).toString('utf8')
}

/** The canned answer, split the way LLM APIs stream it: a word and its following space at a time. */
function answerTokens(prompt) {
  const topic = prompt.trim().replace(/\s+/g, ' ').slice(0, 80)
  const text =
    `You asked: "${topic}". Here is the answer, one token at a time, streamed as Server-Sent Events ` +
    'over a POST request. When the token has expired, the first attempt is refused with 401, the ' +
    'headers function fetches a fresh one and the EventSource sends the request again.'
  return text.match(/\S+\s*/g) ?? []
}

function send(res, status, text) {
  res.writeHead(status, {'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store'})
  res.end(`${text}\n`)
}

function parseLastEventId(header) {
  const value = Array.isArray(header) ? header[0] : header
  return value !== undefined && /^\d{1,15}$/.test(value.trim()) ? Number(value.trim()) : undefined
}

/** The quote event `id` carries in a stream of `symbols`: repeatable, so a resumed stream continues the same curves. */
function quote(symbols, id) {
  const symbol = symbols[(id - 1) % symbols.length]
  const step = Math.floor((id - 1) / symbols.length) + 1
  const now = price(symbol, step)
  return {symbol, price: now, change: round(now - price(symbol, step - 1))}
}

/** A made-up price for a symbol at a step: a wavy curve, a few percent around the symbol's base. */
function price(symbol, step) {
  const {base, phase} = SYMBOLS[symbol]
  const x = step + phase
  return round(base * (1 + (6 * Math.sin(x / 8) + 2.5 * Math.sin(x / 2.7) + 0.8 * Math.sin(x * 1.9)) / 100))
}

function round(value) {
  return Math.round(value * 100) / 100
}

function formatHost(host) {
  // A wildcard address is not something to type into a browser.
  if (host === '0.0.0.0') return '127.0.0.1'
  if (host === '::') return '[::1]'
  return host.includes(':') ? `[${host}]` : host
}

function isMain() {
  const entry = process.argv[1]
  if (!entry) return false
  try {
    return import.meta.url === pathToFileURL(realpathSync(entry)).href
  } catch {
    return false
  }
}

if (isMain()) {
  const port = process.env['PORT'] ? Number(process.env['PORT']) : DEFAULT_PORT
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`streamsource demo: PORT must be a port number, got ${JSON.stringify(process.env['PORT'])}`)
    process.exit(1)
  }
  const demo = await startDemoServer({port, host: process.env['HOST'] || '127.0.0.1'})
  try {
    await stat(join(defaultDistDir, 'index.js'))
  } catch {
    console.warn('streamsource demo: dist/index.js is missing, run `npm run build` first (npm start does).')
  }
  console.log(`\n  streamsource demo: ${demo.url}\n`)
  const stop = () => {
    demo.close().then(() => process.exit(0), () => process.exit(1))
  }
  process.once('SIGINT', stop)
  process.once('SIGTERM', stop)
}
