// Property tests: chunking never changes what the parser reports, arbitrary input never throws,
// the parser agrees with eventsource-parser and with a small model written from the spec, and the
// Node build's parser agrees exactly with the browsers'.
import {createParser as referenceParser} from 'eventsource-parser'
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {pathToFileURL} from 'node:url'
import {build} from 'esbuild'
import fc from 'fast-check'
import {afterAll, beforeAll, expect, test} from 'vitest'
import {createParser} from '../src/index.js'
// Under vitest the sources' imports resolve to the Node build's modules (scripts/platform-swaps.mjs), so
// `createParser` above is src/parser/parse-node.ts; a module imported by its path is that very module.
import {createParser as createBrowserParser} from '../src/parser/parse.js'
import {createParser as createNodeParser} from '../src/parser/parse-node.js'
import {type Call, type ErrorRecord, record} from './support/record.js'
import {cuts, sseBytePart, sseBytes, sseEventReads, sseLine, sseText} from './support/sse-arbitraries.js'
import {split} from './support/split.js'
import {repoRoot} from './support/paths.js'

type Chunk = string | Uint8Array

const encoder = new TextEncoder()

function run(chunks: Chunk[], create = createParser): Call[] {
  const rec = record()
  const parser = create(rec)
  for (const chunk of chunks) parser.feed(chunk)
  return rec.calls
}

function withoutErrors(calls: Call[]): Call[] {
  return calls.filter((call) => call[0] !== 'error')
}


// ---------------------------------------------------------------------------
// (a), (b) Chunking does not matter

test('any split of a byte stream into chunks gives the same callbacks as feeding it whole', () => {
  fc.assert(
    fc.property(sseBytes, cuts, (input, at) => {
      expect(run(split(input, at))).toEqual(run([input]))
    }),
    {numRuns: 1000},
  )
})

test('a byte stream fed one byte at a time gives the same callbacks as feeding it whole', () => {
  fc.assert(
    fc.property(sseBytes, (input) => {
      const bytes = Array.from(input, (byte) => Uint8Array.of(byte))
      expect(run(bytes)).toEqual(run([input]))
    }),
    {numRuns: 300},
  )
})

test('any split of a string stream into chunks gives the same callbacks as feeding it whole', () => {
  fc.assert(
    fc.property(sseText, cuts, (input, at) => {
      expect(run(split(input, at))).toEqual(run([input]))
    }),
    {numRuns: 1000},
  )
})

test('a string stream fed one code unit at a time gives the same callbacks as feeding it whole', () => {
  fc.assert(
    fc.property(sseText, (input) => {
      expect(run(input.split(''))).toEqual(run([input]))
    }),
    {numRuns: 300},
  )
})

test('bytes and their UTF-8 decoding (BOM kept) give the same callbacks', () => {
  const decoder = new TextDecoder('utf-8', {ignoreBOM: true})
  fc.assert(
    fc.property(sseBytes, cuts, (input, at) => {
      const expected = run([decoder.decode(input)])
      expect(run(split(input, at), createBundledParser)).toEqual(expected)
      expect(run(split(input, at), createBrowserParser)).toEqual(expected)
      expect(run(split(input, at))).toEqual(expected)
    }),
    {numRuns: 500},
  )
})

/**
 * Runs `body` with `globalThis.Buffer` hidden, so parsers created inside decode bytes the way they
 * do in browsers and other runtimes without Node's Buffer.
 */
/**
 * src/parser/parse.ts as browser bundles get it: with ./decode.ts's `TextDecoder` decoding. (Under
 * vitest its import of ./decode.ts resolves to the Node build's decode-node.ts, so it is bundled
 * apart, by esbuild, as an app's bundler would.)
 */
let createBundledParser: typeof createParser
const bundleDir = mkdtempSync(join(tmpdir(), 'browser-parser-'))
beforeAll(async () => {
  const result = await build({
    entryPoints: [join(repoRoot, 'src', 'parser', 'parse.ts')],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    write: false,
    logLevel: 'silent',
  })
  const file = join(bundleDir, 'parse.mjs')
  writeFileSync(file, result.outputFiles[0]!.text)
  createBundledParser = ((await import(/* @vite-ignore */ pathToFileURL(file).href)) as {createParser: typeof createParser}).createParser
  expect(result.outputFiles[0]!.text).not.toMatch(/node:buffer|latin1Slice/)
})
afterAll(() => rmSync(bundleDir, {recursive: true, force: true}))

test('the browsers\' parser (TextDecoder, no Buffer) decodes byte streams in any chunks exactly like TextDecoder', () => {
  const decoder = new TextDecoder('utf-8', {ignoreBOM: true})
  fc.assert(
    fc.property(sseBytes, cuts, (input, at) => {
      const expected = run([decoder.decode(input)])
      expect(run(split(input, at), createBundledParser)).toEqual(expected)
      expect(run(Array.from(input, (byte) => Uint8Array.of(byte)), createBundledParser)).toEqual(expected)
    }),
    {numRuns: 500},
  )
})

/** A line of about 100 to 2000 bytes of one character, ASCII or not, so that cuts split characters. */
const kibLine = fc
  .tuple(
    fc.constantFrom('data: ', 'data:', 'event: ', 'id: ', ': ', 'foo: '),
    fc.constantFrom('x', 'é', '日', '😀'),
    fc.integer({min: 100, max: 500}),
    fc.constantFrom('\n', '\r', '\r\n', '\n\n'),
  )
  .map(([field, fill, count, end]) => Array.from(encoder.encode(field + fill.repeat(count) + end)))

test('byte streams with lines of over 1 KiB, cut anywhere, decode exactly like TextDecoder', () => {
  // In the browsers' parser (parse.ts, by its path: see above), a chunk that ends a pending line is
  // decoded in two parts from 1 KiB on (the pending bytes with the continuation bytes that start the
  // chunk, then the rest), which must be the same text. The Node build's parser too.
  const decoder = new TextDecoder('utf-8', {ignoreBOM: true})
  const stream = fc
    .array(fc.oneof({weight: 2, arbitrary: kibLine}, {weight: 3, arbitrary: sseBytePart}), {maxLength: 24})
    .map((parts) => Uint8Array.from(parts.flat()))
  fc.assert(
    fc.property(stream, fc.array(fc.nat({max: 40_000}), {maxLength: 12}), (input, at) => {
      const expected = run([decoder.decode(input)])
      expect(run(split(input, at), createBundledParser)).toEqual(expected)
      expect(run(split(input, at), createBrowserParser)).toEqual(expected)
      expect(run(split(input, at))).toEqual(expected)
    }),
    {numRuns: 500},
  )
})

// ---------------------------------------------------------------------------
// (c) Never throws

test('random bytes in random chunks never make feed throw', () => {
  fc.assert(
    fc.property(fc.uint8Array({maxLength: 200}), cuts, (input, at) => {
      const withCallbacks = createParser(record())
      const bare = createParser({})
      for (const chunk of split(input, at)) {
        withCallbacks.feed(chunk)
        bare.feed(chunk)
      }
      withCallbacks.reset({consume: true})
      bare.reset({consume: true})
    }),
    {numRuns: 1000},
  )
})

test('random strings in random chunks never make feed throw', () => {
  fc.assert(
    fc.property(fc.string({unit: 'binary', maxLength: 200}), cuts, (input, at) => {
      const withCallbacks = createParser(record())
      for (const chunk of split(input, at)) withCallbacks.feed(chunk)
      withCallbacks.reset({consume: true})
    }),
    {numRuns: 500},
  )
})

// ---------------------------------------------------------------------------
// (d) Differential against eventsource-parser

function runReference(chunks: string[]): Call[] {
  const rec = record()
  const parser = referenceParser(rec)
  for (const chunk of chunks) parser.feed(chunk)
  return rec.calls
}

/** Errors reduced to their type, for comparing sequences with the reference. */
function errorTypesOnly(calls: Call[]): Call[] {
  return calls.map((call): Call => (call[0] === 'error' ? ['error', {type: call[1].type}] : call))
}

test('strings fed whole give the same events, ids, retries, comments and error types as eventsource-parser', () => {
  fc.assert(
    fc.property(sseText, (input) => {
      const ours = run([input])
      const reference = runReference([input])
      expect(errorTypesOnly(ours)).toEqual(errorTypesOnly(reference))
      // Where the reference fills in field, value or line of an error, ours says the same.
      ours.forEach((call, index) => {
        const other = reference[index]
        if (call[0] !== 'error' || other?.[0] !== 'error') return
        for (const key of ['field', 'value', 'line'] as const) {
          if (other[1][key] !== undefined) expect(call[1][key]).toBe(other[1][key])
        }
      })
    }),
    {numRuns: 1000},
  )
})

test('arbitrary strings fed whole agree with eventsource-parser', () => {
  fc.assert(
    fc.property(fc.string({unit: 'binary', maxLength: 60}), (input) => {
      expect(errorTypesOnly(run([input]))).toEqual(errorTypesOnly(runReference([input])))
    }),
    {numRuns: 500},
  )
})

test('strings in any chunks give the same events, ids, retries and comments as eventsource-parser', () => {
  fc.assert(
    fc.property(sseText, cuts, (input, at) => {
      const chunks = split(input, at)
      expect(withoutErrors(run(chunks))).toEqual(withoutErrors(runReference(chunks)))
    }),
    {numRuns: 1000},
  )
})

// ---------------------------------------------------------------------------
// (e) A model written from the spec text

/**
 * The spec's "parse an event stream" and "interpret an event stream" on a whole string, with
 * eventsource-parser's callbacks: the message id is the block's last valid id, onId comes before
 * onEvent, and skipped fields are reported as errors.
 */
function model(input: string): Call[] {
  const calls: Call[] = []
  // "The UTF-8 decode algorithm strips one leading UTF-8 Byte Order Mark (BOM), if any."
  const text = input.startsWith('\uFEFF') ? input.slice(1) : input
  // "Lines must be separated by either a U+000D CARRIAGE RETURN U+000A LINE FEED (CRLF) character
  // pair, a single U+000A LINE FEED (LF) character, or a single U+000D CARRIAGE RETURN (CR) character."
  const lines = text.split(/\r\n|\r|\n/)
  // Whatever follows the last line end is an unfinished line ("Once the end of the file is
  // reached, any pending data must be discarded").
  lines.pop()
  let data = ''
  let eventType = ''
  let id: string | undefined
  for (const line of lines) {
    if (line === '') {
      if (id !== undefined) calls.push(['id', id])
      if (data !== '') {
        calls.push(['event', {id, event: eventType === '' ? undefined : eventType, data: data.slice(0, -1)}])
      }
      data = ''
      eventType = ''
      id = undefined
      continue
    }
    if (line.startsWith(':')) {
      const comment = line.slice(1)
      calls.push(['comment', comment.startsWith(' ') ? comment.slice(1) : comment])
      continue
    }
    const colon = line.indexOf(':')
    const field = colon === -1 ? line : line.slice(0, colon)
    let value = colon === -1 ? '' : line.slice(colon + 1)
    if (value.startsWith(' ')) value = value.slice(1)
    if (field === 'event') eventType = value
    else if (field === 'data') data += `${value}\n`
    else if (field === 'id') {
      if (!value.includes('\0')) id = value
    } else if (field === 'retry') {
      if (/^[0-9]+$/.test(value)) calls.push(['retry', Number.parseInt(value, 10)])
      else calls.push(['error', {type: 'invalid-retry', value, line}])
    } else calls.push(['error', {type: 'unknown-field', field, value, line}])
  }
  return calls
}

/** Errors reduced to what the model knows: type, value, line, and field for unknown fields. */
function comparable(calls: Call[]): Call[] {
  return calls.map((call): Call => {
    if (call[0] !== 'error') return call
    const {type, field, value, line} = call[1]
    const error: ErrorRecord = type === 'unknown-field' ? {type, field, value, line} : {type, value, line}
    return ['error', error]
  })
}

// The parser strips a Latin-1 rendering of the BOM from string input, as eventsource-parser
// does; the model follows the spec only, so such inputs are left out.
const notLatin1Bom = (input: string) => !input.startsWith('\xEF\xBB\xBF')

test('the model gives the expected callbacks for a hand-written stream', () => {
  expect(model('\uFEFFid: 1\r\nevent: e\rdata: a\ndata:  b\n\n: c\nretry: 5\nretry: x\nfoo\n\ndata: z')).toEqual([
    ['id', '1'],
    ['event', {id: '1', event: 'e', data: 'a\n b'}],
    ['comment', 'c'],
    ['retry', 5],
    ['error', {type: 'invalid-retry', value: 'x', line: 'retry: x'}],
    ['error', {type: 'unknown-field', field: 'foo', value: '', line: 'foo'}],
  ])
})

test('string streams in any chunks give exactly what the spec model gives', () => {
  fc.assert(
    fc.property(sseText.filter(notLatin1Bom), cuts, (input, at) => {
      const expected = model(input)
      expect(comparable(run([input]))).toEqual(expected)
      expect(comparable(run(split(input, at)))).toEqual(expected)
    }),
    {numRuns: 1000},
  )
})

test('arbitrary strings give exactly what the spec model gives', () => {
  fc.assert(
    fc.property(fc.string({unit: 'binary', maxLength: 80}).filter(notLatin1Bom), cuts, (input, at) => {
      expect(comparable(run(split(input, at)))).toEqual(model(input))
    }),
    {numRuns: 500},
  )
})

test('byte streams in any chunks give exactly what the spec model gives for their UTF-8 decoding', () => {
  // The spec's "UTF-8 decode": invalid bytes become U+FFFD; the model itself strips the BOM.
  const decoder = new TextDecoder('utf-8', {ignoreBOM: true})
  fc.assert(
    fc.property(sseBytes, cuts, (input, at) => {
      const text = decoder.decode(input)
      fc.pre(notLatin1Bom(text))
      expect(comparable(run(split(input, at)))).toEqual(model(text))
    }),
    {numRuns: 1000},
  )
})

test('structured events (data, event, id, retry, comments) match the spec model', () => {
  const field = fc.oneof(
    fc.tuple(fc.constant('data'), fc.string({maxLength: 8})),
    fc.tuple(fc.constant('event'), fc.constantFrom('', 'add', 'remove', '__proto__', ' spaced')),
    fc.tuple(fc.constant('id'), fc.constantFrom('', '1', '42', 'a\0b', ' 7')),
    fc.tuple(fc.constant('retry'), fc.oneof(fc.nat().map(String), fc.constantFrom('', 'x', '1e3', '٣', '１'))),
    fc.tuple(fc.constant(''), fc.string({maxLength: 8})),
  )
  const block = fc.tuple(fc.array(field, {maxLength: 6}), fc.constantFrom('\n', '\r', '\r\n'))
  const stream = fc
    .array(block, {maxLength: 8})
    .map((blocks) =>
      blocks
        .map(([fields, end]) =>
          fields.map(([name, value]) => `${name}:${value.replace(/[\r\n]/g, '')}${end}`).join('') + end,
        )
        .join(''),
    )
  fc.assert(
    fc.property(stream, cuts, (input, at) => {
      fc.pre(notLatin1Bom(input))
      const expected = model(input)
      expect(comparable(run(split(input, at)))).toEqual(expected)
      expect(comparable(run(split(encoder.encode(input), at)))).toEqual(expected)
    }),
    {numRuns: 500},
  )
})

// ---------------------------------------------------------------------------
// (f) Long lines that can no longer be a field, against eventsource-parser at any chunking

type Options = {maxBufferSize?: number; onComment?: boolean}

/**
 * Every callback of `create`'s parser for `chunks` then `reset({consume: true})`, with `onComment`
 * only if asked, and a `threw` entry for a chunk that `feed` refused (after an overflow).
 */
function runWith(create: typeof createParser, chunks: Chunk[], {maxBufferSize, onComment}: Options): unknown[] {
  const {onComment: recordComment, ...rec} = record()
  const parser = create({...rec, ...(onComment ? {onComment: recordComment} : {}), maxBufferSize})
  const calls: unknown[] = rec.calls
  for (const chunk of chunks) {
    try {
      parser.feed(chunk)
    } catch {
      calls.push(['threw'])
    }
  }
  parser.reset({consume: true})
  return calls
}

/**
 * Lines that can no longer be a field (comments, unknown fields, junk, some one character away from
 * a known field), which eventsource-parser never keeps, and lines that may still be one (`event`,
 * `id`, `retry` and the starts of their names), long or short, ended or (at the end of the stream) not.
 * No `data` values: eventsource-parser knowingly differs there (it delivers a one-line event longer
 * than maxBufferSize when the chunk holds its blank line too, and counts the data buffer and an
 * unended line together), which other tests cover.
 */
const longLine: fc.Arbitrary<string> = fc
  .tuple(
    fc.constantFrom(
      ...[':', ': ', 'foo', 'foo:', 'datum:', 'datax', 'eventx:', 'retryx', 'idx', 'Data:', '{"error":', '<html>', ' data:'],
      ...['d', 'dat', 'data', 'e', 'even', 'event', 'event:', 'i', 'id', 'id:', 'r', 'retry', 'retry:', '\uFEFF'],
    ),
    fc.constantFrom('x', 'é', ' ', '😀', '1'),
    fc.nat({max: 40}),
  )
  .map(([start, fill, count]) => start + fill.repeat(count))

const longLineStream: fc.Arbitrary<string> = fc
  .tuple(
    fc.constantFrom('', '\uFEFF'),
    fc.array(
      fc.oneof(
        {weight: 4, arbitrary: fc.tuple(longLine, fc.constantFrom('\n', '\r', '\r\n')).map(([line, end]) => line + end)},
        {weight: 1, arbitrary: fc.constantFrom('\n', '\r\n', 'data\n\n', 'id: 1\n\n')},
      ),
      {maxLength: 12},
    ),
    longLine,
  )
  .map(([bom, lines, last]) => bom + lines.join('') + last)

const longLineOptions: fc.Arbitrary<Options> = fc.record({
  maxBufferSize: fc.constantFrom(1, 4, 8, 16, 32, 1000),
  onComment: fc.boolean(),
})

/** Whether `call` is an `unknown-field` error. */
const isUnknownField = (call: unknown): boolean => {
  const [kind, error] = call as [string, ErrorRecord?]
  return kind === 'error' && error?.type === 'unknown-field'
}

/**
 * Asserts that `ours` (the calls for `chunks`) are eventsource-parser's `reference`, `unknown-field`
 * errors apart: eventsource-parser drops a line that can no longer be a field at the end of any chunk
 * that cuts it, so it reports nothing for it even when its line end comes in the next chunk, while
 * streamsource keeps such a line until it outgrows maxBufferSize (and only then skips the rest of it),
 * so reports it whatever the chunking. So those errors are compared exactly where every line is whole
 * in one chunk (one chunk, here); in other chunkings, eventsource-parser's are some of ours, in order.
 */
function expectAsReference(ours: unknown[], reference: unknown[], chunks: unknown[]): void {
  if (chunks.length <= 1) return void expect(ours).toEqual(reference)
  expect(ours.filter((call) => !isUnknownField(call))).toEqual(reference.filter((call) => !isUnknownField(call)))
  const ourErrors = ours.filter(isUnknownField).map((call) => JSON.stringify(call))
  let next = 0
  for (const call of reference.filter(isUnknownField)) {
    const found = ourErrors.indexOf(JSON.stringify(call), next)
    expect(found, `unknown-field error ${JSON.stringify(call)}`).not.toBe(-1)
    next = found + 1
  }
}

test('long comment, unknown-field and junk lines in any chunks, with a small maxBufferSize: the same callbacks as eventsource-parser', () => {
  fc.assert(
    fc.property(longLineStream, cuts, longLineOptions, (input, at, options) => {
      for (const chunks of [[input], split(input, at)]) {
        expectAsReference(runWith(createParser, chunks, options), runWith(referenceParser as typeof createParser, chunks, options), chunks)
      }
    }),
    {numRuns: 2000},
  )
})

/**
 * Asserts that `input` as bytes, whole and cut at `at` (even inside a character), gives the callbacks
 * that eventsource-parser gives for the text cut after that character.
 */
function expectBytesAsReference(input: string, at: number[], options: Options): void {
  const bytes = encoder.encode(input)
  // textOffset[b]: where byte offset b falls in the text, rounded up to a whole character.
  const textOffset = [0]
  let offset = 0
  for (const character of input) {
    offset += character.length
    for (let byte = encoder.encode(character).length; byte > 0; byte--) textOffset.push(offset)
  }
  // Bytes count against maxBufferSize as bytes (a BOM too), never fewer than the characters:
  // exact limits only for ASCII.
  const limits = /[^\0-\x7f]/.test(input) ? {...options, maxBufferSize: 1000} : options
  for (const points of [[], at.map((cut) => cut % (bytes.length + 1))]) {
    const textChunks = split(input, points.map((point) => textOffset[point]!))
    const expected = runWith(referenceParser as typeof createParser, textChunks, limits)
    // The root's createParser (the Node build's parser under vitest), parse.ts, and parse.ts as browser bundles get it.
    for (const create of [createParser, createBrowserParser, createBundledParser]) {
      expectAsReference(runWith(create, split(bytes, points), limits), expected, textChunks)
    }
  }
}

test('the same streams as bytes cut anywhere, even inside a character: the callbacks eventsource-parser gives for the text cut after that character', () => {
  fc.assert(
    fc.property(longLineStream, cuts, longLineOptions, (input, at, options) => expectBytesAsReference(input, at, options)),
    {numRuns: 2000},
  )
})

test('the same with ASCII lines of up to 600 characters, which reads of 256 bytes or more end inside of (kept as text, not bytes)', () => {
  // Such a read is decoded up to its last whole character, and the line it leaves unended is kept as
  // text: what smaller reads add to it, as bytes, counts against maxBufferSize with it. (ASCII, for
  // exact limits: 'byte streams with lines of over 1 KiB' cuts lines of other characters anywhere.)
  const longerLine = fc
    .tuple(fc.constantFrom(':', 'foo:', 'data', 'event:', 'id:', 'retry:', 're'), fc.constantFrom('x', '1', ' '), fc.nat({max: 600}))
    .map(([start, fill, count]) => start + fill.repeat(count))
  const stream = fc
    .tuple(
      fc.array(fc.tuple(longerLine, fc.constantFrom('\n', '\r', '\r\n', '\n\n')).map(([line, end]) => line + end), {maxLength: 6}),
      longerLine,
    )
    .map(([lines, last]) => lines.join('') + last)
  const options = fc.record({maxBufferSize: fc.constantFrom(16, 300, 500, 1000), onComment: fc.boolean()})
  // Cuts anywhere, and a run of small reads (up to 200 bytes) from one of them on.
  const steps = fc.array(fc.integer({min: 1, max: 200}), {maxLength: 12})
  fc.assert(
    fc.property(stream, cuts, fc.nat(), steps, options, (input, at, from, sizes, limits) => {
      const length = encoder.encode(input).length
      let cut = from % (length + 1)
      const run = [cut, ...sizes.map((size) => (cut = Math.min(cut + size, length)))]
      expectBytesAsReference(input, [...at, ...run], limits)
    }),
    {numRuns: 1000},
  )
})

// ---------------------------------------------------------------------------
// (g) The Node build's parser (src/parser/parse-node.ts) against the browsers' (src/parser/parse.ts)

/**
 * What a callback does to the parser when it is the `at`-th call: reset it (consuming or not), or feed
 * it `feed` (text streams only). What it feeds ends with a line end: a line it left unfinished would
 * come before the rest of the chunk being read, in no order that means anything, and the two parsers
 * keep it in different ways (./parse.ts as bytes, ./parse-node.ts as text when it can). Nor is a
 * chunk of bytes fed from inside a callback: where it lands depends on how much of the chunk being
 * read was decoded, which is each parser's own choice (./parse.ts decodes a small read up to its last
 * line end, ./parse-node.ts all of an ASCII one), so a CR that ends the decoded part may or may not
 * take the LF fed as its own, as `data:\n:\r:` then `\n` fed from the comment's callback showed.
 */
type Action = {at: number; reset?: {consume: boolean} | undefined; feed?: string | undefined}
type Limits = {maxBufferSize: number | undefined; onComment: boolean; action: Action | null}

/**
 * Every call `create`'s parser makes for `chunks` (errors with their message and every field), then
 * `reset({consume: true})`; `threw` where `feed` threw (after an overflow), and whatever the action
 * of `limits` did from inside a callback.
 */
function runExactly(create: typeof createParser, chunks: Chunk[], {maxBufferSize, onComment, action}: Limits): unknown[] {
  const calls: unknown[] = []
  const note = (call: unknown[]): void => {
    calls.push(call)
    if (calls.length !== action?.at) return
    if (action.reset) parser.reset(action.reset)
    if (action.feed !== undefined && typeof chunks[0] === 'string') feed(action.feed)
  }
  const feed = (chunk: Chunk): void => {
    try {
      parser.feed(chunk)
    } catch (error) {
      calls.push(['threw', (error as Error).message])
    }
  }
  const parser = create({
    onEvent: (event) => note(['event', {...event}]),
    onId: (id) => note(['id', id]),
    onRetry: (retry) => note(['retry', retry]),
    ...(onComment ? {onComment: (comment: string) => note(['comment', comment])} : {}),
    onError: ({type, message, field, value, line}) => note(['error', {type, message, field, value, line}]),
    maxBufferSize,
  })
  for (const chunk of chunks) feed(chunk)
  parser.reset({consume: true})
  return calls
}

/** Lines that outgrow a small limit: long data, event, id and retry values, comments, unknown fields, junk. */
const longLines: fc.Arbitrary<string> = fc
  .array(
    fc.oneof(
      sseLine,
      fc
        .tuple(
          fc.constantFrom(
            ...['data: ', 'data:', 'event:', 'id: ', 'retry: ', ': ', 'foo: ', 'x', 'dat'],
            // One character away from a field name, at each place.
            ...['xata:', 'dxta:', 'daxa:', 'datx:', 'dat:', 'datax:', 'xvent:', 'exent:', 'evxnt:', 'evext:', 'evenx:', 'even:'],
            ...['eventx:', 'xd:', 'ix:', 'i:', 'idx:', 'xetry:', 'rxtry:', 'rexry:', 'retxy:', 'retrx:', 'retr:', 'retryx:'],
          ),
          fc.string({maxLength: 60}),
        )
        .map(([field, value]) => `${field}${value.replace(/[\r\n]/g, '')}\n`),
      fc.constantFrom('\n', '\r\n', '\r', '\n\n'),
    ),
    {maxLength: 20},
  )
  .map((lines) => lines.join(''))

const action: fc.Arbitrary<Action | null> = fc.option(
  fc.record({
    at: fc.integer({min: 1, max: 8}),
    reset: fc.option(fc.record({consume: fc.boolean()}), {nil: undefined}),
    feed: fc.option(fc.constantFrom('data: fed\n\n', 'data: fed\n', 'ta: é\r\n\r\n', '\n', '\r'), {nil: undefined}),
  }),
  {freq: 2},
)

const limits: fc.Arbitrary<Limits> = fc.record({
  maxBufferSize: fc.constantFrom(undefined, undefined, 0, 1, 4, 8, 16, 32, 100),
  onComment: fc.boolean(),
  action,
})

/** Asserts that the two parsers make the same calls for `chunks`. */
function expectSameAsBrowsers(chunks: Chunk[], options: Limits): void {
  expect(runExactly(createNodeParser, chunks, options)).toEqual(runExactly(createBrowserParser, chunks, options))
}

test('the Node build\'s parser calls back exactly as the browsers\' do for text cut anywhere, with any limit and a reset or feed from any callback', () => {
  fc.assert(
    fc.property(fc.oneof(sseText, longLines), cuts, limits, (input, at, options) => {
      expectSameAsBrowsers(split(input, at), options)
    }),
    {numRuns: 2000},
  )
})

test('the Node build\'s parser calls back exactly as the browsers\' do for bytes cut anywhere (inside characters, invalid UTF-8, BOMs)', () => {
  fc.assert(
    fc.property(fc.oneof(sseBytes, longLines.map((text) => encoder.encode(text))), cuts, limits, (input, at, options) => {
      expectSameAsBrowsers(split(input, at), options)
      expectSameAsBrowsers([input], options)
    }),
    {numRuns: 2000},
  )
})

test('the Node build\'s parser calls back exactly as the browsers\' do for bytes fed one at a time', () => {
  fc.assert(
    fc.property(sseBytes, limits, (input, options) => {
      expectSameAsBrowsers(Array.from(input, (byte) => Uint8Array.of(byte)), options)
    }),
    {numRuns: 300},
  )
})

test('the Node build\'s parser calls back exactly as the browsers\' do for a read per event, now and then several or a cut one', () => {
  fc.assert(
    fc.property(sseEventReads, limits, (reads, options) => {
      expectSameAsBrowsers(reads, options)
    }),
    {numRuns: 2000},
  )
})

test('the Node build\'s parser calls back exactly as the browsers\' do for reads of over a KiB (checked for ASCII, not guessed), cut anywhere', () => {
  fc.assert(
    fc.property(sseBytes, fc.integer({min: 1, max: 80}), cuts, limits, (input, times, at, options) => {
      const stream = new Uint8Array(input.length * times)
      for (let index = 0; index < times; index++) stream.set(input, index * input.length)
      expectSameAsBrowsers(split(stream, at), {...options, maxBufferSize: options.maxBufferSize && options.maxBufferSize * 40})
    }),
    {numRuns: 300},
  )
})

test('bytes of a line that is `id:\0` so far when a read ends are counted on, as the browsers\' parser counts them, and overflow', () => {
  // The Node build's parser keeps the start of a line read as ASCII bytes as text, and `id:\0` is the text
  // both parsers hold while they skip a line: here it has to stay bytes.
  const input = encoder.encode('id:\0data\0😀😀\n')
  const options: Limits = {maxBufferSize: 16, onComment: false, action: null}
  const cut = [input.subarray(0, 4), input.subarray(4, -1), input.subarray(-1)]
  for (const chunks of [Array.from(input, (byte) => Uint8Array.of(byte)), cut]) {
    const calls = runExactly(createNodeParser, chunks, options)
    expect(calls).toEqual(runExactly(createBrowserParser, chunks, options))
    expect(calls[0]).toMatchObject(['error', {type: 'max-buffer-size-exceeded'}])
  }
  // Over the limit with those four bytes alone.
  const chunks = [encoder.encode('id:\0'), encoder.encode('\n')]
  const calls = runExactly(createNodeParser, chunks, {...options, maxBufferSize: 3})
  expect(calls).toEqual(runExactly(createBrowserParser, chunks, {...options, maxBufferSize: 3}))
  expect(calls[0]).toMatchObject(['error', {type: 'max-buffer-size-exceeded'}])
})

test('a read of one `data:` line and a blank line whose value is shorter than maxBufferSize, as long or longer', () => {
  // (What the Node build's parser dispatches without its line loop.)
  for (let length = 0; length <= 24; length++) {
    for (const maxBufferSize of [0, 1, 8, 15, 16, 17, 30]) {
      const event = `data: ${'x'.repeat(length)}\n\n`
      for (const chunks of [[event, event], [encoder.encode(event), encoder.encode(event)]]) {
        expectSameAsBrowsers(chunks, {maxBufferSize, onComment: false, action: null})
      }
    }
  }
})
