// Reestablishing the connection: the end of the stream or a network error makes the source
// CONNECTING, fires `error`, waits the reconnection time (`retry:`) and connects again with
// Last-Event-ID. Timings are measured from request timestamps, with generous upper bounds.
import {describe, expect, test} from 'vitest'
import type {EventSourceErrorEvent, EventSourceReconnectEvent} from '../src/index.js'
import {open, recordEvents, scriptedStream, serve, useEventSourceHooks, waitFor} from './support/eventsource.js'
import {startServer, startSse, type SseStream} from './support/sse-server.js'

useEventSourceHooks()

/** Slack for timer and loop granularity below the expected delay, and a generous bound above it. */
const EARLY = 5
const LATE = 1000

/** Serves /stream: connection n (from 1) is written by `script(n, stream)`. */
async function scripted(script: (connection: number, stream: SseStream) => void | Promise<void>) {
  return serve({'/stream': scriptedStream(script).handler})
}

/** Records when each `error` event fired (performance.now(), the clock request times use). */
function errorTimes(source: EventTarget): number[] {
  const times: number[] = []
  source.addEventListener('error', () => times.push(performance.now()))
  return times
}

describe('when the stream ends', () => {
  test('goes CONNECTING, fires error, waits retry ms and reconnects with Last-Event-ID', async () => {
    const server = await scripted(async (n, stream) => {
      if (n === 1) {
        await stream.send({retry: 50, id: 'e1', data: 'first'})
        await stream.end()
      } else {
        await stream.send({data: 'second'})
      }
    })
    const source = open(`${server.url}stream`)
    const {log} = recordEvents(source, ['open', 'message', 'error', 'reconnect'])
    const errors = errorTimes(source)
    await waitFor(() => log.length === 6, 'the message after the reconnect')
    expect(log).toEqual(['open 1', 'message 1 first', 'error 0 retry', 'reconnect 0 #1 50ms', 'open 1', 'message 1 second'])
    expect(server.requests).toHaveLength(2)
    expect(server.requests[1]?.headers['last-event-id']).toBe('e1')
    expect(server.requests[1]?.url).toBe('/stream')
    const waited = (server.requests[1]?.time ?? 0) - (errors[0] ?? 0)
    expect(waited).toBeGreaterThanOrEqual(50 - EARLY)
    expect(waited).toBeLessThan(50 + LATE)
  })

  test('retry: 0 reconnects at once', async () => {
    const server = await scripted(async (n, stream) => {
      await stream.send({retry: 0, data: `connection ${n}`})
      if (n === 1) await stream.end()
    })
    const source = open(`${server.url}stream`, {reconnect: {initialDelay: 5_000}})
    const {log} = recordEvents(source, ['message', 'error', 'reconnect'])
    const errors = errorTimes(source)
    await waitFor(() => log.length === 4, 'the second connection')
    expect(log).toEqual(['message 1 connection 1', 'error 0 retry', 'reconnect 0 #1 0ms', 'message 1 connection 2'])
    expect(source.reconnectDelay).toBe(0)
    expect((server.requests[1]?.time ?? 0) - (errors[0] ?? 0)).toBeLessThan(LATE)
  })

  test('waits the initial delay until the server sends retry:', async () => {
    const server = await scripted(async (n, stream) => {
      await stream.send({data: `connection ${n}`})
      if (n < 3) await stream.end()
    })
    const source = open(`${server.url}stream`, {reconnect: {initialDelay: 40}})
    const {log} = recordEvents(source, ['reconnect'])
    await server.waitForRequests(3)
    expect(log).toEqual(['reconnect 0 #1 40ms', 'reconnect 0 #1 40ms'])
    for (const index of [1, 2]) {
      const gap = (server.requests[index]?.time ?? 0) - (server.requests[index - 1]?.time ?? 0)
      expect(gap).toBeGreaterThanOrEqual(40 - EARLY)
    }
  })

  test('the last valid retry: wins; invalid values are ignored', async () => {
    const server = await scripted(async (n, stream) => {
      if (n === 1) {
        await stream.write('retry: 30\n\nretry: 5x\n\nretry: -1\n\nretry: 1.5\n\nretry: \n\ndata: a\n\n')
        await stream.end()
      } else if (n === 2) {
        await stream.write('retry: 20\ndata: b\n\n')
        await stream.end()
      } else {
        await stream.send({data: 'c'})
      }
    })
    const source = open(`${server.url}stream`)
    const {log} = recordEvents(source, ['message', 'reconnect'])
    await waitFor(() => log.length === 5, 'the third connection')
    expect(log).toEqual(['message 1 a', 'reconnect 0 #1 30ms', 'message 1 b', 'reconnect 0 #1 20ms', 'message 1 c'])
  })

  test('the new connection is a fresh stream: a partial event from the old one is dropped', async () => {
    const server = await scripted(async (n, stream) => {
      if (n === 1) {
        await stream.write('retry: 10\n\ndata: complete\n\ndata: cut')
        await stream.end()
      } else {
        await stream.write(' off\n\ndata: fresh\n\n')
      }
    })
    const source = open(`${server.url}stream`)
    const {log} = recordEvents(source)
    await waitFor(() => log.length === 5, 'the second connection')
    expect(log).toEqual(['open 1', 'message 1 complete', 'error 0 retry', 'open 1', 'message 1 fresh'])
  })

  test('reconnects again and again, to the URL it was given', async () => {
    const server = await scripted(async (n, stream) => {
      await stream.send({retry: 10, id: String(n), data: String(n)})
      if (n < 4) await stream.end()
    })
    const source = open(`${server.url}stream?x=1`)
    const {log} = recordEvents(source, ['message'])
    await waitFor(() => log.length === 4, 'four connections')
    expect(log).toEqual(['message 1 1', 'message 1 2', 'message 1 3', 'message 1 4'])
    expect(server.requests.map((request) => [request.url, request.headers['last-event-id']])).toEqual([
      ['/stream?x=1', undefined],
      ['/stream?x=1', '1'],
      ['/stream?x=1', '2'],
      ['/stream?x=1', '3'],
    ])
  })
})

describe('on a network error', () => {
  test('a connection dropped mid-stream reconnects the same way, with the network error as cause', async () => {
    const server = await scripted(async (n, stream) => {
      if (n === 1) {
        await stream.send({retry: 20, id: 'x', data: 'before'})
        await stream.write('data: half an ev')
        stream.drop()
      } else {
        await stream.send({data: 'after'})
      }
    })
    const source = open(`${server.url}stream`)
    const {log, events} = recordEvents(source)
    await waitFor(() => log.length === 5, 'the second connection')
    expect(log).toEqual(['open 1', 'message 1 before', 'error 0 retry', 'open 1', 'message 1 after'])
    const error = events[2] as EventSourceErrorEvent
    expect(error.cause).toBeInstanceOf(TypeError)
    expect(error.status).toBeUndefined()
    expect(error.response).toBeUndefined()
    expect(error.willReconnect).toBe(true)
    expect(error.reconnectDelay).toBe(20)
    expect(server.requests[1]?.headers['last-event-id']).toBe('x')
  })

  test('each failed attempt fires one error while CONNECTING, until a connection opens', async () => {
    let attempts = 0
    const server = await serve({
      '/stream': async (req, res) => {
        attempts++
        if (attempts === 2 || attempts === 3) return void req.socket.destroy()
        const stream = startSse(res)
        await stream.send({retry: 15, data: `attempt ${attempts}`})
        if (attempts === 1) await stream.end()
      },
    })
    // initialDelay 10: repeated failures wait at least that much (the floor), below the retry: 15.
    const source = open(`${server.url}stream`, {reconnect: {initialDelay: 10}})
    const {log} = recordEvents(source, ['open', 'message', 'error', 'reconnect'])
    await waitFor(() => log.length === 10, 'the fourth attempt')
    expect(log).toEqual([
      'open 1',
      'message 1 attempt 1',
      'error 0 retry',
      'reconnect 0 #1 15ms',
      'error 0 retry',
      'reconnect 0 #2 15ms',
      'error 0 retry',
      'reconnect 0 #3 15ms',
      'open 1',
      'message 1 attempt 4',
    ])
    expect(source.attempt).toBe(0)
  })

  test('a refused connection keeps retrying while CONNECTING', async () => {
    // Started and closed here: the hooks would close it a second time.
    const gone = await startServer(() => {})
    const url = `${gone.url}stream`
    await gone.close()
    const source = open(url, {reconnect: {initialDelay: 10}})
    const events: EventSourceReconnectEvent[] = []
    source.addEventListener('reconnect', (event) => events.push(event))
    const errors: EventSourceErrorEvent[] = []
    source.addEventListener('error', (event) => errors.push(event))
    await waitFor(() => events.length >= 3, 'three reconnects')
    expect(events.slice(0, 3).map((event) => event.attempt)).toEqual([1, 2, 3])
    expect(errors.every((error) => error.cause instanceof TypeError && error.willReconnect)).toBe(true)
    expect(source.readyState).toBe(0)
  })
})
