// @vitest-environment jsdom
// Type-level tests of useEventSource: the Events parameter types `events`, `parse`, `onMessage`
// and the returned message. `npm test` type-checks this file (tsc); the hooks render idle (no url).
import {renderHook} from '@testing-library/react'
import {expect, expectTypeOf, test} from 'vitest'
import {heartbeat, oneShot, reconnectOnPageEvents, retryOnStatus, type EventSourceErrorEvent} from '../src/index.js'
import {
  useEventSource,
  type EventSourceStatus,
  type ReceivedMessage,
  type UseEventSourceOptions,
  type UseEventSourceResult,
} from '../src/adapters/react.js'

interface Price {
  symbol: string
  value: number
}
interface Trade {
  id: string
}

test('without an Events parameter: any event name, string data', () => {
  const {result} = renderHook(() =>
    useEventSource(null, {
      onMessage: (message) => {
        expectTypeOf(message.type).toBeString()
        expectTypeOf(message.data).toBeString()
        expectTypeOf(message.event).toEqualTypeOf<MessageEvent<string>>()
      },
    }),
  )
  expectTypeOf(result.current).toEqualTypeOf<UseEventSourceResult>()
  expectTypeOf(result.current.status).toEqualTypeOf<EventSourceStatus>()
  expectTypeOf(result.current.readyState).toEqualTypeOf<0 | 1 | 2>()
  expectTypeOf(result.current.error).toEqualTypeOf<EventSourceErrorEvent | undefined>()
  expectTypeOf(result.current.message?.data).toEqualTypeOf<string | undefined>()
  expect(result.current.status).toBe('idle')
})

test('event names are inferred from `events`', () => {
  const {result} = renderHook(() =>
    useEventSource(null, {
      events: ['price', 'trade'],
      onMessage: (message) => expectTypeOf(message.type).toEqualTypeOf<'price' | 'trade'>(),
    }),
  )
  expectTypeOf(result.current.message?.type).toEqualTypeOf<'price' | 'trade' | undefined>()
  expectTypeOf(result.current.message?.data).toEqualTypeOf<string | undefined>()
  expect(result.current.status).toBe('idle')
})

test('the data type is inferred from what `parse` returns', () => {
  interface Tick {
    price: number
  }
  const {result} = renderHook(() =>
    useEventSource(null, {
      events: ['price'],
      parse: (data) => JSON.parse(data) as Tick,
      onMessage: (message) => {
        expectTypeOf(message.type).toEqualTypeOf<'price'>()
        expectTypeOf(message.data).toEqualTypeOf<Tick>()
      },
    }),
  )
  expectTypeOf(result.current.message?.data).toEqualTypeOf<Tick | undefined>()
  const {result: lengths} = renderHook(() => useEventSource(null, {parse: (data) => data.length}))
  expectTypeOf(lengths.current.message?.data).toEqualTypeOf<number | undefined>()
  expectTypeOf(lengths.current.message?.type).toEqualTypeOf<string | undefined>()
  // @ts-expect-error: the data is a Tick, not a string
  renderHook(() => useEventSource(null, {events: ['price'], parse: (data) => JSON.parse(data) as Tick, onMessage: (message) => message.data.slice()}))
  expect(result.current.status).toBe('idle')
})

test('event names, as EventSource<Events> takes them: checked names, string data', () => {
  const {result} = renderHook(() =>
    useEventSource<'price' | 'trade'>(null, {
      events: ['price', 'trade'],
      onMessage: (message) => expectTypeOf(message.type).toEqualTypeOf<'price' | 'trade'>(),
    }),
  )
  expectTypeOf(result.current.message?.data).toEqualTypeOf<string | undefined>()
  // @ts-expect-error: 'volume' is not one of the declared event names
  const wrong: UseEventSourceOptions<'price' | 'trade'> = {events: ['volume']}
  expect(wrong).toBeDefined()
})

test('an event map: parse must return its data types, and checking the type narrows the data', () => {
  type Market = {price: Price; trade: Trade}
  const {result} = renderHook(() =>
    useEventSource<Market>(null, {
      events: ['price', 'trade'],
      parse: (data) => JSON.parse(data) as Price | Trade,
      onMessage: (message) => {
        if (message.type === 'price') expectTypeOf(message.data).toEqualTypeOf<Price>()
        else expectTypeOf(message.data).toEqualTypeOf<Trade>()
      },
    }),
  )
  const message = result.current.message
  if (message?.type === 'trade') expectTypeOf(message.data.id).toBeString()
  expectTypeOf(message).toEqualTypeOf<ReceivedMessage<Market> | undefined>()
  // @ts-expect-error: parse returns a string, not a Price or a Trade
  const badParse: UseEventSourceOptions<Market> = {parse: (data: string) => data}
  expect(badParse).toBeDefined()
})

test('every EventSource option is an option of the hook', () => {
  const options: UseEventSourceOptions = {
    withCredentials: true,
    headers: async () => ({Authorization: 'Bearer x'}),
    method: 'POST',
    body: () => JSON.stringify({q: 1}),
    credentials: 'include',
    fetch: (url, init) => fetch(url, init),
    signal: new AbortController().signal,
    reconnect: {initialDelay: 100, factor: 2, maxDelay: 1000, jitter: 0.5, maxAttempts: 3, shouldReconnect: () => true},
    maxEventSize: 1024,
    extensions: [retryOnStatus([503]), oneShot(), heartbeat(30_000), reconnectOnPageEvents()],
    enabled: false,
    key: 'user 1',
  }
  // @ts-expect-error: `retry` is not an option (the policy lives under `reconnect`)
  const wrong: UseEventSourceOptions = {retry: 5}
  const {result} = renderHook(() => useEventSource('http://127.0.0.1:1/', options))
  expect(result.current.status).toBe('idle')
  expect(wrong).toBeDefined()
})
