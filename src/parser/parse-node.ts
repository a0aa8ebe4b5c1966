/// <reference types="node" />
/**
 * The Node build's `text/event-stream` parser: scripts/platform-swaps.mjs puts this module in place of
 * ./parse.ts there, so it is never in a browser bundle. It reports exactly what ./parse.ts reports, for
 * any stream cut anywhere, as text or bytes, with any `maxBufferSize` and a `reset()` from inside any
 * callback (test/parse-differential.test.ts, part g); it is faster there, and larger.
 *
 * What differs from ./parse.ts, each measured on bench/parse.mjs's corpora in Node 20:
 * - A small read that cuts a line but ends with an ASCII byte is decoded whole (see `readBytes`), so the
 *   start of that line is kept as text, not copied as bytes and decoded again with the rest of its
 *   line (llm-tokens, small-reads).
 * - A read that is one `data:` line and a blank line is dispatched without the line loop, and small
 *   reads are decoded by a `TextDecoder` of the parser's own, a call fewer (llm-tokens-each).
 * - Text without CR is split at LF alone, one search a line, and each of the two loops has the
 *   parsing of a line written out in it (feed, crlf).
 *
 * The constants and field helpers come from ./parse.ts; the parsing of a line, the dispatch and the
 * buffer limit are written again here: in ./parse.ts they live in `createParser`'s closure, which is
 * what keeps it within its size limit (1790 B gzipped), and the differential tests keep the copies equal.
 *
 * @see https://html.spec.whatwg.org/multipage/server-sent-events.html#parsing-an-event-stream
 * @see https://html.spec.whatwg.org/multipage/server-sent-events.html#event-stream-interpretation
 */
import {decoding, LARGE_RANGE, nodeDecoderAvailable} from './decode-node.js'
import {BOM_AS_LATIN1, createParser as createPortableParser, fieldNamed, SKIPPED, startsWithField} from './parse.js'
import {ParseError} from '../errors.js'
import type {EventSourceParser, ParserConfig} from './types.js'
import type {Utf8Decoder} from './decode.js'

const LF = 0x0a
const CR = 0x0d
const SPACE = 0x20
const COLON = 0x3a
/**
 * From this many characters on, the start of a line is no longer added to as text, one string a read,
 * but as bytes, decoded once the line ends: a 10 MB line read 64 bytes at a time took 19 times as long
 * as a 1 MB one when kept as text (a rope of 160,000 strings), 10 times when kept as bytes.
 */
const LONG_LINE = 1024

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
export const createParser: (config: ParserConfig) => EventSourceParser = nodeDecoderAvailable
  ? createNodeParser
  : // A runtime that matches the `node` condition without Node's `Buffer` methods (see ./decode-node.ts).
    createPortableParser

function createNodeParser(config: ParserConfig): EventSourceParser {
  if (typeof config === 'function') {
    throw new TypeError(
      '`config` must be an object: did you mean `createParser({onEvent: fn})`?',
    )
  }
  const {onEvent, onId, onRetry, onComment, onError, maxBufferSize = Infinity} = config

  // The line that has not ended yet: `pendingLine` (text), or `pendingBytes` up to `pendingByteLength`
  // (bytes still undecoded: a character may be cut at their end), never both. Either counts against
  // maxBufferSize as ./parse.ts counts it, since text is only kept from strings and from reads of one
  // byte a character (see `readBytes`); once a line's bytes are kept, so is the rest of the line.
  let pendingLine = ''
  let pendingBytes: Uint8Array | undefined
  let pendingByteLength = 0
  // A line ended with CR at the very end of a chunk: an LF starting the next chunk is the
  // second half of the same CRLF, not a blank line.
  let skipLeadingLF = false
  // What the stream held so far while it could still be the start of a BOM; `undefined` once
  // the stream's first characters have been seen.
  let streamStart: string | undefined = ''
  // Small reads that are likely ASCII are decoded whole by `oneShot`, called here rather than through
  // `decoder` (one call fewer a read: 7 ns of the 130 ns a one-event read took); the rest by `decoder`,
  // ./decode-node.ts's. `ascii`: whether the last read decoded to one character a byte.
  const oneShot = new TextDecoder('utf-8', {ignoreBOM: true})
  let ascii = true
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
        'Cannot feed parser: it exceeded maxBufferSize. Call `reset()` first.',
      )
    }
    if (typeof chunk === 'string') readText(chunk, true)
    else readBytes(chunk)
  }

  /**
   * Decodes a read and parses its lines. A read that ends with a line end is decoded whole. So is a
   * small read that ends with another ASCII byte: it ends with a whole character, and decoding it
   * whole gives the text that decoding it in pieces would (an ASCII byte ends any sequence before it
   * and starts none), so the start of its last line is kept as text, not copied as bytes and decoded
   * again with the rest of its line. Kept text counts against maxBufferSize in characters where
   * ./parse.ts counts bytes, so only a read that decoded to one character a byte (ASCII, or bytes that
   * each became a U+FFFD) keeps text. Any other read is decoded up to its last line end, and the rest
   * kept as bytes.
   */
  function readBytes(chunk: Uint8Array): void {
    const length = chunk.length
    if (length === 0) return
    const last = chunk[length - 1]!
    const endsLine = last === LF || last === CR
    if (
      pendingByteLength === 0 &&
      // (A large read that cuts a line takes the way below: copying the start of that line costs little
      // beside the read, and a long line is best kept as bytes, decoded once: see LONG_LINE.)
      (endsLine || (last < 0x80 && ascii && length < LARGE_RANGE && pendingLine.length < LONG_LINE))
    ) {
      const text = ascii && length < LARGE_RANGE ? oneShot.decode(chunk) : (decoder ??= decoding.create())(chunk, 0, length)
      ascii = text.length === length
      if (ascii || endsLine) {
        // A read that is one `data:` line and a blank line (a server that flushes each event, read as it
        // comes: an LLM's tokens) is dispatched here, without the line loop.
        const end = length - 2
        if (
          chunk[end] === LF &&
          last === LF &&
          streamStart === undefined &&
          pendingLine === '' &&
          data === undefined &&
          !skipLeadingLF &&
          ascii &&
          isData(text, 0) &&
          text.indexOf('\n') === end &&
          text.indexOf('\r') === -1
        ) {
          // ("If the data buffer is an empty string", dispatch does nothing more than for any event.)
          appendData(text.slice(text.charCodeAt(5) === SPACE ? 6 : 5, end))
          if (data !== undefined) dispatchEvent()
        } else if (streamStart !== undefined) readText(text, false)
        else readLines(text, true)
        return
      }
      // (Decoded in vain, and again below: `ascii` now keeps the reads that follow from it.)
    }
    const lastEnd = decoding.lastLineEnd(chunk, length)
    const startGeneration = generation
    if (lastEnd !== -1) {
      decoder ??= decoding.create()
      let text: string
      if (pendingByteLength === 0) {
        text = decoder(chunk, 0, lastEnd + 1)
        ascii = text.length === lastEnd + 1
      } else {
        // Not counted against maxBufferSize: the line ends in this chunk (as eventsource-parser counts).
        keepBytes(chunk, 0, lastEnd + 1)
        text = decoder(pendingBytes!, 0, pendingByteLength)
        ascii = text.length === pendingByteLength
        pendingByteLength = 0
      }
      readText(text, false)
    }
    // (Nothing is kept of a skipped line: see SKIPPED.)
    if (pendingLine !== SKIPPED && generation === startGeneration && lastEnd + 1 < length) {
      // (A line that has not ended in this read either: its start, if kept as text, goes first.)
      if (pendingLine !== '') keepTextAsBytes()
      keepBytes(chunk, lastEnd + 1, length)
      // Counted against maxBufferSize as characters: bytes are never fewer than the UTF-16 code units
      // they decode to, so the limit holds (reached a little early by non-ASCII text).
      if (pendingByteLength > maxBufferSize) checkBufferSize()
    }
  }

  /**
   * Moves the start of a line kept as text to the pending bytes, where the rest of the line goes: so
   * that a long line becomes one string in one decode when it ends (see LONG_LINE), and the kept bytes
   * of a line that is `id:\0` so far are not taken for SKIPPED. Such text came from reads of one byte a
   * character: ASCII, and U+FFFD for an invalid byte, which 0xFF decodes to again whatever surrounds it.
   */
  function keepTextAsBytes(): void {
    const text = pendingLine
    pendingLine = ''
    reserveBytes(text.length)
    for (let index = 0; index < text.length; index++) {
      const code = text.charCodeAt(index)
      pendingBytes![index] = code < 0x80 ? code : 0xff
    }
    pendingByteLength = text.length
  }

  /** Makes room for `length` pending bytes in all, growing the buffer by doubling. */
  function reserveBytes(length: number): void {
    if (!pendingBytes || length > pendingBytes.length) {
      const grown = new Uint8Array(Math.max(length, pendingByteLength * 2, 256))
      if (pendingByteLength) grown.set(pendingBytes!.subarray(0, pendingByteLength))
      pendingBytes = grown
    }
  }

  /** Appends `chunk[start, end)` to the pending bytes, growing the buffer by doubling. */
  function keepBytes(chunk: Uint8Array, start: number, end: number): void {
    const length = pendingByteLength + end - start
    reserveBytes(length)
    // A few bytes (the start of a line, as most reads leave) are copied faster by a loop than by `set`.
    if (end - start > 64) pendingBytes!.set(end - start < chunk.length ? chunk.subarray(start, end) : chunk, pendingByteLength)
    else while (start < end) pendingBytes![length - end + start] = chunk[start++]!
    pendingByteLength = length
  }

  /** Strips the stream's BOM, then reads lines. `fedAsString`: the caller fed a string, not bytes. */
  function readText(text: string, fedAsString: boolean): void {
    if (streamStart !== undefined) {
      // "The UTF-8 decode algorithm strips one leading UTF-8 Byte Order Mark (BOM), if any."
      text = streamStart + text
      // (A BOM fed as Latin-1 text is waited for as long as the text could still be its start.)
      if (text === '' || (fedAsString && BOM_AS_LATIN1.startsWith(text))) {
        streamStart = text
        return
      }
      streamStart = undefined
      if (text.charCodeAt(0) === 0xfeff /* BOM */) text = text.slice(1)
      else if (fedAsString && text.startsWith(BOM_AS_LATIN1)) text = text.slice(3)
    }
    if (text !== '') readLines(text, !fedAsString)
  }

  /**
   * Splits `text` into lines ("CRLF, LF or CR") and parses each; keeps an unterminated tail. Nearly
   * every stream has no CR: text without one is split at LF alone, one search a line, not two.
   */
  function readLines(text: string, fromBytes: boolean): void {
    if (text.indexOf('\r') === -1) readLinesLF(text, fromBytes)
    else readLinesCR(text, fromBytes)
  }

  /** readLines for text without CR. */
  function readLinesLF(text: string, fromBytes: boolean): void {
    const length = text.length
    const startGeneration = generation
    let start = 0
    if (skipLeadingLF) {
      skipLeadingLF = false
      if (text.charCodeAt(0) === LF) start = 1
    }
    for (let end = text.indexOf('\n', start); end !== -1; end = text.indexOf('\n', start)) {
      // (The same as readLinesCR's, written out in each loop: a function for it cost 3-7% on feed and
      // crlf, as measured with bench/parse.mjs's corpora in Node 20.)
      let next = end + 1
      if (pendingLine !== '') {
        const line = pendingLine + text.slice(start, end)
        pendingLine = ''
        parseLine(line, 0, line.length)
      } else if (isData(text, start)) {
        const value = text.slice(text.charCodeAt(start + 5) === SPACE ? start + 6 : start + 5, end)
        if (data === undefined && text.charCodeAt(next) === LF && value.length <= maxBufferSize) {
          data = value
          next++
          dispatchEvent()
        } else appendData(value)
      } else if (start === end) {
        // "If the line is empty (a blank line): Dispatch the event."
        dispatchEvent()
      } else {
        parseLine(text, start, end)
      }
      start = next
      if (generation !== startGeneration || start === length) return
    }
    keepText(text, start, fromBytes)
  }

  /** readLines for text with a CR. */
  function readLinesCR(text: string, fromBytes: boolean): void {
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
      // Nearly every line is `data:`: checked here first. One that starts an event and is followed by a
      // blank line (LF) is a whole event, dispatched without searching for the blank line's end.
      if (pendingLine !== '') {
        const line = pendingLine + text.slice(start, end)
        pendingLine = ''
        parseLine(line, 0, line.length)
      } else if (isData(text, start)) {
        const value = text.slice(text.charCodeAt(start + 5) === SPACE ? start + 6 : start + 5, end)
        if (data === undefined && text.charCodeAt(next) === LF && value.length <= maxBufferSize) {
          data = value
          next++
          dispatchEvent()
        } else appendData(value)
      } else if (start === end) {
        // "If the line is empty (a blank line): Dispatch the event."
        dispatchEvent()
      } else {
        parseLine(text, start, end)
      }
      start = next
      if (generation !== startGeneration) return
      if (nextLF !== -1 && nextLF < start) nextLF = text.indexOf('\n', start)
      if (nextCR !== -1 && nextCR < start) nextCR = text.indexOf('\r', start)
    }
    keepText(text, start, fromBytes)
  }

  /** Keeps `text` from `start` on, the start of a line that has not ended yet. */
  function keepText(text: string, start: number, fromBytes: boolean): void {
    // (Nothing is kept of a skipped line.)
    if (start < text.length && pendingLine !== SKIPPED) {
      pendingLine += text.slice(start)
      // ./parse.ts keeps the bytes of such a line, which never stand for SKIPPED: so here too.
      if (pendingLine === SKIPPED && fromBytes) keepTextAsBytes()
      if (pendingLine.length + pendingByteLength > maxBufferSize) checkBufferSize()
    }
  }

  /**
   * Parses the line `text[start, end)`, which is not empty (readLines dispatches at a blank line); `end`
   * is a line end or the end of `text`.
   */
  function parseLine(text: string, start: number, end: number): void {
    const first = text.charCodeAt(start)

    // "If the line starts with a U+003A COLON character (:): Ignore the line." (Reported as a comment.)
    if (first === COLON) return onComment?.(text.slice(text.charCodeAt(start + 1) === SPACE ? start + 2 : start + 1, end))

    // "If the line contains a U+003A COLON character (:): Collect the characters on the line before
    // the first U+003A COLON character (:), and let field be that string. [...] If value starts with
    // a U+0020 SPACE character, remove it from value." "Otherwise, [...] using the whole line as the
    // field name, and the empty string as the field value."
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
        if (/^[0-9]+$/.test(value)) onRetry?.(+value)
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
   * Takes the line that has not ended yet (its text and its decoded bytes, without the stream's BOM
   * when it starts the stream; `''` if none), and frees its buffers, as ./parse.ts's `takeLine` does:
   * only while it may still be a field or a comment for `onComment`; any other line is dropped, the
   * rest of it skipped up to its line end (see SKIPPED), and `undefined` returned.
   */
  function takeLine(): string | undefined {
    let line = pendingLine
    if (pendingByteLength > 0) line += (decoder ??= decoding.create())(pendingBytes!, 0, pendingByteLength)
    pendingLine = ''
    pendingBytes = undefined
    pendingByteLength = 0
    if (streamStart !== undefined && line.charCodeAt(0) === 0xfeff /* BOM */) line = line.slice(1)
    const first = line.charCodeAt(0)
    const field = `${fieldNamed(first)}:`
    if (first === COLON ? onComment : field.startsWith(line.slice(0, field.length))) return line
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
    ascii = true
  }

  function reset(options?: {consume?: boolean | undefined}): void {
    if (options?.consume) {
      const line = takeLine()
      if (line) parseLine(line, 0, line.length)
    }
    clear()
  }

  return {feed, reset}
}

/** Whether the line at `start` begins with `data:`, nearly every line: checked before anything else. */
const isData = (text: string, start: number): boolean =>
  text.charCodeAt(start) === 0x64 &&
  text.charCodeAt(start + 1) === 0x61 &&
  text.charCodeAt(start + 2) === 0x74 &&
  text.charCodeAt(start + 3) === 0x61 &&
  text.charCodeAt(start + 4) === COLON
