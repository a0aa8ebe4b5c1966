// The EventSource reads its stream with src/parser/stream-reader.ts in browser bundles (small) and with
// src/parser/stream-reader-fast.ts, on the root's full parser, in the Node build (fast). Property tests:
// on any stream, cut anywhere, as text or bytes, with any size limit and a reset from inside a
// callback, the two report the same events, ids, retries and overflows, in the same order.
import fc from 'fast-check'
import {describe, expect, test} from 'vitest'
import {createStreamReader as createFast} from '../src/parser/stream-reader-fast.js'
import {createStreamReader as createSmall, type StreamReaderCallbacks} from '../src/parser/stream-reader.js'
import {cuts, sseBytes, sseEventReads, sseLine, sseText} from './support/sse-arbitraries.js'
import {split} from './support/split.js'

type Create = typeof createSmall
type Call = [kind: string, value?: unknown]

/** Feeds `chunks` to a reader from `create`; `resetAt`: the reader resets itself from its n-th callback. */
function run(create: Create, chunks: (string | Uint8Array)[], maxSize = Infinity, resetAt = -1): Call[] {
  const calls: Call[] = []
  const note = (call: Call): void => {
    calls.push(call)
    if (calls.length === resetAt) reader.reset()
  }
  const callbacks: StreamReaderCallbacks = {
    event: (message) => note(['event', {...message}]),
    id: (id) => note(['id', id]),
    retry: (retry) => note(['retry', retry]),
    overflow: () => note(['overflow']),
  }
  const reader = create(callbacks, maxSize)
  for (const chunk of chunks) reader.feed(chunk)
  return calls
}

/**
 * The full parser also strips a BOM fed as Latin-1 text (`\xEF\xBB\xBF`), which the EventSource's
 * text never holds (XMLHttpRequest decodes UTF-8 and strips the BOM itself): left out.
 */
const notLatin1Bom = (text: string): boolean => !text.startsWith('\xEF\xBB\xBF') && !text.startsWith('\uFEFF\xEF\xBB\xBF')

/** Lines that outgrow a small limit: long data, event, id and retry values, comments and unknown fields. */
const longLines = fc
  .array(
    fc.oneof(
      sseLine,
      fc
        .tuple(fc.constantFrom('data: ', 'event:', 'id: ', 'retry: ', ': ', 'foo: ', 'x', 'dat'), fc.string({minLength: 5, maxLength: 60}))
        .map(([field, value]) => `${field}${value.replace(/[\r\n]/g, '')}\n`),
      fc.constantFrom('\n', '\r\n', '\r'),
    ),
    {maxLength: 20},
  )
  .map((lines) => lines.join(''))

const isAscii = (text: string): boolean => /^[\0-\x7f]*$/.test(text)

describe('the small stream reader reports what the full parser does', () => {
  test('text in any chunks', () => {
    fc.assert(
      fc.property(sseText.filter(notLatin1Bom), cuts, (text, at) => {
        const chunks = split(text, at)
        expect(run(createSmall, chunks)).toEqual(run(createFast, chunks))
      }),
      {numRuns: 1500},
    )
  })

  test('text one code unit at a time', () => {
    fc.assert(
      fc.property(sseText.filter(notLatin1Bom), (text) => {
        const chunks = text.split('')
        expect(run(createSmall, chunks)).toEqual(run(createFast, chunks))
      }),
      {numRuns: 300},
    )
  })

  test('bytes in any chunks, cut inside characters too, with BOMs and invalid UTF-8', () => {
    fc.assert(
      fc.property(sseBytes, cuts, (bytes, at) => {
        const chunks = split(bytes, at)
        expect(run(createSmall, chunks)).toEqual(run(createFast, chunks))
      }),
      {numRuns: 1500},
    )
  })

  test('with a small maxSize: the same overflow at the same point, long lines that cannot be fields skipped silently', () => {
    fc.assert(
      fc.property(longLines.filter(notLatin1Bom), cuts, fc.integer({min: 0, max: 40}), (text, at, maxSize) => {
        const chunks = split(text, at)
        expect(run(createSmall, chunks, maxSize)).toEqual(run(createFast, chunks, maxSize))
      }),
      {numRuns: 1500},
    )
  })

  // The full parser counts an unfinished line fed as bytes in bytes, which non-ASCII text has more
  // of than characters: its limit comes a little early there. The same in ASCII.
  test('with a small maxSize, ASCII bytes in any chunks', () => {
    const encoder = new TextEncoder()
    fc.assert(
      fc.property(longLines.filter(isAscii), cuts, fc.integer({min: 0, max: 40}), (text, at, maxSize) => {
        const chunks = split(encoder.encode(text), at)
        expect(run(createSmall, chunks, maxSize)).toEqual(run(createFast, chunks, maxSize))
      }),
      {numRuns: 1000},
    )
  })

  test('a reset from inside any callback: nothing more from that chunk, the next chunk starts a new stream', () => {
    fc.assert(
      fc.property(sseText.filter(notLatin1Bom), cuts, fc.integer({min: 1, max: 8}), (text, at, resetAt) => {
        const chunks = split(text, at)
        expect(run(createSmall, chunks, Infinity, resetAt)).toEqual(run(createFast, chunks, Infinity, resetAt))
      }),
      {numRuns: 1000},
    )
  })

  // In the Node build the full parser dispatches a read that is one `data:` line and a blank line
  // without its line loop, and keeps the start of a line cut at the end of an ASCII read as text.
  test('a read per event as bytes, now and then several or a cut one, with any maxSize and a reset from any callback', () => {
    fc.assert(
      fc.property(sseEventReads, fc.constantFrom(Infinity, 0, 4, 8, 16, 40), fc.integer({min: -1, max: 8}), (reads, maxSize, resetAt) => {
        // (The full parser counts an unfinished line fed as bytes in bytes: an exact limit for ASCII only.)
        const limit = reads.every((read) => read.every((byte) => byte < 0x80)) ? maxSize : Infinity
        expect(run(createSmall, reads, limit, resetAt)).toEqual(run(createFast, reads, limit, resetAt))
      }),
      {numRuns: 1500},
    )
  })

  test('after an overflow nothing is read until reset(), then the stream starts anew', () => {
    for (const create of [createSmall, createFast]) {
      const calls: Call[] = []
      const reader = create(
        {
          event: (message) => calls.push(['event', message.data]),
          id: () => {},
          retry: () => {},
          overflow: () => calls.push(['overflow']),
        },
        8,
      )
      reader.feed('data: 0123456789\n\n')
      reader.feed('data: a\n\n')
      reader.reset()
      reader.feed('data: b\n\n')
      expect(calls).toEqual([['overflow'], ['event', 'b']])
    }
  })
})
