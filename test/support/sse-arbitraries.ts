// fast-check arbitraries for event streams, shared by the parser's property tests: pieces of
// streams (fields, line ends, BOMs, NULL, non-ASCII, junk) as text and as bytes (cut-off and invalid
// UTF-8 too), and the points to cut a stream into chunks at.
import fc from 'fast-check'
import {split} from './split.js'

const encoder = new TextEncoder()

export const BOM_BYTES = [0xef, 0xbb, 0xbf]

/** Pieces that SSE streams are made of, plus the awkward characters. */
export const sseToken: fc.Arbitrary<string> = fc.oneof(
  {
    weight: 8,
    arbitrary: fc.constantFrom(
      'data',
      'event',
      'id',
      'retry',
      ':',
      ' ',
      '\r',
      '\n',
      '\r\n',
      '\n\n',
      'data:',
      'data: ',
      'event: ',
      'id: ',
      'retry: ',
      'Data',
      'foo',
      'x',
      '1',
      '42',
      'é',
      '€',
      '😀',
      '\uFEFF',
      '\0',
      '１',
      '__proto__',
    ),
  },
  {weight: 1, arbitrary: fc.string({unit: 'binary', maxLength: 3})},
)

/** A whole line: field, separator, value and line end, from the same kind of pieces. */
export const sseLine: fc.Arbitrary<string> = fc
  .tuple(
    fc.oneof(
      {weight: 6, arbitrary: fc.constantFrom('data', 'data', 'data', 'event', 'id', 'retry')},
      {weight: 1, arbitrary: fc.constantFrom('', 'foo', 'Data', 'ïd', '__proto__', 'data ')},
    ),
    fc.oneof({weight: 8, arbitrary: fc.constantFrom(':', ': ')}, {weight: 1, arbitrary: fc.constantFrom(':  ', '')}),
    fc.oneof(
      fc.constantFrom('', 'x', 'hello world', '0', '100', '007', '1.5', '-1', '１', 'a\0b', ': c', 'é€😀'),
      fc.string({unit: sseToken, maxLength: 3}).map((s) => s.replace(/[\r\n]/g, '')),
    ),
    fc.constantFrom('\n', '\n', '\r', '\r\n'),
  )
  .map(([field, separator, value, end]) => field + separator + value + end)

/** A text/event-stream-ish string: whole lines, blank lines and loose tokens. */
export const sseText: fc.Arbitrary<string> = fc
  .tuple(
    fc.constantFrom('', '', '', '\uFEFF', '\uFEFF\uFEFF'),
    fc.array(
      fc.oneof(
        {weight: 6, arbitrary: sseLine},
        {weight: 3, arbitrary: fc.constantFrom('\n', '\r', '\r\n')},
        {weight: 1, arbitrary: sseToken},
      ),
      {maxLength: 40, size: 'medium'},
    ),
  )
  .map(([bom, parts]) => bom + parts.join(''))

/** Pieces of a byte stream: encoded text, a BOM, cut-off and invalid UTF-8, any byte. */
export const sseBytePart: fc.Arbitrary<number[]> = fc.oneof(
  {weight: 12, arbitrary: sseLine.map((text) => Array.from(encoder.encode(text)))},
  {weight: 6, arbitrary: fc.constantFrom<number[]>([0x0a], [0x0d], [0x0d, 0x0a])},
  {weight: 2, arbitrary: sseToken.map((text) => Array.from(encoder.encode(text)))},
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      BOM_BYTES,
      [0xef],
      [0xef, 0xbb],
      [0xe2, 0x82],
      [0xf0, 0x9f],
      [0xf0, 0x9f, 0x98],
      [0xc3],
      [0x80],
      [0xff],
      [0xc0, 0xaf],
      [0xed, 0xa0, 0x80],
      [0xf4, 0x90, 0x80, 0x80],
      [0xe0, 0x80],
    ),
  },
  {weight: 1, arbitrary: fc.array(fc.integer({min: 0, max: 255}), {maxLength: 4})},
)

export const sseBytes: fc.Arbitrary<Uint8Array> = fc
  .tuple(
    fc.constantFrom([], [], BOM_BYTES, [...BOM_BYTES, ...BOM_BYTES]),
    fc.array(sseBytePart, {maxLength: 40, size: 'medium'}),
  )
  .map(([bom, parts]) => Uint8Array.from([...bom, ...parts.flat()]))

/** Where to cut a stream into chunks (see ./split.ts). */
export const cuts = fc.array(fc.nat({max: 10_000}), {maxLength: 12})

/** One event: a few whole lines, then the blank line that ends it (LF, CRLF or CR). */
export const sseEvent: fc.Arbitrary<string> = fc
  .tuple(fc.array(sseLine, {maxLength: 4}), fc.constantFrom('\n', '\n', '\n', '\r\n', '\r'))
  .map(([lines, end]) => lines.join('') + end)

/**
 * A stream as a server that flushes every event sends it, read as it comes: one event a read, as
 * bytes, but now and then a read holds several, or ends inside an event (cut at any byte).
 */
export const sseEventReads: fc.Arbitrary<Uint8Array[]> = fc
  .array(
    fc.tuple(
      fc.oneof({weight: 3, arbitrary: sseEvent.map((event) => [event])}, fc.array(sseEvent, {minLength: 2, maxLength: 3})),
      fc.option(fc.nat({max: 200}), {freq: 4}),
    ),
    {maxLength: 12},
  )
  .map((reads) =>
    reads.flatMap(([events, cut]) => {
      const bytes = encoder.encode(events.join(''))
      return cut === null ? [bytes] : split(bytes, [cut])
    }),
  )
