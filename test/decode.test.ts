import fc from 'fast-check'
import {expect, test, vi} from 'vitest'
import {createNodeDecoder, nodeLastLineEnd} from '../src/parser/decode-node.js'
import {createTextDecoder, decoding, installUtf8Decoder, type Utf8Decoder} from '../src/parser/decode.js'

/** What the spec's UTF-8 decode gives for the whole of `bytes`, BOM kept. */
function reference(bytes: Uint8Array): string {
  return new TextDecoder('utf-8', {ignoreBOM: true}).decode(bytes)
}

// Bytes that exercise UTF-8: ASCII, continuation bytes, every kind of lead byte, and invalid ones.
const utf8ishByte = fc.oneof(
  fc.integer({min: 0x00, max: 0x7f}),
  fc.integer({min: 0x80, max: 0xbf}),
  fc.integer({min: 0xc0, max: 0xff}),
  fc.constantFrom(0xe0, 0xed, 0xf0, 0xf4, 0xef, 0xbb, 0xbf, 0x0a, 0x0d),
)
const byteStrings = fc.oneof(
  fc.uint8Array({maxLength: 48}),
  fc.array(utf8ishByte, {maxLength: 48}).map((bytes) => Uint8Array.from(bytes)),
  fc.string({unit: 'grapheme', maxLength: 16}).map((text) => new TextEncoder().encode(text)),
  fc.string({unit: 'grapheme-ascii', maxLength: 16}).map((text) => new TextEncoder().encode(text)),
)

/** Decodes each piece (at an offset inside a larger buffer, as the parser does) with one decoder. */
function decodeEach(decoder: Utf8Decoder, pieces: Uint8Array[]): string[] {
  return pieces.map((piece) => {
    const buffer = new Uint8Array(piece.length + 6)
    buffer.set(piece, 3)
    return decoder(buffer, 3, 3 + piece.length)
  })
}

test('every decoder gives the spec\'s UTF-8 decode of each range, ASCII and not, one after another', () => {
  fc.assert(
    fc.property(fc.array(byteStrings, {maxLength: 6}), (pieces) => {
      const expected = pieces.map(reference)
      expect(decodeEach(createTextDecoder(), pieces)).toEqual(expected)
      // Switching between utf8Slice and TextDecoder as ASCII comes and goes changes nothing.
      expect(decodeEach(createNodeDecoder(), pieces)).toEqual(expected)
      expect(decodeEach(decoding.create(), pieces)).toEqual(expected)
    }),
    {numRuns: 2000},
  )
})

test('the Node decoder gives the same text for large ranges: ASCII (Latin-1 path), not ASCII, and past 1 MB', () => {
  const decoder = createNodeDecoder()
  const ascii = new TextEncoder().encode('data: ' + 'x'.repeat(16 * 1024) + '\n')
  const accented = new TextEncoder().encode('data: ' + 'é'.repeat(10_000) + '日本\n')
  const invalid = Uint8Array.from([...ascii.subarray(0, 20_000 - 1), 0xff, 0x0a])
  const huge = new TextEncoder().encode('y'.repeat(1_100_000) + '\r')
  for (const bytes of [ascii, accented, invalid, huge, ascii.subarray(0, 16 * 1024), ascii.subarray(0, 16 * 1024 - 1)]) {
    expect(decodeEach(decoder, [bytes])).toEqual([reference(bytes)])
  }
})

test('invalid bytes become U+FFFD and a leading BOM is kept for the parser to strip', () => {
  const bytes = Uint8Array.of(0xef, 0xbb, 0xbf, 0x61, 0xff, 0x62, 0xc0, 0x80, 0xe2, 0x82)
  for (const decoder of [decoding.create(), createTextDecoder(), createNodeDecoder()]) {
    expect(decoder(bytes, 0, bytes.length)).toBe('\uFEFFa\uFFFDb\uFFFD\uFFFD\uFFFD')
  }
})

test('a cut-off character at the end of a range is one U+FFFD, and nothing carries into the next range', () => {
  for (const decoder of [createTextDecoder(), createNodeDecoder()]) {
    expect(decoder(Uint8Array.of(0x61, 0xf0, 0x9f, 0x98), 0, 4)).toBe('a\uFFFD')
    expect(decoder(Uint8Array.of(0x80, 0x62), 0, 2)).toBe('\uFFFDb')
    // A range ending with a line end is decoded without a flush: the line end itself settles it.
    expect(decoder(Uint8Array.of(0x61, 0xf0, 0x9f, 0x0a), 0, 4)).toBe('a\uFFFD\n')
    expect(decoder(Uint8Array.of(0x98, 0x0d), 0, 2)).toBe('\uFFFD\r')
  }
})

test('both line end finders find the last LF or CR before `end`, or -1', () => {
  const lineEndByte = fc.oneof({weight: 1, arbitrary: fc.constantFrom(0x0a, 0x0d)}, {weight: 6, arbitrary: fc.integer({min: 0, max: 255})})
  fc.assert(
    fc.property(fc.array(lineEndByte, {maxLength: 300}), fc.nat(), (list, cut) => {
      const bytes = Uint8Array.from(list)
      const end = cut % (bytes.length + 1)
      let expected = end - 1
      while (expected >= 0 && bytes[expected] !== 0x0a && bytes[expected] !== 0x0d) expected--
      expect(decoding.lastLineEnd(bytes, end)).toBe(expected)
      expect(nodeLastLineEnd(bytes, end)).toBe(expected)
      // On a view that starts inside a larger buffer too.
      const view = new Uint8Array(bytes.length + 2)
      view.set(bytes, 2)
      expect(nodeLastLineEnd(view.subarray(2), end)).toBe(expected)
    }),
    {numRuns: 1000},
  )
})

test('installUtf8Decoder replaces the decoder of parsers created afterwards, and the line end finder when given', () => {
  const decode = vi.fn((bytes: Uint8Array, start: number, end: number) => reference(bytes.subarray(start, end)))
  const find = vi.fn((bytes: Uint8Array, end: number) => nodeLastLineEnd(bytes, end))
  try {
    installUtf8Decoder(() => decode, find)
    const bytes = new TextEncoder().encode('a\n')
    expect(decoding.create()(bytes, 0, 2)).toBe('a\n')
    expect(decoding.lastLineEnd(bytes, 2)).toBe(1)
    expect(decode).toHaveBeenCalledTimes(1)
    expect(find).toHaveBeenCalledTimes(1)
  } finally {
    installUtf8Decoder(() => createTextDecoder(), (bytes, end) => {
      while (--end >= 0 && bytes[end] !== 0x0a && bytes[end] !== 0x0d);
      return end
    })
  }
})
