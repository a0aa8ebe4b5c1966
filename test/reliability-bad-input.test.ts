// Reliability (issue 6): bad input that test/eventsource-bad-input.test.ts leaves out. A line that never
// ends is cut off at maxEventSize with memory bounded (the client stops reading and closes the
// connection, rather than buffer what the server keeps sending); URLs that parse but that fetch cannot
// open (ftp:, ws:, javascript:, file:); `retry:` and `Retry-After` values past what a timer can wait;
// event names that are Object.prototype members, through every way of receiving events.
import {describe, expect, test} from 'vitest'
import {ParseError, type EventSourceErrorEvent} from '../src/index.js'
import {open, recordEvents, serve, sleep, unhandledRejections, useEventSourceHooks, waitFor} from './support/eventsource.js'
import {startSse} from './support/sse-server.js'

useEventSourceHooks()

/** The longest delay a timer can wait, 2³¹ − 1 ms (about 24.8 days); longer ones fire at once. */
const MAX_TIMER_DELAY = 2 ** 31 - 1
/** One hour: what `Retry-After` gets at most when `maxDelay` is not set (README, src/backoff.ts). */
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
      await sleep(30)
      expect(log).toEqual(['error 2 final'])
      expect(unhandledRejections()).toEqual([])
    },
  )

  test('with a custom fetch, which may know the scheme, a failure reconnects as usual', async () => {
    const calls: string[] = []
    const source = open('app://local/stream', {
      fetch: (url) => {
        calls.push(url)
        return Promise.reject(new TypeError('offline'))
      },
      reconnect: {initialDelay: 5, maxAttempts: 2},
    })
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
    const source = open(`${server.url}stream`)
    const {log} = recordEvents(source, ['open', 'message', 'error', 'reconnect'])
    await waitFor(() => log.length === 4, 'the reconnect')
    expect(log).toEqual(['open 1', 'message 1 x', 'error 0 retry', `reconnect 0 #1 ${MAX_TIMER_DELAY}ms`])
    expect(source.reconnectDelay).toBe(MAX_TIMER_DELAY)
    // An overflowing timer would have fired after 1 ms, again and again.
    await sleep(100)
    expect(server.requests).toHaveLength(1)
  })

  test('Retry-After: 99999999 seconds waits one hour at most (MAX_RETRY_AFTER) when maxDelay is not set', async () => {
    const server = await serve({
      '/stream': (_req, res) => {
        res.writeHead(503, {'Retry-After': '99999999'})
        res.end()
      },
    })
    const source = open(`${server.url}stream`, {reconnect: {initialDelay: 10, retryOnStatus: [503]}})
    const {log} = recordEvents(source, ['error', 'reconnect'])
    await waitFor(() => log.length === 2, 'the reconnect')
    expect(log).toEqual(['error 0 retry', `reconnect 0 #1 ${MAX_RETRY_AFTER}ms`])
    await sleep(100)
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
    for await (const event of source) {
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
