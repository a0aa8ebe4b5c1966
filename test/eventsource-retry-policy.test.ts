// The reconnect policy: backoff factor, maximum delay and jitter, maxAttempts, shouldReconnect,
// retryOnStatus with Retry-After, the `reconnect` event, and the attempt / reconnectDelay /
// lastStatus attributes. The delays run on a fake clock (the sockets keep real time): a test moves it
// to a millisecond before a delay and sees no attempt, then to the delay and sees one, or skips the
// delays when it looks at what the events say; that nothing follows a final failure is checked with
// the clock moved past every delay. Attempts are counted, and timed on the fake clock, at fetch.
import {retryOnStatus} from '../src/index.js'
import {afterEach, describe, expect, test, vi} from 'vitest'
import type {EventSource, EventSourceErrorEvent, EventSourceReconnectEvent, ReconnectInfo} from '../src/index.js'
import {countFetches, expectAttemptAfter, gaps, open, passEveryDelay, recordEvents, recordFetches, serve, skipReconnectDelays, useEventSourceHooks, useFakeClock, waitFor} from './support/eventsource.js'
import {type Handler, respond, type Routes, startServer, startSse} from './support/sse-server.js'

useEventSourceHooks()

afterEach(() => {
  vi.restoreAllMocks()
})

/**
 * Under the fake clock: for each delay in turn, waits for the source's `reconnect` event number n
 * (counting from 1 in `reconnects`), checks that it announces that delay, and that the attempt comes
 * at it and not 1 ms earlier.
 */
async function expectAttemptsAfter(fetches: {count: () => number}, reconnects: () => number, delays: readonly number[]): Promise<void> {
  for (const [index, delay] of delays.entries()) {
    await waitFor(() => reconnects() > index, `reconnect ${index + 1} to be scheduled`)
    await expectAttemptAfter(fetches, delay)
  }
}

/** 200 text/event-stream with no data, ended at once: an attempt that fails again and again. */
const empty: Handler = (_req, res) => void startSse(res).end()

/** One event, then the end: data flows, so the failure count starts over each time. */
const oneEvent: Handler = async (_req, res) => {
  const stream = startSse(res)
  await stream.send({data: 'tick'})
  await stream.end()
}

describe('backoff', () => {
  test('factor grows the delay per failed attempt in a row, up to maxDelay', async () => {
    const server = await serve({'/stream': empty})
    useFakeClock()
    const fetches = countFetches()
    const source = open(`${server.url}stream`, {reconnect: {initialDelay: 20, factor: 2, maxDelay: 70}})
    const {log} = recordEvents(source, ['reconnect'])
    const delays = [20, 40, 70, 70]
    // Each attempt at its delay, not 1 ms earlier.
    await expectAttemptsAfter(fetches, () => log.length, delays)
    await server.waitForRequests(5)
    expect(log.slice(0, 4)).toEqual(delays.map((delay, index) => `reconnect 0 #${index + 1} ${delay}ms`))
  })

  test('the factor applies to the server’s retry: as well', async () => {
    let count = 0
    const server = await serve({
      '/stream': async (_req, res) => {
        count++
        const stream = startSse(res)
        // The first connection sets retry: 15 (an event arrives, so the attempt count restarts); the next ones fail.
        if (count === 1) await stream.send({retry: 15, data: 'first'})
        await stream.end()
      },
    })
    // An initialDelay below the server's retry:, so the floor of repeated failures is below it too.
    useFakeClock()
    const source = open(`${server.url}stream`, {reconnect: {initialDelay: 10, factor: 3}})
    skipReconnectDelays(source)
    const {log} = recordEvents(source, ['reconnect'])
    await server.waitForRequests(4)
    expect(log.slice(0, 3)).toEqual(['reconnect 0 #1 15ms', 'reconnect 0 #2 45ms', 'reconnect 0 #3 135ms'])
  })

  test('jitter takes a random share off each delay (Math.random stubbed)', async () => {
    const random = vi.spyOn(Math, 'random').mockReturnValue(0.5)
    const server = await serve({'/stream': empty})
    useFakeClock()
    // delay × (1 − jitter × random): 40 × (1 − 0.5 × 0.5) = 30, then 80 × 0.75 = 60.
    const source = open(`${server.url}stream`, {reconnect: {initialDelay: 40, factor: 2, jitter: 0.5}})
    skipReconnectDelays(source)
    const {log} = recordEvents(source, ['reconnect'])
    await server.waitForRequests(3)
    expect(log.slice(0, 2)).toEqual(['reconnect 0 #1 30ms', 'reconnect 0 #2 60ms'])
    expect(random).toHaveBeenCalled()
  })

  test('full jitter (1) can take the delay anywhere down to 0; above 1 it counts as 1', async () => {
    vi.spyOn(Math, 'random').mockReturnValue(0.75)
    const server = await serve({'/stream': empty})
    const full = open(`${server.url}stream`, {reconnect: {initialDelay: 40, jitter: 1}})
    const over = open(`${server.url}stream`, {reconnect: {initialDelay: 40, jitter: 5}})
    const fullLog = recordEvents(full, ['reconnect']).log
    const overLog = recordEvents(over, ['reconnect']).log
    await waitFor(() => fullLog.length > 0 && overLog.length > 0, 'both reconnects')
    expect(fullLog[0]).toBe('reconnect 0 #1 10ms')
    expect(overLog[0]).toBe('reconnect 0 #1 10ms')
  })

  test('without jitter (the default) Math.random does not change the delay', async () => {
    vi.spyOn(Math, 'random').mockReturnValue(0.99)
    const server = await serve({'/stream': empty})
    useFakeClock()
    const source = open(`${server.url}stream`, {reconnect: {initialDelay: 25}})
    skipReconnectDelays(source)
    const {log} = recordEvents(source, ['reconnect'])
    await waitFor(() => log.length === 2, 'two reconnects')
    expect(log).toEqual(['reconnect 0 #1 25ms', 'reconnect 0 #2 25ms'])
  })
})

describe('maxAttempts', () => {
  test('gives up after that many reconnects: a final error with willReconnect false, CLOSED', async () => {
    const server = await serve({'/stream': empty})
    useFakeClock()
    const fetches = countFetches()
    const source = open(`${server.url}stream`, {reconnect: {initialDelay: 10, maxAttempts: 2}})
    skipReconnectDelays(source)
    const {log, events} = recordEvents(source, ['open', 'error', 'reconnect'])
    await waitFor(() => source.readyState === 2, 'the source to give up')
    // Past every delay: an attempt after the last would fetch.
    await passEveryDelay()
    expect(fetches.count()).toBe(3)
    expect(log).toEqual([
      'open 1',
      'error 0 retry',
      'reconnect 0 #1 10ms',
      'open 1',
      'error 0 retry',
      'reconnect 0 #2 10ms',
      'open 1',
      'error 2 final',
    ])
    expect(server.requests).toHaveLength(3)
    const final = events.at(-1) as EventSourceErrorEvent
    expect(final.willReconnect).toBe(false)
    expect(final.reconnectDelay).toBeUndefined()
    expect(final.attempt).toBe(3)
    expect(final.message).toBe('The server ended the stream; gave up after 2 reconnect attempts')
  })

  test('0 fails at the first failure', async () => {
    const server = await serve({'/stream': empty})
    useFakeClock()
    const fetches = countFetches()
    const source = open(`${server.url}stream`, {reconnect: {initialDelay: 10, maxAttempts: 0}})
    const {log} = recordEvents(source, ['open', 'error', 'reconnect'])
    await waitFor(() => source.readyState === 2, 'the source to give up')
    await passEveryDelay()
    expect(fetches.count()).toBe(1)
    expect(log).toEqual(['open 1', 'error 2 final'])
    expect(server.requests).toHaveLength(1)
  })

  test('counts failures in a row only: a connection that delivers data starts the count again', async () => {
    const server = await serve({'/stream': oneEvent})
    useFakeClock()
    const source = open(`${server.url}stream`, {reconnect: {initialDelay: 10, maxAttempts: 1}})
    skipReconnectDelays(source)
    const {log} = recordEvents(source, ['message', 'error'])
    await server.waitForRequests(4)
    expect(log.slice(0, 6)).toEqual(Array(3).fill(['message 1 tick', 'error 0 retry']).flat())
  })
})

describe('shouldReconnect', () => {
  test('sees the attempt, the planned delay, and what ended it (cause, status, response)', async () => {
    let count = 0
    const server = await serve({
      '/stream': (req, res, context) => {
        count++
        if (count === 1) return empty(req, res, context)
        if (count === 2) return void req.socket.destroy()
        return respond(503, 'busy')(req, res, context)
      },
    })
    useFakeClock()
    const infos: ReconnectInfo[] = []
    const source = open(`${server.url}stream`, {
      extensions: [retryOnStatus([503])],
      reconnect: {
        initialDelay: 10,
        factor: 2,
        shouldReconnect: (info) => {
          infos.push(info)
          return info.attempt < 3
        },
      },
    })
    skipReconnectDelays(source)
    const {log} = recordEvents(source, ['error'])
    await waitFor(() => source.readyState === 2, 'the source to stop')
    expect(log).toEqual(['error 0 retry', 'error 0 retry', 'error 2 final'])
    expect(infos.map(({attempt, delay, status}) => ({attempt, delay, status}))).toEqual([
      {attempt: 1, delay: 10, status: undefined},
      {attempt: 2, delay: 20, status: undefined},
      {attempt: 3, delay: 40, status: 503},
    ])
    expect(infos[0]?.cause).toBeUndefined() // the stream ended
    expect(infos[0]?.response).toBeUndefined()
    expect(infos[1]?.cause).toBeInstanceOf(TypeError) // a network error
    expect(infos[2]?.response?.status).toBe(503)
  })

  test('returning false stops: CLOSED, a final error, no further request', async () => {
    const server = await serve({'/stream': oneEvent})
    useFakeClock()
    const fetches = countFetches()
    const source = open(`${server.url}stream`, {reconnect: {initialDelay: 10, shouldReconnect: () => false}})
    const {log, events} = recordEvents(source, ['open', 'message', 'error', 'reconnect'])
    await waitFor(() => source.readyState === 2, 'the source to stop')
    await passEveryDelay()
    expect(fetches.count()).toBe(1)
    expect(log).toEqual(['open 1', 'message 1 tick', 'error 2 final'])
    expect((events.at(-1) as EventSourceErrorEvent).message).toBe('The server ended the stream; shouldReconnect said stop')
    expect(server.requests).toHaveLength(1)
  })

  test('returning a number sets the delay; other values keep the planned one', async () => {
    const server = await serve({'/stream': empty})
    useFakeClock()
    const fetches = countFetches()
    const verdicts: unknown[] = [35, undefined, true, 12.6]
    const source = open(`${server.url}stream`, {
      reconnect: {initialDelay: 20, shouldReconnect: () => verdicts.shift() as number | undefined},
    })
    const {log} = recordEvents(source, ['reconnect'])
    // Each attempt at the delay it was given, not 1 ms earlier.
    await expectAttemptsAfter(fetches, () => log.length, [35, 20, 20, 13])
    await server.waitForRequests(5)
    expect(log.slice(0, 4)).toEqual([
      'reconnect 0 #1 35ms',
      'reconnect 0 #2 20ms',
      'reconnect 0 #3 20ms',
      'reconnect 0 #4 13ms',
    ])
  })

  test('closing the source inside it stops everything without another event', async () => {
    const server = await serve({'/stream': oneEvent})
    useFakeClock()
    const fetches = countFetches()
    const source: EventSource = open(`${server.url}stream`, {
      reconnect: {
        initialDelay: 10,
        shouldReconnect: () => {
          source.close()
        },
      },
    })
    const {log} = recordEvents(source, ['open', 'message', 'error', 'reconnect'])
    await waitFor(() => source.readyState === 2, 'the close')
    await passEveryDelay()
    expect(fetches.count()).toBe(1)
    expect(log).toEqual(['open 1', 'message 1 tick'])
    expect(server.requests).toHaveLength(1)
  })

  test('a shouldReconnect that throws fails the connection with that error rather than leave the source stuck', async () => {
    const server = await serve({'/stream': oneEvent})
    const thrown = new Error('policy bug')
    useFakeClock()
    const fetches = countFetches()
    const source = open(`${server.url}stream`, {
      reconnect: {
        initialDelay: 10,
        shouldReconnect: () => {
          throw thrown
        },
      },
    })
    const {log, events} = recordEvents(source, ['open', 'message', 'error', 'reconnect'])
    await waitFor(() => source.readyState === 2, 'the failure')
    await passEveryDelay()
    expect(fetches.count()).toBe(1)
    expect(log).toEqual(['open 1', 'message 1 tick', 'error 2 final'])
    expect((events.at(-1) as EventSourceErrorEvent).cause).toBe(thrown)
    expect(server.requests).toHaveLength(1)
  })
})

describe('retryOnStatus', () => {
  test('[503] with Retry-After: 1 reconnects no sooner than a second later', async () => {
    let count = 0
    const server = await serve({
      '/stream': (req, res, context) => {
        count++
        if (count === 1) return respond(503, 'busy', {'Retry-After': '1'})(req, res, context)
        return void startSse(res).send({data: 'back'})
      },
    })
    useFakeClock()
    const fetches = countFetches()
    const source = open(`${server.url}stream`, {extensions: [retryOnStatus([503])], reconnect: {initialDelay: 10}})
    const {log, events} = recordEvents(source, ['open', 'message', 'error', 'reconnect'])
    const states: unknown[] = []
    source.addEventListener('reconnect', (event) => states.push([event.attempt, event.delay]))
    await waitFor(() => log.length === 2, 'the reconnect to be scheduled')
    // A second later, not 1 ms earlier (nor at the policy's 10 ms).
    await expectAttemptAfter(fetches, 1000)
    await waitFor(() => log.length === 4, 'the message after the reconnect')
    expect(log).toEqual(['error 0 retry', 'reconnect 0 #1 1000ms', 'open 1', 'message 1 back'])
    const error = events[0] as EventSourceErrorEvent
    expect([error.status, error.willReconnect, error.reconnectDelay, error.attempt]).toEqual([503, true, 1000, 1])
    expect(states).toEqual([[1, 1000]])
  })

  test('without Retry-After, or with a shorter one, the policy’s delay stands', async () => {
    const server = await serve({
      '/none': respond(503, 'busy'),
      '/short': respond(429, 'slow down', {'Retry-After': '0'}),
      '/date': respond(502, 'bad gateway', {'Retry-After': new Date(Date.now() - 60_000).toUTCString()}),
    })
    const init = {extensions: [retryOnStatus([429, 502, 503])], reconnect: {initialDelay: 30}}
    const logs = ['none', 'short', 'date'].map((path) => recordEvents(open(`${server.url}${path}`, init), ['reconnect']).log)
    await waitFor(() => logs.every((log) => log.length > 0), 'three reconnects')
    expect(logs.map((log) => log[0])).toEqual(['reconnect 0 #1 30ms', 'reconnect 0 #1 30ms', 'reconnect 0 #1 30ms'])
  })

  test('statuses not listed still fail the connection', async () => {
    const server = await serve({'/stream': respond(500, 'broken')})
    useFakeClock()
    const fetches = countFetches()
    const source = open(`${server.url}stream`, {extensions: [retryOnStatus([503])], reconnect: {initialDelay: 10}})
    const {log} = recordEvents(source, ['error', 'reconnect'])
    await waitFor(() => log.length === 1, 'the failure')
    await passEveryDelay()
    expect(fetches.count()).toBe(1)
    expect(log).toEqual(['error 2 final'])
    expect(server.requests).toHaveLength(1)
  })

  test('maxAttempts limits status retries too', async () => {
    const server = await serve({'/stream': respond(503, 'busy')})
    useFakeClock()
    const source = open(`${server.url}stream`, {extensions: [retryOnStatus([503])], reconnect: {initialDelay: 10, maxAttempts: 1}})
    skipReconnectDelays(source)
    const {log, events} = recordEvents(source, ['error', 'reconnect'])
    await waitFor(() => source.readyState === 2, 'the source to give up')
    expect(log).toEqual(['error 0 retry', 'reconnect 0 #1 10ms', 'error 2 final'])
    expect((events.at(-1) as EventSourceErrorEvent).status).toBe(503)
    expect(server.requests).toHaveLength(2)
  })
})

// ---------------------------------------------------------------------------------------------
// Backoff against a server that is down (its port refuses connections), not one that answers with
// an empty stream as the tests above use. Every attempt is
// counted and timed (on the fake clock) at the fetch, since a refused one never reaches a server: the delays grow by the factor, stop
// growing at maxDelay, carry real jitter (Math.random not stubbed: no two clients in lockstep), start
// from the server's `retry:`, stop when maxAttempts or shouldReconnect says, and start over once the
// server is back and data flows.

/** A URL on a port nothing listens on: a server started, then closed. */
async function downUrl(): Promise<string> {
  const gone = await startServer(() => {})
  await gone.close()
  return `${gone.url}stream`
}

function reconnectsOf(source: EventTarget): EventSourceReconnectEvent[] {
  const reconnects: EventSourceReconnectEvent[] = []
  source.addEventListener('reconnect', (event) => reconnects.push(event as EventSourceReconnectEvent))
  return reconnects
}

describe('with the server down', () => {
  test('the delays grow by the factor up to maxDelay, each one waited, and maxAttempts stops them', async () => {
    const url = await downUrl()
    useFakeClock()
    const fetches = recordFetches(Date.now)
    const {fetch, calls} = fetches
    const source = open(url, {fetch, reconnect: {initialDelay: 20, factor: 2, maxDelay: 80, maxAttempts: 5}})
    const {log, events} = recordEvents(source, ['open', 'error', 'reconnect'])
    const delays = [20, 40, 80, 80, 80]
    await expectAttemptsAfter(fetches, () => log.filter((line) => line.startsWith('reconnect')).length, delays)
    await waitFor(() => source.readyState === 2, 'the source to give up')
    expect(log).toEqual([
      ...delays.flatMap((delay, index) => ['error 0 retry', `reconnect 0 #${index + 1} ${delay}ms`]),
      'error 2 final',
    ])
    expect(calls).toHaveLength(6)
    expect(gaps(calls.map((call) => call.time))).toEqual(delays)
    const final = events.at(-1) as EventSourceErrorEvent
    expect((final.cause as {cause?: {code?: string}}).cause?.code).toBe('ECONNREFUSED')
    expect(final.message).toMatch(/gave up after 5 reconnect attempts$/)
    // Past every delay: no attempt after the last.
    await passEveryDelay()
    expect(calls).toHaveLength(6)
  })

  test('jitter, with the real Math.random: clients started together do not retry in lockstep', async () => {
    const url = await downUrl()
    useFakeClock()
    const CLIENTS = 8
    const clients = Array.from({length: CLIENTS}, () => {
      const {fetch, calls} = recordFetches(Date.now)
      const source = open(url, {fetch, reconnect: {initialDelay: 200, jitter: 0.5, maxAttempts: 1}})
      return {source, calls, reconnects: reconnectsOf(source)}
    })
    await waitFor(() => clients.every((client) => client.reconnects.length === 1), 'every client to schedule its reconnect')
    // Past the longest delay there can be (still far below fetch's own time-outs).
    await vi.advanceTimersByTimeAsync(200)
    await waitFor(() => clients.every((client) => client.source.readyState === 2), 'every client to give up')
    const delays = clients.map((client) => client.reconnects[0]!.delay)
    // jitter 0.5 takes up to half off: 100 to 200 ms.
    for (const delay of delays) {
      expect(delay).toBeGreaterThanOrEqual(100)
      expect(delay).toBeLessThanOrEqual(200)
    }
    // Eight uniform draws over 100 ms all within 10 ms of each other: about 1 in 10⁷.
    expect(Math.max(...delays) - Math.min(...delays)).toBeGreaterThan(10)
    // And each client waited its own delay, so their second attempts are spread the same way.
    for (const [index, client] of clients.entries()) {
      expect(client.calls).toHaveLength(2)
      expect(client.calls[1]!.time - client.calls[0]!.time).toBe(delays[index])
    }
    const retries = clients.map((client) => client.calls[1]!.time)
    expect(Math.max(...retries) - Math.min(...retries)).toBeGreaterThan(10)
  })

  test('shouldReconnect sees each refused attempt and its cause, and stops when it says so', async () => {
    const url = await downUrl()
    useFakeClock()
    const fetches = recordFetches(Date.now)
    const {fetch, calls} = fetches
    const seen: ReconnectInfo[] = []
    const source = open(url, {
      fetch,
      reconnect: {
        initialDelay: 10,
        factor: 3,
        shouldReconnect: (info) => {
          seen.push(info)
          return info.attempt < 3
        },
      },
    })
    const {log} = recordEvents(source, ['open', 'error', 'reconnect'])
    await expectAttemptsAfter(fetches, () => log.filter((line) => line.startsWith('reconnect')).length, [10, 30])
    await waitFor(() => source.readyState === 2, 'the policy to stop')
    await passEveryDelay()
    expect(log).toEqual(['error 0 retry', 'reconnect 0 #1 10ms', 'error 0 retry', 'reconnect 0 #2 30ms', 'error 2 final'])
    expect(seen.map((info) => [info.attempt, info.delay, info.status])).toEqual([
      [1, 10, undefined],
      [2, 30, undefined],
      [3, 90, undefined],
    ])
    for (const info of seen) expect((info.cause as {cause?: {code?: string}}).cause?.code).toBe('ECONNREFUSED')
    expect(calls).toHaveLength(3)
  })
})

describe('a server that goes down and comes back', () => {
  test('the delays start from its retry:, are capped, and start over once it is back; Last-Event-ID resumes', async () => {
    let connections = 0
    const routes: Routes = {
      '/stream': async (req, res) => {
        connections++
        const stream = startSse(res)
        await stream.send({retry: 30, id: `c${connections}`, data: `connection ${connections} after ${String(req.headers['last-event-id'])}`})
      },
    }
    const first = await startServer(routes)
    useFakeClock()
    const fetches = recordFetches(Date.now)
    const {fetch, calls} = fetches
    // initialDelay would be 20 ms (the floor of repeated failures): every delay below comes from the
    // server's retry: 30.
    const source = open(`${first.url}stream`, {fetch, reconnect: {initialDelay: 20, factor: 2, maxDelay: 100}})
    const {log} = recordEvents(source, ['open', 'message'])
    const reconnects = reconnectsOf(source)
    await waitFor(() => log.length === 2, 'the first message')
    // Down: its connections cut, its port closed. Four attempts while down, each at its delay.
    await first.close()
    await expectAttemptsAfter(fetches, () => reconnects.length, [30, 60, 100, 100])
    await waitFor(() => reconnects.length === 5, 'the fifth reconnect while down')
    // Up again on the same port.
    const back = await serve(routes, {port: first.port})
    await expectAttemptAfter(fetches, 100)
    await waitFor(() => log.length === 4, 'the message after the outage')
    const outage = reconnects.map((event) => event.delay)
    expect(outage).toEqual([30, 60, 100, 100, 100])
    expect(gaps(calls.map((call) => call.time))).toEqual(outage)
    expect(log).toEqual(['open 1', 'message 1 connection 1 after undefined', 'open 1', 'message 1 connection 2 after c1'])

    // A drop now starts again from retry: 30, not from the cap.
    const before = reconnects.length
    back.dropConnections()
    await expectAttemptsAfter(fetches, () => reconnects.length - before, [30])
    await waitFor(() => log.length === 6, 'the message after the drop')
    expect(reconnects.slice(before).map((event) => event.delay)).toEqual([30])
    expect(log.slice(4)).toEqual(['open 1', 'message 1 connection 3 after c2'])
  })
})
