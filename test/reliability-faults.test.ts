// Reliability (issue 6): faults injected by a real local server that the other suites leave out.
// Already covered elsewhere: a drop mid-event and a clean end after a partial event without id
// (eventsource-reconnect), one byte at a time, a refused connection and a redirect loop
// (reliability-resume), a stalled server (eventsource-heartbeat), a status that fails, and 503 with
// `Retry-After` in seconds (eventsource-retry-policy). Here: a TCP reset, a partial event whose id
// line arrived, a name that does not resolve, a burst of 5xx, and 429 with `Retry-After` as a date.
import {describe, expect, test} from 'vitest'
import type {EventSourceErrorEvent} from '../src/index.js'
import {gaps, open, recordEvents, recordFetches, scriptedStream, serve, sleep, useEventSourceHooks, waitFor} from './support/eventsource.js'
import {startSse, type Handler} from './support/sse-server.js'

useEventSourceHooks()

const EARLY = 5

/** The error code under fetch's TypeError (`ECONNRESET`, `ENOTFOUND`, `UND_ERR_SOCKET`...). */
function networkCode(error: EventSourceErrorEvent): string | undefined {
  return (error.cause as {cause?: {code?: string}} | undefined)?.cause?.code
}

describe('the connection breaks in the middle of an event', () => {
  test('a TCP reset (RST): an error with the network cause, the partial event and its id dropped, resumed from the last whole one', async () => {
    const {handler} = scriptedStream(async (n, stream) => {
      if (n === 1) {
        await stream.send({retry: 10, id: '1', data: 'one'})
        await stream.write('id: 2\ndata: tw')
        // Time for the partial event to reach the client before the reset cuts the connection.
        await sleep(20)
        stream.res.socket?.resetAndDestroy()
      } else {
        await stream.send({id: '3', data: 'three'})
      }
    })
    const server = await serve({'/stream': handler})
    const source = open(`${server.url}stream`)
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
    const source = open(`${server.url}stream`)
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
    const source = open('http://streamsource-test.invalid/stream', {fetch, reconnect: {initialDelay: 10, maxAttempts: 2}})
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
    const source = open(`${server.url}stream`, {reconnect: {initialDelay: 10, factor: 2, retryOnStatus: [500, 502, 503, 504]}})
    const {log, events} = recordEvents(source, ['open', 'message', 'error', 'reconnect'])
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
    expect(source.attempt).toBe(0)
    expect(source.lastStatus).toBe(200)
  })

  test('429 with Retry-After as an HTTP-date: the reconnect waits until then, longer than the policy’s delay', async () => {
    let count = 0
    let retryAt = 0
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
    const source = open(`${server.url}stream`, {reconnect: {initialDelay: 10, retryOnStatus: [429]}})
    const {log, events} = recordEvents(source, ['open', 'message', 'error'])
    await waitFor(() => log.length === 3, 'the reconnect', {timeout: 5_000})
    expect(log).toEqual(['error 0 retry', 'open 1', 'message 1 welcome back'])
    const error = events[0] as EventSourceErrorEvent
    expect(error.status).toBe(429)
    expect(error.reconnectDelay).toBeGreaterThan(900)
    expect(error.reconnectDelay).toBeLessThanOrEqual(2_000)
    const [gap] = gaps(server.requests.map((request) => request.time))
    expect(gap).toBeGreaterThanOrEqual(error.reconnectDelay! - EARLY)
    // Not before the date the server gave (Date.now() and performance.now() tick alike).
    expect(Date.now()).toBeGreaterThanOrEqual(retryAt - EARLY)
  })
})
