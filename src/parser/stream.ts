/**
 * `EventSourceParserStream`: the parser as a `TransformStream`, for `pipeThrough` chains.
 * (EventSource itself feeds the parser directly: a stream step per chunk costs far more than
 * parsing a small chunk.)
 */
import {ParseError} from '../errors.js'
import {createParser} from './parse.js'
import type {EventSourceMessage, EventSourceParser, ParserCallbacks} from './types.js'

/**
 * Options of {@link EventSourceParserStream}; the same as `eventsource-parser/stream`'s.
 *
 * @public
 */
export interface StreamOptions extends Pick<ParserCallbacks, 'onId' | 'onRetry' | 'onComment'> {
  /**
   * What to do with a skipped line (`invalid-retry`, `unknown-field`): `'terminate'` errors the
   * stream with the {@link ParseError}; a function is called with it; anything else ignores it.
   * A `max-buffer-size-exceeded` error always errors the stream.
   *
   * @defaultValue `undefined` (ignore)
   */
  onError?: 'terminate' | ((error: ParseError) => void) | undefined

  /**
   * The most characters to buffer while waiting for a line or event to end; see
   * `ParserConfig.maxBufferSize`.
   *
   * @defaultValue `undefined` (unbounded)
   */
  maxBufferSize?: number | undefined
}

// Looked up when the module loads but only required when a stream is constructed, so runtimes
// without streams (old browsers) can still import everything else.
const TransformStreamBase: typeof TransformStream =
  typeof TransformStream === 'function'
    ? TransformStream
    : (class {
        constructor() {
          throw new TypeError('EventSourceParserStream needs TransformStream, which this runtime lacks')
        }
      } as unknown as typeof TransformStream)

/**
 * A `TransformStream` from a `text/event-stream` (strings or UTF-8 bytes, in any chunking) to
 * {@link EventSourceMessage}s.
 *
 * @example
 * ```ts
 * const events = response.body.pipeThrough(new EventSourceParserStream())
 * for await (const {event, data} of events) console.log(event, data)
 * ```
 * @public
 */
export class EventSourceParserStream extends TransformStreamBase<string | Uint8Array, EventSourceMessage> {
  /** @param options - Callbacks and the buffer limit; see {@link StreamOptions}. */
  constructor({onError, onRetry, onComment, onId, maxBufferSize}: StreamOptions = {}) {
    let parser: EventSourceParser | undefined
    super({
      start(controller) {
        parser = createParser({
          onEvent: (event) => controller.enqueue(event),
          onError(error) {
            if (typeof onError === 'function') onError(error)
            // After an overflow the parser takes no more input until reset(), which a stream
            // cannot do: end the stream with the reason rather than fail on the next chunk.
            if (onError === 'terminate' || error.type === 'max-buffer-size-exceeded') controller.error(error)
          },
          onRetry,
          onComment,
          onId,
          maxBufferSize,
        })
      },
      transform(chunk) {
        parser?.feed(chunk)
      },
    })
  }
}
