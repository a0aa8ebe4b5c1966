// createEventSource: the platform's EventSource for plain options, the library's for anything more.
// Node 20 has no EventSource global, so a stand-in native class is installed for the tests that
// need one (the real one is tested in Chromium: test/browser/polyfill.test.ts).
import {afterEach, describe, expect, expectTypeOf, test, vi} from 'vitest'
import {createEventSource, EventSource, heartbeat, oneShot, reconnectOnPageEvents, type EventSourceInit} from '../src/index.js'

/** Never connects: it records what it was given, as the native constructor would receive it. */
class FakeNative extends EventTarget {
  static readonly CONNECTING = 0
  static readonly OPEN = 1
  static readonly CLOSED = 2
  readonly url: string
  readonly withCredentials: boolean
  readonly init: unknown
  constructor(url: string | URL, init?: {withCredentials?: boolean}) {
    super()
    this.url = String(url)
    this.withCredentials = Boolean(init?.withCredentials)
    this.init = init
  }
  close(): void {}
}

// Port 1: nothing listens there. Every library source is closed at once, before it connects.
const url = 'http://127.0.0.1:1/events'
const opened: {close(): void}[] = []

function open(init?: EventSourceInit | null): globalThis.EventSource {
  const source = init === undefined ? createEventSource(url) : createEventSource(url, init)
  opened.push(source)
  return source
}

afterEach(() => {
  for (const source of opened.splice(0)) source.close()
  vi.unstubAllGlobals()
})

describe('with a native EventSource', () => {
  test.each<[string, EventSourceInit | null | undefined]>([
    ['no init', undefined],
    ['null', null],
    ['{}', {}],
    ['{withCredentials: true}', {withCredentials: true}],
    ['{withCredentials: false}', {withCredentials: false}],
    ['other keys set to undefined', {headers: undefined, method: undefined, fetch: undefined, reconnect: undefined}],
  ])('%s: the native class', (_name, init) => {
    vi.stubGlobal('EventSource', FakeNative)
    const source = open(init)
    expect(source).toBeInstanceOf(FakeNative)
    expect(source.url).toBe(url)
  })

  test('withCredentials reaches the native constructor, and nothing else does', () => {
    vi.stubGlobal('EventSource', FakeNative)
    expect((open({withCredentials: true}) as unknown as FakeNative).init).toEqual({withCredentials: true})
    expect((open({headers: undefined}) as unknown as FakeNative).init).toEqual({withCredentials: false})
    expect(open({withCredentials: true}).withCredentials).toBe(true)
  })

  test.each<[string, EventSourceInit]>([
    ['headers', {headers: {Authorization: 'Bearer x'}}],
    ['a headers function', {headers: () => ({})}],
    ['method', {method: 'GET'}],
    ['body', {method: 'POST', body: '{}'}],
    ['credentials', {credentials: 'include'}],
    ['fetch', {fetch: (input, init) => fetch(input, init)}],
    ['signal', {signal: new AbortController().signal}],
    ['reconnect', {reconnect: {}}],
    ['oneShot', {extensions: [oneShot()]}],
    ['heartbeat', {extensions: [heartbeat(30_000)]}],
    ['maxEventSize', {maxEventSize: 1024}],
    ['reconnectOnPageEvents', {extensions: [reconnectOnPageEvents()]}],
    ['withCredentials and headers', {withCredentials: true, headers: {}}],
  ])('%s: the library class', (_name, init) => {
    vi.stubGlobal('EventSource', FakeNative)
    const source = open(init)
    expect(source).toBeInstanceOf(EventSource)
    expect(source).not.toBeInstanceOf(FakeNative)
  })

  test('an option set on the prototype of init counts too', () => {
    // Option reading sees inherited keys (as WebIDL dictionaries do), so the choice must as well.
    vi.stubGlobal('EventSource', FakeNative)
    const init = Object.create({headers: {'X-Token': 'x'}}) as EventSourceInit
    expect(open(init)).toBeInstanceOf(EventSource)
  })

  test('the global is looked up at each call, not when the module loads', () => {
    expect(open()).toBeInstanceOf(EventSource)
    vi.stubGlobal('EventSource', FakeNative)
    expect(open()).toBeInstanceOf(FakeNative)
  })
})

describe('without a native EventSource', () => {
  test.each<[string, EventSourceInit | undefined]>([
    ['no init', undefined],
    ['{withCredentials: true}', {withCredentials: true}],
    ['headers', {headers: {Authorization: 'Bearer x'}}],
  ])('%s: the library class', (_name, init) => {
    expect('EventSource' in globalThis).toBe(false)
    const source = open(init)
    expect(source).toBeInstanceOf(EventSource)
    expect(source.withCredentials).toBe(Boolean(init?.withCredentials))
  })

  test('a global EventSource that is the library class is not taken for a native one', () => {
    // As after `streamsource/polyfill`: the same class either way, made by the library directly.
    vi.stubGlobal('EventSource', EventSource)
    expect(open()).toBeInstanceOf(EventSource)
  })

  test('a global EventSource that is not a constructor counts as none', () => {
    vi.stubGlobal('EventSource', undefined)
    expect(open()).toBeInstanceOf(EventSource)
  })
})

test('the result is typed as the DOM EventSource, which both classes are', () => {
  expectTypeOf(createEventSource).returns.toEqualTypeOf<globalThis.EventSource>()
  expectTypeOf(createEventSource).parameter(1).toEqualTypeOf<EventSourceInit | null | undefined>()
  const source = open({signal: AbortSignal.abort()})
  expect(source.readyState).toBe(source.CLOSED)
})
