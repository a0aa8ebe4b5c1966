/**
 * What a {@link ParseError} is about.
 *
 * @public
 */
export type ErrorType = 'invalid-retry' | 'unknown-field' | 'max-buffer-size-exceeded'

/**
 * Input the parser skipped or could not hold, reported through `onError`.
 *
 * @public
 */
export class ParseError extends Error {
  /** What went wrong. */
  type: ErrorType
  /** For `unknown-field`: the field name. */
  field?: string | undefined
  /** For `unknown-field` and `invalid-retry`: the field value. */
  value?: string | undefined
  /** For `unknown-field` and `invalid-retry`: the whole line. */
  line?: string | undefined

  constructor(
    message: string,
    options: {type: ErrorType; field?: string | undefined; value?: string | undefined; line?: string | undefined},
  ) {
    super(message)
    this.name = 'ParseError'
    this.type = options.type
    this.field = options.field
    this.value = options.value
    this.line = options.line
  }
}

/**
 * Base class of the errors an EventSource reports as the `cause` of its `error` events.
 *
 * @public
 */
export class StreamSourceError extends Error {
  override name = 'StreamSourceError'
}

/**
 * The server answered with a status other than 200 (the spec fails the connection for these;
 * `reconnect.retryOnStatus` may reconnect instead). Carries the response.
 *
 * @public
 */
export class HTTPError extends StreamSourceError {
  override name = 'HTTPError'
  declare readonly status: number
  declare readonly statusText: string
  declare readonly response: Response

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
  override name = 'ContentTypeError'
  /** The `Content-Type` the server sent, or `null` when it sent none. */
  declare readonly contentType: string | null
  declare readonly response: Response

  constructor(response: Response, url: string) {
    const contentType = response.headers.get('content-type')
    super(
      `EventSource response from ${url} has Content-Type ${contentType === null ? '(none)' : `"${contentType}"`}, not "text/event-stream"`,
    )
    this.contentType = contentType
    this.response = response
  }
}

/**
 * No byte arrived for `heartbeatTimeout` milliseconds: the EventSource dropped the connection.
 *
 * @public
 */
export class HeartbeatTimeoutError extends StreamSourceError {
  override name = 'HeartbeatTimeoutError'
  declare readonly timeout: number

  constructor(timeout: number) {
    super(`No data received for ${timeout} ms (heartbeatTimeout)`)
    this.timeout = timeout
  }
}
