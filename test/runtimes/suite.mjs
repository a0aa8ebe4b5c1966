// One suite for every runtime (Node, Deno, Bun), as the `eventsource` package runs one suite
// everywhere: what a user relies on, against the real server that the Node side starts
// (test/support/runtime-server.ts), through the package as a user imports it (the entry files
// beside this one). Plain JavaScript with no imports, so every runtime runs it as it is, and vitest
// imports it too, to name the tests before the runtime runs them (test/support/runtimes.ts).
//
// The runner at the bottom is deliberately small: tests in order, a timeout each, `ok`/`not ok`
// lines, then one line `# summary {json}`. It never exits the process: the runtime must exit by
// itself once the suite is done, which is the check that `close()` leaves no timer or connection.

/** The tests, in order: `[name, async (t) => {}]`; `t` is made by `context()` below. */
export const tests = []
const test = (name, fn) => tests.push([name, fn])

// ---------------------------------------------------------------- helpers

class AssertionError extends Error {}

function assert(condition, message) {
  if (!condition) throw new AssertionError(message)
}

/** JSON with every object's keys sorted: the same value always reads the same. */
const canonical = (value) =>
  JSON.stringify(value, (_, inner) =>
    inner && typeof inner == 'object' && !Array.isArray(inner)
      ? Object.fromEntries(Object.keys(inner).sort().map((name) => [name, inner[name]]))
      : inner,
  )

function equal(actual, expected, what) {
  const a = canonical(actual)
  const e = canonical(expected)
  // `undefined` has no JSON: an expected value that is missing (a constant a runtime lacks) would match anything.
  if (e === undefined) throw new AssertionError(`${what}: the expected value is undefined`)
  if (a !== e) throw new AssertionError(`${what}: expected ${e}, got ${a}`)
}

// Real waits: this suite runs in Deno, Bun and workerd too, which have no fake clock, and its exit
// check (no timer left) needs the runtime's real one; the fake-clock versions are in test/eventsource-*.
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))

/** The next `type` event at `target`; rejects after `ms`, so a test says what it was waiting for. */
function next(target, type, ms = 5000) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      target.removeEventListener(type, listener)
      reject(new AssertionError(`no ${type} event within ${ms} ms`))
    }, ms)
    const listener = (event) => {
      clearTimeout(timer)
      target.removeEventListener(type, listener)
      resolve(event)
    }
    target.addEventListener(type, listener)
  })
}

/** The first `count` events of `type` at `source`, in order. */
function collect(source, count, type = 'message', ms = 5000) {
  return new Promise((resolve, reject) => {
    const events = []
    const timer = setTimeout(() => {
      source.removeEventListener(type, listener)
      reject(new AssertionError(`${events.length} of ${count} ${type} events within ${ms} ms: ${JSON.stringify(events.map((e) => e.data))}`))
    }, ms)
    const listener = (event) => {
      events.push(event)
      if (events.length < count) return
      clearTimeout(timer)
      source.removeEventListener(type, listener)
      resolve(events)
    }
    source.addEventListener(type, listener)
  })
}

/** Polls `check` until it returns something truthy. */
async function until(check, what, ms = 5000) {
  const end = Date.now() + ms
  for (;;) {
    const value = await check()
    if (value) return value
    if (Date.now() > end) throw new AssertionError(`timed out after ${ms} ms waiting for ${what}`)
    await sleep(20)
  }
}

const encoder = new TextEncoder()

/** `text` as UTF-8, cut into one chunk per byte: every multibyte character is split. */
const byteChunks = (text) => Array.from(encoder.encode(text), (byte) => Uint8Array.of(byte))

/** `text` cut into one chunk per UTF-16 code unit: surrogate pairs and CR LF pairs are split. */
const unitChunks = (text) => Array.from({length: text.length}, (_, index) => text[index])

/** A stream with every kind of line and field, multibyte characters and an astral one among them. */
const STREAM = 'data: héllo €\r\n\r\nevent: named\rdata: ü😀\rid: 5\r\r: comment\nretry: 1500\ndata: a\ndata:b\n\nid\ndata: \n\n'
const PARSED = [
  {data: 'héllo €'},
  {event: 'named', id: '5', data: 'ü😀'},
  {data: 'a\nb'},
  {id: '', data: ''},
]

/** What the parser made of `chunks`, with its comments and retries. */
function parse(lib, chunks) {
  const seen = {events: [], comments: [], retries: []}
  const parser = lib.createParser({
    onEvent: (event) => seen.events.push({...event}),
    onComment: (comment) => seen.comments.push(comment),
    onRetry: (retry) => seen.retries.push(retry),
  })
  for (const chunk of chunks) parser.feed(chunk)
  // Through JSON, a field the parser set to `undefined` (no `event:` or `id:` line) reads as absent.
  return JSON.parse(JSON.stringify(seen))
}

// ---------------------------------------------------------------- the tests

test('messages and named events: data, type, lastEventId, origin, readyState, onopen', async (t) => {
  const source = t.open('events')
  equal(source.readyState, source.CONNECTING, 'readyState before the response')
  equal(source.url, t.url('events'), 'url')
  const opened = new Promise((resolve) => (source.onopen = resolve))
  const named = next(source, 'named')
  const messages = collect(source, 2)
  await opened
  equal(source.readyState, source.OPEN, 'readyState after open')
  const [first, second] = await messages
  const namedEvent = await named
  assert(first instanceof MessageEvent, 'a message is a MessageEvent')
  assert(first instanceof Event, 'a message is an Event')
  assert(source instanceof EventTarget, 'the source is an EventTarget')
  equal([first.type, first.data, first.lastEventId, first.origin], ['message', 'one', '', t.origin], 'first message')
  equal([namedEvent.type, namedEvent.data, namedEvent.lastEventId], ['named', 'two', '7'], 'named event')
  equal([second.data, second.lastEventId], ['line 1\nline 2', '7'], 'multi-line message keeps the last id')
  assert(first.target === source, 'the target of a message is the source')
})

test('Last-Event-ID on reconnect, and the reconnect after the end of a stream', async (t) => {
  const source = t.open('resume?retry=50')
  const errors = []
  source.addEventListener('error', (event) => errors.push([event.willReconnect, source.readyState]))
  const [first, second] = await collect(source, 2)
  equal([first.data, first.lastEventId], ['first', '1'], 'first event')
  equal([second.data, second.lastEventId], ['after 1', '2'], 'event after the reconnect')
  equal(errors, [[true, source.CONNECTING]], 'one error event, reconnecting, between the two')
  const requests = await t.requests()
  equal(
    requests.map((request) => request.headers['last-event-id'] ?? null),
    [null, '1'],
    'Last-Event-ID of each request',
  )
})

test('retry: sets the reconnection delay', async (t) => {
  const source = t.open('ending?retry=300')
  const reconnect = await next(source, 'reconnect')
  equal([reconnect.attempt, reconnect.delay], [1, 300], 'reconnect event: attempt and delay')
  await collect(source, 2)
  const [first, second] = await t.requests()
  const gap = second.time - first.closedAt
  // Not 3000 (the default) nor 0: the delay the server asked for, counted from the end of the stream.
  assert(gap >= 250 && gap < 2500, `the reconnect came ${Math.round(gap)} ms after the stream ended, not about 300`)
})

test('a 404 fails the source with an HTTPError: status, code, response', async (t) => {
  const {HTTPError, StreamSourceError} = t.lib
  const source = t.open('status?code=404')
  // The body is there to read only from inside the listener: after it, the library lets it go.
  let body
  source.onerror = (event) => (body = event.response.text())
  const event = await next(source, 'error')
  equal(source.readyState, source.CLOSED, 'readyState')
  equal([event.willReconnect, event.status, event.code, event.statusText], [false, 404, 404, 'Not Found'], 'error event')
  assert(event.cause instanceof HTTPError, `cause is an HTTPError, not ${event.cause}`)
  assert(event.cause instanceof StreamSourceError, 'an HTTPError is a StreamSourceError')
  equal([event.cause.name, event.cause.status, event.cause.statusText], ['HTTPError', 404, 'Not Found'], 'HTTPError')
  assert(event.cause.response === event.response, 'the error and the event carry the one response')
  equal(event.response.status, 404, 'response.status')
  equal(await body, 'no such stream', 'response body, read in the listener')
  await sleep(200)
  equal((await t.requests()).length, 1, 'requests: no reconnect')
})

test('a wrong Content-Type fails the source with a ContentTypeError', async (t) => {
  const source = t.open('json')
  const event = await next(source, 'error')
  equal([source.readyState, event.willReconnect, event.status], [source.CLOSED, false, 200], 'closed, no reconnect')
  assert(event.cause instanceof t.lib.ContentTypeError, `cause is a ContentTypeError, not ${event.cause}`)
  equal(event.cause.contentType, 'application/json', 'contentType')
  await sleep(200)
  equal((await t.requests()).length, 1, 'requests: no reconnect')
})

test('headers given as an object are sent, with Accept', async (t) => {
  const source = t.open('echo', {headers: {'X-Api-Key': 'k1', Authorization: 'Bearer t1'}})
  const sent = JSON.parse((await next(source, 'message')).data)
  equal(
    [sent.method, sent.headers['x-api-key'], sent.headers.authorization, sent.headers.accept],
    ['GET', 'k1', 'Bearer t1', 'text/event-stream'],
    'method and headers the server got',
  )
})

test('an async headers function is called before every attempt, with the URL', async (t) => {
  const urls = []
  let count = 0
  const source = t.open('ending?retry=20', {
    headers: async ({url}) => {
      urls.push(url)
      await sleep(5)
      return {Authorization: `Bearer ${++count}`}
    },
  })
  await collect(source, 2)
  source.close()
  const requests = await t.requests()
  equal(
    requests.map((request) => request.headers.authorization),
    ['Bearer 1', 'Bearer 2'],
    'a fresh token on each attempt',
  )
  equal(urls, [t.url('ending?retry=20'), t.url('ending?retry=20')], 'the URL the function was given')
})

test('POST with a body', async (t) => {
  const body = JSON.stringify({prompt: 'héllo', stream: true})
  const source = t.open('echo', {method: 'post', body, headers: {'Content-Type': 'application/json'}})
  const sent = JSON.parse((await next(source, 'message')).data)
  equal([sent.method, sent.headers['content-type'], sent.body], ['POST', 'application/json', body], 'the request the server got')
})

test('oneShot: the end of the stream ends the source with an end event, and no second request', async (t) => {
  const source = t.open('oneshot', {method: 'POST', body: '{}', extensions: [t.lib.oneShot()]})
  const data = []
  source.onmessage = (event) => data.push(event.data)
  const errors = []
  source.onerror = (event) => errors.push(event.message)
  await next(source, 'end')
  equal(source.readyState, source.CLOSED, 'readyState after end')
  equal(data, ['a', 'b'], 'events')
  await sleep(200)
  equal(errors, [], 'error events')
  equal((await t.requests()).length, 1, 'requests')
})

test('close() on an open stream: no event after it, and the connection ends', async (t) => {
  const source = t.open('ticks')
  const data = []
  source.onmessage = (event) => {
    data.push(event.data)
    if (data.length === 2) source.close()
  }
  let errors = 0
  source.onerror = () => errors++
  await until(() => data.length >= 2, 'two ticks')
  equal(source.readyState, source.CLOSED, 'readyState')
  await until(async () => (await t.requests())[0]?.closedAt !== undefined, 'the server to see the connection end')
  await sleep(150)
  equal([data, errors], [['1', '2'], 0], 'events and errors, after close()')
  equal((await t.requests()).length, 1, 'requests')
})

test('close() while a reconnect waits: no request and no timer left (the runtime still exits)', async (t) => {
  // retry: 60000: were the timer left behind, the runtime would not exit for a minute.
  const source = t.open('ending?retry=60000')
  const error = await next(source, 'error')
  equal([error.willReconnect, error.reconnectDelay], [true, 60000], 'the error event before the wait')
  source.close()
  equal(source.readyState, source.CLOSED, 'readyState')
  await sleep(100)
  equal((await t.requests()).length, 1, 'requests')
})

test('close() right after the constructor: no event at all', async (t) => {
  const source = t.open('events')
  source.close()
  let events = 0
  for (const type of ['open', 'message', 'named', 'error']) source.addEventListener(type, () => events++)
  await sleep(150)
  equal([source.readyState, events], [source.CLOSED, 0], 'readyState and events')
})

test('listeners: handleEvent objects, once, signal, stopImmediatePropagation, in the order added', async (t) => {
  // dist/node/index.js (Node, Deno, Bun) dispatches messages through listener lists of its own
  // (src/platform/node.ts): the DOM's rules must hold there as on the platform's EventTarget.
  const source = t.open('ticks')
  const log = []
  const controller = new AbortController()
  source.addEventListener('message', {handleEvent: (event) => log.push(`object ${event.data}`)})
  source.onmessage = (event) => log.push(`handler ${event.data}`)
  source.addEventListener('message', (event) => log.push(`once ${event.data}`), {once: true})
  source.addEventListener(
    'message',
    (event) => {
      log.push(`signal ${event.data}`)
      controller.abort()
    },
    {signal: controller.signal},
  )
  source.addEventListener('message', (event) => {
    log.push(`stop ${event.data}`)
    if (event.data === '2') {
      event.stopImmediatePropagation()
      source.close()
    }
  })
  source.addEventListener('message', (event) => log.push(`last ${event.data}`))
  await until(() => source.readyState === source.CLOSED, 'the second tick')
  equal(
    log,
    ['object 1', 'handler 1', 'once 1', 'signal 1', 'stop 1', 'last 1', 'object 2', 'handler 2', 'stop 2'],
    'listener calls',
  )
})

test('heartbeat: a silent connection is dropped with a HeartbeatTimeoutError, and reconnects', async (t) => {
  const source = t.open('events', {extensions: [t.lib.heartbeat(300)]})
  await collect(source, 2)
  const error = await next(source, 'error')
  assert(error.cause instanceof t.lib.HeartbeatTimeoutError, `cause is a HeartbeatTimeoutError, not ${error.cause}`)
  equal([error.cause.timeout, error.willReconnect, source.readyState], [300, true, source.CONNECTING], 'timeout, willReconnect, readyState')
  await until(async () => (await t.requests())[0]?.closedAt !== undefined, 'the server to see the connection end')
})

test('the signal option closes the source', async (t) => {
  const controller = new AbortController()
  const source = t.open('ticks', {signal: controller.signal})
  await next(source, 'message')
  controller.abort()
  equal(source.readyState, source.CLOSED, 'readyState after abort')
  await until(async () => (await t.requests())[0]?.closedAt !== undefined, 'the server to see the connection end')
})

test("createEventSource without options: the platform's EventSource where there is one (Deno), else the library's", async (t) => {
  const source = t.lib.createEventSource(t.url('events'))
  try {
    const native = typeof globalThis.EventSource == 'function' && globalThis.EventSource !== t.lib.EventSource
    equal(source instanceof t.lib.EventSource, !native, `the library's class (platform EventSource: ${typeof globalThis.EventSource})`)
    const [event] = await collect(source, 1)
    equal(event.data, 'one', 'first message')
    // Deno's own EventSource sets `origin` to the whole URL (2.9.6), the library's to the origin.
    if (!native) equal(event.origin, t.origin, 'origin')
  } finally {
    source.close()
  }
})

test('the async iterator yields the messages, and breaking out closes the source', async (t) => {
  const source = t.open('ticks')
  const data = []
  for await (const event of t.lib.messages(source)) {
    data.push(event.data)
    if (data.length === 3) break
  }
  equal(data, ['1', '2', '3'], 'messages')
  equal(source.readyState, source.CLOSED, 'readyState after break')
  await until(async () => (await t.requests())[0]?.closedAt !== undefined, 'the server to see the connection end')
})

test('an EventSource reads multibyte characters split across chunks', async (t) => {
  const source = t.open('utf8')
  const events = await collect(source, 3)
  equal(
    events.map((event) => [event.data, event.lastEventId]),
    [
      ['héllo €', ''],
      ['ü😀', '5'],
      ['日本語', '5'],
    ],
    'data and lastEventId',
  )
})

test('createParser: strings and Uint8Arrays in any chunking, multibyte characters split', async (t) => {
  const expected = {events: PARSED, comments: ['comment'], retries: [1500]}
  equal(parse(t.lib, [STREAM]), expected, 'one string')
  equal(parse(t.lib, unitChunks(STREAM)), expected, 'one UTF-16 unit per chunk')
  equal(parse(t.lib, [encoder.encode(STREAM)]), expected, 'one Uint8Array')
  equal(parse(t.lib, byteChunks(STREAM)), expected, 'one byte per chunk')
  // Bytes and text mixed, each cut somewhere else.
  const bytes = encoder.encode(STREAM)
  equal(parse(t.lib, [bytes.subarray(0, 9), bytes.subarray(9, 40), bytes.subarray(40)]), expected, 'three Uint8Arrays')
})

test('EventSourceParserStream on a fetch body cut inside characters', async (t) => {
  const response = await fetch(t.url('utf8?end=1'))
  const reader = response.body.pipeThrough(new t.lib.EventSourceParserStream()).getReader()
  const events = []
  for (;;) {
    const {done, value} = await reader.read()
    if (done) break
    events.push(value)
  }
  equal(JSON.parse(JSON.stringify(events)), UTF8_EVENTS, 'events')
})

test('a redirect: reconnects ask the URL given again, and credentials never reach the other origin', async (t) => {
  const target = `${t.otherUrl('ending?retry=10')}`
  const given = t.url(`redirect?to=${encodeURIComponent(target)}`)
  // The fetch standard drops only Authorization on a cross-origin redirect; Node's, Deno's and Bun's
  // fetch drop Cookie and Proxy-Authorization too (workerd's forwards them: test/runtime-workerd.test.ts).
  const source = t.open(given, {headers: {Authorization: 'Bearer secret', Cookie: 'session=secret', 'Proxy-Authorization': 'Basic secret'}})
  const events = await collect(source, 3)
  source.close()
  equal(
    events.map((event) => [event.data, event.lastEventId, event.origin]),
    [1, 2, 3].map((n) => [`connection ${n}`, String(n), t.otherOrigin]),
    'events, with the origin of the final URL',
  )
  const named = await t.requests()
  const other = await t.otherRequests()
  equal(
    named.slice(0, 3).map((request) => [request.path, request.headers.authorization, request.headers.cookie]),
    [1, 2, 3].map(() => ['/redirect', 'Bearer secret', 'session=secret']),
    'every connection asked the URL given, with its credentials',
  )
  const credentials = ({headers}) => [headers.authorization, headers.cookie, headers['proxy-authorization']].filter(Boolean)
  equal(
    other.slice(0, 3).map((request) => [credentials(request), request.headers['last-event-id'] ?? null]),
    [
      [[], null],
      [[], '1'],
      [[], '2'],
    ],
    'at the other origin: no credentials, and Last-Event-ID through the redirect',
  )
})

/** What /utf8 streams (see test/support/runtime-server.ts), parsed. */
const UTF8_EVENTS = [{data: 'héllo €'}, {id: '5', data: 'ü😀'}, {data: '日本語'}]

// ---------------------------------------------------------------- the runner

/**
 * The per-test helpers: `t.open(path, init)` makes an EventSource on this server (closed after the
 * test whatever happens), `t.requests()` what the server recorded for this test, and the same on
 * the other server (another origin).
 */
function context(lib, base, other, key) {
  const withKey = (origin, path) => {
    const url = new URL(path, origin)
    url.searchParams.set('key', key)
    return url.href
  }
  const sources = []
  const log = async (origin) => {
    const response = await fetch(`${origin}/log?key=${encodeURIComponent(key)}`)
    return response.json()
  }
  return {
    lib,
    origin: new URL(base).origin,
    otherOrigin: new URL(other).origin,
    url: (path) => withKey(base, path),
    otherUrl: (path) => withKey(other, path),
    open(pathOrUrl, init) {
      const url = /^https?:/.test(pathOrUrl) ? pathOrUrl : withKey(base, pathOrUrl)
      const source = new lib.EventSource(url, init)
      sources.push(source)
      return source
    },
    requests: () => log(new URL(base).origin),
    otherRequests: () => log(new URL(other).origin),
    cleanup: () => sources.forEach((source) => source.close()),
  }
}

/** Longer than any wait inside a test (5 s), so that the test's own message wins. */
const TIMEOUT = 10_000

/**
 * Runs every test (or those whose names contain `only`) with `lib`, the package's exports, against
 * the servers at `base` and `other`; prints `ok`/`not ok` lines and a summary line.
 */
export async function run(lib, {base, other, runtime, entry, only}) {
  const results = []
  const started = Date.now()
  console.log(`# ${runtime}: ${entry}`)
  for (const [index, [name, fn]] of tests.entries()) {
    if (only && !name.includes(only)) continue
    const key = `t${index}-${Math.random().toString(36).slice(2, 8)}`
    const t = context(lib, base, other, key)
    const start = Date.now()
    let timer
    let error
    try {
      await Promise.race([
        fn(t),
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new AssertionError(`timed out after ${TIMEOUT} ms`)), TIMEOUT)
        }),
      ])
    } catch (caught) {
      error = caught instanceof AssertionError ? caught.message : String(caught?.stack ?? caught)
    } finally {
      clearTimeout(timer)
      t.cleanup()
    }
    const ms = Date.now() - start
    results.push(error === undefined ? {name, ok: true, ms} : {name, ok: false, ms, error})
    console.log(`${error === undefined ? 'ok' : 'not ok'} ${results.length} - ${name} (${ms} ms)`)
    if (error !== undefined) console.log(`  # ${error.replace(/\n/g, '\n  # ')}`)
  }
  const passed = results.filter((result) => result.ok).length
  const summary = {runtime, entry, passed, failed: results.length - passed, ms: Date.now() - started, results}
  console.log(`# summary ${JSON.stringify(summary)}`)
  return summary
}

/** The command line of an entry file: `BASE_URL OTHER_URL [NAME_FILTER]`, however the runtime passes it. */
export function args() {
  return globalThis.Deno ? globalThis.Deno.args : globalThis.process.argv.slice(2)
}

/** Which runtime this is, by what it is proud of. */
export function runtimeName() {
  if (globalThis.Deno) return `deno ${globalThis.Deno.version.deno}`
  if (globalThis.Bun) return `bun ${globalThis.Bun.version}`
  return `node ${globalThis.process.versions.node}`
}
