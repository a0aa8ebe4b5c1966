// The parsers with Node's decoders (what `import 'streamsource'` gives in Node: src/parser/decode-node.ts in
// place of src/parser/decode.ts, and the Node build's own parser src/parser/parse-node.ts): Buffer's
// utf8Slice/latin1Slice, isAscii and lastIndexOf must change nothing that the parser reports, whatever
// the chunking, including at the size where a range is decoded as Latin-1 (LARGE_RANGE bytes).
import fc from 'fast-check'
import {expect, test, vi} from 'vitest'
import {LARGE_RANGE} from '../src/parser/decode-node.js'
// Under vitest every import inside src/ gets the Node build's modules (scripts/platform-swaps.mjs), so
// both parsers decode with src/parser/decode-node.ts: the reference decodes with TextDecoder itself.
import {createParser as createBrowserParser} from '../src/parser/parse.js'
import {createParser as createNodeParser} from '../src/parser/parse-node.js'
import {split} from './support/split.js'

const encoder = new TextEncoder()

type Chunk = string | Uint8Array

/** Every callback, in order, for `chunks` fed to a fresh parser (then `reset({consume: true})`). */
function parse(chunks: Chunk[], createParser = createNodeParser): unknown[] {
  const calls: unknown[] = []
  const parser = createParser({
    onEvent: (event) => calls.push(['event', event.id, event.event, event.data]),
    onId: (id) => calls.push(['id', id]),
    onRetry: (retry) => calls.push(['retry', retry]),
    onComment: (comment) => calls.push(['comment', comment]),
    onError: (error) => calls.push(['error', error.type]),
  })
  for (const chunk of chunks) parser.feed(chunk)
  parser.reset({consume: true})
  return calls
}

/** The calls for the text of the bytes, decoded whole by TextDecoder (the BOM kept: the parser strips it). */
function withTextDecoder([bytes]: [Uint8Array]): unknown[] {
  return parse([new TextDecoder('utf-8', {ignoreBOM: true}).decode(bytes)])
}

const line = fc
  .tuple(
    fc.constantFrom('data', 'data', 'data', 'event', 'id', 'retry', 'foo', ''),
    fc.constantFrom(':', ': ', ''),
    fc.constantFrom('', 'x', 'hello', '42', 'é日😀', 'a\0b', ': c', '\uFEFF'),
    fc.constantFrom('\n', '\n', '\r', '\r\n', '\n\n', '\r\r', '\r\n\r\n'),
  )
  .map((parts) => parts.join(''))
const stream = fc
  .tuple(
    fc.constantFrom([], [0xef, 0xbb, 0xbf], [0xef, 0xbb]),
    fc.array(
      fc.oneof(
        {weight: 8, arbitrary: line.map((text) => Array.from(encoder.encode(text)))},
        {weight: 1, arbitrary: fc.constantFrom([0xff], [0xe6, 0x97], [0xf0, 0x9f], [0xc3], [0x0d], [0x0a])},
      ),
      {maxLength: 30},
    ),
  )
  .map(([bom, parts]) => Uint8Array.from([...bom, ...parts.flat()]))

test('any chunking of any byte stream gives the same callbacks as with TextDecoder fed whole', () => {
  fc.assert(
    fc.property(stream, fc.array(fc.nat(), {maxLength: 8}), (input, cuts) => {
      const expected = withTextDecoder([input])
      expect(parse(split(input, cuts))).toEqual(expected)
      expect(parse(split(input, cuts), createBrowserParser)).toEqual(expected)
    }),
    {numRuns: 3000},
  )
})

/** An event stream whose first event's data line is `size` bytes long (with the `data: ` and LF). */
function bigEvent(size: number, fill: string, lineEnd = '\n'): Uint8Array {
  const head = encoder.encode('data: ')
  const fillBytes = encoder.encode(fill)
  const body = new Uint8Array(size - head.length - lineEnd.length)
  for (let index = 0; index < body.length; index++) body[index] = fillBytes[index % fillBytes.length]!
  return Uint8Array.from([...head, ...body, ...encoder.encode(lineEnd), ...encoder.encode(`${lineEnd}data: after${lineEnd}${lineEnd}`)])
}

test('lines just under, at and just over the Latin-1 threshold, ASCII or not, cut anywhere near it', () => {
  for (const size of [LARGE_RANGE - 1, LARGE_RANGE, LARGE_RANGE + 1, LARGE_RANGE + 2]) {
    for (const fill of ['abc', 'aé', '日本語', 'x😀', 'ab\u0080']) {
      for (const lineEnd of ['\n', '\r', '\r\n']) {
        const input = bigEvent(size, fill, lineEnd)
        const expected = withTextDecoder([input])
        expect(parse([input])).toEqual(expected)
        expect(parse([input], createBrowserParser)).toEqual(expected)
        // Cuts around the line end and the threshold: a multi-byte character or a CRLF cut in two.
        for (const cut of [size - 3, size - 2, size - 1, size, size + 1, LARGE_RANGE - 1, LARGE_RANGE, LARGE_RANGE + 1]) {
          expect(parse([input.subarray(0, cut), input.subarray(cut)])).toEqual(expected)
        }
      }
    }
  }
})

test('a CR ending one chunk and an LF starting the next are one line end, on the bytes and the string paths', () => {
  const text = `data: ${'x'.repeat(LARGE_RANGE)}\r\n\r\ndata: y\r\n\r\n`
  const bytes = encoder.encode(text)
  const cr = text.indexOf('\r') + 1
  for (const cut of [cr, cr + 2, text.length - 2, text.length - 1]) {
    const expected = [['event', undefined, undefined, 'x'.repeat(LARGE_RANGE)], ['event', undefined, undefined, 'y']]
    expect(parse([text.slice(0, cut), text.slice(cut)])).toEqual(expected)
    expect(parse([bytes.subarray(0, cut), bytes.subarray(cut)])).toEqual(expected)
  }
})

test('a line longer than 1 MB, fed 64 KiB at a time, ASCII and not', () => {
  for (const fill of ['z', 'é']) {
    const input = bigEvent(1_100_000, fill)
    const chunks: Uint8Array[] = []
    for (let start = 0; start < input.length; start += 65_536) chunks.push(input.subarray(start, start + 65_536))
    expect(parse(chunks)).toEqual(withTextDecoder([input]))
  }
})

test('a runtime matching the node condition without Buffer#utf8Slice (Deno, Bun) keeps the portable decoder and parses', async () => {
  const {Buffer} = await import('node:buffer')
  const proto = Buffer.prototype as unknown as Record<string, unknown>
  const saved = proto['utf8Slice']
  delete proto['utf8Slice']
  try {
    vi.resetModules()
    const decodeNode = await import('../src/parser/decode-node.js')
    expect(decodeNode.nodeDecoderAvailable).toBe(false)
    // The Node build must not use what would throw at the first byte.
    expect(decodeNode.decoding.create).not.toBe(decodeNode.createNodeDecoder)
    const root = await import('../src/index.js')
    const events: string[] = []
    const parser = root.createParser({onEvent: (event) => events.push(event.data)})
    parser.feed(new TextEncoder().encode('data: é and ascii\n\n'))
    expect(events).toEqual(['é and ascii'])
  } finally {
    proto['utf8Slice'] = saved
    vi.resetModules()
  }
  expect((await import('../src/parser/decode-node.js')).nodeDecoderAvailable).toBe(true)
})
