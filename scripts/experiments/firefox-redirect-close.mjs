// Firefox: is the server-side socket of a redirected fetch stream released when the page lets go
// of the stream? The measurements behind docs/firefox-redirect-close.md. Not part of the library or its tests.
//
//   npm run build && node scripts/experiments/firefox-redirect-close.mjs [name-filter]   (LONG=1: also count at 30 s, 120 s and 310 s)
//
// Needs puppeteer-core (a dev dependency) and Firefox (firefox-esr, or FIREFOX_PATH). One page,
// one variant after another. For each variant the server counts that variant's event-stream
// responses whose TCP socket is still open: 300 ms and 3 s after the page closed the stream, then
// 500 ms after the server writes one more comment line (`: ping`) to each of them.
import http from 'node:http'
import {readFileSync} from 'node:fs'
import {createRequire} from 'node:module'
import {findFirefox} from '../browser-paths.mjs'

const require = createRequire(import.meta.url)
const puppeteer = require('puppeteer-core')
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))

// --- The server: `/redir` answers a redirect to `/stream`, which sends headers and one event and stays open.
const sockets = new Map() // socket -> {open}
const streams = new Map() // variant -> [{res, socket}]
const server = http.createServer({noDelay: true}, (req, res) => {
  const url = new URL(req.url, 'http://x')
  const v = url.searchParams.get('v') ?? ''
  const cors = {'Access-Control-Allow-Origin': '*'}
  const keep = () => {
    const list = streams.get(v) ?? []
    list.push({res, socket: req.socket})
    streams.set(v, list)
  }
  if (url.pathname === '/') {
    res.writeHead(200, {'Content-Type': 'text/html'})
    res.end('<!doctype html><title>leak</title>')
  } else if (url.pathname === '/lib') {
    // The library's script-tag build (npm run build first); with ?xhr, on XMLHttpRequest (fetch deleted).
    res.writeHead(200, {'Content-Type': 'text/html'})
    const xhr = url.searchParams.has('xhr') ? '<script>delete window.fetch</script>' : ''
    res.end(`<!doctype html><title>leak</title>${xhr}<script src="/streamsource.js"></script>`)
  } else if (url.pathname === '/streamsource.js') {
    res.writeHead(200, {'Content-Type': 'text/javascript'})
    res.end(readFileSync(new URL('../../dist/streamsource.global.min.js', import.meta.url)))
  } else if (url.pathname === '/redir') {
    const status = Number(url.searchParams.get('status') ?? 302)
    const host = url.searchParams.get('host') ?? req.headers.host
    const onward = new URLSearchParams({v})
    for (const name of ['delay', 'sclose']) if (url.searchParams.get(name)) onward.set(name, url.searchParams.get(name))
    const headers = {Location: `http://${host}/stream?${onward}`, ...cors}
    if (url.searchParams.get('rclose')) headers.Connection = 'close'
    res.writeHead(status, headers)
    res.end(url.searchParams.get('rbody') ? 'moved moved moved' : '')
  } else if (url.pathname === '/stream') {
    keep()
    const headers = {'Content-Type': 'text/event-stream', 'Cache-Control': 'no-store', ...cors}
    if (url.searchParams.get('sclose')) headers.Connection = 'close'
    const start = () => {
      if (res.destroyed) return
      res.writeHead(200, headers)
      res.write('data: hello\n\n')
    }
    const delay = Number(url.searchParams.get('delay') ?? 0)
    if (delay) setTimeout(start, delay)
    else start()
  } else if (url.pathname === '/ping') {
    res.writeHead(200, {'Content-Type': 'text/plain', ...cors})
    res.end('ok')
  } else {
    res.writeHead(404)
    res.end()
  }
})
server.on('connection', (socket) => {
  const info = {open: true}
  sockets.set(socket, info)
  socket.on('close', () => (info.open = false))
})
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
const port = server.address().port
const self = `http://127.0.0.1:${port}`
const other = `localhost:${port}`
const openStreams = (v) => (streams.get(v) ?? []).filter((s) => sockets.get(s.socket).open).length

// --- Page code. Each variant gets `url` (the redirect, or the stream itself when `direct`) and
// `info` (an object it may fill to report something). `firstChunk` reads the first event.
const firstChunk = `const firstChunk = async (response) => { const reader = response.body.getReader(); await reader.read(); return reader };
const gc = async () => { let a = []; for (let i = 0; i < 60; i++) a.push(new Array(1e6).fill(i)); a = null; await new Promise((r) => setTimeout(r, 200)) };`
const abortAfterFirst = (init = '') =>
  `const c = new AbortController(); const r = await fetch(url, {signal: c.signal${init}}); await firstChunk(r); c.abort()`
const sixThenSeventh = `
  const cs = []
  for (let i = 0; i < 6; i++) { const c = new AbortController(); const r = await fetch(url + '&i=' + i, {signal: c.signal}); await firstChunk(r); cs.push(c) }
  for (const c of cs) c.abort()
  await new Promise((r) => setTimeout(r, 300))
  const t0 = performance.now(); const c7 = new AbortController(); const timer = setTimeout(() => c7.abort(), 8000)
  try { await (await fetch('/ping?x=' + Math.random(), {signal: c7.signal})).text(); info.seventh = Math.round(performance.now() - t0) + ' ms' }
  catch { info.seventh = 'not answered in 8 s' }
  clearTimeout(timer)`
const inWorker = (body) =>
  `const w = new Worker(URL.createObjectURL(new Blob([${JSON.stringify(`onmessage = async (e) => { const url = e.data; ${body}; postMessage('read') }`)}])));
   w.postMessage(new URL(url, location.href).href); await new Promise((r) => (w.onmessage = r)); window.keep = w`

/** [name, server options, page code] */
const variants = [
  ['no redirect: abort', {direct: true}, abortAfterFirst()],
  ['no redirect: reader.cancel()', {direct: true}, `const r = await fetch(url); const rd = await firstChunk(r); await rd.cancel()`],
  ['302: abort', {}, abortAfterFirst()],
  ['302: reader.cancel()', {}, `const r = await fetch(url); const rd = await firstChunk(r); await rd.cancel()`],
  ['302: reader.cancel() then abort', {}, `const c = new AbortController(); const r = await fetch(url, {signal: c.signal}); const rd = await firstChunk(r); await rd.cancel(); c.abort()`],
  ['302: abort then reader.cancel()', {}, `const c = new AbortController(); const r = await fetch(url, {signal: c.signal}); const rd = await firstChunk(r); c.abort(); await rd.cancel().catch(() => {})`],
  ['302: abort with a read pending', {}, `const c = new AbortController(); const r = await fetch(url, {signal: c.signal}); const rd = await firstChunk(r); const p = rd.read().catch(() => {}); await new Promise((r) => setTimeout(r, 100)); c.abort(); await p`],
  ['302: reader.cancel() with a read pending', {}, `const r = await fetch(url); const rd = await firstChunk(r); const p = rd.read(); await rd.cancel(); await p`],
  ['302: read, releaseLock(), body.cancel()', {}, `const r = await fetch(url); const rd = await firstChunk(r); rd.releaseLock(); await r.body.cancel()`],
  ['302: tee, cancel both branches, abort', {}, `const c = new AbortController(); const r = await fetch(url, {signal: c.signal}); const [a, b] = r.body.tee(); const ra = a.getReader(); await ra.read(); await Promise.all([ra.cancel(), b.cancel()]); c.abort()`],
  ['302: body unread, abort at once', {}, `const c = new AbortController(); await fetch(url, {signal: c.signal}); c.abort()`],
  ['302: body unread, abort after 500 ms', {}, `const c = new AbortController(); await fetch(url, {signal: c.signal}); await new Promise((r) => setTimeout(r, 500)); c.abort()`],
  ['302: body unread, body.cancel() at once', {}, `const r = await fetch(url); await r.body.cancel()`],
  ['302: body unread, getReader().cancel() at once', {}, `const r = await fetch(url); await r.body.getReader().cancel()`],
  ['302: body unread, body.cancel() at once, then abort', {}, `const c = new AbortController(); const r = await fetch(url, {signal: c.signal}); await r.body.cancel(); c.abort()`],
  ['302: body unread, body.cancel() after 500 ms', {}, `const r = await fetch(url); await new Promise((r) => setTimeout(r, 500)); await r.body.cancel()`],
  ['302: clone(), both bodies cancelled at once', {}, `const r = await fetch(url); const r2 = r.clone(); await Promise.all([r.body.cancel(), r2.body.cancel()])`],
  ['302: abort, drop references, allocate 480 MB', {}, `await (async () => { ${abortAfterFirst()} })(); await gc(); await gc()`],
  ['302: abort, then another fetch to the host', {}, `${abortAfterFirst()}; await new Promise((r) => setTimeout(r, 300)); await (await fetch('/ping?x=' + Math.random())).text()`],
  ['302: abort while the redirected request awaits its headers (sent at 1.5 s)', {delay: 1500}, `const c = new AbortController(); const p = fetch(url, {signal: c.signal}).catch((e) => String(e)); await new Promise((r) => setTimeout(r, 700)); c.abort(); await p`],
  ['301: abort', {status: 301}, abortAfterFirst()],
  ['303: abort', {status: 303}, abortAfterFirst()],
  ['307: abort', {status: 307}, abortAfterFirst()],
  ['308: abort', {status: 308}, abortAfterFirst()],
  ['302 to another origin (localhost), CORS: abort', {cross: true}, abortAfterFirst()],
  ['302 with Connection: close on the redirect: abort', {rclose: 1}, abortAfterFirst()],
  ['302 with a body on the redirect: abort', {rbody: 1}, abortAfterFirst()],
  ['302, Connection: close on the stream: abort', {sclose: 1}, abortAfterFirst()],
  ['302, keepalive: true: abort', {}, abortAfterFirst(", keepalive: true")],
  ["302, priority: 'high': abort", {}, abortAfterFirst(", priority: 'high'")],
  ["302, priority: 'low': abort", {}, abortAfterFirst(", priority: 'low'")],
  ["302, cache: 'no-store': abort", {}, abortAfterFirst(", cache: 'no-store'")],
  ["302, redirect: 'manual'", {}, `const r = await fetch(url, {redirect: 'manual'}); info.response = r.type + ' ' + r.status`],
  ['302 in a dedicated Worker: abort', {}, inWorker(`const c = new AbortController(); const r = await fetch(url, {signal: c.signal}); await r.body.getReader().read(); c.abort()`)],
  ['302 in a dedicated Worker: worker.terminate()', {}, inWorker(`const r = await fetch(url); await r.body.getReader().read()`) + '; w.terminate()'],
  ['302 through an about:blank iframe: iframe.contentWindow.stop()', {}, `const f = document.createElement('iframe'); document.body.append(f); const r = await f.contentWindow.fetch(new URL(url, location.href).href); await r.body.getReader().read(); f.contentWindow.stop()`],
  ['302 through an about:blank iframe: iframe removed', {}, `const f = document.createElement('iframe'); document.body.append(f); const r = await f.contentWindow.fetch(new URL(url, location.href).href); await r.body.getReader().read(); f.remove()`],
  ['302 through XMLHttpRequest: abort()', {}, `const x = new XMLHttpRequest(); x.open('GET', url); await new Promise((r) => { x.onprogress = r; x.send() }); x.abort()`],
  ["302 through Firefox's EventSource: close()", {}, `const es = new EventSource(url); await new Promise((r) => (es.onmessage = r)); es.close()`],
  ['302 through the library (script-tag build, fetch): close()', {page: '/lib'}, `const es = new StreamSource.EventSource(url); await new Promise((r) => (es.onmessage = r)); es.close()`],
  ['302 through the library (script-tag build, fetch deleted: XMLHttpRequest): close()', {page: '/lib?xhr'}, `info.fetch = typeof fetch; const es = new StreamSource.EventSource(url); await new Promise((r) => (es.onmessage = r)); es.close()`],
  ['no redirect through the library (script-tag build, fetch): close()', {page: '/lib', direct: true}, `const es = new StreamSource.EventSource(url); await new Promise((r) => (es.onmessage = r)); es.close()`],
  ['302 x6: abort each, then a 7th fetch to the host', {}, sixThenSeventh],
  ['no redirect x6: abort each, then a 7th fetch to the host', {direct: true}, sixThenSeventh],
]

const executablePath = findFirefox()
if (!executablePath) throw new Error('No Firefox: install firefox-esr or set FIREFOX_PATH')
const browser = await puppeteer.launch({
  browser: 'firefox',
  protocol: 'webDriverBiDi',
  executablePath,
  headless: true,
  timeout: 60_000,
  extraPrefsFirefox: {
    'network.captive-portal-service.enabled': false,
    'network.connectivity-service.enabled': false,
    'network.dns.disablePrefetch': true,
    'network.prefetch-next': false,
    'network.predictor.enabled': false,
    'network.trr.mode': 5,
    'security.OCSP.enabled': 0,
    'toolkit.telemetry.enabled': false,
  },
})
const version = await browser.version()
const context = await browser.createBrowserContext()
const page = await context.newPage({type: 'window'})
await page.goto(`${self}/`)

const filter = process.argv[2]
const rows = []
let at = '/'
for (const [name, options, code] of variants) {
  if (filter && !name.includes(filter)) continue
  const v = name.replace(/\W+/g, '-')
  const query = new URLSearchParams({v})
  for (const key of ['status', 'rclose', 'rbody', 'sclose', 'delay']) if (options[key]) query.set(key, options[key])
  if (options.cross) query.set('host', other)
  const url = options.direct ? `/stream?${query}` : `/redir?${query}`
  const wanted = options.page ?? '/'
  if (wanted !== at) await page.goto(`${self}${wanted}`)
  at = wanted
  let info
  try {
    // eslint-disable-next-line no-new-func
    const run = new Function('url', `return (async () => { ${firstChunk}; const info = {}; ${code}; return info })()`)
    info = await page.evaluate(run, url)
  } catch (error) {
    info = {error: String(error).slice(0, 200)}
  }
  const row = {variant: name, streams: (streams.get(v) ?? []).length}
  await sleep(300)
  row['open at 300 ms'] = openStreams(v)
  await sleep(2700)
  row['open at 3 s'] = openStreams(v)
  if (process.env.LONG) {
    await sleep(27_000)
    row['open at 30 s'] = openStreams(v)
    await sleep(90_000)
    row['open at 120 s'] = openStreams(v)
    await sleep(190_000)
    row['open at 310 s'] = openStreams(v)
  }
  for (const s of streams.get(v) ?? []) if (!s.res.destroyed && s.res.headersSent) s.res.write(': ping\n\n')
  await sleep(500)
  row['open after next write'] = openStreams(v)
  if (Object.keys(info ?? {}).length) row.page = JSON.stringify(info)
  rows.push(row)
  console.log(JSON.stringify(row))
  for (const s of streams.get(v) ?? []) s.socket.destroy()
  await sleep(200)
}
console.log(`\n${version}`)
console.table(rows)
await browser.close()
server.close()
process.exit(0)
