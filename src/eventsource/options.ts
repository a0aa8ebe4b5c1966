/**
 * The EventSource's options: what users pass (`EventSourceInit`), and the one place that turns it
 * into the settings the EventSource runs on, with every default.
 */
import type {Extension} from '../extensions/extension.js'
import {check} from './option-error.js'
import {headerRecord} from './request-headers.js'

// The option types are the library's own, with the DOM's definitions (`HeadersInit`, `BodyInit`,
// `RequestCredentials`), so that the declarations hold in projects without the DOM lib (Node with
// @types/node, workers); the types they name are in every one of those.

/**
 * Request headers as `fetch` takes them (the DOM's `HeadersInit`): an object, a `Headers`, or
 * name/value pairs.
 */
export type HeadersValue = Record<string, string> | [string, string][] | Headers

/**
 * A request body as `fetch` takes it (the DOM's `BodyInit`, or `null`): a string, a `Blob`, bytes
 * (an `ArrayBuffer`, a typed array or a `DataView` on one), a `FormData`, a `URLSearchParams` or a
 * stream of bytes.
 */
// The typed arrays by name, not `ArrayBufferView`: Node's fetch (undici's `BodyInit`) takes them
// and a `DataView`, which the generic `ArrayBufferView` is not known to be. On an `ArrayBuffer`, as
// the DOM's `BufferSource` has it since TypeScript 5.7; written without type arguments, which
// TypeScript before 5.7 does not take.
export type BodyValue =
  | string
  | Blob
  | ArrayBuffer
  | ((
      | Uint8Array
      | Int8Array
      | Uint8ClampedArray
      | Int16Array
      | Uint16Array
      | Int32Array
      | Uint32Array
      | Float32Array
      | Float64Array
      | BigInt64Array
      | BigUint64Array
      | DataView
    ) & {
      /** The memory the view is on: an `ArrayBuffer` (not a `SharedArrayBuffer`), as fetch takes. */
      readonly buffer: ArrayBuffer
    })
  | FormData
  | URLSearchParams
  | ReadableStream<Uint8Array>
  | null

/**
 * Whether a request sends cookies and HTTP authentication (the DOM's `RequestCredentials`):
 * `'omit'` never, `'same-origin'` to the page's origin only, `'include'` always.
 */
export type CredentialsValue = 'omit' | 'same-origin' | 'include'

/** What a `headers` function is told about the attempt it makes the headers for. */
export interface HeadersContext {
  /**
   * The URL the request goes to: always the EventSource's `url`, on the first attempt and on every
   * reconnect (a redirect is asked again each time, and never remembered).
   */
  url: string
}

/** A `fetch`-compatible function: called as `fetch(url, init)` for every connection attempt. */
export type FetchLike = (url: string, init: FetchLikeInit) => Promise<FetchLikeResponse>

/**
 * What a custom `fetch` resolves to: a `Response`, or one of another `fetch` implementation (npm
 * `undici`'s, say, whose types are its own): the part the library reads. An error event's
 * `response` is this object.
 */
export interface FetchLikeResponse {
  /** The HTTP status: 200 streams; anything else fails (or, with the `retryOnStatus` extension, reconnects). */
  readonly status: number
  /** The status text, `''` when the server sent none. */
  readonly statusText: string
  /** The final URL, after redirects; `''` when unknown. */
  readonly url: string
  /** Whether a redirect was followed. */
  readonly redirected: boolean
  /** The response headers (`content-type`, `retry-after` are read). */
  readonly headers: {
    /** The value of the header `name` (case-insensitive), or `null` when the response has none. */
    get(name: string): string | null
  }
  /** The body: a `ReadableStream` of bytes, or `null` when there is none. */
  readonly body: object | null
}

/**
 * What a custom `fetch` is called with: the shape the `eventsource` package uses, so a fetch
 * written for it works here (`headers` is a plain object).
 */
export interface FetchLikeInit {
  /** The request method, upper-cased: the `method` option, `'GET'` by default. */
  method: string
  /**
   * The request headers, names in lower case: the `headers` option's (for this attempt, when it is
   * a function), `accept: text/event-stream` unless given, and `last-event-id` when there is an ID
   * to resume from.
   */
  headers: Record<string, string>
  /** The `body` option's value for this attempt; absent when there is none. */
  body?: BodyValue
  /** Always `'no-store'`: an event stream is never served from a cache. */
  cache: 'no-store'
  /** The `credentials` option, or what `withCredentials` chooses. */
  credentials: CredentialsValue
  /** Always `'cors'`. */
  mode: 'cors'
  /** Always `'follow'`: redirects are followed, as the spec says. */
  redirect: 'follow'
  /** Aborted when the EventSource is done with the attempt: `close()`, a reconnect, the stream's end… */
  signal: AbortSignal
  /** Set when `body` is a `ReadableStream`, which fetch does not send without it. */
  duplex?: 'half'
}

/** What `shouldReconnect` is told about the attempt that just ended. */
export interface ReconnectInfo {
  /** How many attempts in a row have now failed: 1 after the first failure. */
  attempt: number
  /** The delay the policy chose before the next attempt, in milliseconds. */
  delay: number
  /** The response status, when a response arrived. */
  status?: number | undefined
  /** The response, when one arrived. */
  response?: Response | undefined
  /** Why the attempt ended. */
  cause?: unknown
}

/** How and whether to reconnect; every field is optional, and the defaults are the spec's. */
export interface ReconnectOptions {
  /**
   * The first delay, in milliseconds, used until the server sends `retry:` (which replaces it).
   * @defaultValue `3000` (what Chromium uses)
   */
  initialDelay?: number | undefined
  /**
   * Each failed attempt in a row multiplies the delay by this: `delay × factor^(attempt − 1)`.
   * At least `1`: a factor below 1 would shrink the delay with every failure.
   * @defaultValue `1` (no backoff: the spec's constant reconnection time)
   */
  factor?: number | undefined
  /**
   * The longest delay, in milliseconds, before jitter. It caps what a server asks for too: a
   * `retry:` field and a `Retry-After` header (which, with no `maxDelay`, is capped at one hour).
   * A delay that `shouldReconnect` returns is yours, and not capped.
   * @defaultValue `Infinity` (no cap)
   */
  maxDelay?: number | undefined
  /**
   * The share of each delay drawn at random, from `0` (exact delays) to `1` (full jitter: anywhere
   * from 0 to the delay), so that many clients do not reconnect in lockstep. More than `1` counts
   * as `1`.
   * @defaultValue `0`
   */
  jitter?: number | undefined
  /**
   * The most reconnects in a row: when the last of them fails too, the source gives up, CLOSED
   * with a final `error` (`0`: at the first failure). Only a connection that delivers an event
   * starts the count again: bytes alone, an `open` or a comment do not.
   * @defaultValue `Infinity` (never give up)
   */
  maxAttempts?: number | undefined
  /**
   * Called before every reconnect with what ended the attempt: return `false` to stop (CLOSED),
   * a number to wait that many milliseconds instead, anything else to go on as planned.
   * @defaultValue `undefined` (always go on)
   */
  shouldReconnect?: ((info: ReconnectInfo) => boolean | number | undefined | void) | undefined
}

/**
 * The second argument of `new EventSource(url, init)`: the spec's `withCredentials` plus the
 * extensions. Without extensions the EventSource behaves as the WHATWG spec says.
 */
export interface EventSourceInit {
  /**
   * Send cookies and HTTP authentication with cross-origin requests (`credentials: 'include'`).
   * @defaultValue `false` (`credentials: 'same-origin'`)
   */
  withCredentials?: boolean | undefined
  /**
   * Request headers: an object, a `Headers`, entry pairs, or a function (sync or async) called
   * before every connection attempt, so a token that expires is fresh on each reconnect; it is
   * told the URL the request goes to ({@link HeadersContext}).
   * The EventSource adds `Accept: text/event-stream` unless given, and sets `Last-Event-ID`.
   * A header fetch would refuse (a name that is not a token, a value with a line feed or a
   * character above U+00FF) is a `TypeError`: thrown by the constructor for a static value, and
   * the cause of a failed attempt (which reconnects, as when the function throws) for what a
   * function returns.
   * @defaultValue `undefined` (none but those two)
   */
  headers?: HeadersValue | ((context: HeadersContext) => HeadersValue | Promise<HeadersValue>) | undefined
  /**
   * The request method, e.g. `'POST'` for LLM chat APIs; upper-cased. A `body` needs a method
   * other than GET and HEAD. A method fetch refuses (`CONNECT`, `TRACE`, `TRACK`, or one that is
   * not an HTTP token) is a `TypeError`.
   * @defaultValue `'GET'`
   */
  method?: string | undefined
  /**
   * The request body, or a function called before every attempt that returns one (a stream body
   * cannot be sent twice, so reconnects need a function for those).
   * @defaultValue `undefined` (no body)
   */
  body?: BodyValue | (() => BodyValue | Promise<BodyValue>) | undefined
  /**
   * Overrides what `withCredentials` chooses: `'omit'`, `'same-origin'` or `'include'`.
   * @defaultValue `'include'` with `withCredentials`, else `'same-origin'`
   */
  credentials?: CredentialsValue | undefined
  /**
   * The `fetch` to use, called as `fetch(url, init)` for every attempt (see {@link FetchLikeInit}).
   * @defaultValue `globalThis.fetch`
   */
  fetch?: FetchLike | undefined
  /**
   * The last event ID to start from: sent as `Last-Event-ID` from the first request on, until the
   * stream sends an `id:` of its own. For resuming where an earlier source (or page) left off.
   * It must be a string a header can carry: no control character but tab.
   * @defaultValue `''` (none)
   */
  lastEventId?: string | undefined
  /**
   * Closes the source when aborted, as `close()` does. Anything but an `AbortSignal` (or an object
   * with `aborted` and `addEventListener`) is a `TypeError`.
   * @defaultValue `undefined`
   */
  signal?: AbortSignal | undefined
  /**
   * The reconnection policy: backoff, jitter, a cap, a limit on attempts, see
   * {@link ReconnectOptions}.
   * @defaultValue `undefined` (every field's default: the spec's constant reconnection time)
   */
  reconnect?: ReconnectOptions | undefined
  /**
   * The most characters one line or one event may hold; a larger one fails the connection with a
   * `max-buffer-size-exceeded` error rather than growing memory without end. Over XMLHttpRequest
   * (the script-tag build where fetch cannot stream), which holds the whole response, also the most
   * it may hold: a stream without an event id to resume from cannot be restarted, and fails past it.
   * @defaultValue `33554432` (32 Mi characters)
   */
  maxEventSize?: number | undefined
  /**
   * The `eventsource` package's name for {@link EventSourceInit.maxEventSize}; `maxEventSize` wins
   * when both are given.
   * @defaultValue `undefined` (see `maxEventSize`)
   */
  maxBufferSize?: number | undefined
  /**
   * What the EventSource does beyond the spec and these options, each made by a named export, so
   * that an app pays only for what it imports: `heartbeat(ms)`, `retryOnStatus(statuses)`,
   * `oneShot()`, `reconnectOnPageEvents()`.
   * @example
   * ```ts
   * new EventSource(url, {extensions: [heartbeat(30_000), retryOnStatus([429, 503])]})
   * ```
   * @defaultValue `[]`
   */
  extensions?: readonly Extension[] | undefined
}

/** The spec's default reconnection time; Chromium uses 3000 ms (Firefox 5000). */
export const DEFAULT_RECONNECTION_TIME = 3000
export const DEFAULT_MAX_EVENT_SIZE = 32 * 1024 * 1024

/**
 * What the EventSource reads: the options and the `reconnect` options in one object, copied once
 * (later changes to `init` change nothing), checked, with every default applied.
 */
export interface Settings {
  /** Static headers, checked, as {@link headerRecord} gives them; or the function that makes them. */
  headers: Record<string, string> | ((context: HeadersContext) => HeadersValue | Promise<HeadersValue>)
  withCredentials: boolean
  credentials: CredentialsValue
  method: string
  body: EventSourceInit['body']
  fetch: FetchLike | undefined
  signal: AbortSignal | undefined
  lastEventId: string
  initialDelay: number
  factor: number
  maxDelay: number
  /** At most 1. */
  jitter: number
  maxAttempts: number
  shouldReconnect: ReconnectOptions['shouldReconnect']
  maxEventSize: number
  extensions: readonly Extension[]
}

/**
 * An HTTP method is a token (RFC 9110 § 9.1), as a header name is; fetch refuses CONNECT, TRACE and
 * TRACK. (The token's pattern written as request-headers.ts writes it, which gzip then stores once.)
 */
const METHOD = /^(?!(CONNECT|TRACE|TRACK)$)[!#$%&'*+\-.^_`|~0-9a-z]+$/i

/**
 * Applies the defaults once and rejects values that cannot work, with a TypeError naming the
 * option and the value. `null` counts as `{}`, as WebIDL converts it for a dictionary argument
 * (`new EventSource(url, null)`), and inherited keys count, as WebIDL reads dictionary members.
 * Only these options are read: a misplaced one (`maxAttempts` outside `reconnect`) is not honoured
 * by accident.
 */
export function normalizeInit(init?: EventSourceInit | null): Settings {
  const given = init ?? {}
  const reconnect = given.reconnect ?? {}
  const {withCredentials, headers, body, credentials, fetch, signal, lastEventId = '', extensions = []} = given
  const method = String(given.method ?? 'GET').toUpperCase()
  check(method, METHOD.test(method), 'method')
  check(credentials, credentials === undefined || /^(omit|same-origin|include)$/.test(credentials), 'credentials')
  // `null` is no signal, as fetch's RequestInit reads it.
  check(signal, signal == null || (typeof signal.addEventListener == 'function' && 'aborted' in signal), 'signal')
  // An ID the stream itself could have sent (no NULL, no line end), which a header can carry.
  check(lastEventId, typeof lastEventId == 'string' && !/[\0-\x08\n-\x1f\x7f]/.test(lastEventId), 'lastEventId')
  check(method, body == null || !/^(GET|HEAD)$/.test(method), 'body')
  check(fetch, fetch === undefined || typeof fetch == 'function', 'fetch')
  check(reconnect.shouldReconnect, reconnect.shouldReconnect === undefined || typeof reconnect.shouldReconnect == 'function', 'reconnect.shouldReconnect')
  check(extensions, Array.isArray(extensions) && extensions.every((extension) => typeof extension?.hook == 'function'), 'extensions')
  const number = (name: keyof ReconnectOptions, fallback: number, least: number): number => positive(reconnect[name], fallback, `reconnect.${name}`, least)
  // `maxBufferSize`, the `eventsource` package's name, counts only where `maxEventSize` is not given.
  const alias = given.maxEventSize === undefined
  return {
    // Static headers are checked and put in their final form once; a function's, on every attempt.
    headers: typeof headers == 'function' ? headers : headerRecord(headers, 'headers'),
    withCredentials: !!withCredentials,
    credentials: credentials ?? (withCredentials ? 'include' : 'same-origin'),
    method,
    body,
    fetch,
    signal,
    // Header values are bytes: the ID is sent as UTF-8, which a lone surrogate has none of. Replaced by
    // U+FFFD, as WebIDL converts a USVString (the stream's own IDs never have one).
    lastEventId: lastEventId.replace(/[\ud800-\udbff][\udc00-\udfff]|[\ud800-\udfff]/g, (c) => (c.length > 1 ? c : '\ufffd')),
    initialDelay: number('initialDelay', DEFAULT_RECONNECTION_TIME, 0),
    // At least 1: a factor below 1 would shrink the delay with every failure.
    factor: number('factor', 1, 1),
    maxDelay: number('maxDelay', Infinity, 0),
    jitter: Math.min(1, number('jitter', 0, 0)),
    maxAttempts: number('maxAttempts', Infinity, 0),
    shouldReconnect: reconnect.shouldReconnect,
    maxEventSize: positive(alias ? given.maxBufferSize : given.maxEventSize, DEFAULT_MAX_EVENT_SIZE, alias ? 'maxBufferSize' : 'maxEventSize'),
    extensions,
  }
}

/**
 * A number option: `fallback` when left out, else a number ≥ `least`, or > 0 without `least` (for
 * limits where 0 could only mean a loop, a timeout that fires at once, or nothing working).
 */
export function positive(value: unknown, fallback: number, name: string, least?: number): number {
  if (value === undefined) return fallback
  // NaN fails both comparisons.
  check(value, typeof value == 'number' && (least === undefined ? value > 0 : value >= least), name)
  return value as number
}

export {check}
