// heartbeat(timeout): a connection on which nothing arrives for that long is dropped and
// reconnected, with a HeartbeatTimeoutError as the error's cause; any byte (a `:` comment too)
// keeps it alive; close() leaves no timer behind. The timeouts and reconnect delays run on a fake
// clock (the sockets keep real time): a test moves it to a millisecond before the timeout and sees
// nothing, then to the timeout and sees the error.
import {describe, expect, test, vi} from 'vitest'
import {HeartbeatTimeoutError, type EventSourceErrorEvent, type EventSourceInit, heartbeat, oneShot} from '../src/index.js'
import {countBodyChunks, countFetches, expectAfter, expectAttemptAfter, open, passEveryDelay, recordEvents, scriptedStream, serve, trackSourceTimers, useEventSourceHooks, useFakeClock, waitFor} from './support/eventsource.js'
import type {SseStream} from './support/sse-server.js'

useEventSourceHooks()

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
    useFakeClock()
    const fetches = countFetches()
    let calls = 0
    const source = open(`${server.url}stream`, {
      extensions: [heartbeat(200)],
      reconnect: {initialDelay: 10},
      method: option === 'body' ? 'POST' : 'GET',
      [option]: () => neverFirst[option](++calls),
    } as EventSourceInit)
    const {log, events} = recordEvents(source, ['open', 'message', 'error'])
    await waitFor(() => calls === 1, `the ${option} function`)
    await expectAfter(200, 'the heartbeat timeout', () => log.length === 1)
    // The first attempt never got to fetch; the second does, once the reconnect delay is over.
    await expectAttemptAfter(fetches, 10)
    await waitFor(() => log.length === 3, 'the second attempt')
    expect(log).toEqual(['error 0 retry', 'open 1', 'message 1 connected'])
    expect((events[0] as EventSourceErrorEvent).cause).toBeInstanceOf(HeartbeatTimeoutError)
    expect(server.requests).toHaveLength(1)
    if (option === 'headers') expect(server.requests[0]?.headers['x-call']).toBe('2')
    else expect(server.requests[0]?.body).toBe('call 2')
  })

  test('a stalled stream is dropped and reconnected, with HeartbeatTimeoutError as cause', async () => {
    const {server, streams} = await scripted(async (n, stream) => {
      await stream.send({retry: 10, id: `s${n}`, data: `connection ${n}`})
      // …and then nothing.
    })
    useFakeClock()
    const fetches = countFetches()
    const source = open(`${server.url}stream`, {extensions: [heartbeat(400)]})
    const {log, events} = recordEvents(source)
    await waitFor(() => log.length === 2, 'the first message')
    // 400 ms after the last byte, not earlier.
    await expectAfter(400, 'the heartbeat timeout', () => log.length === 3)
    await expectAttemptAfter(fetches, 10)
    // The second connection stalls too, but the clock stays where it is: no more events.
    await waitFor(() => log.length === 5, 'the second connection')
    expect(log).toEqual([
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
    // The client let go of the stalled connection, and resumed from its last id.
    await streams[0]?.closed
    expect(server.requests[1]?.headers['last-event-id']).toBe('s1')
  })

  test('comments count as traffic: a stream with heartbeats stays open', async () => {
    const {server, streams} = await scripted((n, stream) => void stream.send({data: `hello ${n}`}))
    useFakeClock()
    const body = countBodyChunks()
    const source = open(`${server.url}stream`, {extensions: [heartbeat(400)], reconnect: {initialDelay: 10}, fetch: body.fetch})
    const {log} = recordEvents(source)
    await waitFor(() => log.length === 2, 'the first message')
    // 12 pings 40 ms apart: 480 ms of traffic, more than the 400 ms timeout. Each one is waited for
    // until the source has taken it, before the clock moves on.
    for (let index = 0; index < 12; index++) {
      await vi.advanceTimersByTimeAsync(40)
      expect(log, `${(index + 1) * 40} ms after the message, ${index} pings on`).toEqual(['open 1', 'message 1 hello 1'])
      const chunks = body.chunks()
      await streams[0]!.comment('ping')
      await waitFor(() => body.chunks() > chunks, `ping ${index + 1} to reach the source`)
    }
    expect(log).toEqual(['open 1', 'message 1 hello 1'])
    // Once the pings stop, the timeout strikes: 400 ms after the last one.
    await expectAfter(400, 'the heartbeat timeout', () => log.length === 3)
    expect(log).toEqual(['open 1', 'message 1 hello 1', 'error 0 retry'])
    expect(server.requests).toHaveLength(1)
  })

  test('covers the wait for the response head too', async () => {
    const {server} = await scripted(() => {})
    useFakeClock()
    const fetches = countFetches()
    const source = open(`${server.url}hang`, {extensions: [heartbeat(50)], reconnect: {initialDelay: 10}})
    const {log, events} = recordEvents(source, ['open', 'error', 'reconnect'])
    await server.waitForRequests(1)
    await expectAfter(50, 'the heartbeat timeout', () => log.length === 2)
    expect(log).toEqual(['error 0 retry', 'reconnect 0 #1 10ms'])
    expect((events[0] as EventSourceErrorEvent).cause).toBeInstanceOf(HeartbeatTimeoutError)
    await expectAttemptAfter(fetches, 10)
    await server.waitForRequests(2)
  })

  test('counts failed attempts in a row, so backoff and maxAttempts apply', async () => {
    const {server} = await scripted(() => {})
    useFakeClock()
    // Counted at the fetch: an attempt the timeout aborts may never reach a busy server.
    const fetches = countFetches()
    const source = open(`${server.url}hang`, {
      extensions: [heartbeat(50)],
      reconnect: {initialDelay: 10, factor: 2, maxAttempts: 2},
    })
    const {log} = recordEvents(source, ['open', 'error', 'reconnect'])
    // Each attempt times out 50 ms after it starts; the delays between them grow by the factor.
    await expectAfter(50, 'the first timeout', () => log.length === 2)
    await expectAttemptAfter(fetches, 10)
    await expectAfter(50, 'the second timeout', () => log.length === 4)
    await expectAttemptAfter(fetches, 20)
    await expectAfter(50, 'the third timeout', () => source.readyState === 2)
    await passEveryDelay()
    expect(log).toEqual(['error 0 retry', 'reconnect 0 #1 10ms', 'error 0 retry', 'reconnect 0 #2 20ms', 'error 2 final'])
    expect(fetches.count()).toBe(3)
  })

  test('with oneShot and no id to resume from, a stall fails rather than sending the request again', async () => {
    const {server} = await scripted((_n, stream) => void stream.send({data: 'partial'}))
    useFakeClock()
    const fetches = countFetches()
    const source = open(`${server.url}stream`, {
      method: 'POST',
      body: 'prompt',
      extensions: [oneShot(), heartbeat(400)],
      reconnect: {initialDelay: 10},
    })
    const {log, events} = recordEvents(source, ['open', 'message', 'error', 'end'])
    await waitFor(() => log.length === 2, 'the message')
    await expectAfter(400, 'the heartbeat timeout', () => source.readyState === 2)
    // Past every delay: a reconnect that was scheduled after all would fetch again.
    await passEveryDelay()
    expect(fetches.count()).toBe(1)
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
    const received: {log: string[]} = {log: []}
    const {server} = await scripted(async (_n, stream) => {
      for (let index = 0; index < 5; index++) {
        await stream.send({data: String(index)})
        // The next one once this one is in: each arrives in a chunk of its own.
        await waitFor(() => received.log.length > index, `message ${index}`)
      }
    })
    const source = open(`${server.url}stream`, {extensions: [heartbeat(10_000)]})
    received.log = recordEvents(source, ['message']).log
    const {log} = received
    await waitFor(() => log.length === 5, 'five messages')
    // A timer for each of the five chunks (and the attempt's own), each replacing the one before.
    expect(timers.started()).toBeGreaterThanOrEqual(6)
    expect(timers.pending()).toBe(1)
  })
})
