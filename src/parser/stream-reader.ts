/**
 * The EventSource's own reader of the `text/event-stream`: the spec's parsing, in as little code as
 * it takes, for the bundles where size counts (browsers, the script tag). The root's `createParser`
 * (./parse.ts) is the full parser, with comments, errors for skipped lines, a BOM fed as Latin-1
 * text and its own fast paths; the Node build puts ./stream-reader-fast.ts, on that parser, in this
 * module's place (rollup.config.mjs). test/stream-reader-differential.test.ts keeps the two equal.
 *
 * @see https://html.spec.whatwg.org/multipage/server-sent-events.html#event-stream-interpretation
 */
import type {EventSourceMessage} from './types.js'

/** What the reader reports, in stream order. */
export interface StreamReaderCallbacks {
  /** A block with data ended: the event, without the EventSource's part (origin, `message` default). */
  event(message: EventSourceMessage): void
  /** A block that set an `id` ended (with or without data), before its `event`. */
  id(id: string): void
  /** A `retry` field of ASCII digits only, in milliseconds. */
  retry(milliseconds: number): void
  /** A line or an event's data outgrew `maxSize`: everything buffered is dropped, and nothing more is read until `reset()`. */
  overflow(): void
}

export interface StreamReader {
  /** Reads the next piece of the stream: bytes (UTF-8), or text (XMLHttpRequest's, BOM and all). */
  feed(chunk: Uint8Array | string): void
  /** Forgets everything buffered: the next chunk starts a new stream. */
  reset(): void
}

/**
 * What the reader holds as its pending line while it skips one that outgrew `maxSize` but can no
 * longer be a field: nothing is added to it, and when the line ends it reads as an `id` holding NULL,
 * which the spec ignores ("If the field value does not contain U+0000 NULL [...]. Otherwise, ignore
 * the field."). A comment or an unknown field that never ends is no error, as in ./parse.ts.
 */
const SKIPPED = 'id:\0'

/** Whether `line`, cut short, may still be a `data`, `event`, `id` or `retry` field. */
const mayBeField = (line: string): boolean =>
  ['data:', 'event:', 'id:', 'retry:'].some((field) => line.lastIndexOf(field, 0) === 0 || field.lastIndexOf(line, 0) === 0)

export function createStreamReader(callbacks: StreamReaderCallbacks, maxSize: number): StreamReader {
  // The start of a line whose end has not come yet; the spec's data, event type and id buffers
  // (`data` undefined while empty, and the id buffer as set by this block only: the EventSource
  // holds the last event ID).
  let pending: string
  let data: string | undefined
  let type: string | undefined
  let id: string | undefined
  /** No text has come yet: it may start with the BOM that a TextDecoder strips from bytes. */
  let starting: boolean
  /** The last chunk ended with CR: an LF starting the next one is the rest of a CRLF. */
  let afterCR: boolean
  let decoder: TextDecoder | undefined
  /** Bumped by reset() and at an overflow: a chunk being read stops when it changes. */
  let generation = 0
  let overflowed: boolean

  const reset = (): void => {
    generation++
    pending = ''
    data = type = id = decoder = undefined
    starting = true
    afterCR = overflowed = false
  }

  const overflow = (): void => {
    reset()
    overflowed = true
    callbacks.overflow()
  }

  const line = (text: string): void => {
    // "If the line is empty (a blank line): Dispatch the event." The id goes first, with or without data.
    if (!text) {
      const block = {id, event: type, data: data!}
      data = type = id = undefined
      if (block.id !== undefined) callbacks.id(block.id)
      // "If the data buffer is an empty string, set the data buffer and the event type buffer to the
      // empty string and return."
      if (block.data !== undefined) callbacks.event(block)
      return
    }
    // "If the line starts with a U+003A COLON character (:): Ignore the line." Otherwise the field
    // is up to the first colon (or the whole line, with an empty value), and one space after the
    // colon is not part of the value.
    const colon = text.indexOf(':')
    if (!colon) return
    const field = colon < 0 ? text : text.slice(0, colon)
    const value = colon < 0 ? '' : text.slice(text.charCodeAt(colon + 1) === 0x20 ? colon + 2 : colon + 1)
    if (field === 'data') {
      // "Append the field value to the data buffer, then append a single U+000A LINE FEED (LF)
      // character" (the last LF is removed at dispatch: the same as joining with LF).
      data = data === undefined ? value : `${data}\n${value}`
      if (data.length > maxSize) overflow()
    } else if (field === 'event') type = value || undefined
    else if (field === 'id') {
      if (value.indexOf('\0') < 0) id = value
    } else if (field === 'retry') {
      // "If the field value consists of only ASCII digits, then interpret the field value as an
      // integer in base ten, and set the event stream's reconnection time to that integer."
      if (/^[0-9]+$/.test(value)) callbacks.retry(+value)
    }
    // "Otherwise: The field is ignored."
  }

  reset()
  return {
    feed(chunk) {
      if (overflowed) return
      let text: string
      if (typeof chunk == 'string') {
        text = chunk
        // "The UTF-8 decode algorithm strips one leading UTF-8 Byte Order Mark (BOM), if any": a
        // TextDecoder does it for bytes; text may still hold one.
        if (starting && text) {
          starting = false
          if (text.charCodeAt(0) === 0xfeff) text = text.slice(1)
        }
      } else text = (decoder ??= new TextDecoder()).decode(chunk, {stream: true})
      if (!text) return
      let start = afterCR && text.charCodeAt(0) === 0x0a ? 1 : 0
      afterCR = false
      const current = generation
      // Lines end with "a U+000D CARRIAGE RETURN U+000A LINE FEED (CRLF) character pair, a single
      // U+000A LINE FEED (LF) character [...], or a single U+000D CARRIAGE RETURN (CR) character".
      // The next LF and CR from `start` on, each searched for again only once passed (-1: none left):
      // two scans of the chunk, about twice as fast as a regular expression's matches (Node 20,
      // 200,000 small events).
      let lf = text.indexOf('\n', start)
      let cr = text.indexOf('\r', start)
      while (lf >= 0 || cr >= 0) {
        const end = cr < 0 || (lf >= 0 && lf < cr) ? lf : cr
        let next = end + 1
        if (end === cr) {
          if (next === text.length) afterCR = true
          else if (text.charCodeAt(next) === 0x0a) next++
        }
        const whole = pending ? pending + text.slice(start, end) : text.slice(start, end)
        pending = ''
        line(whole)
        if (generation !== current) return
        start = next
        if (lf >= 0 && lf < start) lf = text.indexOf('\n', start)
        if (cr >= 0 && cr < start) cr = text.indexOf('\r', start)
      }
      if (start < text.length && pending !== SKIPPED) {
        pending += text.slice(start)
        if (pending.length > maxSize) {
          if (mayBeField(pending)) overflow()
          else pending = SKIPPED
        }
      }
    },
    reset,
  }
}
