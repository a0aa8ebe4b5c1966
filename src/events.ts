/** The events an EventSource fires besides `open` and `MessageEvent`s. */

/** What an `error` event tells: why the attempt ended and what happens next. */
export interface ErrorEventDetails {
  message: string
  cause?: unknown
  response?: Response | undefined
  willReconnect: boolean
  reconnectDelay?: number | undefined
  attempt: number
}

/**
 * The `error` event: a plain `Event` as the spec fires it, plus why the connection ended and
 * whether it will reconnect. `message` and `code` match the `eventsource` package's error events.
 *
 * @public
 */
export class EventSourceErrorEvent extends Event {
  /** What happened, in words. */
  readonly message: string
  /** The response status, when a response arrived. */
  readonly status: number | undefined
  /** The response status text, when a response arrived. */
  readonly statusText: string | undefined
  /** The same as `status` (the `eventsource` package's name). */
  readonly code: number | undefined
  /** The response, when one arrived. Read its body inside the listener, or it is discarded. */
  readonly response: Response | undefined
  /** The error behind it: a network `TypeError`, an `HTTPError`, a `ParseError`… */
  readonly cause: unknown
  /** `true` when the EventSource will reconnect (readyState CONNECTING), `false` when it closed. */
  readonly willReconnect: boolean
  /** The wait before the reconnect, in milliseconds, when there will be one. */
  readonly reconnectDelay: number | undefined
  /** How many attempts in a row have failed, this one included. */
  readonly attempt: number

  constructor(details: ErrorEventDetails) {
    super('error')
    this.message = details.message
    this.status = details.response?.status
    this.statusText = details.response?.statusText
    this.code = this.status
    this.response = details.response
    this.cause = details.cause
    this.willReconnect = details.willReconnect
    this.reconnectDelay = details.reconnectDelay
    this.attempt = details.attempt
  }
}

/**
 * The `reconnect` event, fired when a reconnect is scheduled: after which attempt, and how long
 * until it starts.
 *
 * @public
 */
export class EventSourceReconnectEvent extends Event {
  readonly attempt: number
  readonly delay: number

  constructor(attempt: number, delay: number) {
    super('reconnect')
    this.attempt = attempt
    this.delay = delay
  }
}
