/**
 * UTF-8 decoding of the event stream in ranges of whole characters, and finding where lines end in
 * bytes.
 *
 * The event stream is always UTF-8: "Event streams are always decoded as UTF-8. There is no way to
 * specify another character encoding." (WHATWG HTML, § 9.2.5). Invalid bytes become U+FFFD, as the
 * spec's "UTF-8 decode" does. The parser only decodes bytes up to a line end or up to a byte that
 * starts a character (never inside a character), so no character is ever cut in two there and no
 * decoder state is carried from one range to the next. A leading BOM is kept: the parser strips
 * exactly one itself, whether it comes as bytes or text.
 *
 * Everywhere this uses `TextDecoder`. The Node build puts ./decode-node.ts, Node's faster `Buffer`
 * decoders, in this module's place (scripts/platform-swaps.mjs), and the full ES5 script-tag build
 * ./decode-legacy.ts, with the JavaScript decoder of ./utf8.ts where there is no `TextDecoder`
 * (rollup.config.mjs). Neither is imported from here, so a bundle for browsers carries neither.
 */

/** Decodes `bytes[start, end)`, which holds whole characters (or invalid bytes). */
export type Utf8Decoder = (bytes: Uint8Array, start: number, end: number) => string

/** The index of the last LF or CR byte in `bytes[0, end)`, or -1. */
export type LineEndFinder = (bytes: Uint8Array, end: number) => number

/** The part of `TextDecoder` used here: src/parser/utf8.ts implements it where `TextDecoder` is missing. */
export interface StreamingTextDecoder {
  decode(input?: Uint8Array, options?: {stream?: boolean}): string
}

/**
 * What parsers use for bytes: `create` makes the decoder of one parser (called when it first gets
 * bytes), `lastLineEnd` finds line ends. Other builds put a module of their own in this one's place;
 * tests that compare decoders replace these through {@link installUtf8Decoder}.
 */
export const decoding: {create: () => Utf8Decoder; lastLineEnd: LineEndFinder} = {
  create: createTextDecoder,
  lastLineEnd(bytes, end) {
    // LF and CR bytes only ever mean LF and CR in UTF-8: never part of another character.
    while (--end >= 0 && bytes[end] !== 0x0a && bytes[end] !== 0x0d);
    return end
  },
}

/**
 * Makes every parser created from now on decode bytes with decoders from `createDecoder` (one per
 * parser, called when it first gets bytes), and find line ends with `lastLineEnd` when given. For
 * the tests that compare decoders on the same parser (test/parse-node.test.ts, test/decode.test.ts):
 * no module of the library calls it, since each build puts its decoding module in this one's place.
 */
export function installUtf8Decoder(createDecoder: () => Utf8Decoder, lastLineEnd?: LineEndFinder): void {
  decoding.create = createDecoder
  if (lastLineEnd) decoding.lastLineEnd = lastLineEnd
}

/**
 * `decoder` (by default a new `TextDecoder`) decoding each range on its own, not in streaming mode:
 * every range holds whole characters (it ends with a line end, an ASCII byte, before a byte that
 * starts a character, or at the end of the stream), so the text is the same, and Node 20 decodes
 * ASCII in one-shot calls several times faster (16 KiB: 3 µs against 18 µs; a streaming call turns
 * its fast path off for good).
 *
 * A range that is the whole chunk (as most reads of a stream that flushes whole events are) is passed
 * as it is: Chromium wraps every typed array that a `TextDecoder` is given, once per array, and the
 * chunks of a fetch body come wrapped already, so a `subarray` made for each call costs a wrapper each
 * (Chromium 156, 1 MB of bench/parse-corpora.mjs's llm-tokens-each, one read per event, fastest of many
 * runs in one page: 1.05x and 1.06x `eventsource-parser` with a subarray for every range, 1.19x twice
 * without. bench/parse-browser.mjs, whose pages vary more from one to the next, printed 1.04x before and
 * 1.32x, 1.02x and 1.06x after on 2026-12-07: a gain smaller than that variation.)
 */
export function createTextDecoder(
  decoder: StreamingTextDecoder = new TextDecoder('utf-8', {ignoreBOM: true}),
): Utf8Decoder {
  return (bytes, start, end) => decoder.decode(start || end < bytes.length ? bytes.subarray(start, end) : bytes)
}
