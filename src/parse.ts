/**
 * The `text/event-stream` parser: lines, fields and events, exact to the WHATWG HTML spec.
 *
 * @see https://html.spec.whatwg.org/multipage/server-sent-events.html#parsing-an-event-stream
 * @see https://html.spec.whatwg.org/multipage/server-sent-events.html#event-stream-interpretation
 */
import {decoding, type Utf8Decoder} from './decode.js'
import {ParseError} from './errors.js'
import type {EventSourceParser, ParserConfig} from './types.js'

const LF = 0x0a
const SPACE = 0x20
const COLON = 0x3a
/** A BOM that was decoded as Latin-1 by the caller; stripped too, as `eventsource-parser` does. */
const BOM_AS_LATIN1 = '\xEF\xBB\xBF'
/**
 * How many characters (bytes, when fed bytes) of a line that has not ended decide whether it may
 * still be a field: `event:` or `retry:`, after a BOM of 3 bytes.
 */
const HEAD = 9

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

  // For strings: the start of a line whose end has not arrived yet. Appending makes a rope that is
  // only read (flattened, once) when the line ends, and only new chunks are searched for line ends,
  // so a line that spans many chunks costs linear time.
  let pendingLine = ''
  // For bytes: the start of a line whose end has not arrived yet, still undecoded (`pendingBytes`
  // up to `pendingByteLength`). Only whole lines are decoded, so a long line becomes one string in
  // one decode, not many small ones for the garbage collector to copy, and no character is cut.
  let pendingBytes = new Uint8Array(0)
  let pendingByteLength = 0
  // A line ended with CR at the very end of a chunk: an LF starting the next chunk is the
  // second half of the same CRLF, not a blank line.
  let skipLeadingLF = false
  // The line being read can no longer be a field or a reported comment (see `mayBeField`): the rest
  // of it is skipped, unread and unkept, up to its line end.
  let skipping = false
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

  function feed(chunk: string | Uint8Array): void {
    if (overflowed) {
      throw new Error(
        'Cannot feed parser: it exceeded maxBufferSize. Call `reset()` to resume parsing.',
      )
    }
    if (typeof chunk === 'string') readText(chunk, true)
    else readBytes(chunk)
  }

  /** Decodes the bytes up to the chunk's last line end and keeps the rest for the next chunk. */
  function readBytes(chunk: Uint8Array): void {
    const length = chunk.length
    const lastEnd = decoding.lastLineEnd(chunk, length)
    if (lastEnd === -1) return keepLineStart(chunk, 0)
    decoder ??= decoding.create()
    const startGeneration = generation
    let text: string
    if (pendingByteLength === 0) {
      text = decoder(chunk, 0, lastEnd + 1)
    } else {
      // Not counted against maxBufferSize: the line ends in this chunk, as eventsource-parser counts.
      keepBytes(chunk, 0, lastEnd + 1)
      text = decoder(pendingBytes, 0, pendingByteLength)
      pendingByteLength = 0
    }
    readText(text, false)
    if (generation === startGeneration && lastEnd + 1 < length) keepLineStart(chunk, lastEnd + 1)
  }

  /** Keeps `chunk[start, chunk.length)`, the start (or more) of a line that has not ended, if {@link keeps} does. */
  function keepLineStart(chunk: Uint8Array, start: number): void {
    // Read as Latin-1 for the check: ASCII is ASCII, and any other byte is no field character.
    if (pendingByteLength >= HEAD || keeps(latin1(pendingBytes, 0, pendingByteLength) + latin1(chunk, start, start + HEAD))) {
      keepBytes(chunk, start, chunk.length)
      // Counted against maxBufferSize as characters: bytes are never fewer than the UTF-16 code units
      // they decode to, so the limit holds (reached a little early by non-ASCII text).
      if (pendingByteLength > maxBufferSize) checkBufferSize()
    }
  }

  /** Appends `chunk[start, end)` to the pending bytes, growing the buffer by doubling. */
  function keepBytes(chunk: Uint8Array, start: number, end: number): void {
    const length = pendingByteLength + end - start
    if (length > pendingBytes.length) {
      const grown = new Uint8Array(Math.max(length, pendingBytes.length * 2, 256))
      grown.set(pendingBytes.subarray(0, pendingByteLength))
      pendingBytes = grown
    }
    pendingBytes.set(end - start < chunk.length ? chunk.subarray(start, end) : chunk, pendingByteLength)
    pendingByteLength = length
  }

  /** Strips the stream's BOM, then reads lines. `fedAsString`: the caller fed a string, not bytes. */
  function readText(chunk: string, fedAsString: boolean): void {
    let text = chunk
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
    if (text !== '') readLines(text)
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
      if (skipping) skipping = false
      else if (pendingLine !== '') {
        const line = pendingLine + text.slice(start, end)
        pendingLine = ''
        parseLine(line, 0, line.length)
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
      } else {
        parseLine(text, start, end)
      }
      if (generation !== startGeneration) return
      start = next
      if (nextLF !== -1 && nextLF < start) nextLF = text.indexOf('\n', start)
      if (nextCR !== -1 && nextCR < start) nextCR = text.indexOf('\r', start)
    }
    if (start < length && (pendingLine.length >= HEAD || keeps(pendingLine + text.slice(start, start + HEAD)))) {
      pendingLine += start === 0 ? text : text.slice(start)
      if (pendingLine.length > maxBufferSize) checkBufferSize()
    }
  }

  /**
   * Whether to keep a line that has not ended yet and starts with `head` (its first `HEAD`
   * characters, or all): only while it may still be a `data`, `event`, `id` or `retry` field, or a
   * comment for `onComment`. Any other line is skipped to its end, never kept, as
   * `eventsource-parser` does ("Otherwise: The field is ignored."): so a comment nobody reads, an
   * unknown field or junk never outgrows `maxBufferSize`, however long, and reports nothing once a
   * chunk's end cut it, not even at `reset({consume: true})`.
   */
  function keeps(head: string): boolean {
    if (skipping) return false
    // Bytes at the stream's start: past the BOM that decoding strips, or waiting for the rest of it.
    if (streamStart !== undefined && agrees(head, BOM_AS_LATIN1)) {
      if (head.length < 4) return true
      head = head.slice(3)
    }
    const first = head.charCodeAt(0)
    if (first === COLON ? onComment : agrees(head, `${fieldNamed(first)}:`)) return true
    skipping = true
    // (Bytes skipped are never read as text: an LF after them ends this line, not a CRLF before it.)
    skipLeadingLF = false
    pendingLine = ''
    pendingByteLength = 0
    return false
  }

  /** Parses the line `text[start, end)`; `end` is a line end or the end of `text`. */
  function parseLine(text: string, start: number, end: number): void {
    // "If the line is empty (a blank line): Dispatch the event."
    if (start === end) return dispatchEvent()
    const first = text.charCodeAt(start)

    // "If the line starts with a U+003A COLON character (:): Ignore the line." (Reported as a comment.)
    if (first === COLON) {
      onComment?.(text.slice(text.charCodeAt(start + 1) === SPACE ? start + 2 : start + 1, end))
      return
    }

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
    let valueStart = colon + 1
    if (valueStart < end && text.charCodeAt(valueStart) === SPACE) valueStart++
    const value = valueStart < end ? text.slice(valueStart, end) : ''
    processField(field, value, text, start, end)
  }

  /** "Process the field": the spec's steps for each field name, compared literally. */
  function processField(field: string, value: string, text: string, start: number, end: number): void {
    switch (field) {
      case 'data':
        return appendData(value)
      case 'event':
        // "Set the event type buffer to the field value." An empty one means `message` at dispatch.
        eventType = value === '' ? undefined : value
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
        if (isAsciiDigits(value)) onRetry?.(parseInt(value, 10))
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
    const message = data === undefined ? undefined : {id, event: eventType, data}
    const blockId = id
    // Cleared before calling out, so a callback that feeds the parser again starts clean.
    // ("Set the data buffer and the event type buffer to the empty string.")
    data = undefined
    eventType = undefined
    id = undefined
    if (blockId !== undefined) onId?.(blockId)
    // "If the data buffer is an empty string, set the data buffer and the event type buffer to
    // the empty string and return."
    if (message !== undefined) onEvent?.(message)
  }

  /** Drops everything buffered once it outgrows `maxBufferSize`, and says so. */
  function checkBufferSize(): void {
    if (pendingLine.length + pendingByteLength + (data === undefined ? 0 : data.length) <= maxBufferSize) return
    clear()
    overflowed = true
    onError?.(
      new ParseError(`Buffered data exceeded max buffer size of ${maxBufferSize} characters`, {
        type: 'max-buffer-size-exceeded',
      }),
    )
  }

  function clear(): void {
    generation++
    pendingLine = ''
    pendingBytes = new Uint8Array(0)
    pendingByteLength = 0
    skipLeadingLF = false
    skipping = false
    streamStart = ''
    decoder = undefined
    overflowed = false
    data = undefined
    eventType = undefined
    id = undefined
  }

  function reset(options: {consume?: boolean | undefined} = {}): void {
    if (options.consume) {
      // An unterminated line is in `pendingBytes` (bytes fed) or `pendingLine` (text fed).
      const line =
        pendingByteLength > 0 ? (decoder ??= decoding.create())(pendingBytes, 0, pendingByteLength) : pendingLine
      pendingLine = ''
      pendingByteLength = 0
      // Read as text with a line end, so that a byte stream's BOM is stripped from it too.
      if (line !== '') readText(`${line}\n`, false)
    }
    clear()
  }

  return {feed, reset}
}

/** The only field that a line starting with character code `first` can be, if any. */
const fieldNamed = (first: number): string =>
  first === 0x64 ? 'data' : first === 0x65 ? 'event' : first === 0x69 ? 'id' : 'retry'

/** Whether `text` and `prefix` agree as far as the shorter goes. */
const agrees = (text: string, prefix: string): boolean => prefix.slice(0, text.length) === text.slice(0, prefix.length)

/** `bytes[start, end)` as Latin-1 text, one character per byte. */
const latin1 = (bytes: Uint8Array, start: number, end: number): string =>
  String.fromCharCode.apply(null, bytes.subarray(start, end) as unknown as number[])

/**
 * Whether the line at `start` begins with `field` and a colon. (The character after a line is a
 * line end or past the string, so the reads never run into the next line.)
 */
function startsWithField(text: string, start: number, field: string): boolean {
  for (let index = 0; index < field.length; index++) {
    if (text.charCodeAt(start + index) !== field.charCodeAt(index)) return false
  }
  return text.charCodeAt(start + field.length) === COLON
}

/** True when `value` is one or more of U+0030 (0) to U+0039 (9), and nothing else. */
const isAsciiDigits = (value: string): boolean => /^[0-9]+$/.test(value)
