// close(): from every state, the source goes CLOSED at once, fires nothing more, sends no
// request and leaves no timer. Checked with the server's records, the calls to fetch, and a fake
// clock (the source's timers only: the sockets keep real time) moved past every delay the source has.
import {describe, expect, test, vi} from 'vitest'
import {EventSource, type EventSourceInit, heartbeat, messages} from '../src/index.js'
import {countFetches, nextTurn, open, passEveryDelay, recordEvents, scriptedStream, serve, trackSourceTimers, unhandledRejections, useEventSourceHooks, useFakeClock, waitFor} from './support/eventsource.js'
import {type SseStream, startSse, type TestServer, utf8} from './support/sse-server.js'
import {activeResources, isCollected, resourcesAbove} from './support/resources.js'

useEventSourceHooks()

/** Serves /stream: each connection is handed to `script`; /hang never answers. */
async function scripted(script: (connection: number, stream: SseStream) => void | Promise<void>) {
  return serve({'/stream': scriptedStream(script).handler, '/hang': () => {}})
}

describe('close()', () => {
  test('right after construction: no request at all, no event', async () => {
    const server = await scripted((_n, stream) => void stream.send({data: 'x'}))
    useFakeClock()
    const fetches = countFetches()
    const timers = trackSourceTimers()
    const source = open(`${server.url}stream`, {extensions: [heartbeat(10_000)]})
    const {log} = recordEvents(source, ['open', 'message', 'error', 'reconnect'])
    source.close()
    expect(source.readyState).toBe(EventSource.CLOSED)
    // No fetch was started, so every fake timer would be the source's: there is none.
    expect(vi.getTimerCount()).toBe(0)
    await passEveryDelay()
    expect(fetches.count()).toBe(0)
    expect(server.requests).toEqual([])
    expect(log).toEqual([])
    expect(timers.started()).toBe(0)
  })

  test('while connecting: the request is aborted, no event fires, nothing is sent again', async () => {
    const server = await scripted(() => {})
    useFakeClock()
    const fetches = countFetches()
    const timers = trackSourceTimers()
    const source = open(`${server.url}hang`, {reconnect: {initialDelay: 10}, extensions: [heartbeat(10_000)]})
    const {log} = recordEvents(source, ['open', 'message', 'error', 'reconnect'])
    await server.waitForRequests(1)
    expect(source.readyState).toBe(EventSource.CONNECTING)
    expect(timers.pending()).toBe(1) // the heartbeat
    source.close()
    expect(timers.pending()).toBe(0)
    expect(source.readyState).toBe(EventSource.CLOSED)
    await waitFor(() => server.activeRequests() === 0, 'the server to see the request end')
    // Past the heartbeat and any reconnect delay: a timer left behind would fire and fetch again.
    await passEveryDelay()
    expect(fetches.count()).toBe(1)
    expect(server.requests).toHaveLength(1)
    expect(log).toEqual([])
  })

  test('while an async headers function is pending: no request is ever sent', async () => {
    const server = await scripted((_n, stream) => void stream.send({data: 'x'}))
    const fetches = countFetches()
    let release: (headers: Record<string, string>) => void = () => {}
    let calls = 0
    const source = open(`${server.url}stream`, {
      headers: () => {
        calls++
        return new Promise<Record<string, string>>((resolve) => (release = resolve))
      },
    })
    const {log} = recordEvents(source, ['open', 'message', 'error', 'reconnect'])
    await waitFor(() => calls === 1, 'the headers function')
    source.close()
    release({authorization: 'late'})
    // A request the late headers would start is handed to fetch before the next turn of the loop.
    await nextTurn()
    expect(fetches.count()).toBe(0)
    expect(server.requests).toEqual([])
    expect(log).toEqual([])
    expect(calls).toBe(1)
  })

  test('while an async headers function is pending: the body function is never called', async () => {
    const server = await scripted((_n, stream) => void stream.send({data: 'x'}))
    let release: (headers: Record<string, string>) => void = () => {}
    let headerCalls = 0
    let bodyCalls = 0
    const source = open(`${server.url}stream`, {
      method: 'POST',
      headers: () => {
        headerCalls++
        return new Promise<Record<string, string>>((resolve) => (release = resolve))
      },
      // A stream body built here would be left unread for ever.
      body: () => {
        bodyCalls++
        return 'payload'
      },
    })
    await waitFor(() => headerCalls === 1, 'the headers function')
    source.close()
    release({authorization: 'late'})
    // The body function would be called as the late headers settle, before the next turn of the loop.
    await nextTurn()
    expect(bodyCalls).toBe(0)
    expect(server.requests).toEqual([])
  })

  test('while open: the server sees the stream end; no error, no reconnect', async () => {
    const streams: SseStream[] = []
    const server = await scripted((_n, stream) => {
      streams.push(stream)
      void stream.send({retry: 10, data: 'hello'})
    })
    useFakeClock()
    const fetches = countFetches()
    const timers = trackSourceTimers()
    const source = open(`${server.url}stream`, {extensions: [heartbeat(10_000)]})
    const {log} = recordEvents(source, ['open', 'message', 'error', 'reconnect'])
    await waitFor(() => log.length === 2, 'the message')
    expect(timers.pending()).toBe(1) // the heartbeat
    source.close()
    expect(source.readyState).toBe(EventSource.CLOSED)
    expect(timers.pending()).toBe(0)
    await streams[0]?.closed
    // Past the `retry: 10` and the heartbeat: no reconnect, no event.
    await passEveryDelay()
    expect(log).toEqual(['open 1', 'message 1 hello'])
    expect(fetches.count()).toBe(1)
    expect(server.requests).toHaveLength(1)
    expect(server.activeRequests()).toBe(0)
  })

  test('inside a message handler: no further events from the same chunk', async () => {
    const server = await scripted((_n, stream) => {
      // One write, so the three events arrive in one chunk.
      void stream.write('retry: 10\n\ndata: first\n\nevent: named\ndata: second\n\ndata: third\n\n')
    })
    useFakeClock()
    const fetches = countFetches()
    const source = open(`${server.url}stream`)
    const {log} = recordEvents(source, ['open', 'message', 'named', 'error', 'reconnect'])
    source.addEventListener('message', () => source.close(), {once: true})
    // A listener after the one that closes still runs for this event, as for any EventTarget.
    const after: number[] = []
    source.addEventListener('message', () => after.push(source.readyState))
    await waitFor(() => source.readyState === EventSource.CLOSED, 'the close')
    await passEveryDelay()
    expect(log).toEqual(['open 1', 'message 1 first'])
    expect(after).toEqual([2])
    expect(fetches.count()).toBe(1)
    expect(server.requests).toHaveLength(1)
  })

  test('inside the open handler: the events that came with the response are not dispatched', async () => {
    const server = await scripted((_n, stream) => void stream.write('data: too late\n\n'))
    useFakeClock()
    const fetches = countFetches()
    const source = open(`${server.url}stream`)
    const {log} = recordEvents(source, ['open', 'message', 'error'])
    source.onopen = () => source.close()
    await waitFor(() => source.readyState === EventSource.CLOSED, 'the close')
    // The response's body is read in its own turns of the loop: events in it would be dispatched by then.
    await waitFor(() => server.activeRequests() === 0, 'the server to see the request end')
    await passEveryDelay()
    expect(log).toEqual(['open 1'])
    expect(fetches.count()).toBe(1)
    expect(server.activeRequests()).toBe(0)
  })

  test('while waiting to reconnect: the reconnect never happens and its timer is cleared', async () => {
    const server = await scripted(async (_n, stream) => {
      await stream.send({retry: 300, data: 'bye'})
      await stream.end()
    })
    useFakeClock()
    const fetches = countFetches()
    const timers = trackSourceTimers()
    const source = open(`${server.url}stream`)
    const {log} = recordEvents(source, ['open', 'message', 'error', 'reconnect'])
    const pending: number[] = []
    // Right after the reconnect is scheduled (the timer starts once the reconnect event is dispatched).
    source.addEventListener('reconnect', () => {
      setImmediate(() => {
        pending.push(timers.pending())
        source.close()
        pending.push(timers.pending())
      })
    })
    await waitFor(() => source.readyState === EventSource.CLOSED, 'the close')
    expect(log).toEqual(['open 1', 'message 1 bye', 'error 0 retry', 'reconnect 0 #1 300ms'])
    // The 300 ms reconnect timer was pending, and close() cleared it.
    expect(pending).toEqual([1, 0])
    expect(timers.started()).toBe(1)
    await passEveryDelay()
    expect(fetches.count()).toBe(1)
    expect(server.requests).toHaveLength(1)
    expect(log).toHaveLength(4)
  })

  test('inside the error listener of a reconnect: no reconnect event, no request', async () => {
    const server = await scripted(async (_n, stream) => {
      await stream.send({retry: 10, data: 'bye'})
      await stream.end()
    })
    useFakeClock()
    const fetches = countFetches()
    const source = open(`${server.url}stream`)
    const {log} = recordEvents(source, ['open', 'message', 'error', 'reconnect'])
    source.onerror = () => source.close()
    await waitFor(() => log.length === 3, 'the error')
    await passEveryDelay()
    expect(log).toEqual(['open 1', 'message 1 bye', 'error 0 retry'])
    expect(source.readyState).toBe(EventSource.CLOSED)
    expect(fetches.count()).toBe(1)
    expect(server.requests).toHaveLength(1)
  })

  test('inside the reconnect listener: no request', async () => {
    const server = await scripted(async (_n, stream) => {
      await stream.send({retry: 10, data: 'bye'})
      await stream.end()
    })
    useFakeClock()
    const fetches = countFetches()
    const source = open(`${server.url}stream`)
    const {log} = recordEvents(source, ['open', 'message', 'error', 'reconnect'])
    source.addEventListener('reconnect', () => source.close())
    await waitFor(() => log.length === 4, 'the reconnect event')
    await passEveryDelay()
    expect(log).toEqual(['open 1', 'message 1 bye', 'error 0 retry', 'reconnect 0 #1 10ms'])
    expect(fetches.count()).toBe(1)
    expect(server.requests).toHaveLength(1)
  })

  test('twice, or after the connection failed, is harmless', async () => {
    const server = await scripted(() => {})
    const source = open(`${server.url}missing`)
    const {log} = recordEvents(source, ['open', 'message', 'error', 'reconnect'])
    await waitFor(() => log.length === 1, 'the failure')
    source.close()
    source.close()
    expect(log).toEqual(['error 2 final'])
    expect(source.readyState).toBe(EventSource.CLOSED)
  })
})

// ---------------------------------------------------------------------------------------------
// close(), or aborting the `signal` option, in every state a source can be in
// (before its request starts, while the server has not answered, while OPEN, during the reconnect
// delay, while a headers function is pending, while a stream body is being sent) leaves nothing
// behind. Checked from outside the source: the server's open connections, Node's active handles
// (process.getActiveResourcesInfo()), an async iterator's pending next(), no event or request after
// a quiet period longer than any delay set, and the source itself garbage-collectable (so no timer,
// pending promise or signal listener still holds it). The source's timers run on a fake clock,
// moved past every delay it has after the stop: a reconnect that was not cancelled would show.

const EVENT_TYPES = ['open', 'message', 'error', 'reconnect', 'end']

/** /hold: one event, then the stream stays open. /end: `retry: 5000`, one event, the end (and no keep-alive). /hang: no answer. */
async function startServer(): Promise<TestServer> {
  return serve({
    '/hold': (_req, res) => void startSse(res).send({data: 'held'}),
    '/end': async (_req, res) => {
      // `Connection: close`: the idle keep-alive socket fetch's pool would keep is not the source's.
      const stream = startSse(res, {headers: {Connection: 'close'}})
      await stream.send({retry: 5000, data: 'bye'})
      await stream.end()
    },
    '/hang': () => {},
  })
}

interface Scenario {
  path: string
  init?: EventSourceInit
  /** Resolves once the source is in the state; `started` is right after the constructor. */
  reach(context: {server: TestServer; source: EventSource; log: string[]}): Promise<void>
  /** Undoes what the test holds that a user would let go of (a pending headers promise). */
  after?: () => void
  /** What was dispatched before the stop. */
  expectedLog: string[]
  /** Requests the server records; a stream body that never ends is never recorded. */
  expectedRequests: number
}

/** Each state as a scenario; the functions the scenarios share state with live in the closure. */
function scenarios(): Record<string, Scenario> {
  let releaseHeaders: (headers: Record<string, string>) => void = () => {}
  let headerCalls = 0
  let pulls = 0
  return {
    'before the request starts': {
      path: 'hold',
      reach: async () => {},
      expectedLog: [],
      expectedRequests: 0,
    },
    'while the request is pending (no answer yet)': {
      path: 'hang',
      init: {extensions: [heartbeat(10_000)]},
      reach: async ({server}) => void (await server.waitForRequests(1)),
      expectedLog: [],
      expectedRequests: 1,
    },
    'while OPEN': {
      path: 'hold',
      init: {extensions: [heartbeat(10_000)]},
      reach: ({log}) => waitFor(() => log.length === 2, 'the message'),
      expectedLog: ['open 1', 'message 1 held'],
      expectedRequests: 1,
    },
    'during the reconnect delay': {
      path: 'end',
      reach: ({source}) =>
        new Promise((resolve) => source.addEventListener('reconnect', () => setImmediate(resolve), {once: true})),
      expectedLog: ['open 1', 'message 1 bye', 'error 0 retry', 'reconnect 0 #1 5000ms'],
      expectedRequests: 1,
    },
    'while a headers function is pending': {
      path: 'hold',
      init: {
        headers: () => {
          headerCalls++
          return new Promise((resolve) => (releaseHeaders = resolve))
        },
      },
      reach: () => waitFor(() => headerCalls === 1, 'the headers function'),
      // Resolved after the stop, as a slow token refresh would: it must not send a request then.
      after: () => releaseHeaders({authorization: 'Bearer late'}),
      expectedLog: [],
      expectedRequests: 0,
    },
    'while a stream body is being sent': {
      path: 'hold',
      init: {
        method: 'POST',
        // An upload that sends three chunks, then stalls: the request is neither sent nor answered.
        body: () =>
          new ReadableStream<Uint8Array>({
            pull(controller) {
              if (++pulls > 3) return new Promise<void>(() => {})
              controller.enqueue(utf8('chunk\n'))
              return undefined
            },
          }),
      },
      reach: ({server}) => waitFor(() => pulls > 3 && server.usedConnections() === 1, 'the body to be on its way'),
      expectedLog: [],
      expectedRequests: 0,
    },
  }
}

const STOPS = {
  'close()': (source: EventSource) => source.close(),
  'aborting the signal': (_source: EventSource, controller: AbortController) => controller.abort(),
}

/**
 * Runs one scenario up to the stop, and returns what a test looks at after it: only a WeakRef to the
 * source, so that the test can tell whether anything else still holds it.
 */
async function runToStop(name: string, stop: keyof typeof STOPS) {
  const scenario = scenarios()[name]!
  const server = await startServer()
  useFakeClock()
  const fetches = countFetches()
  const timers = trackSourceTimers()
  const baseline = activeResources()
  const controller = new AbortController()
  // Not open(): the hooks' list of sources would hold it, and the point is that nothing does.
  const source = new EventSource(`${server.url}${scenario.path}`, {
    reconnect: {initialDelay: 10},
    ...scenario.init,
    signal: controller.signal,
  })
  const {log} = recordEvents(source, EVENT_TYPES)
  try {
    await scenario.reach({server, source, log})
  } catch (error) {
    source.close()
    throw error
  }
  // Asked for once the state is reached, so that it waits for an event that never comes.
  const pendingNext = messages(source).next()
  const logAtStop = [...log]
  STOPS[stop](source, controller)
  const readyState = source.readyState
  const timersAfterStop = timers.pending()
  scenario.after?.()
  // The controller stays with the test: a signal that outlives the source must not hold it.
  return {scenario, server, fetches, baseline, log, logAtStop, readyState, timersAfterStop, pendingNext, controller, ref: new WeakRef(source)}
}

describe.each(Object.keys(STOPS) as (keyof typeof STOPS)[])('%s', (stop) => {
  test.each(Object.keys(scenarios()))('%s: nothing left, nothing dispatched, the source collectable', async (name) => {
    const {scenario, server, fetches, baseline, log, logAtStop, readyState, timersAfterStop, pendingNext, controller, ref} = await runToStop(
      name,
      stop,
    )
    expect(readyState).toBe(EventSource.CLOSED)
    expect(timersAfterStop).toBe(0)
    expect(logAtStop).toEqual(scenario.expectedLog)
    // The iterator's pending next() ends rather than wait forever.
    await expect(pendingNext).resolves.toEqual({value: undefined, done: true})
    await waitFor(() => server.usedConnections() === 0, 'the server to see the connection closed', {timeout: 2_000})
    // After an aborted request Node's fetch opens a spare connection that it never uses (a bare fetch
    // does the same); it is its pool's, not the source's. Cut it (once it is there: it may still be
    // connecting), so that the handle count is exact.
    expect(server.openConnections()).toBeLessThanOrEqual(1)
    const handlesGone = () => {
      server.dropConnections({unused: true})
      return Object.keys(resourcesAbove(baseline)).length === 0
    }
    await waitFor(handlesGone, 'the handles to go', {timeout: 2_000}).catch(() => {
      expect(resourcesAbove(baseline), 'handles left after the stop').toEqual({})
    })
    const fetchesAtStop = fetches.count()
    await passEveryDelay()
    expect(fetches.count(), 'fetches after the stop').toBe(fetchesAtStop)
    expect(log).toEqual(scenario.expectedLog)
    expect(server.requests).toHaveLength(scenario.expectedRequests)
    expect(server.usedConnections()).toBe(0)
    expect(resourcesAbove(baseline)).toEqual({})
    expect(await isCollected(ref), 'the closed source was garbage-collected').toBe(true)
    expect(controller.signal.aborted).toBe(stop === 'aborting the signal')
    expect(unhandledRejections()).toEqual([])
  })
})

// Node 20's fetch (undici) does not cancel a request body when the request is aborted, as the fetch
// standard says to, and goes on pulling it: an endless body would be read forever after close().
test('close() while a stream body is being sent cancels that stream, and nothing reads it afterwards', async () => {
  const server = await serve({'/stream': (_req, res) => void startSse(res).send({data: 'x'})})
  let pulls = 0
  let cancelled: unknown
  const source = new EventSource(`${server.url}stream`, {
    method: 'POST',
    body: () =>
      new ReadableStream<Uint8Array>({
        async pull(controller) {
          pulls++
          // A chunk a turn of the loop: a body that trickles, with a pull pending when close() comes.
          await nextTurn()
          controller.enqueue(utf8('chunk\n'))
        },
        cancel(reason) {
          cancelled = reason ?? 'cancelled'
        },
      }),
  })
  await waitFor(() => pulls > 3 && server.usedConnections() === 1, 'the body to be on its way')
  source.close()
  const pullsAtClose = pulls
  await waitFor(() => cancelled !== undefined, 'the body stream to be cancelled')
  // A reader that went on would pull again within a turn or two: every pull is answered on the next.
  for (let turn = 0; turn < 10; turn++) await nextTurn()
  expect(cancelled).toBeDefined()
  expect(pulls - pullsAtClose).toBeLessThanOrEqual(1)
})
