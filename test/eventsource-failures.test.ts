// Failing the connection: a status other than 200 or a Content-Type other than
// text/event-stream makes the source CLOSED with exactly one error event, and it never
// reconnects. The error event says why (status, response, cause, message, willReconnect).
import {describe, expect, test} from 'vitest'
import {ContentTypeError, HTTPError, type EventSourceErrorEvent} from '../src/index.js'
import {open, recordEvents, serve, sleep, useEventSourceHooks, waitFor} from './support/eventsource.js'
import {respond, startSse, type Handler} from './support/sse-server.js'

useEventSourceHooks()

/** A stream of events with a given status or content type, which a client must not accept. */
function eventStream(options: {status?: number; contentType?: string | null}): Handler {
  return async (_req, res) => {
    const stream = startSse(res, options)
    await stream.send({retry: 10, data: 'should not arrive'})
    await stream.end()
  }
}

/** Opens /path, waits for its error and a while after, and returns what happened. */
async function failure(handler: Handler) {
  const server = await serve({'/path': handler})
  const source = open(`${server.url}path`, {reconnect: {initialDelay: 10}})
  const {log, events} = recordEvents(source, ['open', 'message', 'error', 'reconnect'])
  await waitFor(() => log.length > 0, 'an event')
  // Long enough for several reconnects at 10 ms, if there were any.
  await sleep(150)
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
    expect(source.lastStatus).toBe(status)
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
    const source = open(`${server.url}path`)
    const {log} = recordEvents(source)
    await waitFor(() => log.length === 4, 'the final error')
    await sleep(100)
    expect(log).toEqual(['open 1', 'message 1 one', 'error 0 retry', 'error 2 final'])
    expect(server.requests).toHaveLength(2)
  })

  test('calling close() in the error listener is harmless', async () => {
    const {log, source} = await failure(respond(404))
    source.close()
    expect(log).toEqual(['error 2 final'])
    expect(source.readyState).toBe(2)
  })
})
