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
  // @ts-expect-error: not with an untyped listener either, nor with a listener object
  source.addEventListener('volume', () => {})
  // @ts-expect-error: 'volume' is not one of the declared event names
  source.addEventListener('volume', {handleEvent: () => {}})
  // @ts-expect-error: nor can it be removed
  source.removeEventListener('volume', () => {})
  // The EventSource's own events stay, with their own event classes.
  source.addEventListener('error', (event) => expectTypeOf(event).toEqualTypeOf<EventSourceErrorEvent>())
  source.addEventListener('trade', {handleEvent: (event) => expectTypeOf(event).toEqualTypeOf<Event>()})
  expect(source.readyState).toBe(EventSource.CLOSED)
})

test("an event map types each event's data; other names are refused", () => {
  const source = new EventSource<{price: string; status: 'up' | 'down'}>('http://127.0.0.1:1/', init)
  source.addEventListener('status', (event) => {
    expectTypeOf(event).toEqualTypeOf<MessageEvent<'up' | 'down'>>()
    expectTypeOf(event.data).toEqualTypeOf<'up' | 'down'>()
  })
  source.addEventListener('price', (event) => expectTypeOf(event.data).toBeString())
  source.addEventListener('message', (event) => expectTypeOf(event).toEqualTypeOf<MessageEvent<string>>())
  // @ts-expect-error: 'volume' is not in the map
  source.addEventListener('volume', () => {})
  // @ts-expect-error: the data is 'up' | 'down', not a number
  source.addEventListener('status', (event) => Math.max(event.data))
  // An interface works as well as a type literal.
  interface Market {
    price: string
  }
  new EventSource<Market>('http://127.0.0.1:1/', init).addEventListener('price', (event) => expectTypeOf(event.data).toBeString())
  // @ts-expect-error: the EventSource does not parse: data types are strings
  new EventSource<{price: number}>('http://127.0.0.1:1/', init)
  // Either form still stands where the DOM's EventSource is expected.
  const asDom: globalThis.EventSource = source
  expect(asDom.readyState).toBe(EventSource.CLOSED)
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
  // The library's own unions, equal to the DOM's where the DOM lib is loaded.
  expectTypeOf<NonNullable<EventSourceInit['credentials']>>().toEqualTypeOf<RequestCredentials>()
  // @ts-expect-error: not a credentials mode
  const bogus: EventSourceInit = {credentials: 'bogus'}
  expect(bogus).toBeDefined()
  // A function that takes nothing still fits, and one that takes the context is told the URL.
  const init: EventSourceInit = {headers: () => ({}), maxBufferSize: 1024}
  const withUrl: EventSourceInit = {headers: ({url}) => ({'X-For': url})}
  expectTypeOf(withUrl.headers).not.toBeAny()
  expect(init).toBeDefined()
  // @ts-expect-error: `retry` is not an option (the policy lives under `reconnect`)
  const wrong: EventSourceInit = {retry: 5}
  expect(wrong).toBeDefined()
})
