// Type-level tests: `npm test` type-checks this file (tsc), and vitest runs the few runtime checks.
// A wrong type makes `tsc -p tsconfig.json` fail, which fails `npm test`.
import {expect, expectTypeOf, test} from 'vitest'
import {EventSource, EventSourceErrorEvent, EventSourceReconnectEvent, type EventSourceInit, type HeadersContext} from '../src/index.js'

// A source that never connects: the type checks below only need instances.
const init = {signal: AbortSignal.abort()} satisfies EventSourceInit

test('named events of the Events parameter are MessageEvents with string data', () => {
  const source = new EventSource<'price' | 'trade'>('http://127.0.0.1:1/', init)
  source.addEventListener('price', (event) => {
    expectTypeOf(event).toEqualTypeOf<MessageEvent<string>>()
    expectTypeOf(event.data).toBeString()
  })
  // @ts-expect-error: 'volume' is not one of the declared event names
  source.addEventListener('volume', (event: MessageEvent<string>) => event.data)
  expect(source.readyState).toBe(EventSource.CLOSED)
})

test('without an Events parameter any event name is a MessageEvent', () => {
  const source = new EventSource('http://127.0.0.1:1/', init)
  source.addEventListener('anything', (event) => expectTypeOf(event).toEqualTypeOf<MessageEvent<string>>())
  expect(source.url).toBe('http://127.0.0.1:1/')
})

test('built-in events have their own event classes', () => {
  const source = new EventSource('http://127.0.0.1:1/', init)
  source.addEventListener('error', (event) => {
    expectTypeOf(event).toEqualTypeOf<EventSourceErrorEvent>()
    expectTypeOf(event.status).toEqualTypeOf<number | undefined>()
    expectTypeOf(event.willReconnect).toBeBoolean()
  })
  source.addEventListener('reconnect', (event) => expectTypeOf(event).toEqualTypeOf<EventSourceReconnectEvent>())
  source.addEventListener('open', (event) => expectTypeOf(event).toEqualTypeOf<Event>())
  source.onmessage = (event) => expectTypeOf(event.lastEventId).toBeString()
  source.onerror = (event) => expectTypeOf(event.cause).toBeUnknown()
  expect(source.onmessage).toBeTypeOf('function')
})

test('an instance can stand where the DOM EventSource type is expected', () => {
  const source = new EventSource('http://127.0.0.1:1/', init)
  // Code written against lib.dom's EventSource accepts the library's class.
  const asDom: globalThis.EventSource = source
  expectTypeOf(asDom.readyState).toBeNumber()
  expect(asDom.CLOSED).toBe(2)
})

test('options are checked: no unknown keys, typed callbacks', () => {
  expectTypeOf<EventSourceInit['headers']>().toEqualTypeOf<
    HeadersInit | ((context: HeadersContext) => HeadersInit | Promise<HeadersInit>) | undefined
  >()
  // A function that takes nothing still fits, and one that takes the context is told the URL.
  const init: EventSourceInit = {headers: () => ({}), maxBufferSize: 1024}
  const withUrl: EventSourceInit = {headers: ({url}) => ({'X-For': url})}
  expectTypeOf(withUrl.headers).not.toBeAny()
  expect(init).toBeDefined()
  // @ts-expect-error: `retry` is not an option (the policy lives under `reconnect`)
  const wrong: EventSourceInit = {retry: 5}
  expect(wrong).toBeDefined()
})
