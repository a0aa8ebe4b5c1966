// Helpers for the useEventSource suites (test/react-*.test.tsx): a server whose event streams a
// test writes to when it likes, and the hooks that unmount every component after each test.
import {cleanup} from '@testing-library/react'
import {afterEach, vi} from 'vitest'
import {serve, sleep, useEventSourceHooks} from './eventsource.js'
import {startSse, type SseFields, type SseStream, type TestServer} from './sse-server.js'

/**
 * The EventSource suite's hooks, plus: every component rendered is unmounted after each test
 * (vitest runs without globals, so @testing-library/react cannot register that itself), and the
 * shared connections close behind them: a source shared by components closes on a timer of 0 ms once
 * the last one goes (src/shared/source.ts), run here on the clock the test left, fake or real.
 */
export function useReactHooks(): void {
  useEventSourceHooks()
  // Registered last, so it runs first (hooks run as a stack): components go before servers do.
  afterEach(async () => {
    cleanup()
    // Real timers of 0 ms fire in the order they were set: one set now fires after theirs.
    if (vi.isFakeTimers()) await vi.advanceTimersByTimeAsync(0)
    else await sleep(0)
  })
}

export interface EventServer {
  server: TestServer
  /** `http://127.0.0.1:PORT/events?QUERY`: a stream a test writes to with `send`. */
  url(query?: string): string
  /** `http://127.0.0.1:PORT/status/503`: answers with that status and no stream. */
  statusUrl(status: number): string
  /** Every stream opened so far, in order; `isClosed` tells whether the client is still there. */
  streams: SseStream[]
  /** The streams still open. */
  open(): SseStream[]
  /** Writes an event to every open stream. */
  send(fields: SseFields): Promise<void>
}

/** A server for the hook tests; closed after the test. `?retry=N` starts a stream with `retry: N`. */
export async function eventServer(): Promise<EventServer> {
  const streams: SseStream[] = []
  const server = await serve({
    '/events': async (_req, res, {url}) => {
      const stream = startSse(res)
      streams.push(stream)
      const retry = url.searchParams.get('retry')
      if (retry !== null) await stream.send({retry: Number(retry)})
    },
    '/status/*': (_req, res, {request}) => {
      res.writeHead(Number(request.path.slice('/status/'.length)), {'Content-Type': 'text/plain'})
      res.end('unavailable')
    },
  })
  const open = (): SseStream[] => streams.filter((stream) => !stream.isClosed)
  return {
    server,
    url: (query = '') => `${server.url}events${query === '' ? '' : `?${query}`}`,
    statusUrl: (status) => `${server.url}status/${status}`,
    streams,
    open,
    async send(fields) {
      await Promise.all(open().map((stream) => stream.send(fields)))
    },
  }
}
