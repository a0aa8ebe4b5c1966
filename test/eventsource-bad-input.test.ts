// What goes wrong on the user's side or the server's: invalid URLs, headers and body functions
// and custom fetches that throw or reject, a Response without a body, bytes that are not UTF-8,
// and events past maxEventSize. None of it may end in an unhandled rejection. That nothing follows a
// final failure is checked on a fake clock moved past every delay (the sockets keep real time).
import {describe, expect, test} from 'vitest'
import {EventSource, type EventSourceErrorEvent, type EventSourceInit, ParseError, retryOnStatus, messages} from '../src/index.js'
import {countFetches, expectAttemptAfter, nextTurn, open, passEveryDelay, recordEvents, serve, skipReconnectDelays, unhandledRejections, useEventSourceHooks, useFakeClock, waitFor} from './support/eventsource.js'
import {bytes, startSse} from './support/sse-server.js'

useEventSourceHooks()

/** A server whose /stream sends one event and holds the connection. */
const holding = () => serve({'/stream': (_req, res) => void startSse(res).send({data: 'ok'})})

/** A stream of `body` from a custom fetch, without a network. */
function eventStream(body: string | null): Response {
  return new Response(body, {headers: {'Content-Type': 'text/event-stream'}})
}

describe('an invalid URL', () => {
  const invalid = ['http://[', 'http://exa mple.com/', 'http://127.0.0.1:99999/', 'relative', '/absolute', '', 'no scheme']
  test.each(invalid)('%j throws a SyntaxError DOMException', (url) => {
    let error: unknown
    try {
      new EventSource(url)
    } catch (caught) {
      error = caught
    }
    expect(error).toBeInstanceOf(DOMException)
    expect((error as DOMException).name).toBe('SyntaxError')
    expect((error as DOMException).message).toContain(`'${url}'`)
  })
})

describe('a headers or body function that fails', () => {
  /** Opens /stream with `init`, where the first attempt is expected to fail, and returns what happened. */
  async function failFirst(init: EventSourceInit) {
    const server = await holding()
    useFakeClock()
    const source = open(`${server.url}stream`, {reconnect: {initialDelay: 10}, ...init})
    skipReconnectDelays(source)
    const {log, events} = recordEvents(source, ['open', 'message', 'error', 'reconnect'])
    await waitFor(() => log.length === 4, 'the second attempt')
    return {server, source, log, error: events[0] as EventSourceErrorEvent}
  }

  test('a headers function that throws: an error with that cause, then a reconnect', async () => {
    const thrown = new Error('token store unavailable')
    let calls = 0
    const {server, log, error} = await failFirst({
      headers: () => {
        if (++calls === 1) throw thrown
        return {Authorization: 'Bearer fresh'}
      },
    })
    expect(log).toEqual(['error 0 retry', 'reconnect 0 #1 10ms', 'open 1', 'message 1 ok'])
    expect(error.cause).toBe(thrown)
    expect(error.willReconnect).toBe(true)
    expect(error.response).toBeUndefined()
    expect(server.requests.map((request) => request.headers.authorization)).toEqual(['Bearer fresh'])
    expect(unhandledRejections()).toEqual([])
  })

  test('a headers function that rejects: the same, never an unhandled rejection', async () => {
    const rejected = new Error('refresh failed')
    let calls = 0
    const {server, log, error} = await failFirst({
      headers: async () => {
        if (++calls === 1) throw rejected
        return {Authorization: 'Bearer fresh'}
      },
    })
    expect(log).toEqual(['error 0 retry', 'reconnect 0 #1 10ms', 'open 1', 'message 1 ok'])
    expect(error.cause).toBe(rejected)
    expect(server.requests).toHaveLength(1)
    // Rejections are reported once the microtask queue drains: give them a turn of the loop.
    await nextTurn()
    expect(unhandledRejections()).toEqual([])
  })

  test('headers that fetch cannot send (a bad name or value) are a failed attempt too', async () => {
    let calls = 0
    const {log, error} = await failFirst({
      headers: () => (++calls === 1 ? {'Bad Name': 'x'} : {'X-Fine': 'y'}),
    })
    expect(log).toEqual(['error 0 retry', 'reconnect 0 #1 10ms', 'open 1', 'message 1 ok'])
    expect(error.cause).toBeInstanceOf(TypeError)
    // Checked before fetch sees it: the message names the option and the header.
    expect(error.message).toContain('`headers`')
    expect(error.message).toContain('"Bad Name"')
  })

  test('a body function that rejects: an error with that cause, then a reconnect', async () => {
    const rejected = new Error('cannot build the body')
    let calls = 0
    const {server, log, error} = await failFirst({
      method: 'POST',
      body: async () => {
        if (++calls === 1) throw rejected
        return 'second try'
      },
    })
    expect(log).toEqual(['error 0 retry', 'reconnect 0 #1 10ms', 'open 1', 'message 1 ok'])
    expect(error.cause).toBe(rejected)
    expect(server.requests.map((request) => request.body)).toEqual(['second try'])
  })

  test('a headers function that always rejects keeps retrying, and maxAttempts ends it', async () => {
    const server = await holding()
    useFakeClock()
    const fetches = countFetches()
    const source = open(`${server.url}stream`, {
      headers: () => Promise.reject(new Error('no token')),
      reconnect: {initialDelay: 10, maxAttempts: 2},
    })
    skipReconnectDelays(source)
    const {log} = recordEvents(source, ['open', 'error'])
    await waitFor(() => source.readyState === 2, 'the source to give up')
    await passEveryDelay()
    expect(log).toEqual(['error 0 retry', 'error 0 retry', 'error 2 final'])
    expect(fetches.count()).toBe(0)
    expect(server.requests).toEqual([])
    expect(unhandledRejections()).toEqual([])
  })
})

describe('a custom fetch that fails', () => {
  test.each([
    ['throws synchronously', (error: Error) => (): Promise<Response> => {
      throw error
    }],
    ['rejects', (error: Error) => () => Promise.reject(error)],
  ])('one that %s: an error with that cause, then a reconnect', async (_name, makeFailing) => {
    const thrown = new Error('offline')
    const failing = makeFailing(thrown)
    let calls = 0
    useFakeClock()
    const source = open('http://stream.invalid/', {
      // Not an async function: a synchronous throw must reach the EventSource as one.
      fetch: () => (++calls === 1 ? failing() : Promise.resolve(eventStream(`data: attempt ${calls}\n\n`))),
      reconnect: {initialDelay: 10},
    })
    const {log, events} = recordEvents(source, ['open', 'message', 'error', 'reconnect'])
    await waitFor(() => log.length === 2, 'the reconnect to be scheduled')
    await expectAttemptAfter({count: () => calls}, 10)
    // Each response ends, so the source would go on reconnecting, but the clock stays where it is.
    await waitFor(() => log.length >= 4, 'the second attempt')
    expect(log.slice(0, 4)).toEqual(['error 0 retry', 'reconnect 0 #1 10ms', 'open 1', 'message 1 attempt 2'])
    const error = events[0] as EventSourceErrorEvent
    expect(error.cause).toBe(thrown)
    expect(error.message).toBe('Connection to http://stream.invalid/ failed: offline')
    expect(unhandledRejections()).toEqual([])
  })

  test('one that resolves to something that is not a Response: fails the connection', async () => {
    const source = open('http://stream.invalid/', {
      fetch: async () => ({status: 'nonsense'}) as unknown as Response,
      reconnect: {initialDelay: 10_000},
    })
    const {log, events} = recordEvents(source, ['open', 'message', 'error'])
    await waitFor(() => log.length === 1, 'the error')
    expect(log).toEqual(['error 2 final'])
    expect((events[0] as EventSourceErrorEvent).status).toBe('nonsense')
  })
  // A Response with a null body fails the connection: test/eventsource-options.test.ts (a custom fetch).
})

describe('bytes that are not UTF-8', () => {
  test('decode to U+FFFD; a character split between chunks decodes whole; a BOM is dropped', async () => {
    const server = await serve({
      '/stream': async (_req, res) => {
        const stream = startSse(res)
        const euro = new TextEncoder().encode('€')
        await stream.writeChunks(
          [
            bytes(new Uint8Array([0xef, 0xbb, 0xbf]), 'data: bom\n\n'),
            bytes('data: a', new Uint8Array([0xff]), 'b\n\n'),
            bytes('data: cut ', new Uint8Array([0xe2, 0x82]), '\n\n'),
            bytes('data: ', euro.subarray(0, 1)),
            bytes(euro.subarray(1), ' whole\n\n'),
            bytes('data: ', new Uint8Array([0xc0, 0xaf]), ' overlong\n\n'),
          ],
          {delay: 5},
        )
      },
    })
    const source = open(`${server.url}stream`)
    const data: string[] = []
    source.onmessage = (event) => data.push(event.data)
    await waitFor(() => data.length === 5, 'five messages')
    expect(data).toEqual(['bom', 'a\uFFFDb', 'cut \uFFFD', '€ whole', '\uFFFD\uFFFD overlong'])
  })
})

describe('maxEventSize', () => {
  test('an event larger than it: an error with a ParseError cause, CLOSED, no reconnect', async () => {
    const received: {log: string[]} = {log: []}
    const server = await serve({
      '/stream': async (_req, res) => {
        const stream = startSse(res)
        await stream.send({retry: 10, data: 'small'})
        // The rest once the first event is in: in a chunk of its own.
        await waitFor(() => received.log.includes('message 1 small'), 'the small event')
        // The big event and one after it, in the same write.
        await stream.write(`data: ${'x'.repeat(300)}\n\ndata: after\n\n`)
      },
    })
    useFakeClock()
    const fetches = countFetches()
    const source = open(`${server.url}stream`, {maxEventSize: 100})
    const {log, events} = recordEvents(source, ['open', 'message', 'error', 'reconnect'])
    received.log = log
    await waitFor(() => source.readyState === 2, 'the failure')
    await passEveryDelay()
    expect(fetches.count()).toBe(1)
    expect(log).toEqual(['open 1', 'message 1 small', 'error 2 final'])
    const error = events.at(-1) as EventSourceErrorEvent
    expect(error.cause).toBeInstanceOf(ParseError)
    expect((error.cause as ParseError).type).toBe('max-buffer-size-exceeded')
    expect(error.willReconnect).toBe(false)
    expect(server.requests).toHaveLength(1)
    // The client let go of the connection: the server sees it close (through the socket, in real time).
    await waitFor(() => server.activeRequests() === 0, 'the server to see the connection closed')
  })

  test('so does a line that never ends, and many data lines that add up', async () => {
    const server = await serve({
      '/line': (_req, res) => void startSse(res).write('data: ' + 'y'.repeat(500)),
      '/lines': (_req, res) => void startSse(res).write('data: 0123456789\n'.repeat(20)),
    })
    for (const path of ['line', 'lines']) {
      const source = open(`${server.url}${path}`, {maxEventSize: 100})
      const {log, events} = recordEvents(source, ['open', 'message', 'error'])
      await waitFor(() => source.readyState === 2, `the failure of /${path}`)
      expect(log).toEqual(['open 1', 'error 2 final'])
      expect((events.at(-1) as EventSourceErrorEvent).cause).toBeInstanceOf(ParseError)
    }
  })

  test('an event just within it is delivered', async () => {
    const server = await serve({'/stream': (_req, res) => void startSse(res).write(`data: ${'z'.repeat(90)}\n\n`)})
    const source = open(`${server.url}stream`, {maxEventSize: 100})
    const data: string[] = []
    source.onmessage = (event) => data.push(event.data)
    await waitFor(() => data.length === 1, 'the message')
    expect(data[0]).toHaveLength(90)
    expect(source.readyState).toBe(1)
  })
})

// ---------------------------------------------------------------------------------------------
// More bad input from the server and the user. A line that never
// ends is cut off at maxEventSize with memory bounded (the client stops reading and closes the
// connection, rather than buffer what the server keeps sending); URLs that parse but that fetch cannot
// open (ftp:, ws:, javascript:, file:); `retry:` and `Retry-After` values past what a timer can wait;
// event names that are Object.prototype members, through every way of receiving events.

/** The longest delay a timer can wait, 2³¹ − 1 ms (about 24.8 days); longer ones fire at once. */
const MAX_TIMER_DELAY = 2 ** 31 - 1
/** One hour: what `Retry-After` gets at most when `maxDelay` is not set (README, src/eventsource/backoff.ts). */
const MAX_RETRY_AFTER = 3_600_000

describe('maxEventSize', () => {
  test('a line that never ends: a clear error, CLOSED, and the connection closed after a bounded amount of data', async () => {
    const LIMIT = 64 * 1024
    const CHUNK = 'x'.repeat(16 * 1024)
    let written = 0
    const server = await serve({
      '/stream': async (_req, res) => {
        const stream = startSse(res)
        await stream.write('data: ')
        // As fast as the client takes it, until it goes away (or 256 MiB, far past any buffer).
        while (!stream.isClosed && written < 256 * 1024 * 1024) {
          await stream.write(CHUNK)
          written += CHUNK.length
        }
      },
    })
    const source = open(`${server.url}stream`, {maxEventSize: LIMIT})
    const {log, events} = recordEvents(source, ['open', 'message', 'error', 'reconnect'])
    await waitFor(() => source.readyState === 2, 'the failure')
    await waitFor(() => server.usedConnections() === 0, 'the server to see the connection closed')
    expect(log).toEqual(['open 1', 'error 2 final'])
    const error = events.at(-1) as EventSourceErrorEvent
    expect(error.cause).toBeInstanceOf(ParseError)
    expect((error.cause as ParseError).type).toBe('max-buffer-size-exceeded')
    expect(error.message).toContain(String(LIMIT))
    expect(error.willReconnect).toBe(false)
    // What the server got out before the close: the limit plus what socket buffers and the fetch
    // stream held, a few MiB at most; a client that kept reading would take all 256 MiB.
    expect(written).toBeGreaterThan(LIMIT)
    expect(written).toBeLessThan(32 * 1024 * 1024)
    expect(server.requests).toHaveLength(1)
  })
})

describe('a URL that parses, with a scheme fetch cannot open', () => {
  test.each(['ftp://127.0.0.1/stream', 'ws://127.0.0.1/stream', 'javascript:alert(1)', 'file:///etc/passwd'])(
    '%s: no throw; the connection fails at once (no futile reconnects), with fetch’s TypeError as the cause and the URL in the message',
    async (url) => {
      useFakeClock()
      const fetches = countFetches()
      const source = open(url, {reconnect: {initialDelay: 10}})
      expect(source.url).toBe(url)
      const {log, events} = recordEvents(source, ['open', 'message', 'error'])
      await waitFor(() => source.readyState === 2, 'the failure')
      expect(log).toEqual(['error 2 final'])
      const error = events[0] as EventSourceErrorEvent
      expect(error.cause).toBeInstanceOf(TypeError)
      expect(error.message).toMatch(new RegExp(`^Connection to ${url.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} failed: `))
      expect(error.status).toBeUndefined()
      expect(error.willReconnect).toBe(false)
      await passEveryDelay()
      expect(log).toEqual(['error 2 final'])
      expect(fetches.count()).toBe(1)
      expect(unhandledRejections()).toEqual([])
    },
  )

  test('with a custom fetch, which may know the scheme, a failure reconnects as usual', async () => {
    const calls: string[] = []
    useFakeClock()
    const source = open('app://local/stream', {
      fetch: (url) => {
        calls.push(url)
        return Promise.reject(new TypeError('offline'))
      },
      reconnect: {initialDelay: 5, maxAttempts: 2},
    })
    skipReconnectDelays(source)
    await waitFor(() => source.readyState === 2, 'the attempts to run out')
    expect(calls).toEqual(['app://local/stream', 'app://local/stream', 'app://local/stream'])
  })
})

describe('delays past what a timer can wait', () => {
  test('retry: 99999999999 waits the longest a timer can, rather than overflow into a reconnect at once', async () => {
    const server = await serve({
      '/stream': async (_req, res) => {
        const stream = startSse(res)
        await stream.write('retry: 99999999999\ndata: x\n\n')
        await stream.end()
      },
    })
    useFakeClock()
    const fetches = countFetches()
    const source = open(`${server.url}stream`)
    const {log, events} = recordEvents(source, ['open', 'message', 'error', 'reconnect'])
    await waitFor(() => log.length === 4, 'the reconnect')
    expect(log).toEqual(['open 1', 'message 1 x', 'error 0 retry', `reconnect 0 #1 ${MAX_TIMER_DELAY}ms`])
    expect((events[2] as EventSourceErrorEvent).reconnectDelay).toBe(MAX_TIMER_DELAY)
    // An overflowing timer would have fired after 1 ms, again and again (the fake clock's timers
    // overflow as Node's do).
    await passEveryDelay()
    expect(fetches.count()).toBe(1)
    expect(server.requests).toHaveLength(1)
  })

  test('Retry-After: 99999999 seconds waits one hour at most (MAX_RETRY_AFTER) when maxDelay is not set', async () => {
    const server = await serve({
      '/stream': (_req, res) => {
        res.writeHead(503, {'Retry-After': '99999999'})
        res.end()
      },
    })
    useFakeClock()
    const fetches = countFetches()
    const source = open(`${server.url}stream`, {extensions: [retryOnStatus([503])], reconnect: {initialDelay: 10}})
    const {log} = recordEvents(source, ['error', 'reconnect'])
    await waitFor(() => log.length === 2, 'the reconnect')
    expect(log).toEqual(['error 0 retry', `reconnect 0 #1 ${MAX_RETRY_AFTER}ms`])
    await passEveryDelay()
    expect(fetches.count()).toBe(1)
    expect(server.requests).toHaveLength(1)
  })
})

describe('event names that are Object.prototype members', () => {
  const names = ['__proto__', 'constructor', 'hasOwnProperty', 'toString', 'valueOf', 'prototype']

  test('reach the async iterator with their own type, in order, and leave the source’s own members alone', async () => {
    const server = await serve({
      '/stream': (_req, res) =>
        void startSse(res).write(names.map((name) => `event: ${name}\ndata: ${name}\n\n`).join('') + 'data: end\n\n'),
    })
    const source = open(`${server.url}stream`)
    // A listener for each name too: adding one must not touch the property of that name.
    const heard: string[] = []
    for (const name of names) source.addEventListener(name, (event) => heard.push(event.type))
    const received: string[] = []
    for await (const event of messages(source)) {
      received.push(`${event.type}:${event.data}`)
      if (event.data === 'end') break
    }
    expect(received).toEqual([...names.map((name) => `${name}:${name}`), 'message:end'])
    expect(heard).toEqual(names)
    expect(source.readyState).toBe(2)
    expect(source.constructor.name).toBe('EventSource')
    expect(typeof source.toString).toBe('function')
    expect(Object.getPrototypeOf(source)).toBe(source.constructor.prototype)
  })
})
