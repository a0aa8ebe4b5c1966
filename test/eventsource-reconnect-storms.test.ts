// No reconnect storm, whatever the server says: `retry: 0`, a server that sends a byte and closes,
// 503s after `retry: 0`, a factor below 1, and a `Retry-After` of years. Each scenario counts the
// requests per second on a fake clock, with a `fetch` that answers at once, so that a storm of
// hundreds of requests a second would show in full and nothing waits on the real clock.
import {describe, expect, test} from 'vitest'
import {EventSource, type FetchLike, retryOnStatus} from '../src/index.js'
import {useFakeClockSources} from './support/fake-clock-sources.js'

/** How an attempt is answered: a response, or a network error (an `Error`, as fetch rejects). */
type Answer = Response | Error

/** A fetch that answers the `n`-th attempt (from 1) with `answer(n)` and notes when each was made. */
function scriptedFetch(answer: (attempt: number) => Answer): {fetch: FetchLike; times: number[]} {
  const times: number[] = []
  const fetch: FetchLike = () => {
    times.push(Date.now())
    const result = answer(times.length)
    return result instanceof Error ? Promise.reject(result) : Promise.resolve(result)
  }
  return {fetch, times}
}

const stream = (body: string): Response => new Response(body, {headers: {'Content-Type': 'text/event-stream'}})
const status = (code: number, headers: Record<string, string> = {}): Response => new Response('', {status: code, headers})

const {open, run} = useFakeClockSources()

/** The delays the source chose, from its `reconnect` events. */
function delaysOf(source: EventSource): number[] {
  const delays: number[] = []
  source.addEventListener('reconnect', (event) => delays.push(event.delay))
  return delays
}

describe('retry: 0 then an immediate close', () => {
  test('the first reconnect is immediate, as the spec says; the next ones wait the floor (1 s with the default initialDelay)', async () => {
    const {fetch, times} = scriptedFetch(() => stream('retry: 0\n\n'))
    const source = open(fetch)
    const delays = delaysOf(source)
    await run(10_000)
    // 400-500 requests a second before the floor.
    expect(times.length).toBeLessThanOrEqual(12)
    expect(delays.slice(0, 4)).toEqual([0, 1000, 1000, 1000])
  })

  test('the backoff options grow the delays from the floor', async () => {
    const {fetch, times} = scriptedFetch(() => stream('retry: 0\n\n'))
    const source = open(fetch, {reconnect: {factor: 2, maxDelay: 8000}})
    const delays = delaysOf(source)
    await run(30_000)
    expect(delays.slice(0, 6)).toEqual([0, 2000, 4000, 8000, 8000, 8000])
    expect(times.length / 30).toBeLessThan(0.5)
  })

  test('a smaller initialDelay lowers the floor to it', async () => {
    const {fetch} = scriptedFetch(() => stream('retry: 0\n\n'))
    const source = open(fetch, {reconnect: {initialDelay: 50}})
    const delays = delaysOf(source)
    await run(1_000)
    expect(delays.slice(0, 3)).toEqual([0, 50, 50])
  })

  test('a connection that delivers an event counts as healthy: the next reconnect honours retry: 0 again', async () => {
    const {fetch} = scriptedFetch((attempt) => stream(attempt === 3 ? 'data: ok\n\n' : 'retry: 0\n\n'))
    const source = open(fetch)
    const delays = delaysOf(source)
    await run(2_500)
    expect(delays.slice(0, 4)).toEqual([0, 1000, 0, 1000])
  })
})

describe('a server that sends one byte and closes', () => {
  test('bytes alone do not reset the attempt count: maxAttempts holds', async () => {
    const {fetch, times} = scriptedFetch(() => stream(':'))
    const source = open(fetch, {reconnect: {initialDelay: 100, maxAttempts: 3}})
    const delays = delaysOf(source)
    await run(60_000)
    // The first attempt and three reconnects, then CLOSED.
    expect(times).toHaveLength(4)
    expect(delays).toEqual([100, 100, 100])
    expect(source.readyState).toBe(EventSource.CLOSED)
  })

  test('the attempt count grows, so the factor applies', async () => {
    const {fetch} = scriptedFetch(() => stream('d'))
    const source = open(fetch, {reconnect: {initialDelay: 100, factor: 2}})
    const delays = delaysOf(source)
    await run(2_000)
    expect(delays.slice(0, 4)).toEqual([100, 200, 400, 800])
  })
})

test('retryOnStatus [503] after retry: 0: the 503s back off from the floor', async () => {
  const {fetch, times} = scriptedFetch((attempt) => (attempt === 1 ? stream('retry: 0\ndata: x\n\n') : status(503)))
  const source = open(fetch, {extensions: [retryOnStatus([503])]})
  const delays = delaysOf(source)
  await run(10_000)
  // About 500 failing requests a second before.
  expect(times.length).toBeLessThanOrEqual(12)
  expect(delays.slice(0, 3)).toEqual([0, 1000, 1000])
})

test('a factor below 1 is refused before any request, so it cannot shrink the delay to a storm', async () => {
  const {fetch, times} = scriptedFetch(() => new TypeError('connection refused'))
  for (const factor of [0, 0.5, 0.99]) {
    expect(() => open(fetch, {reconnect: {initialDelay: 100, factor}})).toThrow('`reconnect.factor`')
  }
  await run(1_000)
  expect(times).toEqual([])
})

describe('Retry-After', () => {
  const huge = () => status(503, {'Retry-After': '99999999999'})

  test('is capped by maxDelay', async () => {
    const {fetch} = scriptedFetch(huge)
    const source = open(fetch, {extensions: [retryOnStatus([503])], reconnect: {maxDelay: 60_000}})
    const delays = delaysOf(source)
    await run(200_000)
    expect(delays.slice(0, 3)).toEqual([60_000, 60_000, 60_000])
  })

  test('waits one hour at most without maxDelay', async () => {
    const {fetch, times} = scriptedFetch(huge)
    const source = open(fetch, {extensions: [retryOnStatus([503])]})
    const delays = delaysOf(source)
    await run(2 * 3600_000)
    expect(delays.slice(0, 2)).toEqual([3600_000, 3600_000])
    expect(times).toHaveLength(3)
  })

  test('still asks for no sooner than it says, below the cap', async () => {
    const {fetch} = scriptedFetch(() => status(503, {'Retry-After': '5'}))
    const source = open(fetch, {extensions: [retryOnStatus([503])], reconnect: {initialDelay: 10, maxDelay: 60_000}})
    const delays = delaysOf(source)
    await run(20_000)
    expect(delays.slice(0, 2)).toEqual([5000, 5000])
  })
})
