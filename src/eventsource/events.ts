/** The events an EventSource fires besides `open` and `MessageEvent`s. */
import {EventBase} from '../platform/web.js'

/**
 * What an `error` event tells: why the attempt ended and what happens next. The argument of
 * `new EventSourceErrorEvent(details)`; `status`, `statusText` and `code` come from `response`.
 */
export interface ErrorEventDetails {
  /** What happened, in words. */
  message: string
  /** The error behind it, when there is one. */
  cause?: unknown
  /** The response, when one arrived. */
  response?: Response | undefined
  /** `true` when a reconnect follows, `false` when the source is CLOSED. */
  willReconnect: boolean
  /** The wait before the reconnect, in milliseconds; `undefined` when there is none. */
  reconnectDelay?: number | undefined
  /** How many attempts in a row have failed, this one included. */
  attempt: number
}

/**
 * The `error` event: a plain `Event` as the spec fires it, plus why the connection ended and
 * whether it will reconnect. `message` and `code` match the `eventsource` package's error events.
 *
 * @public
 */
export class EventSourceErrorEvent extends EventBase {
  /** What happened, in words. */
  declare readonly message: string
  /** The response status, when a response arrived. */
  declare readonly status: number | undefined
  /** The response status text, when a response arrived. */
  declare readonly statusText: string | undefined
  /** The same as `status` (the `eventsource` package's name). */
  declare readonly code: number | undefined
  /**
   * The response, when one arrived. Read its body inside the listener, or it is discarded. Over
   * XMLHttpRequest (the script-tag build where fetch cannot stream) in a page without `Response` or
   * `ReadableStream`: an object with `status`, `statusText`, `ok`, `url`, `redirected`,
   * `headers.get()` and, where `Promise` exists, `text()` and `json()`.
   */
  declare readonly response: Response | undefined
  /** The error behind it: a network `TypeError`, an `HTTPError`, a `ParseError`… */
  declare readonly cause: unknown
  /** `true` when the EventSource will reconnect (readyState CONNECTING), `false` when it closed. */
  declare readonly willReconnect: boolean
  /** The wait before the reconnect, in milliseconds, when there will be one. */
  declare readonly reconnectDelay: number | undefined
  /** How many attempts in a row have failed, this one included. */
  declare readonly attempt: number

  /** @param details - Why the attempt ended and what happens next; `status`, `statusText` and `code` are read from `response`. */
  constructor(details: ErrorEventDetails) {
    super('error')
    const response = details.response
    for (const key in details) (this as Record<string, unknown>)[key] = details[key as keyof ErrorEventDetails]
    this.status = this.code = response?.status
    this.statusText = response?.statusText
  }
}

/**
 * The `reconnect` event, fired when a reconnect is scheduled: after which attempt, and how long
 * until it starts.
 *
 * @public
 */
export class EventSourceReconnectEvent extends EventBase {
  /** How many attempts in a row have failed: `1` before the first reconnect, `2` before the second… */
  declare readonly attempt: number
  /** The wait before the reconnect starts, in milliseconds. */
  declare readonly delay: number

  /**
   * @param attempt - How many attempts in a row have failed.
   * @param delay - The wait before the reconnect, in milliseconds.
   */
  constructor(attempt: number, delay: number) {
    super('reconnect')
    this.attempt = attempt
    this.delay = delay
  }
}
