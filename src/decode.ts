/**
 * UTF-8 decoding of whole lines of the event stream.
 *
 * The event stream is always UTF-8: "Event streams are always decoded as UTF-8. There is no way to
 * specify another character encoding." (WHATWG HTML, § 9.2.5). Invalid bytes become U+FFFD, as the
 * spec's "UTF-8 decode" does. The parser only decodes bytes up to a line end (an ASCII byte, never
 * inside a character), so no character is ever cut in two here and no decoder state is carried.
 * A leading BOM is kept: the parser strips exactly one itself, whether it comes as bytes or text.
 */

/** Decodes `bytes[start, end)`, which holds whole characters (or invalid bytes). */
export type Utf8Decoder = (bytes: Uint8Array, start: number, end: number) => string

/** Node's byte-range UTF-8 decoder: `Buffer.prototype.utf8Slice`, which takes any Uint8Array. */
type Utf8Slice = (this: Uint8Array, start: number, end: number) => string

interface NodeGlobals {
  process?: {versions?: {node?: string}}
  Buffer?: {prototype?: {utf8Slice?: Utf8Slice}}
}

/**
 * Returns the fastest exact decoder the runtime has. In Node, `Buffer`'s decoder turns ASCII into
 * text several times faster than `TextDecoder`, which is faster on other text (both apply the
 * WHATWG replacement rules): Node (and runtimes that implement its `Buffer`, such as Bun) get a
 * decoder that picks per call, elsewhere `TextDecoder` does it all. Only in Node: a `Buffer`
 * polyfill in a browser page would decode in JavaScript.
 */
export function createUtf8Decoder(): Utf8Decoder {
  const {process, Buffer} = globalThis as NodeGlobals
  const utf8Slice = process?.versions?.node === undefined ? undefined : Buffer?.prototype?.utf8Slice
  const textDecoder = createTextDecoder()
  return typeof utf8Slice === 'function' ? createAdaptiveDecoder(utf8Slice, textDecoder) : textDecoder
}

/**
 * `TextDecoder` in streaming mode: in Node 20 that path is about twice as fast on non-ASCII text as
 * a one-shot `decode`, and gives the same text for a range that ends with a line end (an ASCII byte
 * leaves nothing held back). Any other range, such as an unterminated last line, is flushed.
 */
export function createTextDecoder(): Utf8Decoder {
  const decoder = new TextDecoder('utf-8', {ignoreBOM: true})
  return (bytes, start, end) => {
    const text = decoder.decode(bytes.subarray(start, end), {stream: true})
    const last = bytes[end - 1]
    return last === 0x0a || last === 0x0d ? text : text + decoder.decode()
  }
}

/**
 * Decodes with `utf8Slice` while the text is ASCII and with `TextDecoder` once it is not, guessing
 * each call from the one before: a stream tends to stay one or the other.
 */
export function createAdaptiveDecoder(utf8Slice: Utf8Slice, textDecoder: Utf8Decoder): Utf8Decoder {
  let ascii = true
  return (bytes, start, end) => {
    const text = ascii ? utf8Slice.call(bytes, start, end) : textDecoder(bytes, start, end)
    // Only all-ASCII bytes give one character per byte.
    ascii = text.length === end - start
    return text
  }
}
