/**
 * The `text/event-stream` parser: lines, fields and events, exact to the WHATWG HTML spec.
 *
 * @see https://html.spec.whatwg.org/multipage/server-sent-events.html#parsing-an-event-stream
 * @see https://html.spec.whatwg.org/multipage/server-sent-events.html#event-stream-interpretation
 */
import {decoding, type Utf8Decoder} from './decode.js'
import {ParseError} from '../errors.js'
import type {EventSourceParser, ParserConfig} from './types.js'

const LF = 0x0a
const SPACE = 0x20
const COLON = 0x3a
/** A BOM that was decoded as Latin-1 by the caller; stripped too, as `eventsource-parser` does. */
export const BOM_AS_LATIN1 = '\xEF\xBB\xBF'
/**
 * What a parser holds as its pending line while it skips one (see `takeLine`), in place of a flag:
 * nothing is added to it, so the rest of the skipped line is never kept, and its line end, handled
 * as for any pending line, clears it, completing a line that is ignored silently ("If the field
 * value does not contain U+0000 NULL, then set the last event ID buffer [...]. Otherwise, ignore
 * the field."), as at `reset({consume: true})`. (A stream's own line cut right after `id:\0` is
 * ignored all the same, whatever follows, so it is held the same way too: it just never overflows.)
 */
export const SKIPPED = 'id:\0'

/**
 * Creates a streaming parser. Feed it the stream in chunks of any size, as strings or bytes; it
 * calls back for every event, id, retry, comment and skipped line, in stream order.
 *
 * A drop-in replacement for `eventsource-parser`'s `createParser`, which also takes bytes.
 *
 * @param config - The callbacks, and `maxBufferSize`; see {@link ParserConfig}.
 * @throws `TypeError` when `config` is a function (`createParser(fn)`, the old `eventsource-parser` API).
 * @example
 * ```ts
 * const parser = createParser({onEvent: (event) => console.log(event.event, event.data)})
 * for await (const chunk of response.body) parser.feed(chunk)
 * ```
 * @public
 */
export function createParser(config: ParserConfig): EventSourceParser {
  if (typeof config === 'function') {
    throw new TypeError(
      '`config` must be an object: did you mean `createParser({onEvent: fn})`?',
    )
  }
  const {onEvent, onId, onRetry, onComment, onError, maxBufferSize = Infinity} = config

  // The start of a line whose end has not arrived yet, as text (strings, and reads of 256 bytes or
  // more: see feed). Appending makes a rope that is only read (flattened, once) when the line ends,
  // and only new chunks are searched for line ends, so a line that spans many chunks costs linear time.
  let pendingLine = ''
  // What follows it, still undecoded (`pendingBytes` up to `pendingByteLength`): the rest of the line
  // from a read of less than 256 bytes, or a character cut at the end of a larger one.
  // Made by the first bytes kept: a parser fed only text (the script-tag build over XMLHttpRequest,
  // where an ES5 engine may have no typed arrays) never makes one.
  let pendingBytes: Uint8Array | undefined
  let pendingByteLength = 0
  // A line ended with CR at the very end of a chunk: an LF starting the next chunk is the
  // second half of the same CRLF, not a blank line.
  let skipLeadingLF = false
  // What the stream held so far while it could still be the start of a BOM; `undefined` once
  // the stream's first characters have been seen.
  let streamStart: string | undefined = ''
  let decoder: Utf8Decoder | undefined
  // Bumped by reset() and by an overflow: a chunk being read stops at once when it changes,
  // so a callback that resets (an EventSource closing, say) sees no further callbacks.
  let generation = 0
  let overflowed = false

  // The spec's buffers. `data` is undefined while the data buffer is empty; the spec appends
  // "value + LF" and strips the final LF at dispatch, which is the same as joining with LF.
  let data: string | undefined
  let eventType: string | undefined
  let id: string | undefined

  /**
   * Reads a chunk. Of bytes, it decodes up to `end` and keeps the rest for the next chunk (the
   * byte reader is here, not in a function of its own, for the size of the bundle):
   * - A read of less than 256 bytes up to its last line end: a long line that comes in small reads
   *   becomes one string in one decode, not many small ones for the garbage collector to copy
   *   (Chromium 156, 1mb-line of bench/parse-corpora.mjs, 64 B reads: decoding each read as it comes
   *   ran at 0.77x this).
   * - A larger read up to its last whole character, whatever line ends it holds (readLines keeps the
   *   unended line as text). Read as the small ones, it cost twice over in Chromium 156: the search
   *   for its last line end, a loop in JavaScript (about 1 ns a byte, in Node too; the two calls of
   *   `Uint8Array`'s `lastIndexOf` it takes, 0.8 ns), ran through every read inside a long line, and
   *   such a line was decoded in one piece, which Chromium's `TextDecoder` does 3.5 times as slowly
   *   per byte from 1 MiB on (0.57 ms per MB against 0.16 for 64 KiB). The two made 1mb-events (64 KiB
   *   reads of 1 MiB lines) run at 0.2x eventsource-parser, and 16 or 64 KiB reads of lines of 1-9 KB
   *   at 0.72-0.75x.
   */
  function feed(chunk: string | Uint8Array): void {
    if (overflowed) {
      throw new Error(
        'Cannot feed parser: it exceeded maxBufferSize. Call `reset()` first.',
      )
    }
    if (typeof chunk === 'string') return readText(chunk, true)
    const length = chunk.length
    let end: number
    if (length < 256) end = decoding.lastLineEnd(chunk, length) + 1
    else {
      // Up to the last byte that is no continuation byte (10xxxxxx) if it starts a character
      // (11xxxxxx), which may be cut: a cut before such a byte leaves the text as one decode of the
      // whole would make it. After an ASCII byte, or in a read of continuation bytes only (too many
      // to complete a character), no character is cut.
      for (end = length; --end && chunk[end]! >> 6 === 2; );
      if (chunk[end]! < 0xc0) end = length
    }
    const startGeneration = generation
    decoder ??= decoding.create()
    if (end) {
      let text: string
      if (pendingByteLength) {
        // Not counted against maxBufferSize: the line ends in this chunk (as eventsource-parser counts).
        // A chunk's head (up to `end`) of less than 1 KiB is added to the pending bytes and
        // decoded with them. A larger one is decoded on its own and the two strings joined; only the
        // bytes that end the pending character (continuation bytes) go with the pending ones. In
        // Chromium 156 that is faster twice over (figures from pages like bench/parse-browser.mjs's):
        // - Its `TextDecoder` gives external strings (characters held outside V8's heap, by Blink),
        //   which the parser reads more slowly than V8's own: a charCodeAt loop over 16 KiB took 31 µs
        //   against 17.5, and llm-tokens-16k's line loop 1.8 times as long in a profile. `join` copies
        //   both parts into one string of V8's own (1.1 µs for 16 KiB), as eventsource-parser's does.
        // - `set` copied 16 KiB in 5-7 µs instead of 0.2-0.4 whenever its target was 1 to 15 bytes past
        //   its source modulo 4 KiB: Chromium gives large buffers whole pages, so a short pending tail
        //   put the head there often. (A slowdown of the CPU's copy: Node shows it at other offsets.)
        let start = end
        // (A continuation byte is 10xxxxxx; past the chunk, `undefined >> 6` is 0.)
        if (start > 1024) for (start = 0; chunk[start]! >> 6 === 2; ) start++
        keepBytes(chunk, 0, start)
        text = decoder(pendingBytes!, 0, pendingByteLength)
        if (start < end) text = [text, decoder(chunk, start, end)].join('')
        pendingByteLength = 0
      } else text = decoder(chunk, 0, end)
      readText(text)
    }
    // (Nothing is kept of a skipped line: see SKIPPED.)
    if (pendingLine !== SKIPPED && generation === startGeneration && end < length) {
      keepBytes(chunk, end, length)
      // Counted against maxBufferSize as characters: bytes are never fewer than the UTF-16 code units
      // they decode to, so the limit holds (reached a little early by non-ASCII text). The pending
      // text counts too: a line that a large read started may go on in small ones.
      if (pendingLine.length + pendingByteLength > maxBufferSize) checkBufferSize()
    }
  }

  /** Appends `chunk[start, end)` to the pending bytes, growing the buffer by doubling. */
  function keepBytes(chunk: Uint8Array, start: number, end: number): void {
    const length = pendingByteLength + end - start
    if (!pendingBytes || length > pendingBytes.length) {
      const grown = new Uint8Array(length * 2 + 256)
      // (The whole old buffer: the bytes past pendingByteLength are never read, and fewer than `length`.)
      if (pendingBytes) grown.set(pendingBytes)
      pendingBytes = grown
    }
    pendingBytes.set(chunk.subarray(start, end), pendingByteLength)
    pendingByteLength = length
  }

  /** Strips the stream's BOM, then reads lines. `fedAsString`: the caller fed a string, not bytes. */
  function readText(text: string, fedAsString?: boolean): void {
    if (streamStart !== undefined) {
      // "The UTF-8 decode algorithm strips one leading UTF-8 Byte Order Mark (BOM), if any."
      text = streamStart + text
      // (A BOM fed as Latin-1 text is waited for as long as the text could still be its start.)
      // `lastIndexOf(x, 0) === 0` is `startsWith(x)` for engines without ES2015 (the ES5 build).
      if (text === '' || (fedAsString && BOM_AS_LATIN1.lastIndexOf(text, 0) === 0)) {
        streamStart = text
        return
      }
      streamStart = undefined
      if (text.charCodeAt(0) === 0xfeff /* BOM */) text = text.slice(1)
      else if (fedAsString && text.lastIndexOf(BOM_AS_LATIN1, 0) === 0) text = text.slice(3)
    }
    if (text) readLines(text)
  }

  /** Splits `text` into lines ("CRLF, LF or CR") and parses each; keeps an unterminated tail. */
  function readLines(text: string): void {
    const length = text.length
    const startGeneration = generation
    let start = 0
    if (skipLeadingLF) {
      skipLeadingLF = false
      if (text.charCodeAt(0) === LF) start = 1
    }
    // The next LF and CR at or after `start`, each searched again only once passed, so a
    // chunk is scanned once for each: -1 means there is none left in this chunk.
    let nextLF = text.indexOf('\n', start)
    let nextCR = text.indexOf('\r', start)
    while (nextLF !== -1 || nextCR !== -1) {
      let end: number
      let next: number
      if (nextCR === -1 || (nextLF !== -1 && nextLF < nextCR)) {
        end = nextLF
        next = nextLF + 1
      } else {
        end = nextCR
        next = nextCR + 1
        if (next === length) skipLeadingLF = true
        else if (text.charCodeAt(next) === LF) next++
      }
      if (pendingLine) {
        const line = pendingLine + text.slice(start, end)
        pendingLine = ''
        parseLine(line)
      } else if (
        // Nearly every line is `data:`: checked here first. One that starts an event and is followed
        // by a blank line (LF) is a whole event, dispatched without searching for the blank line's end.
        text.charCodeAt(start) === 0x64 &&
        text.charCodeAt(start + 1) === 0x61 &&
        text.charCodeAt(start + 2) === 0x74 &&
        text.charCodeAt(start + 3) === 0x61 &&
        text.charCodeAt(start + 4) === COLON
      ) {
        const value = text.slice(text.charCodeAt(start + 5) === SPACE ? start + 6 : start + 5, end)
        if (data === undefined && text.charCodeAt(next) === LF && value.length <= maxBufferSize) {
          data = value
          next++
          dispatchEvent()
        } else appendData(value)
      } else if (start === end) {
        // "If the line is empty (a blank line): Dispatch the event." Here rather than in parseLine, a
        // call too many for the line that ends every event (feed: 1.31x to about 1.4x eventsource-parser).
        dispatchEvent()
      } else {
        parseLine(text, start, end)
      }
      if (generation !== startGeneration) return
      start = next
      if (nextLF !== -1 && nextLF < start) nextLF = text.indexOf('\n', start)
      if (nextCR !== -1 && nextCR < start) nextCR = text.indexOf('\r', start)
    }
    // (Nothing is kept of a skipped line.)
    if (start < length && pendingLine !== SKIPPED) {
      pendingLine += text.slice(start)
      if (pendingLine.length > maxBufferSize) checkBufferSize()
    }
  }

  /**
   * Parses the line `text[start, end)` (all of `text` by default), which is not empty (readLines
   * dispatches at a blank line); `end` is a line end or the end of `text`.
   */
  function parseLine(text: string, start = 0, end = text.length): void {
    const first = text.charCodeAt(start)

    // "If the line starts with a U+003A COLON character (:): Ignore the line." (Reported as a comment.)
    if (first === COLON) return onComment?.(text.slice(text.charCodeAt(start + 1) === SPACE ? start + 2 : start + 1, end))

    // "If the line contains a U+003A COLON character (:): Collect the characters on the line before
    // the first U+003A COLON character (:), and let field be that string. Collect the characters on
    // the line after the first U+003A COLON character (:), and let value be that string. If value
    // starts with a U+0020 SPACE character, remove it from value."
    // "Otherwise, the string is not empty but does not contain a U+003A COLON character (:): [...]
    // using the whole line as the field name, and the empty string as the field value."
    // Nearly every line is `data:`, `event:`, `id:` or `retry:`: told apart by the first character
    // and checked in place, without searching for the colon or slicing out the field name.
    let field = fieldNamed(first)
    let colon = start + field.length
    if (!startsWithField(text, start, field)) {
      colon = start + 1
      while (colon < end && text.charCodeAt(colon) !== COLON) colon++
      field = text.slice(start, colon)
    }
    // (Past `end`, the character read is a line end or none; a value that starts past it is empty.)
    let valueStart = colon + 1
    if (text.charCodeAt(valueStart) === SPACE) valueStart++
    const value = text.slice(valueStart, end)

    // "Process the field": the spec's steps for each field name, compared literally.
    switch (field) {
      case 'data':
        return appendData(value)
      case 'event':
        // "Set the event type buffer to the field value." An empty one means `message` at dispatch.
        eventType = value || undefined
        return
      case 'id':
        // "If the field value does not contain U+0000 NULL, then set the last event ID buffer to the
        // field value. Otherwise, ignore the field."
        if (value.indexOf('\0') === -1) id = value
        return
      case 'retry':
        // "If the field value consists of only ASCII digits, then interpret the field value as an
        // integer in base ten, and set the event stream's reconnection time to that integer.
        // Otherwise, ignore the field."
        if (/^\d+$/.test(value)) onRetry?.(+value)
        else {
          onError?.(
            new ParseError(`Invalid \`retry\` value: "${value}"`, {
              type: 'invalid-retry',
              value,
              line: text.slice(start, end),
            }),
          )
        }
        return
      default:
        // "Otherwise: The field is ignored."
        onError?.(
          new ParseError(`Unknown field "${field.length > 20 ? `${field.slice(0, 20)}…` : field}"`, {
            type: 'unknown-field',
            field,
            value,
            line: text.slice(start, end),
          }),
        )
    }
  }

  /** "Append the field value to the data buffer, then append a single U+000A LINE FEED (LF)." */
  function appendData(value: string): void {
    data = data === undefined ? value : `${data}\n${value}`
    if (data.length > maxBufferSize) checkBufferSize()
  }

  /** "Dispatch the event", minus what belongs to the EventSource (origin, `message` default). */
  function dispatchEvent(): void {
    const blockData = data
    const blockType = eventType
    const blockId = id
    // Cleared before calling out, so a callback that feeds the parser again starts clean.
    // ("Set the data buffer and the event type buffer to the empty string.")
    data = eventType = id = undefined
    if (blockId !== undefined) onId?.(blockId)
    // "If the data buffer is an empty string, set the data buffer and the event type buffer to
    // the empty string and return."
    if (blockData !== undefined) onEvent?.({id: blockId, event: blockType, data: blockData})
  }

  /**
   * Called once an unterminated line or the data buffer outgrows `maxBufferSize`: drops everything
   * buffered and says so, unless the line can no longer be a field (see {@link takeLine}).
   */
  function checkBufferSize(): void {
    if (takeLine() === undefined) return
    clear()
    overflowed = true
    onError?.(
      new ParseError(`Buffered data exceeded max buffer size of ${maxBufferSize} characters`, {
        type: 'max-buffer-size-exceeded',
      }),
    )
  }

  /**
   * Takes the line that has not ended yet (decoded, without the stream's BOM when it starts the
   * stream; `''` if none), and frees its buffer. Only while it may still be a `data`, `event`, `id`
   * or `retry` field (its start agrees with one of them and a colon, as far as it goes) or a comment
   * for `onComment`, though: any other line is dropped, the rest of it skipped up to its line end
   * (see {@link SKIPPED}), and `undefined` returned. So, as `eventsource-parser` never keeps such a line, a comment nobody
   * reads, an unknown field or junk never overflows, however long, and reports nothing at
   * `reset({consume: true})`.
   */
  function takeLine(): string | undefined {
    let line = pendingLine + (pendingByteLength ? decoder!(pendingBytes!, 0, pendingByteLength) : '')
    pendingLine = ''
    pendingBytes = undefined
    pendingByteLength = 0
    if (streamStart !== undefined && line.charCodeAt(0) === 0xfeff /* BOM */) line = line.slice(1)
    const first = line.charCodeAt(0)
    const field = `${fieldNamed(first)}:`
    // (`lastIndexOf(x, 0) === 0` is `startsWith(x)`, for ES5.)
    if (first === COLON ? onComment : field.lastIndexOf(line.slice(0, field.length), 0) === 0) return line
    pendingLine = SKIPPED
    // (The bytes after a CR that ended the line before make the LF that ends this line no CRLF.)
    skipLeadingLF = false
    return undefined
  }

  function clear(): void {
    generation++
    pendingLine = ''
    pendingBytes = undefined
    pendingByteLength = 0
    skipLeadingLF = false
    streamStart = ''
    overflowed = false
    decoder = data = eventType = id = undefined
  }

  function reset(options?: {consume?: boolean | undefined}): void {
    if (options?.consume) {
      const line = takeLine()
      if (line) parseLine(line)
    }
    clear()
  }

  return {feed, reset}
}

/** The only field that a line starting with character code `first` can be, if any. */
export const fieldNamed = (first: number): string =>
  first === 0x64 ? 'data' : first === 0x65 ? 'event' : first === 0x69 ? 'id' : 'retry'

/**
 * Whether the line at `start` begins with `field` and a colon. (The character after a line is a
 * line end or past the string, so the reads never run into the next line.)
 */
export function startsWithField(text: string, start: number, field: string): boolean {
  for (let index = 0; index < field.length; index++) {
    if (text.charCodeAt(start + index) !== field.charCodeAt(index)) return false
  }
  return text.charCodeAt(start + field.length) === COLON
}
