/**
 * The EventSource's options: what users pass (`EventSourceInit`), and the one place that turns it
 * into the settings the EventSource runs on, with every default.
 */
import {MAX_TIMER_DELAY} from './backoff.js'

/** Header values as `fetch` takes them. */
export type HeadersValue = HeadersInit

/** A request body as `fetch` takes it. */
export type BodyValue = BodyInit | null

/** A `fetch`-compatible function: called as `fetch(url, init)` for every connection attempt. */
export type FetchLike = (url: string, init: FetchLikeInit) => Promise<Response>

/**
 * What a custom `fetch` is called with: the shape the `eventsource` package uses, so a fetch
 * written for it works here (`headers` is a plain object).
 */
export interface FetchLikeInit {
  method: string
  headers: Record<string, string>
  body?: BodyInit | null
  cache: 'no-store'
  credentials: RequestCredentials
  mode: 'cors'
  redirect: 'follow'
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
   * @defaultValue `1` (no backoff: the spec's constant reconnection time)
   */
  factor?: number | undefined
  /**
   * The longest delay, in milliseconds, before jitter.
   * @defaultValue `Infinity` (no cap). A `Retry-After` header may ask for longer; it is honoured.
   */
  maxDelay?: number | undefined
  /**
   * The share of each delay drawn at random, from `0` (exact delays) to `1` (full jitter: anywhere
   * from 0 to the delay), so that many clients do not reconnect in lockstep.
   * @defaultValue `0`
   */
  jitter?: number | undefined
  /**
   * After this many failed attempts in a row the source gives up: CLOSED and a final `error`.
   * @defaultValue `Infinity`
   */
  maxAttempts?: number | undefined
  /**
   * Statuses that reconnect (honouring `Retry-After`) instead of failing the connection, which
   * the spec does for every status but 200, e.g. `[429, 502, 503, 504]`.
   * @defaultValue `[]`
   */
  retryOnStatus?: readonly number[] | undefined
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
   * before every connection attempt, so a token that expires is fresh on each reconnect.
   * `Accept` and `Last-Event-ID` are set by the EventSource.
   * @defaultValue `undefined`
   */
  headers?: HeadersValue | (() => HeadersValue | Promise<HeadersValue>) | undefined
  /**
   * The request method, e.g. `'POST'` for LLM chat APIs.
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
   * Overrides what `withCredentials` chooses.
   * @defaultValue `'include'` with `withCredentials`, else `'same-origin'`
   */
  credentials?: RequestCredentials | undefined
  /**
   * The `fetch` to use, called as `fetch(url, init)` for every attempt (see {@link FetchLikeInit}).
   * @defaultValue `globalThis.fetch`
   */
  fetch?: FetchLike | undefined
  /**
   * The last event ID to start from: sent as `Last-Event-ID` from the first request on, until the
   * stream sends an `id:` of its own. For resuming where an earlier source (or page) left off.
   * @defaultValue `''` (none)
   */
  lastEventId?: string | undefined
  /**
   * Closes the source when aborted, as `close()` does.
   * @defaultValue `undefined`
   */
  signal?: AbortSignal | undefined
  /** The reconnection policy; see {@link ReconnectOptions}. @defaultValue the spec's */
  reconnect?: ReconnectOptions | undefined
  /**
   * Treat the response as one request/response stream (an LLM completion, say): when the server
   * ends it cleanly the source closes (an `end` event, no reconnect, no replayed POST); a dropped
   * connection still resumes with `Last-Event-ID` when the server sent ids, and fails otherwise.
   * @defaultValue `false`
   */
  oneShot?: boolean | undefined
  /**
   * Reconnect when no byte has arrived for this many milliseconds (servers send `:` comments as
   * heartbeats). @defaultValue `undefined` (never)
   */
  heartbeatTimeout?: number | undefined
  /**
   * The most characters one line or one event may hold; a larger one fails the connection with a
   * `max-buffer-size-exceeded` error rather than growing memory without end.
   * @defaultValue `33554432` (32 Mi characters)
   */
  maxEventSize?: number | undefined
  /**
   * In browsers, reconnect at once instead of waiting out the delay when the network comes back
   * (`online`), when the page returns from the back/forward cache (`pageshow`), or when a hidden
   * page becomes visible. Off by default: the spec waits the full reconnection time.
   * @defaultValue `false`
   */
  reconnectOnPageEvents?: boolean | undefined
}

/** The spec's default reconnection time; Chromium uses 3000 ms (Firefox 5000). */
export const DEFAULT_RECONNECTION_TIME = 3000
export const DEFAULT_MAX_EVENT_SIZE = 32 * 1024 * 1024

/** `EventSourceInit` with every default applied: what the EventSource reads. */
export interface Settings {
  withCredentials: boolean
  credentials: RequestCredentials
  method: string
  headers: EventSourceInit['headers']
  body: EventSourceInit['body']
  fetch: FetchLike | undefined
  signal: AbortSignal | undefined
  lastEventId: string
  initialDelay: number
  factor: number
  maxDelay: number
  jitter: number
  maxAttempts: number
  retryOnStatus: readonly number[]
  shouldReconnect: ReconnectOptions['shouldReconnect']
  oneShot: boolean
  heartbeatTimeout: number | undefined
  maxEventSize: number
  reconnectOnPageEvents: boolean
}

/**
 * Applies the defaults once and rejects values that cannot work, with a message naming the option.
 * `null` counts as `{}`, as WebIDL converts it for a dictionary argument (`new EventSource(url, null)`).
 */
export function normalizeInit(given?: EventSourceInit | null): Settings {
  const init = given ?? {}
  const reconnect = init.reconnect ?? {}
  const withCredentials = Boolean(init.withCredentials)
  return {
    withCredentials,
    credentials: init.credentials ?? (withCredentials ? 'include' : 'same-origin'),
    method: (init.method ?? 'GET').toUpperCase(),
    headers: init.headers,
    body: init.body,
    fetch: optionalFunction(init.fetch, 'fetch'),
    signal: init.signal,
    lastEventId: eventId(init.lastEventId),
    initialDelay: nonNegative(reconnect.initialDelay, DEFAULT_RECONNECTION_TIME, 'reconnect.initialDelay'),
    factor: nonNegative(reconnect.factor, 1, 'reconnect.factor'),
    maxDelay: nonNegative(reconnect.maxDelay, Infinity, 'reconnect.maxDelay'),
    jitter: Math.min(1, nonNegative(reconnect.jitter, 0, 'reconnect.jitter')),
    maxAttempts: nonNegative(reconnect.maxAttempts, Infinity, 'reconnect.maxAttempts'),
    retryOnStatus: statusList(reconnect.retryOnStatus, 'reconnect.retryOnStatus'),
    shouldReconnect: optionalFunction(reconnect.shouldReconnect, 'reconnect.shouldReconnect'),
    oneShot: Boolean(init.oneShot),
    heartbeatTimeout: heartbeat(init.heartbeatTimeout),
    maxEventSize: positive(init.maxEventSize ?? DEFAULT_MAX_EVENT_SIZE, 'maxEventSize'),
    reconnectOnPageEvents: init.reconnectOnPageEvents ?? false,
  }
}

function nonNegative(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback
  if (typeof value !== 'number' || Number.isNaN(value) || value < 0) {
    throw new TypeError(`EventSource option \`${name}\` must be a number ≥ 0, got ${String(value)}`)
  }
  return value
}

/**
 * The heartbeat timeout, or `undefined` for none (also for `Infinity`). Timers cannot wait longer
 * than 2³¹ − 1 ms (they would fire at once), so longer timeouts wait that long.
 */
function heartbeat(value: number | undefined): number | undefined {
  if (value == null || value === Infinity) return undefined
  return Math.min(positive(value, 'heartbeatTimeout'), MAX_TIMER_DELAY)
}

/** An ID the stream itself could have sent: no NULL (the parser ignores those), no line end. */
function eventId(value: string | undefined): string {
  if (value === undefined) return ''
  if (typeof value !== 'string' || /[\0\r\n]/.test(value)) {
    throw new TypeError('EventSource option `lastEventId` must be a string without NULL, CR or LF')
  }
  return value
}

/** For limits where 0 could only mean a loop (a timeout that fires at once) or nothing working. */
function positive(value: number, name: string): number {
  if (typeof value !== 'number' || !(value > 0)) {
    throw new TypeError(`EventSource option \`${name}\` must be a number > 0, got ${String(value)}`)
  }
  return value
}

function statusList(value: readonly number[] | undefined, name: string): readonly number[] {
  if (value === undefined) return []
  if (!Array.isArray(value) || !value.every((status) => Number.isInteger(status) && status >= 100 && status <= 599)) {
    throw new TypeError(`EventSource option \`${name}\` must be an array of HTTP status codes, got ${String(value)}`)
  }
  return value
}

function optionalFunction<T>(value: T | undefined, name: string): T | undefined {
  if (value !== undefined && typeof value !== 'function') {
    throw new TypeError(`EventSource option \`${name}\` must be a function, got ${typeof value}`)
  }
  return value
}
