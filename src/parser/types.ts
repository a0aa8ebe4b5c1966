import type {ParseError} from '../errors.js'

/**
 * One event parsed from a `text/event-stream`.
 *
 * @public
 */
export interface EventSourceMessage {
  /**
   * The event type from the block's `event` field, or `undefined` when the block had none (or an
   * empty one). Browsers' `EventSource` turns `undefined` into `message` at dispatch; the parser
   * leaves that to its caller, as `eventsource-parser` does.
   */
  event?: string | undefined

  /**
   * The value of the block's last valid `id` field, or `undefined` when the block had none.
   * An empty `id:` line gives `''` (the spec's way of clearing the last event ID).
   */
  id?: string | undefined

  /** The block's `data` lines joined with LF. */
  data: string
}

/**
 * What the parser reports as it reads. Every callback is optional.
 *
 * @public
 */
export interface ParserCallbacks {
  /**
   * Called for every event: a block that had at least one `data` field, ended by a blank line.
   * @defaultValue `undefined` (events are parsed and dropped)
   */
  onEvent?: ((event: EventSourceMessage) => void) | undefined

  /**
   * Called when a blank line ends a block that had a valid `id` field, whether or not the block
   * produces an event, and before `onEvent`. An `id` containing U+0000 NULL is ignored.
   * @defaultValue `undefined`
   */
  onId?: ((id: string) => void) | undefined

  /**
   * Called with the reconnection time in milliseconds when a `retry` field is all ASCII digits.
   * @defaultValue `undefined`
   */
  onRetry?: ((retry: number) => void) | undefined

  /**
   * Called for every comment line (a line starting with `:`), with one leading space stripped.
   * @defaultValue `undefined`
   */
  onComment?: ((comment: string) => void) | undefined

  /**
   * Called for input the parser skips (`invalid-retry`, `unknown-field`) and when the buffered
   * input outgrows `maxBufferSize` (`max-buffer-size-exceeded`, after which `feed` throws until
   * `reset`). Skipped input is not an error in the spec, so most callers only log these.
   * @defaultValue `undefined` (skipped input is ignored silently; `feed` still throws after an overflow)
   */
  onError?: ((error: ParseError) => void) | undefined
}

/**
 * Options accepted by {@link createParser}: the callbacks plus limits.
 *
 * @public
 */
export interface ParserConfig extends ParserCallbacks {
  /**
   * The most characters the parser may hold while waiting for the end of a line or of an event:
   * an unterminated line plus the `data` of an event whose blank line has not come yet (an
   * unterminated line fed as bytes counts its bytes, which are never fewer than its characters). Past it,
   * `onError` receives a `max-buffer-size-exceeded` error, the buffered input is dropped and
   * `feed` throws until `reset()`. Protects against endless lines and events. An unterminated line
   * that can no longer be a field (a comment without `onComment`, an unknown field, junk) never
   * overflows, as in `eventsource-parser`: past the limit it is dropped and skipped to its end, unreported.
   *
   * @defaultValue `undefined` (unbounded)
   */
  maxBufferSize?: number | undefined
}

/**
 * A streaming `text/event-stream` parser, returned by {@link createParser}.
 *
 * @public
 */
export interface EventSourceParser {
  /**
   * Reads the next piece of the stream: a string, or bytes decoded as UTF-8 (a character split
   * between two chunks decodes whole). Chunks may split the stream anywhere. Feed one stream
   * either as strings or as bytes, not both.
   */
  feed(chunk: string | Uint8Array): void

  /**
   * Forgets everything buffered, ready for a new stream (after a reconnect, say). With
   * `consume: true` an unterminated last line is first parsed as if a line end followed it, unless
   * it can no longer be a field (such as a stray non-SSE body): that reports nothing, as in
   * `eventsource-parser`. Called from inside a callback, it also
   * stops the parser from reading the rest of the chunk being fed.
   */
  reset(options?: {consume?: boolean | undefined}): void
}
