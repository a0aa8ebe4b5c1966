// What goes wrong on the user's side or the server's: invalid URLs, headers and body functions
// and custom fetches that throw or reject, a Response without a body, bytes that are not UTF-8,
// and events past maxEventSize. None of it may end in an unhandled rejection.
import {describe, expect, test} from 'vitest'
import {EventSource, ParseError, type EventSourceErrorEvent, type EventSourceInit} from '../src/index.js'
import {
  open,
  recordEvents,
  serve,
  sleep,
  unhandledRejections,
  useEventSourceHooks,
  waitFor,
} from './support/eventsource.js'
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
    const source = open(`${server.url}stream`, {reconnect: {initialDelay: 10}, ...init})
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
    await sleep(10)
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
    const source = open(`${server.url}stream`, {
      headers: () => Promise.reject(new Error('no token')),
      reconnect: {initialDelay: 10, maxAttempts: 2},
    })
    const {log} = recordEvents(source, ['open', 'error'])
    await waitFor(() => source.readyState === 2, 'the source to give up')
    await sleep(20)
    expect(log).toEqual(['error 0 retry', 'error 0 retry', 'error 2 final'])
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
    const source = open('http://stream.invalid/', {
      // Not an async function: a synchronous throw must reach the EventSource as one.
      fetch: () => (++calls === 1 ? failing() : Promise.resolve(eventStream(`data: attempt ${calls}\n\n`))),
      reconnect: {initialDelay: 10},
    })
    const {log, events} = recordEvents(source, ['open', 'message', 'error', 'reconnect'])
    // Each response ends, so the source goes on reconnecting: look at the first four events.
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
    const server = await serve({
      '/stream': async (_req, res) => {
        const stream = startSse(res)
        await stream.send({retry: 10, data: 'small'})
        await sleep(10)
        // The big event and one after it, in the same write.
        await stream.write(`data: ${'x'.repeat(300)}\n\ndata: after\n\n`)
      },
    })
    const source = open(`${server.url}stream`, {maxEventSize: 100})
    const {log, events} = recordEvents(source, ['open', 'message', 'error', 'reconnect'])
    await waitFor(() => source.readyState === 2, 'the failure')
    await sleep(100)
    expect(log).toEqual(['open 1', 'message 1 small', 'error 2 final'])
    const error = events.at(-1) as EventSourceErrorEvent
    expect(error.cause).toBeInstanceOf(ParseError)
    expect((error.cause as ParseError).type).toBe('max-buffer-size-exceeded')
    expect(error.willReconnect).toBe(false)
    expect(server.requests).toHaveLength(1)
    expect(server.activeRequests()).toBe(0)
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
