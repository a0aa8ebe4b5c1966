// The JavaScript UTF-8 decoder (src/parser/utf8.ts) for runtimes without TextDecoder: it must give exactly
// what TextDecoder gives, in every chunking, and the parser of the full script-tag build must use it
// only where TextDecoder is missing.
import fc from 'fast-check'
import {afterEach, beforeEach, expect, test, vi} from 'vitest'
import {createTextDecoder, decoding, installUtf8Decoder} from '../src/parser/decode.js'
import {decoding as scriptTagDecoding} from '../src/parser/decode-legacy.js'
import {createParser} from '../src/parser/parse.js'
import {Utf8Decoder, decodeUtf8, incompleteTail} from '../src/parser/utf8.js'
import {split} from './support/split.js'

// The build that carries src/parser/utf8.ts (the full script tag) decodes with src/parser/decode-legacy.ts;
// in Node the tests get the Node build's modules (vitest.config.ts), whose src/parser/decode-node.ts
// would decode instead: the parser here gets decode.ts, and each test the script tag's decoding.
vi.mock('../src/parser/decode-node.js', () => vi.importActual('../src/parser/decode.js'))

beforeEach(() => installUtf8Decoder(scriptTagDecoding.create, scriptTagDecoding.lastLineEnd))

// Bytes chosen to hit every branch of the decoder: ASCII, each lead byte range and its edges,
// continuation bytes at their edges, and bytes that are never valid.
const byte = fc.oneof(
  {weight: 3, arbitrary: fc.integer({min: 0, max: 255})},
  {
    weight: 4,
    arbitrary: fc.constantFrom(
      0x00, 0x41, 0x7f, 0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf, 0xc0, 0xc1, 0xc2, 0xdf, 0xe0, 0xe1, 0xec, 0xed, 0xee,
      0xef, 0xf0, 0xf1, 0xf3, 0xf4, 0xf5, 0xf8, 0xfe, 0xff, 0xbb, 0x0a,
    ),
  },
)
const bytes = fc.oneof(
  fc.array(byte, {maxLength: 40}).map((list) => Uint8Array.from(list)),
  fc.string({unit: 'grapheme', maxLength: 12}).map((text) => new TextEncoder().encode(text)),
  fc.tuple(fc.constantFrom([0xef, 0xbb, 0xbf], []), fc.array(byte, {maxLength: 12})).map(([bom, rest]) => Uint8Array.from([...bom, ...rest])),
)

interface Decoder {
  decode(input?: Uint8Array, options?: {stream?: boolean}): string
}

/** Every piece with `stream: true`, then a flush: what each call returns, in order. */
function streamAll(decoder: Decoder, pieces: Uint8Array[]): string[] {
  return [...pieces.map((piece) => decoder.decode(piece, {stream: true})), decoder.decode()]
}

afterEach(() => {
  vi.unstubAllGlobals()
  installUtf8Decoder(() => createTextDecoder())
})

test('each call gives what TextDecoder gives, for any bytes in any chunking, BOM ignored or not', () => {
  fc.assert(
    fc.property(bytes, fc.array(fc.nat(), {maxLength: 6}), fc.boolean(), (input, cuts, ignoreBOM) => {
      const pieces = split(input, cuts)
      expect(streamAll(new Utf8Decoder('utf-8', {ignoreBOM}), pieces)).toEqual(
        streamAll(new TextDecoder('utf-8', {ignoreBOM}), pieces),
      )
    }),
    {numRuns: 5000},
  )
})

test('a decoder is reusable: a call without `stream` ends one stream and the next call starts another', () => {
  fc.assert(
    fc.property(fc.array(fc.tuple(bytes, fc.boolean()), {maxLength: 8}), (calls) => {
      const ours = new Utf8Decoder()
      const theirs = new TextDecoder()
      for (const [input, stream] of calls) expect(ours.decode(input, {stream})).toBe(theirs.decode(input, {stream}))
    }),
    {numRuns: 3000},
  )
})

test('maximal subparts: one U+FFFD for each, then decoding resumes at the byte that broke the sequence', () => {
  const cases: [number[], string][] = [
    [[0xe1, 0x80, 0x41], '\uFFFDA'], // a valid prefix cut short by ASCII
    [[0xe0, 0x80, 0x80], '\uFFFD\uFFFD\uFFFD'], // overlong: E0 needs A0..BF next
    [[0xed, 0xa0, 0x80], '\uFFFD\uFFFD\uFFFD'], // a surrogate: ED needs 80..9F next
    [[0xf4, 0x90, 0x80, 0x80], '\uFFFD\uFFFD\uFFFD\uFFFD'], // past U+10FFFF
    [[0xf0, 0x9f, 0x98, 0x80], '\u{1F600}'],
    [[0xf0, 0x9f, 0x98], '\uFFFD'], // cut off at the end of the stream
    [[0xc0, 0xaf, 0xf8, 0x88], '\uFFFD\uFFFD\uFFFD\uFFFD'],
    [[0xef, 0xbb, 0xbf, 0xef, 0xbb, 0xbf], '\uFEFF'], // one BOM dropped, the second kept
  ]
  for (const [input, expected] of cases) {
    expect(new Utf8Decoder().decode(Uint8Array.from(input))).toBe(expected)
    expect(new TextDecoder().decode(Uint8Array.from(input))).toBe(expected)
  }
})

test('long input is turned into text in slices, and astral characters become surrogate pairs', () => {
  const text = 'ascii é 日本 😀 '.repeat(3000)
  const encoded = new TextEncoder().encode(text)
  expect(decodeUtf8(encoded, 0, encoded.length)).toBe(text)
  expect(new Utf8Decoder().decode(encoded)).toBe(text)
})

test('incompleteTail counts only the start of a character that more bytes could finish', () => {
  expect(incompleteTail([0x61, 0xe6, 0x97])).toBe(2)
  expect(incompleteTail([0xf0, 0x9f, 0x98])).toBe(3)
  expect(incompleteTail([0xc3])).toBe(1)
  expect(incompleteTail([0xe6, 0x97, 0xa5])).toBe(0) // complete
  expect(incompleteTail([0xe0, 0x80])).toBe(0) // already invalid
  expect(incompleteTail([0x80, 0x80, 0x80])).toBe(0)
  expect(incompleteTail([])).toBe(0)
})

test('only UTF-8 labels are accepted', () => {
  expect(() => new Utf8Decoder('utf8')).not.toThrow()
  expect(() => new Utf8Decoder(' UTF-8 ')).not.toThrow()
  expect(() => new Utf8Decoder('latin1')).toThrow(RangeError)
})

test("the script tag's decoding is TextDecoder's where the runtime has one", () => {
  // A spy on its prototype sees the call.
  const decode = vi.spyOn(TextDecoder.prototype, 'decode')
  try {
    decoding.create()(Uint8Array.of(0x61, 0x0a), 0, 2)
    expect(decode).toHaveBeenCalled()
  } finally {
    decode.mockRestore()
  }
})

test('without TextDecoder, the parser decodes bytes with the fallback, exactly as with TextDecoder', () => {
  const eventStream = fc
    .array(
      fc.oneof(
        fc.constantFrom('data: ', 'data:', 'id: ', 'event: x', '\n', '\r', '\r\n', '\n\n', ': c', 'retry: 5'),
        fc.string({unit: 'grapheme', maxLength: 4}),
      ),
      {maxLength: 20},
    )
    .map((parts) => new TextEncoder().encode(parts.join('')))
  const withInvalid = fc.tuple(eventStream, fc.array(byte, {maxLength: 4}), eventStream).map(
    ([head, junk, tail]) => Uint8Array.from([...head, ...junk, ...tail, 0x0a, 0x0a]),
  )
  const parse = (pieces: Uint8Array[]) => {
    const calls: unknown[] = []
    const parser = createParser({
      onEvent: (event) => calls.push(['event', event]),
      onComment: (comment) => calls.push(['comment', comment]),
      onRetry: (retry) => calls.push(['retry', retry]),
    })
    for (const piece of pieces) parser.feed(piece)
    parser.reset({consume: true})
    return calls
  }
  fc.assert(
    fc.property(withInvalid, fc.array(fc.nat(), {maxLength: 6}), (input, cuts) => {
      const pieces = split(input, cuts)
      const expected = parse(pieces)
      vi.stubGlobal('TextDecoder', undefined)
      try {
        expect(parse(pieces)).toEqual(expected)
      } finally {
        vi.unstubAllGlobals()
      }
    }),
    {numRuns: 1500},
  )
})
