/**
 * The transport interface: one connection attempt, from request to the end of the body. A
 * transport knows nothing of events; the EventSource knows nothing of fetch versus XMLHttpRequest.
 */
import type {BodyValue, CredentialsValue, FetchLike} from '../eventsource/options.js'

/** What one attempt sends. `headers` names are lower-case; `accept` and `last-event-id` are set. */
export interface TransportRequest {
  url: string
  method: string
  headers: Record<string, string>
  body: BodyValue | undefined
  credentials: CredentialsValue
  /** The `fetch` option: a transport built on fetch calls it (as a plain function) instead of the global one. */
  fetch: FetchLike | undefined
  /**
   * The headers for a request that resumes this stream from where it is now (`last-event-id` as of
   * the last event dispatched), or `undefined` when there is no last event ID to resume from. For a
   * transport that restarts its request by itself between two events, unseen by the EventSource
   * (the XMLHttpRequest one does, so that `responseText` stays bounded): without an ID, a restart
   * would have a real server replay the stream from its start, or lose what it sent meanwhile, so
   * the transport must not restart.
   */
  resume(): Record<string, string> | undefined
  /**
   * The `maxEventSize` option, in characters. A transport that holds the whole response (the
   * XMLHttpRequest one: `responseText`) and cannot restart before it holds more reports a
   * `fatal` error past it, rather than grow memory without end.
   */
  maxEventSize: number
}

/**
 * The response head, as the EventSource reads it: the part of a fetch `Response` it uses, so the
 * fetch transport hands over the `Response` itself (which `error` events then expose as
 * `response`), and another transport an object of this shape; the XMLHttpRequest one a `Response`
 * too where it can (see ./xhr.ts), since `error` listeners read its body.
 */
export interface TransportResponse {
  readonly status: number
  readonly statusText: string
  /** The final URL, after redirects; `''` when unknown (a `Response` made by hand). */
  readonly url: string
  /** Whether a redirect was followed, so that `url` is where reconnects should go. */
  readonly redirected: boolean
  /** Header values by name (`content-type`, `retry-after`); `null` when absent. */
  readonly headers: {get(name: string): string | null}
}

/** How a transport reports; after the attempt is cancelled, it calls none of these. */
export interface TransportHandlers {
  /** The response head arrived. `false`: the body is not wanted; the transport lets it go unread. */
  onResponse(response: TransportResponse): boolean
  /**
   * A piece of the body: bytes, or text (XMLHttpRequest's `responseText` grows as text). A thenable
   * returned asks a transport that reads (fetch) to wait for it before the next read; one that
   * is handed chunks (XMLHttpRequest) cannot wait, and goes on.
   */
  onChunk(chunk: Uint8Array | string): PromiseLike<unknown> | void
  /** The body ended cleanly. */
  onEnd(): void
  /**
   * The request failed, or the body broke off: a network error. `fatal`: the attempt stopped at a
   * limit that a new attempt would reach again, so the EventSource fails rather than reconnects.
   */
  onError(error: unknown, fatal?: boolean): void
}

/**
 * Starts one attempt and returns the function that cancels it. Handlers are only ever called
 * after `start` has returned (from a later task or microtask), and never once cancelled.
 */
export type Transport = (request: TransportRequest, handlers: TransportHandlers) => () => void
