// heartbeat(timeout): a connection on which nothing arrives for that long is dropped and
// reconnected, with a HeartbeatTimeoutError as the error's cause; any byte (a `:` comment too)
// keeps it alive; close() leaves no timer behind.
import {describe, expect, test} from 'vitest'
import {HeartbeatTimeoutError, type EventSourceErrorEvent, type EventSourceInit, heartbeat, oneShot} from '../src/index.js'
import {open, recordEvents, scriptedStream, serve, sleep, trackSourceTimers, useEventSourceHooks, waitFor} from './support/eventsource.js'
import type {SseStream} from './support/sse-server.js'

useEventSourceHooks()

const EARLY = 5

/** Serves /stream: connection n (from 1) is handed to `script(n, stream)`; /hang never answers. */
async function scripted(script: (connection: number, stream: SseStream) => void | Promise<void>) {
  const {handler, streams} = scriptedStream(script)
  const server = await serve({'/stream': handler, '/hang': () => {}})
  return {server, streams}
}

describe('heartbeat(timeout)', () => {
  // The first call of the function never settles; the second answers.
  const neverFirst = {
    headers: (calls: number) => (calls === 1 ? new Promise<Record<string, string>>(() => {}) : {'X-Call': String(calls)}),
    body: (calls: number) => (calls === 1 ? new Promise<string>(() => {}) : `call ${calls}`),
  }
  test.each(['headers', 'body'] as const)('covers the whole attempt: a %s function that never settles is given up on, and the next attempt made', async (option) => {
    const {server} = await scripted((_n, stream) => void stream.send({data: 'connected'}))
    let calls = 0
    const source = open(`${server.url}stream`, {
      extensions: [heartbeat(200)],
      reconnect: {initialDelay: 10},
      method: option === 'body' ? 'POST' : 'GET',
      [option]: () => neverFirst[option](++calls),
    } as EventSourceInit)
    const {log, events} = recordEvents(source, ['open', 'message', 'error'])
    await waitFor(() => log.length === 3, 'the second attempt')
    expect(log).toEqual(['error 0 retry', 'open 1', 'message 1 connected'])
    expect((events[0] as EventSourceErrorEvent).cause).toBeInstanceOf(HeartbeatTimeoutError)
    expect(server.requests).toHaveLength(1)
    if (option === 'headers') expect(server.requests[0]?.headers['x-call']).toBe('2')
    else expect(server.requests[0]?.body).toBe('call 2')
  })

  test('a stalled stream is dropped and reconnected, with HeartbeatTimeoutError as cause', async () => {
    let lastWrite = 0
    const {server, streams} = await scripted(async (n, stream) => {
      await stream.send({retry: 10, id: `s${n}`, data: `connection ${n}`})
      if (n === 1) lastWrite = performance.now()
      // …and then nothing.
    })
    const source = open(`${server.url}stream`, {extensions: [heartbeat(400)]})
    const {log, events} = recordEvents(source)
    let errorTime = 0
    source.addEventListener('error', () => (errorTime ||= performance.now()))
    // The second connection stalls too, so more events follow: look at the first five.
    await waitFor(() => log.length >= 5, 'the second connection')
    expect(log.slice(0, 5)).toEqual([
      'open 1',
      'message 1 connection 1',
      'error 0 retry',
      'open 1',
      'message 1 connection 2',
    ])
    const error = events[2] as EventSourceErrorEvent
    expect(error.cause).toBeInstanceOf(HeartbeatTimeoutError)
    expect((error.cause as HeartbeatTimeoutError).timeout).toBe(400)
    expect(error.message).toBe('No data received for 400 ms (heartbeat)')
    expect(error.willReconnect).toBe(true)
    expect(errorTime - lastWrite).toBeGreaterThanOrEqual(400 - EARLY)
    // The client let go of the stalled connection, and resumed from its last id.
    await streams[0]?.closed
    expect(server.requests[1]?.headers['last-event-id']).toBe('s1')
  })

  test('comments count as traffic: a stream with heartbeats stays open', async () => {
    let pingsDone = 0
    const {server} = await scripted(async (n, stream) => {
      await stream.send({data: `hello ${n}`})
      if (n > 1) return
      // 12 pings 40 ms apart: 480 ms of traffic, more than the 400 ms timeout.
      for (let index = 0; index < 12; index++) {
        await sleep(40)
        await stream.comment('ping')
      }
      pingsDone = performance.now()
    })
    const source = open(`${server.url}stream`, {extensions: [heartbeat(400)], reconnect: {initialDelay: 10}})
    const {log} = recordEvents(source)
    let errorTime = 0
    source.addEventListener('error', () => (errorTime ||= performance.now()))
    // Once the pings stop, the timeout strikes.
    await waitFor(() => log.length >= 3, 'the timeout')
    expect(log.slice(0, 3)).toEqual(['open 1', 'message 1 hello 1', 'error 0 retry'])
    expect(pingsDone).toBeGreaterThan(0)
    expect(errorTime - pingsDone).toBeGreaterThanOrEqual(400 - EARLY)
    expect(server.requests.length).toBeGreaterThanOrEqual(1)
  })

  test('covers the wait for the response head too', async () => {
    const {server} = await scripted(() => {})
    const source = open(`${server.url}hang`, {extensions: [heartbeat(50)], reconnect: {initialDelay: 10}})
    const {log, events} = recordEvents(source, ['open', 'error', 'reconnect'])
    await waitFor(() => log.length >= 2, 'the timeout')
    expect(log.slice(0, 2)).toEqual(['error 0 retry', 'reconnect 0 #1 10ms'])
    expect((events[0] as EventSourceErrorEvent).cause).toBeInstanceOf(HeartbeatTimeoutError)
    await waitFor(() => server.requests.length >= 2, 'the second attempt')
  })

  test('counts failed attempts in a row, so backoff and maxAttempts apply', async () => {
    const {server} = await scripted(() => {})
    // Counted at the fetch: an attempt the timeout aborts may never reach a busy server.
    let fetches = 0
    const source = open(`${server.url}hang`, {
      extensions: [heartbeat(50)],
      reconnect: {initialDelay: 10, factor: 2, maxAttempts: 2},
      fetch: (url, init) => {
        fetches++
        return fetch(url, init)
      },
    })
    const {log} = recordEvents(source, ['open', 'error', 'reconnect'])
    await waitFor(() => source.readyState === 2, 'the source to give up')
    await sleep(50)
    expect(log).toEqual(['error 0 retry', 'reconnect 0 #1 10ms', 'error 0 retry', 'reconnect 0 #2 20ms', 'error 2 final'])
    expect(fetches).toBe(3)
  })

  test('with oneShot and no id to resume from, a stall fails rather than sending the request again', async () => {
    const {server} = await scripted((_n, stream) => void stream.send({data: 'partial'}))
    const source = open(`${server.url}stream`, {
      method: 'POST',
      body: 'prompt',
      extensions: [oneShot(), heartbeat(400)],
      reconnect: {initialDelay: 10},
    })
    const {log, events} = recordEvents(source, ['open', 'message', 'error', 'end'])
    await waitFor(() => source.readyState === 2, 'the failure')
    await sleep(100)
    expect(log).toEqual(['open 1', 'message 1 partial', 'error 2 final'])
    expect((events.at(-1) as EventSourceErrorEvent).cause).toBeInstanceOf(HeartbeatTimeoutError)
    expect(server.requests).toHaveLength(1)
  })

  test('no timer is left after close(), from any state', async () => {
    const timers = trackSourceTimers()
    const {server} = await scripted((_n, stream) => void stream.send({data: 'x'}))
    const opened = open(`${server.url}stream`, {extensions: [heartbeat(10_000)]})
    const connecting = open(`${server.url}hang`, {extensions: [heartbeat(10_000)]})
    await waitFor(() => opened.readyState === 1, 'the open')
    await server.waitForRequests(2)
    expect(timers.pending()).toBe(2)
    opened.close()
    connecting.close()
    expect(timers.pending()).toBe(0)
  })

  test('the timer restarts on each chunk rather than piling up', async () => {
    const timers = trackSourceTimers()
    const {server} = await scripted(async (_n, stream) => {
      for (let index = 0; index < 5; index++) {
        await stream.send({data: String(index)})
        await sleep(5)
      }
    })
    const source = open(`${server.url}stream`, {extensions: [heartbeat(10_000)]})
    const {log} = recordEvents(source, ['message'])
    await waitFor(() => log.length === 5, 'five messages')
    expect(timers.started()).toBeGreaterThan(1)
    expect(timers.pending()).toBe(1)
  })
})
