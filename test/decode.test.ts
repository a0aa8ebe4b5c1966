import fc from 'fast-check'
import {expect, test, vi} from 'vitest'
import {createSliceDecoder, createTextDecoder, createUtf8Decoder, type Utf8Decoder} from '../src/decode.js'

const nodeUtf8Slice = (Buffer.prototype as unknown as {utf8Slice: (this: Uint8Array, s: number, e: number) => string})
  .utf8Slice

/** What decoding the whole stream at once gives, holding back a cut-off last character like a stream would. */
function decodeWhole(bytes: Uint8Array): string {
  return new TextDecoder('utf-8', {ignoreBOM: true}).decode(bytes, {stream: true})
}

/** The text a decoder gives after each chunk, for `bytes` cut at `cuts`. */
function decodeInChunks(decoder: Utf8Decoder, bytes: Uint8Array, cuts: number[]): string[] {
  const points = [...new Set(cuts.map((cut) => cut % (bytes.length + 1)))].sort((a, b) => a - b)
  const texts: string[] = []
  let start = 0
  for (const point of [...points, bytes.length]) {
    texts.push(decoder(bytes.subarray(start, point)))
    start = point
  }
  return texts
}

// Bytes that exercise UTF-8: ASCII, continuation bytes, every kind of lead byte, and invalid ones.
const utf8ishByte = fc.oneof(
  fc.integer({min: 0x00, max: 0x7f}),
  fc.integer({min: 0x80, max: 0xbf}),
  fc.integer({min: 0xc0, max: 0xff}),
  fc.constantFrom(0xe0, 0xed, 0xf0, 0xf4, 0xef, 0xbb, 0xbf),
)
const byteStreams = fc.oneof(
  fc.uint8Array({maxLength: 64}),
  fc.array(utf8ishByte, {maxLength: 64}).map((bytes) => Uint8Array.from(bytes)),
  fc.string({unit: 'grapheme', maxLength: 24}).map((text) => new TextEncoder().encode(text)),
)

test('the Buffer decoders give, chunk by chunk, what a streaming TextDecoder gives, however the bytes are cut', () => {
  fc.assert(
    fc.property(byteStreams, fc.array(fc.nat(), {maxLength: 8}), (bytes, cuts) => {
      const expected = decodeInChunks(createTextDecoder(), bytes, cuts)
      expect(decodeInChunks(createSliceDecoder(nodeUtf8Slice), bytes, cuts)).toEqual(expected)
      // Node's own pick switches between utf8Slice and TextDecoder as ASCII comes and goes.
      expect(decodeInChunks(createUtf8Decoder(), bytes, cuts)).toEqual(expected)
    }),
    {numRuns: 3000},
  )
})

test('the TextDecoder decoder gives what decoding the whole stream gives, however the bytes are cut', () => {
  fc.assert(
    fc.property(byteStreams, fc.array(fc.nat(), {maxLength: 8}), (bytes, cuts) => {
      expect(decodeInChunks(createTextDecoder(), bytes, cuts).join('')).toBe(decodeWhole(bytes))
    }),
    {numRuns: 500},
  )
})

test('a character cut at every byte position decodes whole, one byte per chunk included', () => {
  const bytes = new TextEncoder().encode('aé€😀\uFEFFz')
  for (const decoder of [createSliceDecoder(nodeUtf8Slice), createTextDecoder()]) {
    expect(decodeInChunks(decoder, bytes, [...bytes.keys()]).join('')).toBe('aé€😀\uFEFFz')
  }
})

test('invalid bytes become U+FFFD and a leading BOM is kept for the parser to strip', () => {
  const decoder = createUtf8Decoder()
  expect(decoder(Uint8Array.of(0xef, 0xbb, 0xbf, 0x61, 0xff, 0x62, 0xc0, 0x80))).toBe('\uFEFFa\uFFFDb\uFFFD\uFFFD')
})

test('Node decodes with Buffer, and a runtime without Node\'s `process` with TextDecoder', () => {
  const utf8Slice = vi.spyOn(Buffer.prototype as unknown as {utf8Slice: () => string}, 'utf8Slice')
  try {
    createUtf8Decoder()(new TextEncoder().encode('node'))
    expect(utf8Slice).toHaveBeenCalledTimes(1)
    vi.stubGlobal('process', undefined)
    try {
      expect(createUtf8Decoder()(new TextEncoder().encode('browser'))).toBe('browser')
    } finally {
      vi.unstubAllGlobals()
    }
    expect(utf8Slice).toHaveBeenCalledTimes(1)
  } finally {
    utf8Slice.mockRestore()
  }
})
