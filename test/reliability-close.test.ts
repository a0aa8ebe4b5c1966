// Reliability (issue 6): close(), or aborting the `signal` option, in every state a source can be in
// (before its request starts, while the server has not answered, while OPEN, during the reconnect
// delay, while a headers function is pending, while a stream body is being sent) leaves nothing
// behind. Checked from outside the source: the server's open connections, Node's active handles
// (process.getActiveResourcesInfo()), an async iterator's pending next(), no event or request after
// a quiet period longer than any delay set, and the source itself garbage-collectable (so no timer,
// pending promise or signal listener still holds it).
import {describe, expect, test} from 'vitest'
import {EventSource, type EventSourceInit} from '../src/index.js'
import {recordEvents, serve, sleep, trackSourceTimers, unhandledRejections, useEventSourceHooks, waitFor} from './support/eventsource.js'
import {activeResources, isCollected, resourcesAbove} from './support/resources.js'
import {startSse, utf8, type TestServer} from './support/sse-server.js'

useEventSourceHooks()

/** Longer than every delay a source here is given, so a reconnect that was not cancelled would show. */
const QUIET = 150
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
      init: {heartbeatTimeout: 10_000},
      reach: async ({server}) => void (await server.waitForRequests(1)),
      expectedLog: [],
      expectedRequests: 1,
    },
    'while OPEN': {
      path: 'hold',
      init: {heartbeatTimeout: 10_000},
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
  const pendingNext = source[Symbol.asyncIterator]().next()
  const logAtStop = [...log]
  STOPS[stop](source, controller)
  const readyState = source.readyState
  const timersAfterStop = timers.pending()
  scenario.after?.()
  // The controller stays with the test: a signal that outlives the source must not hold it.
  return {scenario, server, baseline, log, logAtStop, readyState, timersAfterStop, pendingNext, controller, ref: new WeakRef(source)}
}

describe.each(Object.keys(STOPS) as (keyof typeof STOPS)[])('%s', (stop) => {
  test.each(Object.keys(scenarios()))('%s: nothing left, nothing dispatched, the source collectable', async (name) => {
    const {scenario, server, baseline, log, logAtStop, readyState, timersAfterStop, pendingNext, controller, ref} = await runToStop(
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
    await sleep(QUIET)
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
          await sleep(5)
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
  await sleep(QUIET)
  expect(cancelled).toBeDefined()
  expect(pulls - pullsAtClose).toBeLessThanOrEqual(1)
})
