import fc from 'fast-check'
import {expect, test, vi} from 'vitest'
import {createAdaptiveDecoder, createTextDecoder, createUtf8Decoder, type Utf8Decoder} from '../src/decode.js'

type Utf8Slice = (this: Uint8Array, start: number, end: number) => string
const nodeUtf8Slice = (Buffer.prototype as unknown as {utf8Slice: Utf8Slice}).utf8Slice

/** What the spec's UTF-8 decode gives for the whole of `bytes`, BOM kept. */
function reference(bytes: Uint8Array): string {
  return new TextDecoder('utf-8', {ignoreBOM: true}).decode(bytes)
}

// Bytes that exercise UTF-8: ASCII, continuation bytes, every kind of lead byte, and invalid ones.
const utf8ishByte = fc.oneof(
  fc.integer({min: 0x00, max: 0x7f}),
  fc.integer({min: 0x80, max: 0xbf}),
  fc.integer({min: 0xc0, max: 0xff}),
  fc.constantFrom(0xe0, 0xed, 0xf0, 0xf4, 0xef, 0xbb, 0xbf),
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
      expect(decodeEach(createAdaptiveDecoder(nodeUtf8Slice, createTextDecoder()), pieces)).toEqual(expected)
      expect(decodeEach(createUtf8Decoder(), pieces)).toEqual(expected)
    }),
    {numRuns: 2000},
  )
})

test('invalid bytes become U+FFFD and a leading BOM is kept for the parser to strip', () => {
  const bytes = Uint8Array.of(0xef, 0xbb, 0xbf, 0x61, 0xff, 0x62, 0xc0, 0x80, 0xe2, 0x82)
  for (const decoder of [createUtf8Decoder(), createTextDecoder()]) {
    expect(decoder(bytes, 0, bytes.length)).toBe('\uFEFFa\uFFFDb\uFFFD\uFFFD\uFFFD')
  }
})

test('a cut-off character at the end of a range is one U+FFFD, and nothing carries into the next range', () => {
  const decoder = createTextDecoder()
  expect(decoder(Uint8Array.of(0x61, 0xf0, 0x9f, 0x98), 0, 4)).toBe('a\uFFFD')
  expect(decoder(Uint8Array.of(0x80, 0x62), 0, 2)).toBe('\uFFFDb')
  // A range ending with a line end is decoded without a flush: the line end itself settles it.
  expect(decoder(Uint8Array.of(0x61, 0xf0, 0x9f, 0x0a), 0, 4)).toBe('a\uFFFD\n')
  expect(decoder(Uint8Array.of(0x98, 0x0d), 0, 2)).toBe('\uFFFD\r')
})

test('Node decodes with Buffer, and a runtime without Node\'s `process` with TextDecoder', () => {
  const utf8Slice = vi.spyOn(Buffer.prototype as unknown as {utf8Slice: () => string}, 'utf8Slice')
  try {
    const bytes = new TextEncoder().encode('node')
    createUtf8Decoder()(bytes, 0, bytes.length)
    expect(utf8Slice).toHaveBeenCalledTimes(1)
    vi.stubGlobal('process', undefined)
    try {
      expect(createUtf8Decoder()(bytes, 0, bytes.length)).toBe('node')
    } finally {
      vi.unstubAllGlobals()
    }
    expect(utf8Slice).toHaveBeenCalledTimes(1)
  } finally {
    utf8Slice.mockRestore()
  }
})
