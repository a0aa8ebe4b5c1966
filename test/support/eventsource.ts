// Helpers for the EventSource suites: servers and sources that are closed after every test,
// a recorder that notes the readyState at each event (so tests can assert exact sequences),
// waits that wake on events instead of fixed sleeps, a fake clock for the source's own timers, and a
// check that no promise rejection went unhandled.
import {afterAll, afterEach, beforeAll, expect, vi} from 'vitest'
import {EventSource, type EventSourceInit, type FetchLike, type FetchLikeInit} from '../../src/index.js'
import {startServer, startSse, type Handler, type Routes, type SseStream, type TestServer} from './sse-server.js'

/**
 * The real timer functions, taken before any test fakes them: the helpers' own waits and time-outs
 * (and the test servers, see sse-server.ts) run on the real clock, so they keep working under
 * {@link useFakeClock} and are never counted among the source's timers.
 */
const realSetTimeout = globalThis.setTimeout
const realClearTimeout = globalThis.clearTimeout

const sources = new Set<{close(): void}>()
const servers = new Set<TestServer>()
const unhandled: unknown[] = []
/** Puts back what {@link trackSourceTimers} and {@link countFetches} replaced. */
const restoreGlobals: (() => void)[] = []
const onUnhandledRejection = (reason: unknown): void => {
  unhandled.push(reason)
}

/**
 * Registers the hooks every EventSource suite needs: after each test, every source made with
 * {@link open} is closed, every server made with {@link serve} is closed, and the test fails if a
 * promise rejection went unhandled or a server handler threw while it ran.
 */
export function useEventSourceHooks(): void {
  beforeAll(() => {
    process.on('unhandledRejection', onUnhandledRejection)
  })
  afterEach(async () => {
    for (const source of sources) source.close()
    sources.clear()
    // Trackers first: one installed over the fake clock would otherwise put it back.
    for (const restore of restoreGlobals.splice(0).reverse()) restore()
    vi.useRealTimers()
    vi.restoreAllMocks()
    wakers.clear()
    // Rejections are reported once the microtask queue drains: give them a turn of the loop.
    await new Promise((resolve) => setImmediate(resolve))
    const serverErrors = [...servers].flatMap((server) => server.errors)
    await Promise.all([...servers].map((server) => server.close()))
    servers.clear()
    const rejections = unhandled.splice(0)
    expect(rejections, 'unhandled rejections').toEqual([])
    expect(serverErrors, 'test server handler errors').toEqual([])
  })
  afterAll(() => {
    process.off('unhandledRejection', onUnhandledRejection)
  })
}

/** The unhandled rejections seen so far in the current test. */
export function unhandledRejections(): readonly unknown[] {
  return unhandled
}

/** A test server that is closed after the test; `port` as {@link startServer} takes it. */
export async function serve(routes: Handler | Routes, options?: {port?: number}): Promise<TestServer> {
  const server = await startServer(routes, options)
  servers.add(server)
  return server
}

/** An EventSource that is closed after the test. */
export function open<Events extends string = string>(url: string | URL, init?: EventSourceInit): EventSource<Events> {
  const source = new EventSource<Events>(url, init)
  sources.add(source)
  return source
}

/** Anything with a readyState that events can be listened for on. */
type Source = Pick<EventSource, 'readyState' | 'addEventListener'>

/**
 * Records every event of the given types as one line, `type readyState` plus what matters for
 * the type: a MessageEvent's data, an error's `willReconnect`, a reconnect's attempt and delay.
 * The readyState is read when the listener runs, so a line tells what the source was in then.
 */
export function recordEvents(
  source: Source,
  types: readonly string[] = ['open', 'message', 'error'],
): {log: string[]; events: Event[]} {
  const log: string[] = []
  const events: Event[] = []
  for (const type of types) {
    source.addEventListener(type, (event: Event) => {
      events.push(event)
      log.push(describeEvent(event, source.readyState))
      wakeWaiters()
    })
  }
  return {log, events}
}

export function describeEvent(event: Event, readyState: number): string {
  const head = `${event.type} ${readyState}`
  if (event instanceof MessageEvent) return `${head} ${String(event.data)}`
  const details = event as Event & {willReconnect?: boolean; attempt?: number; delay?: number}
  if (event.type === 'error' && details.willReconnect !== undefined) {
    return `${head} ${details.willReconnect ? 'retry' : 'final'}`
  }
  if (event.type === 'reconnect') return `${head} #${String(details.attempt)} ${String(details.delay)}ms`
  return head
}

/** The {@link waitFor} calls waiting now; each is woken to check its condition again. */
const wakers = new Set<() => void>()

/** Wakes every {@link waitFor}: called when something they may wait on happened (an event recorded). */
export function wakeWaiters(): void {
  for (const wake of [...wakers]) wake()
}

/**
 * Resolves once `condition` holds; fails with `what` after `timeout` ms (real ones). The condition is
 * checked again whenever {@link recordEvents} records an event, so a wait on a recorded log ends on
 * the event itself; conditions on things no event tells of (a server's connections) are checked
 * again every `interval` ms as well. Works under {@link useFakeClock}: its timers are real ones.
 */
export function waitFor(
  condition: () => boolean,
  what = 'condition',
  {timeout = 5_000, interval = 5}: {timeout?: number; interval?: number} = {},
): Promise<void> {
  return new Promise((resolve, reject) => {
    let poll: ReturnType<typeof setTimeout> | undefined
    const finish = (error?: Error): void => {
      realClearTimeout(deadline)
      realClearTimeout(poll)
      wakers.delete(check)
      if (error) reject(error)
      else resolve()
    }
    const check = (): void => {
      let holds: boolean
      try {
        holds = condition()
      } catch (error) {
        return finish(error instanceof Error ? error : new Error(String(error)))
      }
      if (holds) return finish()
      realClearTimeout(poll)
      // Unref'd, as the deadline: a condition may be that no Timeout handle is left (test/support/resources.ts).
      poll = realSetTimeout(check, interval).unref()
    }
    const deadline = realSetTimeout(() => finish(new Error(`Timed out after ${timeout} ms waiting for ${what}`)), timeout).unref()
    wakers.add(check)
    check()
  })
}

/** The next event of `type` on `target`; rejects after `timeout` ms. */
export function nextEvent<E extends Event = Event>(target: EventTarget, type: string, timeout = 5_000): Promise<E> {
  return new Promise((resolve, reject) => {
    const timer = realSetTimeout(() => {
      target.removeEventListener(type, listener)
      reject(new Error(`Timed out after ${timeout} ms waiting for a "${type}" event`))
    }, timeout)
    const listener = (event: Event): void => {
      realClearTimeout(timer)
      target.removeEventListener(type, listener)
      resolve(event as E)
    }
    target.addEventListener(type, listener)
  })
}

/** One call of a {@link recordFetches} fetch: when it was made (by its clock), and with what. */
export interface FetchCall {
  url: string
  init: FetchLikeInit
  time: number
}

/**
 * A `fetch` option that notes every attempt before passing it to the real fetch: attempts that never
 * reach a server (a refused connection, a failed DNS lookup) are counted and timed too. Timed by
 * `now`: `performance.now()`, or under {@link useFakeClock} `Date.now`, the fake clock's time. `count`
 * is there for {@link expectAttemptAfter}.
 */
export function recordFetches(now: () => number = () => performance.now()): {fetch: FetchLike; calls: FetchCall[]; count: () => number} {
  const calls: FetchCall[] = []
  return {
    calls,
    count: () => calls.length,
    fetch: (url, init) => {
      calls.push({url, init, time: now()})
      return fetch(url, init)
    },
  }
}

/**
 * A `fetch` option that counts the chunks and bytes of every response body as the source takes them,
 * so that a test can wait until what a server wrote (a `:` comment, which dispatches nothing, or part
 * of an event) has reached the source. Wakes {@link waitFor} on each chunk. The response is rebuilt
 * around the counted body: its status and headers stay, its `url` does not (fine for sources on a
 * server's own path).
 */
export function countBodyChunks(): {fetch: FetchLike; chunks: () => number; bytes: () => number} {
  let chunks = 0
  let bytes = 0
  const counter = (): TransformStream<Uint8Array, Uint8Array> =>
    new TransformStream({
      transform(chunk, controller) {
        chunks++
        bytes += chunk.byteLength
        controller.enqueue(chunk)
        wakeWaiters()
      },
    })
  return {
    chunks: () => chunks,
    bytes: () => bytes,
    fetch: async (url, init) => {
      const response = await fetch(url, init)
      if (!response.body) return response
      const {status, statusText, headers} = response
      return new Response(response.body.pipeThrough(counter()), {status, statusText, headers})
    },
  }
}

/** The gaps between consecutive times, in ms. */
export function gaps(times: readonly number[]): number[] {
  return times.slice(1).map((time, index) => time - times[index]!)
}

/**
 * Counts the calls to the global `fetch` (every attempt of a source without a `fetch` option) for the
 * rest of the test. Unlike a spy it keeps nothing of a call, so a response cannot keep a source alive.
 */
export function countFetches(): {count: () => number} {
  const previousFetch = globalThis.fetch
  let count = 0
  globalThis.fetch = (...args: Parameters<typeof fetch>) => {
    count++
    return previousFetch(...args)
  }
  restoreGlobals.push(() => {
    globalThis.fetch = previousFetch
  })
  return {count: () => count}
}

/**
 * One turn of the event loop: every promise already settled has run its reactions by then (a request
 * that a settled headers promise would start, say, has been handed to fetch). No clock involved.
 */
export function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve))
}

/** Waits `ms` real milliseconds, whether or not the test fakes the clock. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => realSetTimeout(resolve, ms))
}

/**
 * Fakes the clock the source's timers run on (reconnect delays, heartbeats, quiet periods) for the
 * rest of the test; the hooks put the real one back. Only `setTimeout`, `setInterval`, their clears
 * and `Date` are faked: the sockets, Node's fetch and the test servers need `setImmediate`,
 * `process.nextTick`, microtasks and `performance` to move on their own. Move time with
 * `vi.advanceTimersByTimeAsync` (the async form, so that the promises a timer starts settle).
 * Node's fetch (undici) sets timers of its own too: `vi.getTimerCount()` counts those.
 */
export function useFakeClock(): void {
  vi.useFakeTimers({toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date']})
}

/**
 * Under {@link useFakeClock}: moves the clock past every delay the suites give a source (reconnect
 * delays, heartbeats, the shared connections' release), then waits a turn of the loop, so that a
 * request a fired timer started has reached fetch ({@link countFetches} sees it). How a test says
 * "nothing more happens". 20 s of fake time: far below Node's fetch's own 300 s time-outs.
 */
export async function passEveryDelay(): Promise<void> {
  await vi.advanceTimersByTimeAsync(20_000)
  await nextTurn()
}

/**
 * Under {@link useFakeClock}: moves the clock to 1 ms before `delay` and checks, a turn of the loop
 * later (time for what a fired timer starts), that `happened()` does not hold yet; then to `delay`
 * and waits for it to hold ({@link waitFor}: what the timer starts may go through a socket). How a
 * test checks that a timer (a heartbeat, a reconnect delay) fires at its delay and not earlier.
 */
export async function expectAfter(delay: number, what: string, happened: () => boolean): Promise<void> {
  if (delay > 0) {
    await vi.advanceTimersByTimeAsync(delay - 1)
    await nextTurn()
    expect(happened(), `${what}, ${delay - 1} ms into a ${delay} ms wait`).toBe(false)
  }
  await vi.advanceTimersByTimeAsync(delay > 0 ? 1 : 0)
  await waitFor(happened, `${what} once a ${delay} ms wait is over`)
}

/**
 * Under {@link useFakeClock}, once a reconnect is scheduled: {@link expectAfter} for the next attempt
 * (counted at fetch, {@link countFetches} or {@link recordFetches}), and exactly one.
 */
export async function expectAttemptAfter(fetches: {count: () => number}, delay: number): Promise<void> {
  const before = fetches.count()
  await expectAfter(delay, 'the next attempt', () => fetches.count() > before)
  expect(fetches.count(), `attempts once a ${delay} ms delay is over`).toBe(before + 1)
}

/**
 * Under {@link useFakeClock}: moves the fake clock by each reconnect's delay once its timer is set (a
 * turn of the loop after the `reconnect` event), so that a test that waits for attempts waits on the
 * connections, not on their delays. Only the reconnect timer is due then; the delays stay in the events.
 */
export function skipReconnectDelays(source: Pick<EventSource, 'addEventListener'>): void {
  source.addEventListener('reconnect', (event) => {
    // Not once the test is over: the hooks have put the real clock back by then.
    setImmediate(() => vi.isFakeTimers() && void vi.advanceTimersByTimeAsync(event.delay))
  })
}

/**
 * Counts the timers set by anything but the tests and their helpers, Node's internals (its fetch) and
 * dependencies: the library's timers (reconnect and heartbeat), wherever its modules live. A timer
 * counts when the function that called `setTimeout` is in none of those places, so that the count can
 * only be too high, never miss a library timer; cleared ones and fired ones stop counting.
 * Installed for the rest of the test (over the fake clock, if {@link useFakeClock} came first); the
 * hooks put the timer functions back.
 */
const isForeignCaller = (frame: string): boolean =>
  frame.includes('node:') || frame.includes('node_modules') || /[\\/]test[\\/]/.test(frame)

export function trackSourceTimers(): {pending: () => number; started: () => number} {
  const {setTimeout: previousSetTimeout, clearTimeout: previousClearTimeout} = globalThis
  const live = new Set<unknown>()
  let started = 0
  const tracked = ((callback: (...args: unknown[]) => void, ms?: number, ...args: unknown[]) => {
    // Frame 0 is the message, 1 this function, 2 its caller.
    const caller = (new Error().stack ?? '').split('\n')[2] ?? ''
    const handle: unknown = previousSetTimeout(
      (...callArgs: unknown[]) => {
        live.delete(handle)
        callback(...callArgs)
      },
      ms,
      ...args,
    )
    if (!isForeignCaller(caller)) {
      started++
      live.add(handle)
    }
    return handle
  }) as typeof setTimeout
  const untracked = ((handle: Parameters<typeof clearTimeout>[0]) => {
    live.delete(handle)
    previousClearTimeout(handle)
  }) as typeof clearTimeout
  globalThis.setTimeout = tracked
  globalThis.clearTimeout = untracked
  restoreGlobals.push(() => {
    globalThis.setTimeout = previousSetTimeout
    globalThis.clearTimeout = previousClearTimeout
  })
  return {pending: () => live.size, started: () => started}
}

/**
 * A route that answers every request with an event stream written by `script(n, stream)`, `n`
 * counting the connections from 1; `streams` holds them all, in order.
 */
export function scriptedStream(script: (connection: number, stream: SseStream) => void | Promise<void>): {
  handler: Handler
  streams: SseStream[]
} {
  const streams: SseStream[] = []
  return {
    streams,
    handler: async (_req, res) => {
      const stream = startSse(res)
      streams.push(stream)
      await script(streams.length, stream)
    },
  }
}
