/// <reference types="node" />
/**
 * Node's faster ways to decode UTF-8 and to find line ends in bytes: the Node build (package.json
 * `exports` condition `node`) puts this module in place of ./decode.ts (scripts/platform-swaps.mjs),
 * so it is never in a browser bundle.
 *
 * Measured in Node 20 (bench/parse.mjs and the notes below): `Buffer`'s `utf8Slice` turns short
 * ASCII ranges into text several times faster than `TextDecoder`; `TextDecoder` in streaming mode
 * is twice as fast as `utf8Slice` on other text; `Buffer`'s `lastIndexOf` finds a byte with
 * `memrchr`, 30 times faster than a JavaScript loop over 64 KiB. All of them apply the WHATWG
 * replacement rules, so the text is exactly what `TextDecoder` gives.
 */
import * as nodeBuffer from 'node:buffer'
import {decoding as portableDecoding, type LineEndFinder, type Utf8Decoder} from './decode.js'

export {createTextDecoder, installUtf8Decoder, type LineEndFinder, type StreamingTextDecoder, type Utf8Decoder} from './decode.js'

type Slice = (this: Uint8Array, start: number, end: number) => string
type LastIndexOf = (this: Uint8Array, value: number, byteOffset: number) => number

const {prototype} = nodeBuffer.Buffer as unknown as {
  prototype: {utf8Slice: Slice; latin1Slice: Slice; lastIndexOf: LastIndexOf}
}
const {utf8Slice, latin1Slice, lastIndexOf} = prototype
/**
 * Whether this runtime's `Buffer` has the methods used here: Node's does; runtimes that also match
 * the `node` export condition (Deno, Bun) may lack `utf8Slice`/`latin1Slice`, and then keep the
 * portable decoder.
 */
export const nodeDecoderAvailable = [utf8Slice, latin1Slice, lastIndexOf].every((method) => typeof method == 'function')
// Node 18.15 and later.
const isAscii = (nodeBuffer as {isAscii?: (bytes: Uint8Array) => boolean}).isAscii

/**
 * From this many bytes on, a range is checked for ASCII (with SIMD, about 30 µs per MB) rather than
 * guessed from the range before (a guess that fails costs a decode with `utf8Slice`, slow on other
 * text; streams that mix the two, such as chat in several languages, failed it often) and, if it
 * is, decoded as Latin-1: a plain copy, about twice as fast as `utf8Slice` on 64 KiB.
 */
export const LARGE_RANGE = 1024

/**
 * Not from this many bytes on (Node's `EXTERN_APEX`): Node makes a Latin-1 string that long an
 * external string in `malloc`ed memory. Whether that memory is reused or taken fresh from the system
 * depends on the allocator's history, so such a decode took 0.1 ms or 3 ms per MB from one run to
 * the next: the 1 MB line then parsed 10 times faster than the 10 MB line did per byte. `utf8Slice`
 * makes an ordinary V8 string, whose cost per MB does not depend on the length.
 */
const EXTERNAL = 0xfbee9

/**
 * A decoder that uses `utf8Slice` while the text is ASCII and `TextDecoder` once it is not, guessing
 * each call from the one before (a stream tends to stay one or the other), and Latin-1 for large
 * ranges that are ASCII.
 */
export function createNodeDecoder(): Utf8Decoder {
  const textDecoder = createStreamingDecoder()
  // Never in streaming mode, so Node keeps its fast path (simdutf) for it: on ranges of one small
  // event (70 B), 113 ns a call against 165 ns for `utf8Slice`.
  const oneShot = new TextDecoder('utf-8', {ignoreBOM: true})
  let ascii = true
  return (bytes, start, end) => {
    const length = end - start
    if (length >= LARGE_RANGE && isAscii) {
      // Whether a large range is ASCII is known for the price of a call, rather than guessed.
      ascii = isAscii(bytes.subarray(start, end))
      if (ascii) return (length < EXTERNAL ? latin1Slice : utf8Slice).call(bytes, start, end)
      return textDecoder(bytes, start, end)
    }
    const text = ascii ? oneShot.decode(start === 0 && end === bytes.length ? bytes : bytes.subarray(start, end)) : textDecoder(bytes, start, end)
    // Only all-ASCII bytes give one character per byte.
    ascii = text.length === length
    return text
  }
}

/**
 * How many bytes at the end of a range are searched in JavaScript before `memrchr` takes over: most
 * reads end at a line end or a few bytes after one, and a loop over them costs less than the two calls
 * into C++ (measured: one small event a read spent a tenth of its time in them).
 */
const NEAR_END = 32

/**
 * `TextDecoder` in streaming mode, for text that is not ASCII: in Node 20 about 1.7 times as fast
 * there as one-shot calls (./decode.ts), and the same text for a range that ends with a line end (an
 * ASCII byte leaves nothing held back). Any other range, such as an unterminated last line, is flushed.
 */
function createStreamingDecoder(): Utf8Decoder {
  const decoder = new TextDecoder('utf-8', {ignoreBOM: true})
  return (bytes, start, end) => {
    const text = decoder.decode(bytes.subarray(start, end), {stream: true})
    const last = bytes[end - 1]
    return last === 0x0a || last === 0x0d ? text : text + decoder.decode()
  }
}

/** The last LF or CR in `bytes[0, end)`: near the end by a loop, further back by `memrchr`. */
export function nodeLastLineEnd(bytes: Uint8Array, end: number): number {
  const stop = end > NEAR_END ? end - NEAR_END : 0
  for (let index = end - 1; index >= stop; index--) {
    const byte = bytes[index]
    if (byte === 0x0a || byte === 0x0d) return index
  }
  if (stop === 0) return -1
  const lf = lastIndexOf.call(bytes, 0x0a, stop - 1)
  const cr = lastIndexOf.call(bytes, 0x0d, stop - 1)
  return lf > cr ? lf : cr
}

/**
 * What parsers use for bytes in the Node build, where this module replaces ./decode.ts
 * (scripts/platform-swaps.mjs): `Buffer`'s decoders where the runtime's `Buffer` has them.
 */
export const decoding: {create: () => Utf8Decoder; lastLineEnd: LineEndFinder} = nodeDecoderAvailable
  ? {create: createNodeDecoder, lastLineEnd: nodeLastLineEnd}
  : portableDecoding
