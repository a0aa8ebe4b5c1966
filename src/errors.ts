/**
 * What a {@link ParseError} is about.
 *
 * @public
 */
export type ErrorType = 'invalid-retry' | 'unknown-field' | 'max-buffer-size-exceeded'

/**
 * Base class of the library's errors: what the parser reports through `onError`, and what an
 * EventSource reports as the `cause` of its `error` events.
 *
 * @public
 */
export class StreamSourceError extends Error {
  /** The error's name; each subclass has its own (`'HTTPError'`…), for logs and `error.name` checks. */
  override name = 'StreamSourceError'
}

/**
 * Input the parser skipped or could not hold, reported through `onError`.
 *
 * @public
 */
export class ParseError extends StreamSourceError {
  /** The error's name. */
  override name = 'ParseError'
  /** What went wrong. */
  declare type: ErrorType
  /** For `unknown-field`: the field name. */
  declare field?: string | undefined
  /** For `unknown-field` and `invalid-retry`: the field value. */
  declare value?: string | undefined
  /** For `unknown-field` and `invalid-retry`: the whole line. */
  declare line?: string | undefined

  /**
   * @param message - The error message.
   * @param options - `type`, and for skipped lines the `field`, `value` and `line`.
   */
  constructor(
    message: string,
    options: {type: ErrorType; field?: string | undefined; value?: string | undefined; line?: string | undefined},
  ) {
    super(message)
    Object.assign(this, options)
  }
}

/**
 * The server answered with a status other than 200 (the spec fails the connection for these; the
 * `retryOnStatus` extension may reconnect instead). Carries the response.
 *
 * @public
 */
export class HTTPError extends StreamSourceError {
  /** The error's name. */
  override name = 'HTTPError'
  /** The response status (never 200). */
  declare readonly status: number
  /** The response status text, `''` when the server sent none (as over HTTP/2). */
  declare readonly statusText: string
  /** The response. Start reading its body (`json()`, `text()`) inside the `error` listener, or it is discarded. */
  declare readonly response: Response

  /**
   * @param response - The response with a status other than 200.
   * @param url - The EventSource's URL, for the message.
   */
  constructor(response: Response, url: string) {
    const {status, statusText} = response
    super(`EventSource request to ${url} failed: HTTP ${status}${statusText ? ` ${statusText}` : ''}`)
    this.status = status
    this.statusText = statusText
    this.response = response
  }
}

/**
 * The response was not `text/event-stream`: the spec fails the connection. Carries the response.
 *
 * @public
 */
export class ContentTypeError extends StreamSourceError {
  /** The error's name. */
  override name = 'ContentTypeError'
  /** The `Content-Type` the server sent, or `null` when it sent none. */
  declare readonly contentType: string | null
  /** The response (status 200). Start reading its body inside the `error` listener, or it is discarded. */
  declare readonly response: Response

  /**
   * @param response - The response whose `Content-Type` is not `text/event-stream`.
   * @param url - The EventSource's URL, for the message.
   */
  constructor(response: Response, url: string) {
    const contentType = response.headers.get('content-type')
    super(`EventSource response from ${url} has Content-Type ${contentType === null ? '(none)' : `"${contentType}"`}, not "text/event-stream"`)
    this.contentType = contentType
    this.response = response
  }
}

/**
 * No byte arrived for the `heartbeat` extension's timeout: the EventSource dropped the connection.
 *
 * @public
 */
export class HeartbeatTimeoutError extends StreamSourceError {
  /** The error's name. */
  override name = 'HeartbeatTimeoutError'
  /** The timeout that passed without a byte, in milliseconds. */
  declare readonly timeout: number

  /** @param timeout - The `heartbeat` timeout, in milliseconds. */
  constructor(timeout: number) {
    super(`No data received for ${timeout} ms (heartbeat)`)
    this.timeout = timeout
  }
}
