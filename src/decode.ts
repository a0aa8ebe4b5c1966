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

/** The slice of Node's `Buffer` this module uses, found on `globalThis` (never imported). */
interface NodeBufferConstructor {
  from(buffer: ArrayBufferLike, byteOffset: number, length: number): {toString(encoding: 'utf8'): string}
}

/**
 * Returns the fastest exact decoder the runtime has. Node's `TextDecoder` decodes at about a
 * gigabyte a second while `Buffer#toString` decodes plain text several times faster (both apply the
 * WHATWG replacement rules), so Node gets the `Buffer` decoder and everything else `TextDecoder`.
 */
export function createUtf8Decoder(): Utf8Decoder {
  const NodeBuffer = (globalThis as {Buffer?: NodeBufferConstructor}).Buffer
  return typeof NodeBuffer?.from === 'function' ? createBufferDecoder(NodeBuffer) : createTextDecoder()
}

/** Decodes with `TextDecoder` in streaming mode, which holds a split character for the next call. */
export function createTextDecoder(): Utf8Decoder {
  const decoder = new TextDecoder('utf-8', {ignoreBOM: true})
  return (bytes) => decoder.decode(bytes, {stream: true})
}

/**
 * Decodes with Node's `Buffer`, which has no streaming mode: the bytes of a character that is cut
 * off at the end of a chunk are carried over and decoded with the first bytes of the next chunk.
 * Cutting only in front of a lead byte keeps the result equal to decoding the stream whole: a
 * decoder is always between characters when it meets a lead byte.
 */
export function createBufferDecoder(NodeBuffer: NodeBufferConstructor): Utf8Decoder {
  /** The first 1–3 bytes of a character whose remaining bytes have not arrived yet. */
  let carry: Uint8Array | undefined

  const decodeRange = (bytes: Uint8Array, start: number, end: number): string =>
    start === end ? '' : NodeBuffer.from(bytes.buffer, bytes.byteOffset + start, end - start).toString('utf8')

  return (bytes) => {
    let start = 0
    let head = ''
    if (carry !== undefined) {
      // Complete the carried character with the continuation bytes (10xxxxxx) this chunk starts with.
      const missing = sequenceLength(carry[0]!) - carry.length
      let taken = 0
      while (taken < missing && taken < bytes.length && (bytes[taken]! & 0xc0) === 0x80) taken++
      const joined = concat(carry, bytes.subarray(0, taken))
      if (taken < missing && taken === bytes.length) {
        // Still incomplete: this whole chunk belongs to the same character.
        carry = joined
        return ''
      }
      carry = undefined
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
 * The end of the part of `bytes` (from `start`) that holds only whole characters: the index of a
 * trailing lead byte whose character is cut off, or `bytes.length`. Looks at the last 3 bytes only.
 */
function completeEnd(bytes: Uint8Array, start: number): number {
  const length = bytes.length
  for (let index = length - 1; index >= start && index >= length - 3; index--) {
    const byte = bytes[index]!
    if (byte < 0x80) return length
    if (byte >= 0xc0) return sequenceLength(byte) > length - index ? index : length
  }
  return length
}

function concat(first: Uint8Array, second: Uint8Array): Uint8Array {
  const joined = new Uint8Array(first.length + second.length)
  joined.set(first)
  joined.set(second, first.length)
  return joined
}
