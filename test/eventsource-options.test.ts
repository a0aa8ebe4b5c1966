// The request options: headers (static or a function called before every attempt), method and
// body (replayed on reconnect), credentials, a custom fetch and what it is called with, the
// abort signal, and the TypeErrors for impossible values.
import {describe, expect, test} from 'vitest'
import {EventSource, type EventSourceErrorEvent, type EventSourceInit, type FetchLikeInit} from '../src/index.js'
import {countFetches, nextEvent, nextTurn, open, passEveryDelay, recordEvents, recordFetches, serve, skipReconnectDelays, useEventSourceHooks, useFakeClock, waitFor} from './support/eventsource.js'
import {startSse, type RecordedRequest} from './support/sse-server.js'

useEventSourceHooks()

/**
 * Serves /stream: every connection gets one event and ends (`retry: 10`), so a source keeps
 * reconnecting; /hold keeps its connection open.
 */
async function reconnecting() {
  let connections = 0
  return serve({
    '/stream': async (_req, res) => {
      connections++
      const stream = startSse(res)
      await stream.send({retry: 10, data: `connection ${connections}`})
      await stream.end()
    },
    '/hold': (_req, res) => void startSse(res).send({retry: 10, data: 'held'}),
  })
}

/** Opens /stream and resolves with the first `count` requests the server got for it; the reconnect delays are skipped on a fake clock. */
async function firstRequests(init: EventSourceInit, count = 2): Promise<RecordedRequest[]> {
  const server = await reconnecting()
  useFakeClock()
  skipReconnectDelays(open(`${server.url}stream`, init))
  const requests = await server.waitForRequests(count, {timeout: 5_000})
  return requests.slice(0, count)
}

describe('headers', () => {
  test.each([
    ['an object', {'X-Token': 'abc', 'X-Other': 'def'}],
    ['a Headers', new Headers({'X-Token': 'abc', 'X-Other': 'def'})],
    ['entry pairs', [['X-Token', 'abc'], ['X-Other', 'def']] as [string, string][]],
    ['a function', () => ({'X-Token': 'abc', 'X-Other': 'def'})],
    ['an async function', async () => new Headers([['X-Token', 'abc'], ['X-Other', 'def']])],
  ])('given as %s are sent with every attempt', async (_kind, headers) => {
    const requests = await firstRequests({headers})
    for (const request of requests) {
      expect([request.headers['x-token'], request.headers['x-other'], request.headers.accept]).toEqual([
        'abc',
        'def',
        'text/event-stream',
      ])
    }
  })

  test('a function is called before every attempt, so a refreshed token shows in the next request', async () => {
    let token = 0
    const requests = await firstRequests({headers: () => ({Authorization: `Bearer ${++token}`})}, 3)
    expect(requests.map((request) => request.headers.authorization)).toEqual(['Bearer 1', 'Bearer 2', 'Bearer 3'])
  })

  test('an async function is awaited before every attempt', async () => {
    let token = 0
    const headers = async () => {
      // Settles on a later turn of the loop, not with the call's own promise jobs.
      await nextTurn()
      return {Authorization: `Bearer ${++token}`}
    }
    const requests = await firstRequests({headers}, 3)
    expect(requests.map((request) => request.headers.authorization)).toEqual(['Bearer 1', 'Bearer 2', 'Bearer 3'])
  })

  test('Last-Event-ID from the stream goes along with the user headers', async () => {
    let connections = 0
    const server = await serve({
      '/stream': async (_req, res) => {
        connections++
        const stream = startSse(res)
        await stream.send({retry: 10, id: `id-${connections}`, data: 'x'})
        await stream.end()
      },
    })
    useFakeClock()
    skipReconnectDelays(open(`${server.url}stream`, {headers: {'X-Token': 'abc'}}))
    const requests = await server.waitForRequests(3)
    expect(requests.slice(0, 3).map((request) => [request.headers['x-token'], request.headers['last-event-id']])).toEqual([
      ['abc', undefined],
      ['abc', 'id-1'],
      ['abc', 'id-2'],
    ])
  })
})

describe('method and body', () => {
  test('POST with a string body is sent again on every reconnect', async () => {
    const requests = await firstRequests({method: 'POST', body: '{"prompt":"hi"}'})
    expect(requests.map((request) => [request.method, request.body, request.headers['content-type']])).toEqual([
      ['POST', '{"prompt":"hi"}', 'text/plain;charset=UTF-8'],
      ['POST', '{"prompt":"hi"}', 'text/plain;charset=UTF-8'],
    ])
  })

  test('a body with its own content type, and a Content-Type header that overrides it', async () => {
    const requests = await firstRequests({
      method: 'POST',
      body: '{"prompt":"hi"}',
      headers: {'Content-Type': 'application/json'},
    })
    expect(requests.map((request) => request.headers['content-type'])).toEqual(['application/json', 'application/json'])
  })

  test.each([
    [
      'URLSearchParams',
      () => new URLSearchParams({a: '1', b: 'two words'}),
      'a=1&b=two+words',
      'application/x-www-form-urlencoded;charset=UTF-8',
    ],
    ['Blob', () => new Blob(['{"x":1}'], {type: 'application/json'}), '{"x":1}', 'application/json'],
    ['ArrayBuffer', () => new TextEncoder().encode('raw bytes').buffer, 'raw bytes', undefined],
    ['Uint8Array', () => new TextEncoder().encode('typed bytes'), 'typed bytes', undefined],
  ])('a %s body is replayed on reconnect', async (_kind, makeBody, text, contentType) => {
    const requests = await firstRequests({method: 'POST', body: makeBody()})
    expect(requests.map((request) => [request.method, request.body, request.headers['content-type']])).toEqual([
      ['POST', text, contentType],
      ['POST', text, contentType],
    ])
  })

  test('a body function is called before every attempt, sync or async', async () => {
    let calls = 0
    const sync = await firstRequests({method: 'POST', body: () => `attempt ${++calls}`}, 3)
    expect(sync.map((request) => request.body)).toEqual(['attempt 1', 'attempt 2', 'attempt 3'])
    let asyncCalls = 0
    const later = await firstRequests({method: 'POST', body: async () => new URLSearchParams({n: String(++asyncCalls)})})
    expect(later.map((request) => request.body)).toEqual(['n=1', 'n=2'])
  })

  test('a body function can return a fresh ReadableStream for every attempt', async () => {
    let calls = 0
    const body = () =>
      new ReadableStream<Uint8Array>({
        start(controller) {
          calls++
          controller.enqueue(new TextEncoder().encode(`streamed `))
          controller.enqueue(new TextEncoder().encode(`body ${calls}`))
          controller.close()
        },
      })
    const requests = await firstRequests({method: 'POST', body})
    expect(requests.map((request) => [request.method, request.body])).toEqual([
      ['POST', 'streamed body 1'],
      ['POST', 'streamed body 2'],
    ])
  })

  test('the method is upper-cased; other methods than POST work too', async () => {
    const requests = await firstRequests({method: 'put', body: 'x'}, 1)
    expect(requests.map((request) => [request.method, request.body])).toEqual([['PUT', 'x']])
  })

  test.each([
    ['GET', {method: 'GET', body: 'x'}],
    ['no method (GET)', {body: 'x'}],
    ['HEAD', {method: 'head', body: 'x'}],
    ['a body function with GET', {body: () => 'x'}],
  ])('a body with %s throws a TypeError, and nothing is sent', async (_name, init) => {
    const server = await reconnecting()
    useFakeClock()
    const fetches = countFetches()
    expect(() => new EventSource(`${server.url}stream`, init as EventSourceInit)).toThrow(TypeError)
    expect(() => new EventSource(`${server.url}stream`, init as EventSourceInit)).toThrow(/`body`/)
    // Past every delay: nothing was left to start a request later.
    await passEveryDelay()
    expect(fetches.count()).toBe(0)
    expect(server.requests).toEqual([])
  })

  test('body null or undefined with GET is fine', async () => {
    const requests = await firstRequests({body: null}, 1)
    expect(requests[0]?.method).toBe('GET')
  })
})

describe('a custom fetch', () => {
  test("is announced as the eventsource package announces it, for libraries that check before passing one", () => {
    const flag = Symbol.for('eventsource.supports-fetch-override')
    expect(flag in EventSource).toBe(true)
    expect(Object.getOwnPropertyDescriptor(EventSource, flag)).toMatchObject({value: true, enumerable: false})
  })

  test('is called as fetch(url, init) for every attempt, init.headers a plain object', async () => {
    const server = await reconnecting()
    const calls: {self: unknown; args: unknown[]}[] = []
    const source = open(`${server.url}stream?x=1`, {
      headers: {'X-Token': 'abc'},
      fetch: function (this: unknown, ...args: Parameters<typeof fetch>) {
        calls.push({self: this, args})
        return fetch(...args)
      } as never,
    })
    await server.waitForRequests(2)
    const first = calls[0]
    expect(first?.self).toBeUndefined()
    expect(first?.args).toHaveLength(2)
    const [url, init] = first?.args as [string, FetchLikeInit]
    expect(url).toBe(source.url)
    expect(Object.getPrototypeOf(init.headers)).toBe(Object.prototype)
    expect(init.headers).toEqual({accept: 'text/event-stream', 'x-token': 'abc'})
    expect(init).toMatchObject({
      method: 'GET',
      cache: 'no-store',
      credentials: 'same-origin',
      mode: 'cors',
      redirect: 'follow',
    })
    expect('body' in init).toBe(false)
    expect(init.signal).toBeInstanceOf(AbortSignal)
    // Each attempt has its own signal, aborted when the attempt is over.
    const second = calls[1]?.args[1] as FetchLikeInit
    expect(second.signal).not.toBe(init.signal)
    expect(init.signal.aborted).toBe(true)
    expect(second.signal.aborted).toBe(false)
    source.close()
    expect(second.signal.aborted).toBe(true)
  })

  test('gets the POST body, and the Last-Event-ID in init.headers', async () => {
    let connections = 0
    const server = await serve({
      '/stream': async (_req, res) => {
        connections++
        const stream = startSse(res)
        await stream.send({retry: 10, id: `e${connections}`, data: 'x'})
        await stream.end()
      },
    })
    const inits: FetchLikeInit[] = []
    useFakeClock()
    const source = open(`${server.url}stream`, {
      method: 'POST',
      body: 'payload',
      fetch: (url, init) => {
        inits.push(init)
        return fetch(url, init)
      },
    })
    skipReconnectDelays(source)
    await server.waitForRequests(2)
    expect(inits.slice(0, 2).map((init) => [init.method, init.body, init.headers['last-event-id']])).toEqual([
      ['POST', 'payload', undefined],
      ['POST', 'payload', 'e1'],
    ])
  })

  test('can answer without a network', async () => {
    const body = 'data: from a custom fetch\n\n'
    const source = open('https://example.invalid/stream', {
      fetch: async () => new Response(body, {headers: {'Content-Type': 'text/event-stream'}}),
      reconnect: {initialDelay: 60_000},
    })
    const {log, events} = recordEvents(source)
    await waitFor(() => log.length === 3, 'the end of the one response')
    expect(log).toEqual(['open 1', 'message 1 from a custom fetch', 'error 0 retry'])
    // A Response made by hand has no URL: the origin is the request URL's.
    expect((events[1] as MessageEvent).origin).toBe('https://example.invalid')
  })

  test.each([
    ['a Response made without a body', () => new Response(null, {headers: {'Content-Type': 'text/event-stream'}})],
    [
      'an object whose body is no stream',
      () => ({status: 200, statusText: 'OK', url: '', redirected: false, headers: new Headers({'Content-Type': 'text/event-stream'}), body: {}}) as unknown as Response,
    ],
  ])('answering with %s fails the connection at once, naming the option, and sends nothing again', async (_name, answer) => {
    useFakeClock()
    let calls = 0
    const source = open('https://example.invalid/stream', {
      fetch: async () => (calls++, answer()),
      reconnect: {initialDelay: 10},
    })
    const {log, events} = recordEvents(source)
    await waitFor(() => log.length === 2, 'the failure')
    expect(log).toEqual(['open 1', 'error 2 final'])
    const error = events[1] as EventSourceErrorEvent
    expect(error.cause).toBeInstanceOf(TypeError)
    expect(error.message).toContain('`fetch` option')
    await passEveryDelay()
    expect(calls).toBe(1)
  })
})

describe('credentials', () => {
  test.each([
    [{}, 'same-origin', false],
    [{withCredentials: true}, 'include', true],
    [{credentials: 'omit'}, 'omit', false],
    [{withCredentials: true, credentials: 'same-origin'}, 'same-origin', true],
  ] as [EventSourceInit, RequestCredentials, boolean][])('%o: credentials %s', async (init, credentials, withCredentials) => {
    const server = await reconnecting()
    const seen: RequestCredentials[] = []
    const source = open(`${server.url}hold`, {
      ...init,
      fetch: (url, fetchInit) => {
        seen.push(fetchInit.credentials)
        return fetch(url, fetchInit)
      },
    })
    await nextEvent(source, 'message')
    expect(seen).toEqual([credentials])
    expect(source.withCredentials).toBe(withCredentials)
  })
})

describe('signal', () => {
  test('aborting it closes the source: CLOSED, no event, the server sees the end, no reconnect', async () => {
    const server = await reconnecting()
    useFakeClock()
    const fetches = countFetches()
    const controller = new AbortController()
    const source = open(`${server.url}hold`, {signal: controller.signal})
    const {log} = recordEvents(source, ['open', 'message', 'error', 'reconnect'])
    await waitFor(() => log.length === 2, 'the message')
    controller.abort()
    expect(source.readyState).toBe(EventSource.CLOSED)
    await waitFor(() => server.activeRequests() === 0, 'the server to see the stream end')
    await passEveryDelay()
    expect(fetches.count()).toBe(1)
    expect(log).toEqual(['open 1', 'message 1 held'])
    expect(server.requests).toHaveLength(1)
  })

  test('aborting it while waiting to reconnect stops the reconnect', async () => {
    const server = await reconnecting()
    useFakeClock()
    const fetches = countFetches()
    const controller = new AbortController()
    const source = open(`${server.url}stream`, {signal: controller.signal})
    source.addEventListener('reconnect', () => controller.abort())
    const {log} = recordEvents(source, ['open', 'message', 'error'])
    await waitFor(() => log.length === 3, 'the error')
    // Past the reconnect delay: a timer the abort left behind would fetch again.
    await passEveryDelay()
    expect(fetches.count()).toBe(1)
    expect(log).toEqual(['open 1', 'message 1 connection 1', 'error 0 retry'])
    expect(source.readyState).toBe(EventSource.CLOSED)
    expect(server.requests).toHaveLength(1)
  })

  test('an aborted signal gives a CLOSED source that sends nothing', async () => {
    const server = await reconnecting()
    useFakeClock()
    const fetches = countFetches()
    const source = open(`${server.url}hold`, {signal: AbortSignal.abort()})
    const {log} = recordEvents(source, ['open', 'message', 'error'])
    expect(source.readyState).toBe(EventSource.CLOSED)
    await passEveryDelay()
    expect(fetches.count()).toBe(0)
    expect(log).toEqual([])
    expect(server.requests).toEqual([])
  })

  test('one long-lived signal for many sources: closing a source lets go of its abort listener', async () => {
    const server = await reconnecting()
    const controller = new AbortController()
    const warnings: Error[] = []
    const onWarning = (warning: Error) => warnings.push(warning)
    process.on('warning', onWarning)
    try {
      for (let index = 0; index < 20; index++) {
        const source = open(`${server.url}hold`, {signal: controller.signal})
        source.close()
      }
      // Node warns (on the next tick) when an AbortSignal collects more than 10 abort listeners: a
      // turn of the loop runs every tick queued before it.
      await nextTurn()
    } finally {
      process.off('warning', onWarning)
    }
    expect(warnings.map((warning) => warning.message)).toEqual([])
  })
})

describe('invalid options', () => {
  test.each([
    ['reconnect.initialDelay', {reconnect: {initialDelay: -1}}],
    ['reconnect.initialDelay', {reconnect: {initialDelay: Number.NaN}}],
    ['reconnect.initialDelay', {reconnect: {initialDelay: '100'}}],
    ['reconnect.factor', {reconnect: {factor: -2}}],
    ['reconnect.maxDelay', {reconnect: {maxDelay: -1}}],
    ['reconnect.jitter', {reconnect: {jitter: -0.5}}],
    ['reconnect.maxAttempts', {reconnect: {maxAttempts: -1}}],
    ['reconnect.shouldReconnect', {reconnect: {shouldReconnect: true}}],
    ['maxEventSize', {maxEventSize: Number.NaN}],
    // (A heartbeat's own value is checked when heartbeat() makes it: test/eventsource-validation.test.ts.)
    ['extensions', {extensions: [null]}],
    ['fetch', {fetch: 'https://example.com'}],
  ])('%s: %o throws a TypeError naming the option', (name, init) => {
    expect(() => new EventSource('http://127.0.0.1:1/', init as EventSourceInit)).toThrow(TypeError)
    expect(() => new EventSource('http://127.0.0.1:1/', init as EventSourceInit)).toThrow(`\`${name}\``)
  })

  test('reconnect options outside `reconnect` are not honoured', async () => {
    const {fetch, calls} = recordFetches()
    const server = await serve({'/stream': (_req, res) => void res.writeHead(200, {'Content-Type': 'text/event-stream'}).end()})
    let asked = 0
    const misplaced = {maxAttempts: 0, shouldReconnect: () => (asked++, false), initialDelay: 60_000, factor: 100}
    useFakeClock()
    const source = open(`${server.url}stream`, {...misplaced, fetch, reconnect: {initialDelay: 10}} as EventSourceInit)
    skipReconnectDelays(source)
    const {log} = recordEvents(source, ['reconnect'])
    await waitFor(() => calls.length >= 3, 'two reconnects')
    expect(log.slice(0, 2)).toEqual(['reconnect 0 #1 10ms', 'reconnect 0 #2 10ms'])
    expect(asked).toBe(0)
  })

  test('inherited options count, as WebIDL reads a dictionary, in `reconnect` too', async () => {
    const server = await serve({'/stream': (_req, res) => void res.writeHead(200, {'Content-Type': 'text/event-stream'}).end()})
    const reconnect = Object.create({initialDelay: 10, maxAttempts: 1}) as EventSourceInit['reconnect']
    const init = Object.create({headers: {'X-Inherited': 'yes'}, reconnect}) as EventSourceInit
    useFakeClock()
    const source = open(`${server.url}stream`, init)
    skipReconnectDelays(source)
    const {log} = recordEvents(source, ['error'])
    await waitFor(() => log.length === 2, 'giving up')
    expect(log).toEqual(['error 0 retry', 'error 2 final'])
    expect(server.requests.map((request) => request.headers['x-inherited'])).toEqual(['yes', 'yes'])
  })

  test('a URL error is thrown before an option error', () => {
    expect(() => new EventSource('http://[', {maxEventSize: -1})).toThrow(DOMException)
  })
})

describe('lastEventId', () => {
  test('is sent as Last-Event-ID from the first request until the stream sends an id of its own', async () => {
    const server = await serve({
      '/stream': async (_req, res) => {
        const stream = startSse(res)
        await stream.send({retry: 10, id: 'é42', data: 'resumed'})
        await stream.end()
      },
    })
    useFakeClock()
    const source = open(`${server.url}stream`, {lastEventId: '41'})
    skipReconnectDelays(source)
    expect(source.lastEventId).toBe('41')
    const requests = await server.waitForRequests(2, {timeout: 5_000})
    // Header values carry bytes: the stream's ID goes out as UTF-8.
    expect(requests.map((request) => request.headers['last-event-id'])).toEqual([
      '41',
      Buffer.from('é42', 'utf8').toString('latin1'),
    ])
  })

  test.each(['a\nb', 'a\rb', 'a\0b', 'a\u000bb', 'a\fb', 'a\u007fb'])('%j is refused with a TypeError naming the option', (lastEventId) => {
    expect(() => new EventSource('http://127.0.0.1:1/', {lastEventId})).toThrow(/lastEventId/)
  })
})

describe('maxBufferSize, the eventsource package’s name for maxEventSize', () => {
  const big = 'x'.repeat(2000)
  const server = () => serve({'/stream': (_req, res) => void startSse(res).write(`data: ${big}\n\n`)})

  test('limits an event as maxEventSize does', async () => {
    const source = open(`${(await server()).url}stream`, {maxBufferSize: 1000})
    const error = await new Promise<EventSourceErrorEvent>((resolve) => source.addEventListener('error', resolve))
    expect(error.willReconnect).toBe(false)
    expect(error.message).toMatch(/1000/)
  })

  test('maxEventSize wins when both are given', async () => {
    const source = open(`${(await server()).url}stream`, {maxBufferSize: 1000, maxEventSize: 10_000})
    const message = await new Promise<MessageEvent>((resolve) => (source.onmessage = resolve))
    expect(message.data).toBe(big)
  })

  test('an invalid value is a TypeError naming maxBufferSize', () => {
    expect(() => new EventSource('http://127.0.0.1:1/', {maxBufferSize: 0})).toThrow('`maxBufferSize`')
  })
})
