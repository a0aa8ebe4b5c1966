// Failing the connection: a status other than 200 or a Content-Type other than
// text/event-stream makes the source CLOSED with exactly one error event, and it never
// reconnects. The error event says why (status, response, cause, message, willReconnect).
// "Never" is fake time past every delay the source has (its timers run on a fake clock, the sockets
// keep real time), with the attempts counted at fetch.
import {describe, expect, test, vi} from 'vitest'
import {ContentTypeError, type EventSourceErrorEvent, HTTPError, retryOnStatus} from '../src/index.js'
import {countBodyChunks, countFetches, nextTurn, open, passEveryDelay, recordEvents, recordFetches, scriptedStream, serve, skipReconnectDelays, useEventSourceHooks, useFakeClock, waitFor} from './support/eventsource.js'
import {type Handler, respond, startSse} from './support/sse-server.js'

useEventSourceHooks()

/** A stream of events with a given status or content type, which a client must not accept. */
function eventStream(options: {status?: number; contentType?: string | null}): Handler {
  return async (_req, res) => {
    const stream = startSse(res, options)
    await stream.send({retry: 10, data: 'should not arrive'})
    await stream.end()
  }
}

/**
 * Opens /path, waits for its error, the server to see the response closed (within a second) and fake
 * time past every delay, and returns what happened; fails if the source made a second attempt.
 */
async function failure(handler: Handler) {
  const server = await serve({'/path': handler})
  useFakeClock()
  const fetches = countFetches()
  const source = open(`${server.url}path`, {reconnect: {initialDelay: 10}})
  const {log, events} = recordEvents(source, ['open', 'message', 'error', 'reconnect'])
  await waitFor(() => log.length > 0, 'an event')
  await waitFor(() => server.activeRequests() === 0, 'the server to see the response closed', {timeout: 1_000})
  await passEveryDelay()
  expect(fetches.count(), 'attempts').toBe(1)
  return {server, source, log, error: events[0] as EventSourceErrorEvent}
}

describe('a status other than 200 fails the connection', () => {
  test.each([
    [204, 'No Content', eventStream({status: 204})],
    [201, 'Created', eventStream({status: 201})],
    [404, 'Not Found', respond(404, 'not here')],
    [500, 'Internal Server Error', respond(500, 'broken')],
    [503, 'Service Unavailable', respond(503, 'busy', {'Retry-After': '0'})],
    [206, 'Partial Content', eventStream({status: 206})],
  ])('%i: CLOSED, one error, no further request', async (status, statusText, handler) => {
    const {server, source, log, error} = await failure(handler)
    expect(log).toEqual(['error 2 final'])
    expect(source.readyState).toBe(2)
    expect(server.requests).toHaveLength(1)
    expect(server.activeRequests()).toBe(0)
    expect(error.status).toBe(status)
    expect(error.code).toBe(status)
    expect(error.statusText).toBe(statusText)
    expect(error.response).toBeInstanceOf(Response)
    expect(error.response?.status).toBe(status)
    expect(error.cause).toBeInstanceOf(HTTPError)
    const cause = error.cause as HTTPError
    expect([cause.status, cause.statusText, cause.response]).toEqual([status, statusText, error.response])
    expect(error.message).toBe(`EventSource request to ${server.url}path failed: HTTP ${status} ${statusText}`)
    expect(error.willReconnect).toBe(false)
    expect(error.reconnectDelay).toBeUndefined()
    expect(error.attempt).toBe(1)
  })

  test('the error listener can read the response body', async () => {
    const server = await serve({'/path': respond(500, '{"error":"database down"}', {'Content-Type': 'application/json'})})
    const source = open(`${server.url}path`)
    const body = await new Promise<unknown>((resolve, reject) => {
      source.onerror = (event) => {
        event.response?.json().then(resolve, reject)
      }
    })
    expect(body).toEqual({error: 'database down'})
  })

  test('an unread response body is let go: the connection is not left hanging', async () => {
    const server = await serve({
      '/path': (_req, res) => {
        res.writeHead(500, {'Content-Type': 'text/plain'})
        res.write('a body that never ends')
      },
    })
    const source = open(`${server.url}path`)
    await new Promise((resolve) => (source.onerror = resolve))
    await waitFor(() => server.activeRequests() === 0, 'the server to see the response abandoned')
  })
})

describe('the Content-Type', () => {
  test.each([
    ['text/plain', 'text/plain'],
    ['missing', null],
    ['text/event-streams', 'text/event-streams'],
    ['text/eventstream', 'text/eventstream'],
    ['application/json', 'application/json'],
    ['text/event-stream-x', 'text/event-stream-x'],
  ])('%s fails the connection', async (_name, contentType) => {
    const {server, source, log, error} = await failure(eventStream({contentType}))
    expect(log).toEqual(['error 2 final'])
    expect(source.readyState).toBe(2)
    expect(server.requests).toHaveLength(1)
    expect(error.status).toBe(200)
    expect(error.response?.status).toBe(200)
    expect(error.willReconnect).toBe(false)
    expect(error.cause).toBeInstanceOf(ContentTypeError)
    expect((error.cause as ContentTypeError).contentType).toBe(contentType)
    const shown = contentType === null ? '(none)' : `"${contentType}"`
    expect(error.message).toBe(`EventSource response from ${server.url}path has Content-Type ${shown}, not "text/event-stream"`)
  })

  test.each([
    'text/event-stream',
    'Text/Event-Stream',
    'text/event-stream ;charset=UTF-8',
    'text/event-stream;charset=utf-8',
    'TEXT/EVENT-STREAM; foo="bar"',
  ])('%s is accepted', async (contentType) => {
    const server = await serve({'/path': (_req, res) => void startSse(res, {contentType}).send({data: 'ok'})})
    const source = open(`${server.url}path`)
    const {log} = recordEvents(source)
    await waitFor(() => log.length === 2, 'the message')
    expect(log).toEqual(['open 1', 'message 1 ok'])
  })

  test('a wrong Content-Type error can still read the body', async () => {
    const server = await serve({'/path': respond(200, '<h1>login</h1>', {'Content-Type': 'text/html'})})
    const source = open(`${server.url}path`)
    const body = await new Promise<unknown>((resolve, reject) => {
      source.onerror = (event) => {
        event.response?.text().then(resolve, reject)
      }
    })
    expect(body).toBe('<h1>login</h1>')
  })
})

describe('after a failure', () => {
  test('a source that was open and reconnects to a 404 fails then', async () => {
    let count = 0
    const server = await serve({
      '/path': async (_req, res) => {
        count++
        if (count > 1) return respond(404, 'gone')(_req, res, undefined as never)
        const stream = startSse(res)
        await stream.send({retry: 10, data: 'one'})
        await stream.end()
      },
    })
    useFakeClock()
    const fetches = countFetches()
    const source = open(`${server.url}path`)
    const {log} = recordEvents(source)
    skipReconnectDelays(source)
    await waitFor(() => log.length === 4, 'the final error')
    await passEveryDelay()
    expect(log).toEqual(['open 1', 'message 1 one', 'error 0 retry', 'error 2 final'])
    expect(fetches.count()).toBe(2)
    expect(server.requests).toHaveLength(2)
  })

  test('calling close() in the error listener is harmless', async () => {
    const {log, source} = await failure(respond(404))
    source.close()
    expect(log).toEqual(['error 2 final'])
    expect(source.readyState).toBe(2)
  })
})

// ---------------------------------------------------------------------------------------------
// Faults injected by a real local server: a TCP reset, a partial event whose id line arrived, a
// name that does not resolve, a burst of 5xx, and 429 with `Retry-After` as a date. (A drop
// mid-event, one byte at a time, a refused connection and a redirect loop: eventsource-reconnect;
// a stalled server: eventsource-heartbeat; 503 with `Retry-After` in seconds: eventsource-retry-policy.)

/** The error code under fetch's TypeError (`ECONNRESET`, `ENOTFOUND`, `UND_ERR_SOCKET`...). */
function networkCode(error: EventSourceErrorEvent): string | undefined {
  return (error.cause as {cause?: {code?: string}} | undefined)?.cause?.code
}

describe('the connection breaks in the middle of an event', () => {
  test('a TCP reset (RST): an error with the network cause, the partial event and its id dropped, resumed from the last whole one', async () => {
    const body = countBodyChunks()
    const {handler} = scriptedStream(async (n, stream) => {
      if (n === 1) {
        const whole = 'retry: 10\nid: 1\ndata: one\n\n'
        const partial = 'id: 2\ndata: tw'
        await stream.write(whole)
        await stream.write(partial)
        // The reset cuts the connection once the partial event has reached the client.
        await waitFor(() => body.bytes() === whole.length + partial.length, 'the partial event to reach the client')
        stream.res.socket?.resetAndDestroy()
      } else {
        await stream.send({id: '3', data: 'three'})
      }
    })
    const server = await serve({'/stream': handler})
    useFakeClock()
    const source = open(`${server.url}stream`, {fetch: body.fetch})
    skipReconnectDelays(source)
    const {log, events} = recordEvents(source)
    await waitFor(() => log.length === 5, 'the second connection')
    expect(log).toEqual(['open 1', 'message 1 one', 'error 0 retry', 'open 1', 'message 1 three'])
    const error = events[2] as EventSourceErrorEvent
    expect(error.cause).toBeInstanceOf(TypeError)
    expect(networkCode(error)).toMatch(/^(ECONNRESET|UND_ERR_SOCKET)$/)
    expect(error.willReconnect).toBe(true)
    expect(server.requests.map((request) => request.headers['last-event-id'])).toEqual([undefined, '1'])
  })

  test('the server ends the response cleanly after an id line of an event it never finished: that id is not used', async () => {
    const {handler} = scriptedStream(async (n, stream) => {
      if (n === 1) {
        await stream.write('retry: 10\nid: 1\ndata: one\n\nid: 2\ndata: cut short')
        await stream.end()
      } else {
        await stream.send({data: 'again'})
      }
    })
    const server = await serve({'/stream': handler})
    useFakeClock()
    const source = open(`${server.url}stream`)
    skipReconnectDelays(source)
    const {log} = recordEvents(source)
    await waitFor(() => log.length === 5, 'the second connection')
    expect(log).toEqual(['open 1', 'message 1 one', 'error 0 retry', 'open 1', 'message 1 again'])
    expect(server.requests.map((request) => request.headers['last-event-id'])).toEqual([undefined, '1'])
    expect(source.lastEventId).toBe('1')
  })
})

describe('a host name that does not resolve', () => {
  test('(.invalid, RFC 6761): an error with the resolver’s ENOTFOUND, retried, until maxAttempts', async () => {
    const {fetch, calls} = recordFetches()
    useFakeClock()
    const source = open('http://streamsource-test.invalid/stream', {fetch, reconnect: {initialDelay: 10, maxAttempts: 2}})
    skipReconnectDelays(source)
    const {log, events} = recordEvents(source, ['open', 'error', 'reconnect'])
    await waitFor(() => source.readyState === 2, 'the source to give up', {timeout: 15_000})
    expect(log).toEqual(['error 0 retry', 'reconnect 0 #1 10ms', 'error 0 retry', 'reconnect 0 #2 10ms', 'error 2 final'])
    for (const event of events.filter((event) => event.type === 'error')) {
      const error = event as EventSourceErrorEvent
      expect(networkCode(error)).toBe('ENOTFOUND')
      expect(error.message).toContain('ENOTFOUND streamsource-test.invalid')
      expect(error.status).toBeUndefined()
    }
    expect(calls).toHaveLength(3)
  })
})

describe('overloaded servers', () => {
  test('a burst of 5xx with retryOnStatus: backoff through it, then the stream resumes with its Last-Event-ID', async () => {
    const burst = [503, 502, 500, 504]
    let count = 0
    const handler: Handler = async (req, res) => {
      count++
      // The first connection and the one after the burst stream; those between fail.
      const status = count === 1 ? 200 : burst[count - 2] ?? 200
      if (status !== 200) {
        res.writeHead(status, {'Content-Type': 'text/plain'})
        res.end('overloaded')
        return
      }
      const stream = startSse(res)
      await stream.send({id: `e${count}`, data: `after ${String(req.headers['last-event-id'])}`})
      if (count === 1) await stream.end()
    }
    const server = await serve({'/stream': handler})
    useFakeClock()
    const source = open(`${server.url}stream`, {extensions: [retryOnStatus([500, 502, 503, 504])], reconnect: {initialDelay: 10, factor: 2}})
    const {log, events} = recordEvents(source, ['open', 'message', 'error', 'reconnect'])
    // The delays are in the reconnect events; the clock skips them.
    skipReconnectDelays(source)
    await waitFor(() => log.includes('message 1 after e1'), 'the stream after the burst')
    expect(log).toEqual([
      'open 1',
      'message 1 after undefined',
      // The clean end, then each 5xx: one error each, the delay doubling as failures pile up.
      'error 0 retry',
      'reconnect 0 #1 10ms',
      ...burst.flatMap((_status, index) => ['error 0 retry', `reconnect 0 #${index + 2} ${10 * 2 ** (index + 1)}ms`]),
      'open 1',
      'message 1 after e1',
    ])
    const statuses = events.filter((event) => event.type === 'error').map((event) => (event as EventSourceErrorEvent).status)
    expect(statuses).toEqual([undefined, ...burst])
    // Every request of the burst asked to resume from the same event.
    expect(server.requests.map((request) => request.headers['last-event-id'])).toEqual([undefined, 'e1', 'e1', 'e1', 'e1', 'e1'])
  })

  test('429 with Retry-After as an HTTP-date: the reconnect waits until then, longer than the policy’s delay', async () => {
    let count = 0
    let retryAt = 0
    // Date too: the server's date and the source's wait are on the fake clock, so both are exact.
    useFakeClock()
    const fetches = countFetches()
    const server = await serve({
      '/stream': (_req, res) => {
        count++
        if (count === 1) {
          // HTTP-dates have whole seconds: 2 s ahead, rounded down, is 1 to 2 s from now.
          const date = new Date(Date.now() + 2_000)
          retryAt = Math.floor(date.getTime() / 1000) * 1000
          res.writeHead(429, {'Retry-After': date.toUTCString(), 'Content-Type': 'text/plain'})
          res.end('slow down')
          return
        }
        void startSse(res).send({data: 'welcome back'})
      },
    })
    const source = open(`${server.url}stream`, {extensions: [retryOnStatus([429])], reconnect: {initialDelay: 10}})
    const {log, events} = recordEvents(source, ['open', 'message', 'error'])
    await waitFor(() => log.length === 1, 'the error')
    await nextTurn()
    const error = events[0] as EventSourceErrorEvent
    expect(error.status).toBe(429)
    // The fake clock has not moved: the wait is exactly what is left until the date.
    expect(error.reconnectDelay).toBe(retryAt - Date.now())
    expect(error.reconnectDelay).toBeGreaterThan(900)
    expect(error.reconnectDelay).toBeLessThanOrEqual(2_000)
    await vi.advanceTimersByTimeAsync(error.reconnectDelay! - 1)
    await nextTurn()
    expect(fetches.count(), 'attempts before the date').toBe(1)
    await vi.advanceTimersByTimeAsync(1)
    await waitFor(() => log.length === 3, 'the reconnect')
    expect(fetches.count()).toBe(2)
    expect(Date.now()).toBe(retryAt)
    expect(log).toEqual(['error 0 retry', 'open 1', 'message 1 welcome back'])
  })
})
