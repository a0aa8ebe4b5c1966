// The core on a bare platform: with plain option values (a headers object, a string body) the
// EventSource itself needs no Promise, AbortController, URL, queueMicrotask, TextDecoder, fetch or
// Headers, which the ES5 script-tag build cannot count on (URLs and the first attempt's deferral come
// from that build's src/platform/legacy.ts). The transport is a stand-in for the
// XMLHttpRequest one (callbacks from timers, text chunks); those globals are removed while the
// source runs, and URLs resolve through a link element, as in an old browser's document.
// Without queueMicrotask, the core's tasks and delays are all timers: they run on vitest's fake clock,
// which each test moves itself (nothing here touches a socket).
import {runInContext, createContext} from 'node:vm'
import {build} from 'esbuild'
import {afterEach, beforeAll, beforeEach, describe, expect, test, vi} from 'vitest'
import type {EventSource as EventSourceClass, EventSourceErrorEvent, HTTPError as HTTPErrorClass} from '../src/index.js'
import type {TransportHandlers, TransportRequest, TransportResponse} from '../src/transport/index.js'
import {repoRoot} from './support/paths.js'

/** What each attempt did, and the handlers to answer it with. */
const attempts: {request: TransportRequest; handlers: TransportHandlers; cancelled: boolean}[] = []

/** The stand-in transport, called from inside the context. */
function transport(request: TransportRequest, handlers: TransportHandlers): () => void {
  const attempt = {request, handlers, cancelled: false}
  attempts.push(attempt)
  return () => {
    attempt.cancelled = true
  }
}

/** Globals of an old browser's page, as far as the core is concerned: no Promise, no URL… */
const MISSING = ['Promise', 'AbortController', 'URL', 'queueMicrotask', 'TextDecoder', 'fetch', 'Headers', 'Request', 'Response', 'ReadableStream']

let EventSource: typeof EventSourceClass
let HTTPError: typeof HTTPErrorClass
let context: Record<string, unknown>

/**
 * The core (src/eventsource/EventSource.ts with its own modules, the transport module swapped for the one
 * above) bundled into one script and run in a fresh V8 context that has only what is passed in.
 * The test itself, and vitest, keep their Promise: only the library's code runs without one.
 */
beforeAll(async () => {
  const result = await build({
    stdin: {contents: `export {EventSource} from './src/eventsource/EventSource.ts'\nexport {HTTPError} from './src/errors.ts'`, resolveDir: repoRoot, loader: 'ts'},
    bundle: true,
    format: 'iife',
    globalName: 'library',
    target: 'es2022',
    write: false,
    logLevel: 'silent',
    plugins: [
      {
        name: 'stand-in transport',
        setup(builder) {
          builder.onResolve({filter: /\/transport\/index\.js$/}, () => ({path: 'transport', namespace: 'stand-in'}))
          // URLs and the deferred first attempt as the ES5 build's platform module (src/platform/legacy.ts)
          // has them: the module build's (src/platform/web.ts) counts on URL and queueMicrotask.
          builder.onResolve({filter: /\/platform\/web\.js$/, namespace: 'file'}, (args) =>
            args.importer.endsWith('stand-in-platform') ? undefined : {path: 'stand-in-platform', namespace: 'stand-in'},
          )
          builder.onLoad({filter: /^stand-in-platform$/, namespace: 'stand-in'}, () => ({
            contents: `export * from '${repoRoot}/src/platform/web.ts'\nexport {defer, originOf, resolveURL} from '${repoRoot}/src/platform/legacy.ts'`,
            resolveDir: repoRoot,
          }))
          builder.onLoad({filter: /^transport$/, namespace: 'stand-in'}, () => ({contents: 'export const transport = (request, handlers) => globalThis.transport(request, handlers)'}))
        },
      },
    ],
  })
  // A link element resolves URLs against the page's base URL, as in a browser's document.
  const base = 'http://app.test/page/'
  const link = {protocol: '', host: '', href: ''}
  const anchor = {
    get href() {
      return link.href
    },
    set href(url: string) {
      const parsed = new URL(url, base)
      Object.assign(link, {href: parsed.href, protocol: parsed.protocol, host: parsed.host})
    },
    get protocol() {
      return link.protocol
    },
    get host() {
      return link.host
    },
  }
  context = createContext({
    EventTarget,
    Event,
    MessageEvent,
    DOMException,
    // Looked up at each call, so that the context's timers are the fake ones a test installs.
    setTimeout: (...args: Parameters<typeof setTimeout>) => setTimeout(...args),
    clearTimeout: (handle: Parameters<typeof clearTimeout>[0]) => clearTimeout(handle),
    transport,
    document: {createElement: (tag: string) => (tag === 'a' ? anchor : undefined)},
  })
  runInContext(MISSING.map((name) => `delete globalThis.${name};`).join(''), context)
  ;({EventSource, HTTPError} = runInContext(`${result.outputFiles[0]!.text};library`, context) as {
    EventSource: typeof EventSourceClass
    HTTPError: typeof HTTPErrorClass
  })
})

/** A response head of the shape the transport interface asks for. */
function head(status: number, contentType: string | null, url = ''): TransportResponse {
  const headers = {get: (name: string) => (name === 'content-type' ? contentType : null)}
  return {status, statusText: status === 200 ? 'OK' : 'Nope', url, redirected: false, headers}
}

beforeEach(() => {
  vi.useFakeTimers({toFake: ['setTimeout', 'clearTimeout']})
})
afterEach(() => {
  vi.useRealTimers()
})

/** Runs the context's due tasks (timers of 0 ms: its stand-in for microtasks) until `condition` holds. */
async function until(condition: () => boolean): Promise<void> {
  for (let round = 0; !condition(); round++) {
    if (round === 100) throw new Error('the condition did not hold after 100 rounds of due timers')
    await vi.advanceTimersByTimeAsync(0)
  }
}

describe('with Promise, AbortController, URL, queueMicrotask, TextDecoder, fetch and Headers missing', () => {
  test('the context really lacks them', () => {
    expect(runInContext(`[${MISSING.map((name) => `typeof ${name}`).join()}]`, context)).toEqual(MISSING.map(() => 'undefined'))
  })

  test('connects, streams text chunks, reconnects with Last-Event-ID, and closes', async () => {
    attempts.length = 0
    const source = new EventSource('../stream?x=1', {
      method: 'post',
      headers: {'X-Token': 'abc', Accept: 'text/event-stream, */*'},
      body: 'prompt',
      reconnect: {initialDelay: 5},
    })
    const log: string[] = []
    source.onopen = () => log.push(`open ${source.readyState}`)
    source.onmessage = (event) => log.push(`message ${event.data} ${event.lastEventId} ${event.origin}`)
    source.onerror = () => log.push(`error ${source.readyState}`)
    expect(source.url).toBe('http://app.test/stream?x=1')
    await until(() => attempts.length === 1)
    expect(vi.getTimerCount(), 'timers once connecting').toBe(0)
    const first = attempts[0]!
    expect(first.request).toEqual({
      url: 'http://app.test/stream?x=1',
      method: 'POST',
      headers: {'x-token': 'abc', accept: 'text/event-stream, */*'},
      body: 'prompt',
      credentials: 'same-origin',
      fetch: undefined,
      resume: expect.any(Function),
      maxEventSize: 32 * 1024 * 1024,
    })
    // No id yet: nothing to resume from, so a transport must not restart by itself.
    expect(first.request.resume()).toBeUndefined()
    expect(first.handlers.onResponse(head(200, 'text/event-stream; charset=utf-8', 'http://stream.test:8080/stream'))).toBe(true)
    first.handlers.onChunk('id: é1\ndata: one\n')
    first.handlers.onChunk('\n')
    first.handlers.onEnd()
    await until(() => vi.getTimerCount() === 1 && attempts.length === 1)
    // The reconnect waits its 5 ms, not a moment less.
    await vi.advanceTimersByTimeAsync(4)
    expect(attempts).toHaveLength(1)
    await vi.advanceTimersByTimeAsync(1)
    expect(attempts).toHaveLength(2)
    expect(vi.getTimerCount()).toBe(0)
    // Header values carry bytes: the ID as UTF-8, one character per byte.
    expect(attempts[1]!.request.headers['last-event-id']).toBe('\xc3\xa91')
    // A transport that restarts its request by itself resumes with the headers as of now.
    expect(first.request.resume()).toEqual({...first.request.headers, 'last-event-id': '\xc3\xa91'})
    expect(first.cancelled).toBe(true)
    source.close()
    expect(attempts[1]!.cancelled).toBe(true)
    expect(log).toEqual(['open 1', 'message one é1 http://stream.test:8080', 'error 0'])
  })

  test('a fatal transport error (a limit a reconnect would reach again) fails the source, naming it, with no reconnect', async () => {
    attempts.length = 0
    const source = new EventSource('/stream', {maxEventSize: 1000, reconnect: {initialDelay: 1}})
    const events: EventSourceErrorEvent[] = []
    source.addEventListener('error', (event) => events.push(event as EventSourceErrorEvent))
    await until(() => attempts.length === 1)
    const {request, handlers} = attempts[0]!
    expect(request.maxEventSize).toBe(1000)
    expect(handlers.onResponse(head(200, 'text/event-stream'))).toBe(true)
    handlers.onChunk('data: a\n\n')
    // An Error of the context's realm, as a transport there makes it.
    const cause = runInContext(`new Error('The response passed maxEventSize (1000 characters)')`, context) as Error
    handlers.onError(cause, true)
    // In a browser build the failure waits, in a task of its own, behind the event before it.
    await until(() => source.readyState === EventSource.CLOSED)
    expect(events.map(({message, cause, willReconnect}) => ({message, cause, willReconnect}))).toEqual([
      {message: 'The response passed maxEventSize (1000 characters)', cause, willReconnect: false},
    ])
    // Every timer the source still has runs out (a task queued behind the failure finds nothing to
    // do): none starts another attempt, and none is left.
    await vi.runAllTimersAsync()
    expect(attempts).toHaveLength(1)
    expect(vi.getTimerCount(), 'timers once failed').toBe(0)
  })

  test('a headers function returning a thenable is waited for; a status other than 200 fails', async () => {
    attempts.length = 0
    let deliver: (headers: Record<string, string>) => void = () => {}
    const thenable = {then: (resolve: (headers: Record<string, string>) => void) => void (deliver = resolve)}
    const source = new EventSource('/stream', {headers: () => thenable as unknown as Record<string, string>})
    const events: Event[] = []
    source.addEventListener('error', (event) => events.push(event))
    // Every task the source has queued runs: the request still waits for the thenable.
    await vi.runAllTimersAsync()
    expect(attempts).toHaveLength(0)
    deliver({Authorization: 'Bearer t'})
    expect(attempts).toHaveLength(1)
    expect(attempts[0]!.request.headers).toEqual({authorization: 'Bearer t', accept: 'text/event-stream'})
    const response = head(503, 'text/plain')
    expect(attempts[0]!.handlers.onResponse(response)).toBe(false)
    expect(source.readyState).toBe(EventSource.CLOSED)
    const error = events[0] as EventSourceErrorEvent
    expect(error.status).toBe(503)
    expect(error.response).toBe(response)
    expect(error.cause).toBeInstanceOf(HTTPError)
    expect(error.message).toBe('EventSource request to http://app.test/stream failed: HTTP 503 Nope')
  })
})
