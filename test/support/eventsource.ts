// Helpers for the EventSource suites: servers and sources that are closed after every test,
// a recorder that notes the readyState at each event (so tests can assert exact sequences),
// polling waits instead of fixed sleeps, and a check that no promise rejection went unhandled.
import {afterAll, afterEach, beforeAll, expect} from 'vitest'
import {EventSource, type EventSourceInit, type FetchLike, type FetchLikeInit} from '../../src/index.js'
import {startServer, startSse, type Handler, type Routes, type SseStream, type TestServer} from './sse-server.js'

const sources = new Set<{close(): void}>()
const servers = new Set<TestServer>()
const unhandled: unknown[] = []
/** Puts back what {@link trackSourceTimers} replaced. */
const restoreTimers: (() => void)[] = []
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
    for (const restore of restoreTimers.splice(0).reverse()) restore()
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

/** Polls `condition` every few milliseconds until it holds; fails with `what` after `timeout` ms. */
export async function waitFor(
  condition: () => boolean,
  what = 'condition',
  {timeout = 5_000, interval = 5}: {timeout?: number; interval?: number} = {},
): Promise<void> {
  const deadline = performance.now() + timeout
  while (!condition()) {
    if (performance.now() > deadline) throw new Error(`Timed out after ${timeout} ms waiting for ${what}`)
    await sleep(interval)
  }
}

/** The next event of `type` on `target`; rejects after `timeout` ms. */
export function nextEvent<E extends Event = Event>(target: EventTarget, type: string, timeout = 5_000): Promise<E> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      target.removeEventListener(type, listener)
      reject(new Error(`Timed out after ${timeout} ms waiting for a "${type}" event`))
    }, timeout)
    const listener = (event: Event): void => {
      clearTimeout(timer)
      target.removeEventListener(type, listener)
      resolve(event as E)
    }
    target.addEventListener(type, listener)
  })
}

/** One call of a {@link recordFetches} fetch: when it was made (performance.now()), and with what. */
export interface FetchCall {
  url: string
  init: FetchLikeInit
  time: number
}

/**
 * A `fetch` option that notes every attempt before passing it to the real fetch: attempts that never
 * reach a server (a refused connection, a failed DNS lookup) are counted and timed too.
 */
export function recordFetches(): {fetch: FetchLike; calls: FetchCall[]} {
  const calls: FetchCall[] = []
  return {
    calls,
    fetch: (url, init) => {
      calls.push({url, init, time: performance.now()})
      return fetch(url, init)
    },
  }
}

/** The gaps between consecutive times, in ms. */
export function gaps(times: readonly number[]): number[] {
  return times.slice(1).map((time, index) => time - times[index]!)
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}

/**
 * Counts the timers the library itself starts (reconnect and heartbeat timers), told apart by the
 * stack that calls `setTimeout`: any module of src/, so that none is missed when code moves between
 * modules; cleared ones and fired ones stop counting.
 * Installed for the rest of the test; the hooks put the real timer functions back.
 */
/**
 * Whether a stack frame is in one of the library's modules (src/, in TypeScript; never a
 * dependency's). Read from the frame, since jsdom test files have no file: `import.meta.url`.
 */
const isLibraryFrame = (frame: string): boolean => /[\\/]src[\\/][\w/-]+\.ts\b/.test(frame) && !frame.includes('node_modules')

export function trackSourceTimers(): {pending: () => number; started: () => number} {
  const {setTimeout: realSetTimeout, clearTimeout: realClearTimeout} = globalThis
  const live = new Set<unknown>()
  let started = 0
  const tracked = ((callback: (...args: unknown[]) => void, ms?: number, ...args: unknown[]) => {
    const fromSource = (new Error().stack ?? '').split('\n').some(isLibraryFrame)
    const handle: unknown = realSetTimeout(
      (...callArgs: unknown[]) => {
        live.delete(handle)
        callback(...callArgs)
      },
      ms,
      ...args,
    )
    if (fromSource) {
      started++
      live.add(handle)
    }
    return handle
  }) as typeof setTimeout
  const untracked = ((handle: Parameters<typeof clearTimeout>[0]) => {
    live.delete(handle)
    realClearTimeout(handle)
  }) as typeof clearTimeout
  globalThis.setTimeout = tracked
  globalThis.clearTimeout = untracked
  restoreTimers.push(() => {
    globalThis.setTimeout = realSetTimeout
    globalThis.clearTimeout = realClearTimeout
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
