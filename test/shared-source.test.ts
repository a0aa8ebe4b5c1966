// The framework-free store under useEventSource: the sharing key's rules, and a subscription
// used directly (no React) against a real server: snapshots, sharing, the deferred close (its
// timer on a fake clock; the sockets keep real time).
import {describe, expect, test, vi} from 'vitest'
import {SharedSubscription, sharedSourceKey} from '../src/shared/source.js'
import {countFetches, nextTurn, serve, useEventSourceHooks, useFakeClock, waitFor} from './support/eventsource.js'
import {startSse, type SseStream} from './support/sse-server.js'

useEventSourceHooks()

const url = 'http://127.0.0.1:1/events'

describe('sharedSourceKey', () => {
  test('options equal by value give one key, whatever their order', () => {
    expect(sharedSourceKey(url, {method: 'POST', headers: {a: '1', b: '2'}, reconnect: {factor: 2, jitter: 1}})).toBe(
      sharedSourceKey(new URL(url), {reconnect: {jitter: 1, factor: 2}, headers: {b: '2', a: '1'}, method: 'POST'}),
    )
    expect(sharedSourceKey(url, {headers: new Headers({a: '1'})})).toBe(sharedSourceKey(url, {headers: new Headers({a: '1'})}))
    expect(sharedSourceKey(url, {body: new URLSearchParams('q=1')})).toBe(sharedSourceKey(url, {body: new URLSearchParams('q=1')}))
    // An option set to undefined is an option not given.
    expect(sharedSourceKey(url, {method: undefined})).toBe(sharedSourceKey(url))
    // Headers as they are sent: pairs, an object or a Headers, names in any case (as createSharedEventSource compares them).
    expect(sharedSourceKey(url, {headers: [['A', '1']]})).toBe(sharedSourceKey(url, {headers: {a: '1'}}))
  })

  test('another URL, request option or key gives another key', () => {
    const base = sharedSourceKey(url, {headers: {a: '1'}})
    for (const other of [
      sharedSourceKey(`${url}?x`, {headers: {a: '1'}}),
      sharedSourceKey(url, {headers: {a: '2'}}),
      sharedSourceKey(url, {headers: {a: '1'}, method: 'POST'}),
      sharedSourceKey(url, {headers: {a: '1'}, reconnect: {maxAttempts: Infinity}}),
      sharedSourceKey(url, {headers: {a: '1'}, key: 'user 2'}),
      sharedSourceKey(url, {headers: () => ({a: '1'})}),
    ]) {
      expect(other).not.toBe(base)
    }
    expect(sharedSourceKey(url, {reconnect: {maxAttempts: Infinity}})).not.toBe(sharedSourceKey(url, {reconnect: {maxAttempts: NaN}}))
  })

  test('functions count only as "a function": their identity does not', () => {
    expect(sharedSourceKey(url, {headers: () => ({a: '1'}), reconnect: {shouldReconnect: () => true}})).toBe(
      sharedSourceKey(url, {headers: () => ({b: '2'}), reconnect: {shouldReconnect: () => false}}),
    )
  })

  test('bodies that cannot be compared by content count by identity', () => {
    const blob = new Blob(['x'])
    expect(sharedSourceKey(url, {method: 'POST', body: blob})).toBe(sharedSourceKey(url, {method: 'POST', body: blob}))
    expect(sharedSourceKey(url, {method: 'POST', body: blob})).not.toBe(sharedSourceKey(url, {method: 'POST', body: new Blob(['x'])}))
  })

  test("the subscriber's own options are not part of the key", () => {
    expect(
      sharedSourceKey(url, {events: ['a', 'b'], parse: JSON.parse, onMessage: () => {}, signal: new AbortController().signal}),
    ).toBe(sharedSourceKey(url))
  })
})

describe('SharedSubscription without React', () => {
  async function streamServer() {
    const streams: SseStream[] = []
    const server = await serve({
      '/events': (_req, res) => {
        streams.push(startSse(res))
      },
    })
    return {server, streams, url: `${server.url}events`}
  }

  test('creating one opens nothing; subscribing opens one connection for both; the snapshot changes only with the state', async () => {
    const {server, streams, url: eventsUrl} = await streamServer()
    useFakeClock()
    const fetches = countFetches()
    const a = new SharedSubscription(eventsUrl)
    const b = new SharedSubscription(eventsUrl, {onMessage: () => {}})
    // Whatever they might have scheduled runs: no attempt.
    await vi.advanceTimersByTimeAsync(10_000)
    await nextTurn()
    expect(fetches.count()).toBe(0)
    expect(server.requests).toEqual([])
    expect(a.getSnapshot()).toBe(a.getServerSnapshot())

    let changes = 0
    const unsubscribeA = a.subscribe(() => changes++)
    const unsubscribeB = b.subscribe(() => {})
    await waitFor(() => a.getSnapshot().status === 'open' && b.getSnapshot().status === 'open', 'open')
    const snapshot = a.getSnapshot()
    expect(a.getSnapshot()).toBe(snapshot)
    await streams[0]!.send({data: 'x'})
    await waitFor(() => a.getSnapshot().message?.data === 'x', 'message')
    expect(a.getSnapshot()).not.toBe(snapshot)
    expect(changes).toBeGreaterThanOrEqual(2)
    expect(server.requests).toHaveLength(1)

    unsubscribeA()
    // Long past any timer the release may have set: the connection still carries b's events.
    await vi.advanceTimersByTimeAsync(10_000)
    await streams[0]!.send({data: 'y'})
    await waitFor(() => b.getSnapshot().message?.data === 'y', 'b to get the next message')
    expect(server.activeRequests()).toBe(1)
    unsubscribeB()
    // Closed a moment later, not at once: a subscriber coming straight back would have kept it.
    await nextTurn()
    expect(streams[0]!.isClosed).toBe(false)
    expect(server.activeRequests()).toBe(1)
    await vi.advanceTimersByTimeAsync(0)
    await waitFor(() => server.activeRequests() === 0, 'the stream to close')
    expect(fetches.count()).toBe(1)
  })

  test('a signal that aborts closes the connection', async () => {
    const {server, url: eventsUrl} = await streamServer()
    const controller = new AbortController()
    const subscription = new SharedSubscription(eventsUrl, {signal: controller.signal})
    const unsubscribe = subscription.subscribe(() => {})
    await waitFor(() => subscription.getSnapshot().status === 'open', 'open')
    controller.abort()
    expect(subscription.getSnapshot().status).toBe('closed')
    await waitFor(() => server.activeRequests() === 0, 'the stream to close')
    unsubscribe()
  })
})
