// A fake clock for the EventSource suites that must not wait on the real one: sources opened with
// the `open` it returns answer through a scripted `fetch` at once, timers and `Date` are fake, and
// after each test every source is closed and no timer may be left behind.
import {afterEach, beforeEach, expect, vi} from 'vitest'
import {EventSource, type EventSourceInit, type FetchLike} from '../../src/index.js'

/**
 * Registers the fake clock around every test of the file; returns `open` (a source on `fetch`,
 * closed after the test) and `run` (lets the clock run `ms`, with the promise jobs of every
 * response settled on the way).
 */
export function useFakeClockSources(): {open(fetch: FetchLike, init?: EventSourceInit): EventSource; run(ms: number): Promise<unknown>} {
  const sources: EventSource[] = []
  beforeEach(() => {
    vi.useFakeTimers({toFake: ['setTimeout', 'clearTimeout', 'Date']})
  })
  afterEach(() => {
    for (const source of sources.splice(0)) source.close()
    expect(vi.getTimerCount(), 'timers left behind').toBe(0)
    vi.useRealTimers()
  })
  return {
    open(fetch, init = {}) {
      const source = new EventSource('http://127.0.0.1:1/stream', {...init, fetch})
      sources.push(source)
      return source
    },
    run: (ms) => vi.advanceTimersByTimeAsync(ms),
  }
}
