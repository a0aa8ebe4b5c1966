/**
 * UTF-8 decoding for byte chunks that may split a character anywhere.
 *
 * The event stream is always UTF-8: "Event streams are always decoded as UTF-8. There is no way to
 * specify another character encoding." (WHATWG HTML, § 9.2.5). Invalid bytes become U+FFFD, as
 * the spec's "UTF-8 decode" does. A leading BOM is kept here: the parser strips exactly one itself,
 * whether it arrives as bytes or inside a string.
 */

/** Turns the next chunk of a byte stream into the text it completes. */
export type Utf8Decoder = (bytes: Uint8Array) => string

/** Node's byte-range UTF-8 decoder: `Buffer.prototype.utf8Slice`, which takes any Uint8Array. */
type Utf8Slice = (this: Uint8Array, start: number, end: number) => string

interface NodeGlobals {
  process?: {versions?: {node?: string}}
  Buffer?: {prototype?: {utf8Slice?: Utf8Slice}}
}

/**
 * Returns the fastest exact decoder the runtime has. In Node, `Buffer`'s decoder turns ASCII into
 * text several times faster than `TextDecoder`, which in turn is about twice as fast on other text
 * (both apply the WHATWG replacement rules): Node (and runtimes that implement its `Buffer`, such as
 * Bun) get a decoder that picks per chunk, elsewhere `TextDecoder` does it all. Only in Node: a
 * `Buffer` polyfill in a browser page would decode in JavaScript.
 */
export function createUtf8Decoder(): Utf8Decoder {
  const {process, Buffer} = globalThis as NodeGlobals
  const utf8Slice = process?.versions?.node === undefined ? undefined : Buffer?.prototype?.utf8Slice
  return typeof utf8Slice === 'function' ? createSliceDecoder(adaptiveRangeDecoder(utf8Slice)) : createTextDecoder()
}

/**
 * Decodes whole characters with `utf8Slice` while the text is ASCII and with `TextDecoder` once it
 * is not, guessing each chunk from the one before: a stream tends to stay one or the other.
 * (`TextDecoder` in streaming mode, then flushed: in Node 20 that path is twice as fast on such text
 * as a one-shot `decode`.)
 */
function adaptiveRangeDecoder(utf8Slice: Utf8Slice): Utf8Slice {
  const textDecoder = new TextDecoder('utf-8', {ignoreBOM: true})
  let ascii = true
  return function (this: Uint8Array, start, end) {
    // The flush (`decode()`) turns a character cut off at the end of the range into U+FFFD, as a
    // one-shot decode does: a range either ends between characters or is followed by a lead byte.
    const text = ascii
      ? utf8Slice.call(this, start, end)
      : textDecoder.decode(this.subarray(start, end), {stream: true}) + textDecoder.decode()
    // Only all-ASCII bytes give one character per byte.
    ascii = text.length === end - start
    return text
  }
}

/** Decodes with `TextDecoder` in streaming mode, which holds a split character for the next call. */
export function createTextDecoder(): Utf8Decoder {
  const decoder = new TextDecoder('utf-8', {ignoreBOM: true})
  return (bytes) => decoder.decode(bytes, {stream: true})
}

/**
 * Decodes with a byte-range decoder that has no streaming mode: the bytes of a character that is cut
 * off at the end of a chunk are carried over and decoded with the first bytes of the next chunk.
 * Cutting only in front of a lead byte keeps the result equal to decoding the stream whole: a
 * decoder is always between characters when it meets a lead byte.
 */
export function createSliceDecoder(utf8Slice: Utf8Slice): Utf8Decoder {
  /** The first 1–3 bytes of a character whose remaining bytes have not arrived yet. */
  let carry: Uint8Array | undefined

  const decodeRange = (bytes: Uint8Array, start: number, end: number): string =>
    start === end ? '' : utf8Slice.call(bytes, start, end)

  return (bytes) => {
    let start = 0
    let head = ''
    if (carry !== undefined) {
      // Complete the carried character with the continuation bytes (10xxxxxx) this chunk starts with.
      const missing = sequenceLength(carry[0]!) - carry.length
      let taken = 0
      while (taken < missing && taken < bytes.length && (bytes[taken]! & 0xc0) === 0x80) taken++
      const joined = concat(carry, bytes.subarray(0, taken))
      carry = undefined
      if (taken === bytes.length && completeEnd(joined, 0) === 0) {
        // Still a cut-off character: the whole chunk belongs to it.
        carry = joined
        return ''
      }
      head = decodeRange(joined, 0, joined.length)
      start = taken
    }
    const end = completeEnd(bytes, start)
    if (end < bytes.length) carry = bytes.slice(end)
    return head + decodeRange(bytes, start, end)
  }
}

/** How many bytes the character that starts with `lead` has; 0 for a byte no character starts with. */
function sequenceLength(lead: number): number {
  if (lead < 0x80) return 1
  if (lead < 0xc2) return 0 // a continuation byte, or C0/C1 (never valid in UTF-8)
  if (lead < 0xe0) return 2
  if (lead < 0xf0) return 3
  return lead < 0xf5 ? 4 : 0
}

/**
 * The end of the part of `bytes` (from `start`) that a streaming decoder would decode now: the
 * index of a trailing lead byte whose character is cut off but can still be completed, or
 * `bytes.length`. Looks at the last 3 bytes only.
 */
function completeEnd(bytes: Uint8Array, start: number): number {
  const length = bytes.length
  for (let index = length - 1; index >= start && index >= length - 3; index--) {
    const byte = bytes[index]!
    if (byte < 0x80) return length
    if (byte >= 0xc0) {
      if (sequenceLength(byte) <= length - index) return length
      return index + 1 === length || canFollow(byte, bytes[index + 1]!) ? index : length
    }
  }
  return length
}

/**
 * Whether `second` may follow the lead byte `lead` in well-formed UTF-8, which excludes overlong
 * forms, surrogates and code points past U+10FFFF (WHATWG Encoding, "UTF-8 decoder").
 */
function canFollow(lead: number, second: number): boolean {
  if (lead === 0xe0) return second >= 0xa0 && second <= 0xbf
  if (lead === 0xed) return second >= 0x80 && second <= 0x9f
  if (lead === 0xf0) return second >= 0x90 && second <= 0xbf
  if (lead === 0xf4) return second >= 0x80 && second <= 0x8f
  return second >= 0x80 && second <= 0xbf
}

function concat(first: Uint8Array, second: Uint8Array): Uint8Array {
  const joined = new Uint8Array(first.length + second.length)
  joined.set(first)
  joined.set(second, first.length)
  return joined
}
