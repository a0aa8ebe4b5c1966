// The parser against the WHATWG HTML "Server-sent events" parsing rules
// (https://html.spec.whatwg.org/multipage/server-sent-events.html#event-stream-interpretation)
// and the callback contract of eventsource-parser's createParser.
import {expect, test} from 'vitest'
import {createParser, ParseError, StreamSourceError} from '../src/index.js'
import {type Call, ev, record} from './support/record.js'

type Chunk = string | Uint8Array

const encoder = new TextEncoder()

function utf8(text: string): Uint8Array {
  return encoder.encode(text)
}

/** Concatenates strings (UTF-8 encoded) and raw byte lists into one byte array. */
function bytes(...parts: (string | number[])[]): Uint8Array {
  const arrays = parts.map((part) => (typeof part === 'string' ? utf8(part) : Uint8Array.from(part)))
  const out = new Uint8Array(arrays.reduce((n, a) => n + a.length, 0))
  let offset = 0
  for (const a of arrays) {
    out.set(a, offset)
    offset += a.length
  }
  return out
}

/** Feeds the chunks to a fresh parser with every callback recorded. */
function run(chunks: Chunk[], options: {maxBufferSize?: number} = {}): Call[] {
  const rec = record()
  const parser = createParser({...rec, ...options})
  for (const chunk of chunks) parser.feed(chunk)
  return rec.calls
}

/** Every way to cut `input` into two chunks (including empty first/last chunks). */
function twoWaySplits<T extends Chunk>(input: T): [T, T][] {
  const out: [T, T][] = []
  for (let i = 0; i <= input.length; i++) {
    out.push([input.slice(0, i) as T, input.slice(i) as T])
  }
  return out
}

/** Every way to cut `input` into three chunks. */
function threeWaySplits<T extends Chunk>(input: T): [T, T, T][] {
  const out: [T, T, T][] = []
  for (let i = 0; i <= input.length; i++) {
    for (let j = i; j <= input.length; j++) {
      out.push([input.slice(0, i) as T, input.slice(i, j) as T, input.slice(j) as T])
    }
  }
  return out
}

/** One chunk per code unit (string) or per byte (Uint8Array). */
function singles<T extends Chunk>(input: T): T[] {
  const out: T[] = []
  for (let i = 0; i < input.length; i++) out.push(input.slice(i, i + 1) as T)
  return out
}

/** Asserts that every chunking of `input` gives `expected`. */
function expectSplitInvariant(input: Chunk, expected: Call[]): void {
  expect(run([input])).toEqual(expected)
  for (const chunks of twoWaySplits(input)) {
    expect(run(chunks), `split ${JSON.stringify(chunks.map(String))}`).toEqual(expected)
  }
  expect(run(singles(input))).toEqual(expected)
}

// ---------------------------------------------------------------------------
// API shape

test('createParser returns an object with feed and reset', () => {
  const parser = createParser({})
  expect(typeof parser.feed).toBe('function')
  expect(typeof parser.reset).toBe('function')
})

test('createParser(fn) throws a TypeError that suggests createParser({onEvent: fn})', () => {
  const fn = () => {}
  // @ts-expect-error -- passing a function instead of a config object is the mistake under test
  expect(() => createParser(fn)).toThrow(TypeError)
  // @ts-expect-error -- as above
  expect(() => createParser(fn)).toThrow(/onEvent/)
})

test('a parser with no callbacks accepts any input without throwing', () => {
  const parser = createParser({})
  expect(() => {
    parser.feed('data: x\n\nid: 1\nretry: 5\nretry: x\n: comment\nfoo: bar\n\n')
    parser.feed(utf8('data: é\n\n'))
  }).not.toThrow()
})

test('a message has exactly the keys id, event and data, with undefined id and event when absent', () => {
  const calls = run(['data: x\n\n'])
  expect(calls).toHaveLength(1)
  const message = calls[0]?.[1]
  expect(message).toStrictEqual({id: undefined, event: undefined, data: 'x'})
  expect(Object.keys(message as object).sort()).toEqual(['data', 'event', 'id'])
})

test('every dispatched message is a fresh object that later input does not mutate', () => {
  const calls = run(['id: 1\nevent: a\ndata: x\n\n', 'id: 2\nevent: b\ndata: y\n\n'])
  expect(calls).toEqual([
    ['id', '1'],
    ev('x', {id: '1', event: 'a'}),
    ['id', '2'],
    ev('y', {id: '2', event: 'b'}),
  ])
})

test('ParseError is an Error subclass with name ParseError, under the library\'s error base', () => {
  const rec = record()
  createParser(rec).feed('foo: bar\n')
  const error = rec.errors[0]
  expect(error).toBeInstanceOf(ParseError)
  expect(error).toBeInstanceOf(StreamSourceError)
  expect(error).toBeInstanceOf(Error)
  expect(error?.name).toBe('ParseError')
  expect(typeof error?.message).toBe('string')
})

// ---------------------------------------------------------------------------
// Line endings

test('LF ends a line', () => {
  expectSplitInvariant('data: a\ndata: b\n\n', [ev('a\nb')])
})

test('CR ends a line', () => {
  expectSplitInvariant('data: a\rdata: b\r\r', [ev('a\nb')])
})

test('CRLF ends a line', () => {
  expectSplitInvariant('data: a\r\ndata: b\r\n\r\n', [ev('a\nb')])
})

test('CR, LF and CRLF can be mixed in one stream', () => {
  expectSplitInvariant('data: a\rdata: b\ndata: c\r\n\ndata: d\n\r\ndata: e\r\n\r', [
    ev('a\nb\nc'),
    ev('d'),
    ev('e'),
  ])
})

test('LF followed by CR is two line ends (the CR is a blank line)', () => {
  expectSplitInvariant('data: a\n\rdata: b\n\n', [ev('a'), ev('b')])
})

test('CR followed by CR is two line ends (the second CR is a blank line)', () => {
  expectSplitInvariant('data: a\r\rdata: b\r\r', [ev('a'), ev('b')])
})

test('CR CR LF is a line end followed by a CRLF blank line', () => {
  expectSplitInvariant('data: a\r\r\ndata: b\r\r\n', [ev('a'), ev('b')])
})

test('a CR at the end of one chunk and an LF at the start of the next end one line, not two', () => {
  expect(run(['data: a\r', '\ndata: b\r\n\r\n'])).toEqual([ev('a\nb')])
  expect(run(['id: 1\r', '\ndata: x\r', '\n\r', '\n'])).toEqual([['id', '1'], ev('x', {id: '1'})])
})

test('a CR at the end of a chunk and an LF after an empty chunk still end one line', () => {
  expect(run(['data: a\r', '', '\ndata: b\n\n'])).toEqual([ev('a\nb')])
})

test('a CR at the end of a chunk followed by a chunk starting with another character ends the line', () => {
  expect(run(['data: a\r', 'data: b\r', '\r'])).toEqual([ev('a\nb')])
})

test('a CR at the end of one chunk and a CR at the start of the next are a line end and a blank line', () => {
  expect(run(['data: a\r', '\rdata: b\n\n'])).toEqual([ev('a'), ev('b')])
})

test('an event ended by CR CR at the end of a chunk is dispatched without waiting for the next chunk', () => {
  const rec = record()
  const parser = createParser(rec)
  parser.feed('data: a\r\r')
  expect(rec.calls).toEqual([ev('a')])
  parser.feed('\ndata: b\n\n')
  // The LF after the final CR belongs to that CR: it is not another blank line,
  // and 'data: b' is a line of its own.
  expect(rec.calls).toEqual([ev('a'), ev('b')])
})

test('a field line ended by a CR at the end of a chunk is processed without waiting for the next chunk', () => {
  const rec = record()
  const parser = createParser(rec)
  parser.feed('retry: 42\r')
  expect(rec.calls).toEqual([['retry', 42]])
  parser.feed(': hi\r')
  expect(rec.calls).toEqual([
    ['retry', 42],
    ['comment', 'hi'],
  ])
})

test('CR, LF and CRLF give the same result for every two-way split of a mixed stream', () => {
  const input = 'id: 1\r\nevent: e\rdata: a\ndata: b\r\n\r\n: c\rretry: 7\n\rdata: x\r\r'
  const expected: Call[] = [
    ['id', '1'],
    ev('a\nb', {id: '1', event: 'e'}),
    ['comment', 'c'],
    ['retry', 7],
    ev('x'),
  ]
  expectSplitInvariant(input, expected)
})

test('CR, LF and CRLF give the same result for every three-way split of a stream', () => {
  const input = 'data:a\r\n\r\ndata:b\r\rdata:c\n\n:x\r\n'
  const expected: Call[] = [ev('a'), ev('b'), ev('c'), ['comment', 'x']]
  for (const chunks of threeWaySplits(input)) {
    expect(run(chunks), JSON.stringify(chunks)).toEqual(expected)
  }
})

test('CR, LF and CRLF line ends split at every position work for byte input too', () => {
  const input = utf8('data: a\r\ndata: b\r\rdata: c\n\r\nid: 9\r\r\n')
  const expected: Call[] = [ev('a\nb'), ev('c'), ['id', '9']]
  expectSplitInvariant(input, expected)
  for (const chunks of threeWaySplits(input)) {
    expect(run(chunks)).toEqual(expected)
  }
})

// ---------------------------------------------------------------------------
// Byte order mark

test('one leading BOM (U+FEFF) in a string is stripped', () => {
  expect(run(['\uFEFFdata: x\n\n'])).toEqual([ev('x')])
})

test('a leading BOM alone in the first string chunk is stripped', () => {
  expect(run(['\uFEFF', 'data: x\n\n'])).toEqual([ev('x')])
})

test('a leading BOM after empty chunks is still stripped', () => {
  expect(run(['', '', '\uFEFFdata: x\n\n'])).toEqual([ev('x')])
  expect(run([new Uint8Array(0), bytes([0xef, 0xbb, 0xbf], 'data: x\n\n')])).toEqual([ev('x')])
})

test('one leading BOM (bytes EF BB BF) is stripped', () => {
  expect(run([bytes([0xef, 0xbb, 0xbf], 'data: x\n\n')])).toEqual([ev('x')])
})

test('a leading BOM split 1+2 bytes across chunks is stripped', () => {
  expect(run([bytes([0xef]), bytes([0xbb, 0xbf], 'data: x\n\n')])).toEqual([ev('x')])
})

test('a leading BOM split 2+1 bytes across chunks is stripped', () => {
  expect(run([bytes([0xef, 0xbb]), bytes([0xbf], 'data: x\n\n')])).toEqual([ev('x')])
})

test('a leading BOM fed one byte per chunk is stripped', () => {
  expect(run([bytes([0xef]), bytes([0xbb]), bytes([0xbf]), utf8('data: x\n\n')])).toEqual([ev('x')])
})

test('a leading BOM in bytes is stripped for every split of the stream', () => {
  expectSplitInvariant(bytes([0xef, 0xbb, 0xbf], 'data: x\n\n'), [ev('x')])
})

test('a second leading BOM is kept, so the first field name is \\uFEFFdata (unknown)', () => {
  const expected: Call[] = [
    ['error', {type: 'unknown-field', field: '\uFEFFdata', value: 'x', line: '\uFEFFdata: x'}],
    ev('y'),
  ]
  expect(run(['\uFEFF\uFEFFdata: x\n\ndata: y\n\n'])).toEqual(expected)
  expect(run(['\uFEFF', '\uFEFFdata: x\n\ndata: y\n\n'])).toEqual(expected)
})

test('a second leading BOM in bytes is kept, so the first field name is \\uFEFFdata (unknown)', () => {
  const input = bytes([0xef, 0xbb, 0xbf, 0xef, 0xbb, 0xbf], 'data: x\n\ndata: y\n\n')
  const expected: Call[] = [
    ['error', {type: 'unknown-field', field: '\uFEFFdata', value: 'x', line: '\uFEFFdata: x'}],
    ev('y'),
  ]
  expectSplitInvariant(input, expected)
})

test('a BOM that is not at the start of the stream is kept', () => {
  expect(run(['data: x\n\n\uFEFFdata: y\n\n'])).toEqual([
    ev('x'),
    ['error', {type: 'unknown-field', field: '\uFEFFdata', value: 'y', line: '\uFEFFdata: y'}],
  ])
  expect(run([utf8('data: x\n\n'), bytes([0xef, 0xbb, 0xbf], 'data: y\n\n')])).toEqual([
    ev('x'),
    ['error', {type: 'unknown-field', field: '\uFEFFdata', value: 'y', line: '\uFEFFdata: y'}],
  ])
})

test('a truncated leading BOM (EF BB) is not stripped; it decodes to U+FFFD', () => {
  expect(run([bytes([0xef, 0xbb], 'data: x\n\ndata: y\n\n')])).toEqual([
    ['error', {type: 'unknown-field', field: '\uFFFDdata', value: 'x', line: '\uFFFDdata: x'}],
    ev('y'),
  ])
})

test('a BOM decoded as Latin-1 ("\\xEF\\xBB\\xBF") at the start of a string is stripped, as eventsource-parser does', () => {
  expect(run(['\xEF\xBB\xBFdata: x\n\n'])).toEqual([ev('x')])
  expect(run(['\xEF', '\xBB', '\xBFdata: x\n\n'])).toEqual([ev('x')])
})

test('the UTF-8 encoding of the characters "\\xEF\\xBB\\xBF" at the start of a byte stream is content, not a BOM', () => {
  expect(run([utf8('\xEF\xBB\xBFdata: x\n\ndata: y\n\n')])).toEqual([
    ['error', {type: 'unknown-field', field: '\xEF\xBB\xBFdata', value: 'x', line: '\xEF\xBB\xBFdata: x'}],
    ev('y'),
  ])
})

test('after reset() a leading BOM is stripped again', () => {
  const rec = record()
  const parser = createParser(rec)
  parser.feed('\uFEFFdata: a\n\n')
  parser.reset()
  parser.feed('\uFEFFdata: b\n\n')
  parser.reset()
  parser.feed(bytes([0xef, 0xbb, 0xbf], 'data: c\n\n'))
  expect(rec.calls).toEqual([ev('a'), ev('b'), ev('c')])
})

// ---------------------------------------------------------------------------
// Dispatch and data

test('a blank line dispatches the buffered event', () => {
  const rec = record()
  const parser = createParser(rec)
  parser.feed('data: x\n')
  expect(rec.calls).toEqual([])
  parser.feed('\n')
  expect(rec.calls).toEqual([ev('x')])
})

test('two data lines are joined with a single LF', () => {
  expect(run(['data: a\ndata: b\n\n'])).toEqual([ev('a\nb')])
})

test('data lines are joined in order and only the final trailing LF is removed', () => {
  expect(run(['data: a\ndata: b\ndata: c\n\n'])).toEqual([ev('a\nb\nc')])
  expect(run(['data: a\ndata:\n\n'])).toEqual([ev('a\n')])
  expect(run(['data:\ndata: a\n\n'])).toEqual([ev('\na')])
  expect(run(['data:\ndata:\n\n'])).toEqual([ev('\n')])
})

test('data: followed by a blank line dispatches an event with empty data', () => {
  expect(run(['data:\n\n'])).toEqual([ev('')])
  expect(run(['data: \n\n'])).toEqual([ev('')])
})

test('a line "data" without a colon dispatches an event with empty data', () => {
  expect(run(['data\n\n'])).toEqual([ev('')])
  expect(run(['data\ndata\n\n'])).toEqual([ev('\n')])
})

test('a block without a data line dispatches no event', () => {
  expect(run(['event: foo\n\n'])).toEqual([])
  expect(run(['retry: 10\n\n'])).toEqual([['retry', 10]])
  expect(run([': only a comment\n\n'])).toEqual([['comment', 'only a comment']])
})

test('blank lines with nothing buffered dispatch nothing', () => {
  expect(run(['\n\n\n\r\n\r\r'])).toEqual([])
})

test('the data buffer is cleared after dispatch', () => {
  expect(run(['data: a\n\ndata: b\n\n'])).toEqual([ev('a'), ev('b')])
})

test('many events in one chunk are all dispatched in order', () => {
  const input = Array.from({length: 500}, (_, i) => `data: ${i}\n\n`).join('')
  expect(run([input])).toEqual(Array.from({length: 500}, (_, i) => ev(String(i))))
})

test('a NUL character in data is kept', () => {
  expect(run(['data: a\0b\n\n'])).toEqual([ev('a\0b')])
})

test('a colon in the value is part of the value', () => {
  expect(run(['data: a:b: c\n\n'])).toEqual([ev('a:b: c')])
  expect(run(['data::x\n\n'])).toEqual([ev(':x')])
})

test('the incomplete last event (no final blank line) is never dispatched', () => {
  expect(run(['data: a\n\ndata: b\n'])).toEqual([ev('a')])
  expect(run(['data: a\n\ndata: b'])).toEqual([ev('a')])
  expect(run(['id: 1\ndata: b\n'])).toEqual([])
})

test('a very long data line fed in small chunks is delivered intact', () => {
  const payload = 'x'.repeat(200_000)
  const input = `data: ${payload}\n\n`
  const chunks: string[] = []
  for (let i = 0; i < input.length; i += 997) chunks.push(input.slice(i, i + 997))
  expect(run(chunks)).toEqual([ev(payload)])
})

// ---------------------------------------------------------------------------
// Field/value splitting

test('a single leading space of the value is stripped', () => {
  expect(run(['data: x\n\n'])).toEqual([ev('x')])
})

test('a value without a leading space is taken as is', () => {
  expect(run(['data:x\n\n'])).toEqual([ev('x')])
})

test('only one leading space of the value is stripped (data:  x gives " x")', () => {
  expect(run(['data:  x\n\n'])).toEqual([ev(' x')])
  expect(run(['event:  e\ndata:   x\n\n'])).toEqual([ev('  x', {event: ' e'})])
})

test('trailing spaces of the value are kept', () => {
  expect(run(['data: x  \n\n'])).toEqual([ev('x  ')])
})

test('a tab after the colon is not stripped', () => {
  expect(run(['data:\tx\n\n'])).toEqual([ev('\tx')])
})

test('spaces before the colon are part of the field name', () => {
  expect(run(['data : x\n\n'])).toEqual([
    ['error', {type: 'unknown-field', field: 'data ', value: 'x', line: 'data : x'}],
  ])
})

test('a leading space before the field name makes it a different field', () => {
  expect(run([' data: x\n\n'])).toEqual([
    ['error', {type: 'unknown-field', field: ' data', value: 'x', line: ' data: x'}],
  ])
})

test('a line without a colon is a field name with an empty value', () => {
  expect(run(['event\ndata\n\n'])).toEqual([ev('')])
  expect(run(['foo\n'])).toEqual([['error', {type: 'unknown-field', field: 'foo', value: '', line: 'foo'}]])
})

// ---------------------------------------------------------------------------
// Comments

test('a line starting with a colon is a comment and onComment gets the text after ": "', () => {
  expect(run([': hello world\n'])).toEqual([['comment', 'hello world']])
})

test('a comment without a space after the colon is passed as is', () => {
  expect(run([':hello\n'])).toEqual([['comment', 'hello']])
})

test('only one leading space of a comment is stripped', () => {
  expect(run([':  two\n'])).toEqual([['comment', ' two']])
})

test('a lone colon is an empty comment', () => {
  expect(run([':\n'])).toEqual([['comment', '']])
  expect(run([': \n'])).toEqual([['comment', '']])
})

test('a comment keeps further colons', () => {
  expect(run([':a:b: c\n'])).toEqual([['comment', 'a:b: c']])
})

test('comments do not dispatch and do not interrupt the event around them', () => {
  expect(run(['data: a\n: c1\ndata: b\n:c2\n\n'])).toEqual([['comment', 'c1'], ['comment', 'c2'], ev('a\nb')])
})

test('a comment is reported as soon as its line ends, before the block ends', () => {
  const rec = record()
  const parser = createParser(rec)
  parser.feed('data: a\n: keep-alive\n')
  expect(rec.calls).toEqual([['comment', 'keep-alive']])
})

test('a comment split at every position is reported once and intact', () => {
  expectSplitInvariant(': ping pong\r\n', [['comment', 'ping pong']])
})

// ---------------------------------------------------------------------------
// Event type

test('event sets the message type', () => {
  expect(run(['event: add\ndata: 1\n\n'])).toEqual([ev('1', {event: 'add'})])
})

test('an empty event value leaves the message type undefined', () => {
  expect(run(['event:\ndata: 1\n\n'])).toEqual([ev('1')])
  expect(run(['event: \ndata: 1\n\n'])).toEqual([ev('1')])
})

test('a later empty event line resets an earlier event type', () => {
  expect(run(['event: add\nevent:\ndata: 1\n\n'])).toEqual([ev('1')])
})

test('the last event line of a block wins', () => {
  expect(run(['event: a\nevent: b\ndata: 1\n\n'])).toEqual([ev('1', {event: 'b'})])
})

test('the event type does not carry over to the next block', () => {
  expect(run(['event: add\ndata: 1\n\ndata: 2\n\n'])).toEqual([ev('1', {event: 'add'}), ev('2')])
})

test('the event type of a block without data does not carry over', () => {
  expect(run(['event: add\n\ndata: 2\n\n'])).toEqual([ev('2')])
})

test('event names like __proto__ and constructor are plain strings', () => {
  const names = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'prototype', 'valueOf']
  for (const name of names) {
    expect(run([`event: ${name}\nid: ${name}\ndata: ${name}\n\n`])).toEqual([
      ['id', name],
      ev(name, {id: name, event: name}),
    ])
  }
})

test('field names like __proto__ and constructor are unknown fields', () => {
  expect(run(['__proto__: x\nconstructor: y\ntoString\n'])).toEqual([
    ['error', {type: 'unknown-field', field: '__proto__', value: 'x', line: '__proto__: x'}],
    ['error', {type: 'unknown-field', field: 'constructor', value: 'y', line: 'constructor: y'}],
    ['error', {type: 'unknown-field', field: 'toString', value: '', line: 'toString'}],
  ])
})

// ---------------------------------------------------------------------------
// id

test('id sets the message id and onId is called before onEvent', () => {
  expect(run(['id: 1\ndata: x\n\n'])).toEqual([['id', '1'], ev('x', {id: '1'})])
})

test('onId is called when the blank line ends the block, not when the id line arrives', () => {
  const rec = record()
  const parser = createParser(rec)
  parser.feed('id: 1\n')
  expect(rec.calls).toEqual([])
  parser.feed('data: x\n')
  expect(rec.calls).toEqual([])
  parser.feed('\n')
  expect(rec.calls).toEqual([['id', '1'], ev('x', {id: '1'})])
})

test('onId is called for a block that has an id but no data', () => {
  expect(run(['id: 7\n\n'])).toEqual([['id', '7']])
})

test('onId is called once per block with the last id of the block', () => {
  expect(run(['id: 1\nid: 2\ndata: x\n\n'])).toEqual([['id', '2'], ev('x', {id: '2'})])
})

test('the id is not carried over to the next block', () => {
  expect(run(['id: 1\ndata: a\n\ndata: b\n\n'])).toEqual([['id', '1'], ev('a', {id: '1'}), ev('b')])
})

test('an id line with an empty value sets the id to the empty string', () => {
  expect(run(['id:\ndata: x\n\n'])).toEqual([['id', ''], ev('x', {id: ''})])
  expect(run(['id\ndata: x\n\n'])).toEqual([['id', ''], ev('x', {id: ''})])
})

test('an empty id line resets an earlier id in the same block', () => {
  expect(run(['id: 1\nid:\ndata: x\n\n'])).toEqual([['id', ''], ev('x', {id: ''})])
})

test('an id containing U+0000 NULL is ignored', () => {
  expect(run(['id: a\0b\ndata: x\n\n'])).toEqual([ev('x')])
  expect(run(['id: \0\n\n'])).toEqual([])
})

test('an id containing U+0000 NULL does not replace an earlier valid id', () => {
  expect(run(['id: 1\nid: 2\0\ndata: x\n\n'])).toEqual([['id', '1'], ev('x', {id: '1'})])
})

test('only one leading space of the id is stripped', () => {
  expect(run(['id:  1\ndata: x\n\n'])).toEqual([['id', ' 1'], ev('x', {id: ' 1'})])
})

// ---------------------------------------------------------------------------
// retry

test('retry with ASCII digits calls onRetry with the integer, right away', () => {
  const rec = record()
  const parser = createParser(rec)
  parser.feed('retry: 1500\n')
  expect(rec.calls).toEqual([['retry', 1500]])
})

test('retry: 0 and leading zeros are valid', () => {
  expect(run(['retry: 0\nretry: 007\n'])).toEqual([
    ['retry', 0],
    ['retry', 7],
  ])
})

test('retry without a space after the colon is valid', () => {
  expect(run(['retry:250\n'])).toEqual([['retry', 250]])
})

test('a huge retry value is still reported as the base-ten integer', () => {
  const value = '99999999999999999999999'
  expect(run([`retry: ${value}\n`])).toEqual([['retry', Number.parseInt(value, 10)]])
})

test('retry does not dispatch or change the event around it', () => {
  expect(run(['data: a\nretry: 5\ndata: b\n\n'])).toEqual([['retry', 5], ev('a\nb')])
})

test('retry with non-digits is ignored and reported as invalid-retry', () => {
  for (const value of ['10a', 'a10', '-1', '+1', '1.5', '1e3', '0x10', '1 000', ' 5', '5 ', 'Infinity', 'NaN']) {
    expect(run([`retry: ${value}\n`]), value).toEqual([
      ['error', expect.objectContaining({type: 'invalid-retry', value, line: `retry: ${value}`})],
    ])
  }
})

test('an empty retry value is ignored and reported as invalid-retry', () => {
  expect(run(['retry:\n'])).toEqual([['error', expect.objectContaining({type: 'invalid-retry', value: ''})]])
  expect(run(['retry\n'])).toEqual([
    ['error', expect.objectContaining({type: 'invalid-retry', value: '', line: 'retry'})],
  ])
})

test('non-ASCII digits are not digits for retry (fullwidth １, Arabic-Indic ٣)', () => {
  for (const value of ['１', '٣', '1٣', '१२', '𝟏']) {
    expect(run([`retry: ${value}\n`]), value).toEqual([
      ['error', expect.objectContaining({type: 'invalid-retry', value, line: `retry: ${value}`})],
    ])
  }
})

// ---------------------------------------------------------------------------
// Unknown fields and case sensitivity

test('an unknown field is ignored and reported with field, value and line', () => {
  expect(run(['foo: bar\ndata: x\n\n'])).toEqual([
    ['error', {type: 'unknown-field', field: 'foo', value: 'bar', line: 'foo: bar'}],
    ev('x'),
  ])
})

test('field names are case-sensitive (Data, EVENT, Id, RETRY are unknown)', () => {
  expect(run(['Data: x\nEVENT: e\nId: 1\nRETRY: 5\n\n'])).toEqual([
    ['error', {type: 'unknown-field', field: 'Data', value: 'x', line: 'Data: x'}],
    ['error', {type: 'unknown-field', field: 'EVENT', value: 'e', line: 'EVENT: e'}],
    ['error', {type: 'unknown-field', field: 'Id', value: '1', line: 'Id: 1'}],
    ['error', {type: 'unknown-field', field: 'RETRY', value: '5', line: 'RETRY: 5'}],
  ])
})

test('field names that only start like a known field are unknown', () => {
  expect(run(['datas: x\nids: 1\nevents: e\nretrys: 5\ndat: x\n\n'])).toEqual([
    ['error', {type: 'unknown-field', field: 'datas', value: 'x', line: 'datas: x'}],
    ['error', {type: 'unknown-field', field: 'ids', value: '1', line: 'ids: 1'}],
    ['error', {type: 'unknown-field', field: 'events', value: 'e', line: 'events: e'}],
    ['error', {type: 'unknown-field', field: 'retrys', value: '5', line: 'retrys: 5'}],
    ['error', {type: 'unknown-field', field: 'dat', value: 'x', line: 'dat: x'}],
  ])
})

test('an unknown field is reported once even when its line is split at every position', () => {
  expectSplitInvariant('unknown: value\r\ndata: x\r\n\r\n', [
    ['error', {type: 'unknown-field', field: 'unknown', value: 'value', line: 'unknown: value'}],
    ev('x'),
  ])
})

test('a non-SSE body (JSON, HTML) line by line gives unknown-field errors and no events', () => {
  const calls = run(['{"error": "bad"}\n<html>\n\n'])
  expect(calls).toEqual([
    ['error', {type: 'unknown-field', field: '{"error"', value: '"bad"}', line: '{"error": "bad"}'}],
    ['error', {type: 'unknown-field', field: '<html>', value: '', line: '<html>'}],
  ])
})

// ---------------------------------------------------------------------------
// reset()

test('reset() discards a partial line', () => {
  const rec = record()
  const parser = createParser(rec)
  parser.feed('data: par')
  parser.reset()
  parser.feed('tial\n\ndata: b\n\n')
  expect(rec.calls).toEqual([
    ['error', {type: 'unknown-field', field: 'tial', value: '', line: 'tial'}],
    ev('b'),
  ])
})

test('reset() discards the buffered event (data, id and event type)', () => {
  const rec = record()
  const parser = createParser(rec)
  parser.feed('id: 1\nevent: e\ndata: a\n')
  parser.reset()
  parser.feed('\ndata: b\n\n')
  expect(rec.calls).toEqual([ev('b')])
})

test('reset() discards an incomplete UTF-8 sequence', () => {
  const rec = record()
  const parser = createParser(rec)
  parser.feed(bytes('data: a', [0xe2, 0x82]))
  parser.reset()
  parser.feed(utf8('data: b\n\n'))
  expect(rec.calls).toEqual([ev('b')])
})

test('reset({consume: true}) parses the pending partial line (a trailing retry: 100 gives onRetry)', () => {
  const rec = record()
  const parser = createParser(rec)
  parser.feed('retry: 100')
  expect(rec.calls).toEqual([])
  parser.reset({consume: true})
  expect(rec.calls).toEqual([['retry', 100]])
})

test('reset({consume: true}) reports nothing for a trailing JSON body, which can never be a field, as eventsource-parser', () => {
  for (const chunks of [['{"error":"Unauthorized"}'], ['{"err', 'or": 1', '}'], [utf8('{"error":'), utf8('1}')]]) {
    const rec = record()
    const parser = createParser(rec)
    for (const chunk of chunks) parser.feed(chunk)
    parser.reset({consume: true})
    expect(rec.calls).toEqual([])
  }
  // The start of a field name may still be one: parsed, and so an unknown field (as eventsource-parser).
  const rec = record()
  const parser = createParser(rec)
  parser.feed('data: a\n\ndat')
  parser.reset({consume: true})
  expect(rec.calls).toEqual([ev('a'), ['error', {type: 'unknown-field', field: 'dat', value: '', line: 'dat'}]])
})

test('reset({consume: true}) strips a byte stream\'s BOM from the trailing line (a comment here)', () => {
  const rec = record()
  const parser = createParser(rec)
  parser.feed(bytes([0xef, 0xbb, 0xbf], ': hi'))
  parser.reset({consume: true})
  expect(rec.calls).toEqual([['comment', 'hi']])
})

test('reset({consume: true}) parses a pending comment', () => {
  const rec = record()
  const parser = createParser(rec)
  parser.feed(': bye')
  parser.reset({consume: true})
  expect(rec.calls).toEqual([['comment', 'bye']])
})

test('reset({consume: true}) never dispatches the incomplete event', () => {
  const rec = record()
  const parser = createParser(rec)
  parser.feed('id: 1\ndata: a\ndata: b')
  parser.reset({consume: true})
  parser.feed('\n')
  expect(rec.calls).toEqual([])
})

test('reset({consume: true}) with no pending line does nothing', () => {
  const rec = record()
  const parser = createParser(rec)
  parser.feed('data: a\n\n')
  parser.reset({consume: true})
  expect(rec.calls).toEqual([ev('a')])
})

test('reset({consume: true}) on byte input parses the pending partial line', () => {
  const rec = record()
  const parser = createParser(rec)
  parser.feed(utf8('retry: 100'))
  parser.reset({consume: true})
  expect(rec.calls).toEqual([['retry', 100]])
})

test('reset({consume: true}) on byte input parses the whole pending line when a read of 256 bytes or more started it', () => {
  // Such a read leaves the line's start as text and a character cut at its end as bytes: both go.
  const comment = `${'c'.repeat(300)}😀`
  for (const chunks of [[bytes(':', comment).subarray(0, -2)], [bytes(':', comment).subarray(0, -2), utf8('c'.repeat(10))]]) {
    const rec = record()
    const parser = createParser(rec)
    for (const chunk of chunks) parser.feed(chunk)
    parser.reset({consume: true})
    const text = new TextDecoder().decode(bytes(...chunks.map((chunk) => Array.from(chunk))))
    expect(rec.calls).toEqual([['comment', text.slice(1)]])
  }
})

test('the parser works normally after reset()', () => {
  const rec = record()
  const parser = createParser(rec)
  parser.feed('data: a\n\ndata: partial')
  parser.reset()
  parser.feed('id: 2\ndata: b\r\n\r\n')
  expect(rec.calls).toEqual([ev('a'), ['id', '2'], ev('b', {id: '2'})])
})

// ---------------------------------------------------------------------------
// UTF-8 decoding of byte input

const multiByteChars: [string, string][] = [
  ['2-byte', 'é'],
  ['3-byte', '€'],
  ['4-byte', '𝄞'],
  ['emoji', '😀'],
  ['emoji ZWJ sequence', '👩‍💻'],
]

for (const [kind, char] of multiByteChars) {
  test(`a ${kind} character (${char}) split at every byte position across chunks decodes correctly`, () => {
    const text = `data: a${char}b\n\n`
    const input = utf8(text)
    expectSplitInvariant(input, [ev(`a${char}b`)])
    for (const chunks of threeWaySplits(input)) {
      expect(run(chunks)).toEqual([ev(`a${char}b`)])
    }
  })
}

test('multi-byte characters in field values and names decode correctly in every position', () => {
  const input = utf8('event: ünïcödé\nid: 🆔\ndata: 日本語\n: 💬\nfeld✓: v\n\n')
  expectSplitInvariant(input, [
    ['comment', '💬'],
    ['error', {type: 'unknown-field', field: 'feld✓', value: 'v', line: 'feld✓: v'}],
    ['id', '🆔'],
    ev('日本語', {id: '🆔', event: 'ünïcödé'}),
  ])
})

test('strings with astral characters are passed through unchanged', () => {
  expect(run(['data: 😀\n\n'])).toEqual([ev('😀')])
  expect(run(['data: \uD83D', '\uDE00\n\n'])).toEqual([ev('😀')])
})

test('an invalid byte (FF) decodes to U+FFFD', () => {
  expect(run([bytes('data: a', [0xff], 'b\n\n')])).toEqual([ev('a\uFFFDb')])
})

test('a lone continuation byte decodes to U+FFFD', () => {
  expect(run([bytes('data: a', [0x80], 'b\n\n')])).toEqual([ev('a\uFFFDb')])
})

test('a truncated multi-byte sequence before the line end decodes to one U+FFFD', () => {
  expect(run([bytes('data: a', [0xe2, 0x82], '\n\n')])).toEqual([ev('a\uFFFD')])
  expect(run([bytes('data: a', [0xf0, 0x9f, 0x98], 'b\n\n')])).toEqual([ev('a\uFFFDb')])
})

test('a truncated multi-byte sequence split across chunks decodes to one U+FFFD', () => {
  expect(run([bytes('data: a', [0xf0, 0x9f]), bytes([0x98], 'b\n\n')])).toEqual([ev('a\uFFFDb')])
  expect(run([bytes('data: a', [0xe2]), bytes('\n\n')])).toEqual([ev('a\uFFFD')])
})

test('an overlong encoding and an encoded surrogate decode to U+FFFD per byte', () => {
  expect(run([bytes('data: ', [0xc0, 0xaf], '\n\n')])).toEqual([ev('\uFFFD\uFFFD')])
  expect(run([bytes('data: ', [0xed, 0xa0, 0x80], '\n\n')])).toEqual([ev('\uFFFD\uFFFD\uFFFD')])
})

test('invalid bytes decode the same as TextDecoder for every split', () => {
  const input = bytes('data: ', [0xff, 0xc3, 0x28, 0xe2, 0x28, 0xa1, 0xf0, 0x90, 0x28, 0xbc, 0xf8], 'x\n\n')
  const expected = new TextDecoder().decode(input).slice('data: '.length, -2)
  expect(expected).toContain('\uFFFD')
  expectSplitInvariant(input, [ev(expected)])
})

test('a NUL byte in data is kept and a NUL byte in an id makes it ignored', () => {
  expect(run([bytes('id: 1', [0], '\ndata: a', [0], 'b\n\n')])).toEqual([ev('a\0b')])
})

test('bytes and equivalent strings give the same callbacks', () => {
  const text = '\uFEFFid: 1\r\nevent: é\rdata: 😀\n: c\nretry: 9\nbad\n\n'
  expect(run([utf8(text)])).toEqual(run([text]))
})

// ---------------------------------------------------------------------------
// maxBufferSize

function isMaxBufferError(call: Call): boolean {
  return call[0] === 'error' && call[1].type === 'max-buffer-size-exceeded'
}

/**
 * Feeds `chunk` repeatedly until the parser reports a max-buffer-size error.
 * The feed that overflows must not throw; returns how many chunks were fed.
 */
function feedUntilOverflow(
  parser: ReturnType<typeof createParser>,
  calls: Call[],
  chunk: string,
  limit: number,
): number {
  for (let i = 1; i <= limit; i++) {
    parser.feed(chunk)
    if (calls.some(isMaxBufferError)) return i
  }
  throw new Error(`no max-buffer-size-exceeded error after ${limit} chunks`)
}

test('an endless line triggers exactly one max-buffer-size-exceeded error, then feed throws until reset()', () => {
  const rec = record()
  const parser = createParser({...rec, maxBufferSize: 1000})
  parser.feed('data: ')
  const fed = feedUntilOverflow(parser, rec.calls, 'x'.repeat(100), 50)
  // The limit is 1000 characters; the parser may overshoot by at most one chunk.
  expect(fed).toBeGreaterThanOrEqual(9)
  expect(fed).toBeLessThanOrEqual(11)
  expect(() => parser.feed('x'.repeat(100))).toThrow()
  expect(() => parser.feed('\n\n')).toThrow()
  expect(() => parser.feed(utf8('data: y\n\n'))).toThrow()
  expect(rec.calls).toEqual([['error', expect.objectContaining({type: 'max-buffer-size-exceeded'})]])
  expect(rec.errors[0]).toBeInstanceOf(ParseError)
  parser.reset()
  parser.feed('data: ok\n\n')
  expect(rec.calls.slice(1)).toEqual([ev('ok')])
})

test('an endless multi-line event triggers exactly one max-buffer-size-exceeded error, then feed throws until reset()', () => {
  const rec = record()
  const parser = createParser({...rec, maxBufferSize: 1000})
  const fed = feedUntilOverflow(parser, rec.calls, `data: ${'y'.repeat(94)}\n`, 50)
  expect(fed).toBeGreaterThanOrEqual(9)
  expect(fed).toBeLessThanOrEqual(12)
  expect(() => parser.feed('\n')).toThrow()
  expect(rec.calls).toEqual([['error', expect.objectContaining({type: 'max-buffer-size-exceeded'})]])
  parser.reset()
  parser.feed('data: ok\n\n')
  expect(rec.calls.slice(1)).toEqual([ev('ok')])
})

test('an endless line in one big chunk triggers exactly one max-buffer-size-exceeded error', () => {
  const rec = record()
  const parser = createParser({...rec, maxBufferSize: 1000})
  parser.feed(`data: ${'x'.repeat(5000)}`)
  expect(rec.calls).toEqual([['error', expect.objectContaining({type: 'max-buffer-size-exceeded'})]])
  expect(() => parser.feed('\n\n')).toThrow()
})

test('an endless byte line triggers exactly one max-buffer-size-exceeded error', () => {
  const rec = record()
  const parser = createParser({...rec, maxBufferSize: 1000})
  const chunk = utf8('x'.repeat(100))
  parser.feed(utf8('data: '))
  for (let i = 0; i < 50 && rec.calls.length === 0; i++) parser.feed(chunk)
  expect(rec.calls).toEqual([['error', expect.objectContaining({type: 'max-buffer-size-exceeded'})]])
  expect(() => parser.feed(chunk)).toThrow()
})

test('events completed before a max-buffer-size overflow are delivered', () => {
  const rec = record()
  const parser = createParser({...rec, maxBufferSize: 1000})
  parser.feed(`id: 1\ndata: a\n\n: c\ndata: ${'x'.repeat(3000)}`)
  expect(rec.calls).toEqual([
    ['id', '1'],
    ev('a', {id: '1'}),
    ['comment', 'c'],
    ['error', expect.objectContaining({type: 'max-buffer-size-exceeded'})],
  ])
})

test('a whole event in one chunk whose data outgrows maxBufferSize is an overflow too, as text and as bytes', () => {
  // The single-line event that the parser dispatches without waiting for its blank line included.
  for (const chunk of [`data: ${'x'.repeat(1001)}\n\n`, utf8(`data: ${'x'.repeat(1001)}\n\n`), `data: a\ndata: ${'x'.repeat(1000)}\n\n`]) {
    const rec = record()
    const parser = createParser({...rec, maxBufferSize: 1000})
    parser.feed(chunk)
    expect(rec.calls).toEqual([['error', expect.objectContaining({type: 'max-buffer-size-exceeded'})]])
  }
  // Exactly at the limit: delivered.
  const rec = record()
  createParser({...rec, maxBufferSize: 1000}).feed(`data: ${'x'.repeat(1000)}\n\n`)
  expect(rec.calls).toEqual([ev('x'.repeat(1000))])
})

test('a stream of small complete events never exceeds maxBufferSize', () => {
  const rec = record()
  const parser = createParser({...rec, maxBufferSize: 100})
  for (let i = 0; i < 1000; i++) parser.feed(`id: ${i}\ndata: ${'z'.repeat(50)}\n\n`)
  expect(rec.calls.filter((call) => call[0] === 'error')).toEqual([])
  expect(rec.calls.filter((call) => call[0] === 'event')).toHaveLength(1000)
})

test('without maxBufferSize a large buffered event is not an error', () => {
  const payload = 'x'.repeat(1_000_000)
  expect(run([`data: ${payload}\n`, `data: ${payload}\n\n`])).toEqual([ev(`${payload}\n${payload}`)])
})

// Lines that can no longer be a field (as eventsource-parser, which never keeps one): a comment
// without onComment, an unknown field or junk is dropped once it outgrows maxBufferSize, and the rest
// of it skipped up to its line end, with no error.

test('an unterminated unknown-field line longer than maxBufferSize is skipped, not an error; a known field overflows', () => {
  for (const chunks of [['foo: ', 'x'.repeat(100), 'x'.repeat(100), '\n', 'data: a\n\n'], [`foo: ${'x'.repeat(200)}`, '\ndata: a\n\n']]) {
    expect(run(chunks, {maxBufferSize: 10})).toEqual([ev('a')])
    expect(run(chunks.map(utf8), {maxBufferSize: 10})).toEqual([ev('a')])
  }
  for (const [start, name] of [['event: ', ''], ['id: ', ''], ['retry: ', ''], ['data: ', ''], ['eve', 'nt:'], ['re', 'try:']] as [string, string][]) {
    const rest = name + '1'.repeat(100)
    for (const chunks of [[start, rest], [utf8(start), utf8(rest)]]) {
      expect(run(chunks, {maxBufferSize: 10}), start).toEqual([['error', expect.objectContaining({type: 'max-buffer-size-exceeded'})]])
    }
  }
})

test('an unterminated junk line (a non-SSE body) longer than maxBufferSize is skipped, not an error', () => {
  const chunks = ['{"error": "', 'x'.repeat(1000), '"}', '\n\ndata: a\n\n']
  expect(run(chunks, {maxBufferSize: 100})).toEqual([ev('a')])
  expect(run(chunks.map(utf8), {maxBufferSize: 100})).toEqual([ev('a')])
})

test('an unterminated line one character off a field name (datax, eventx, retryx, idx) is skipped, however long', () => {
  for (const start of ['datax', 'eventx', 'retryx', 'idx', 'Data:']) {
    const chunks = [start.slice(0, 2), start.slice(2), 'y'.repeat(100), '\r\n', 'data: a\r\n\r\n']
    expect(run(chunks, {maxBufferSize: 10}), start).toEqual([ev('a')])
    expect(run(chunks.map(utf8), {maxBufferSize: 10}), start).toEqual([ev('a')])
  }
})

test('an unterminated comment line longer than maxBufferSize is skipped without onComment, an overflow with it', () => {
  const events: string[] = []
  const errors: string[] = []
  const parser = createParser({onEvent: (e) => events.push(e.data), onError: (e) => errors.push(e.type), maxBufferSize: 10})
  parser.feed(': ')
  for (let i = 0; i < 100; i++) parser.feed('keep-alive ')
  parser.feed(utf8('\ndata: a\n\n'))
  parser.feed(utf8(`:${'z'.repeat(100)}`))
  parser.feed(utf8('\ndata: b\n\n'))
  expect(events).toEqual(['a', 'b'])
  expect(errors).toEqual([])
  // With onComment, it must be kept to be reported.
  for (const chunks of [[': ', 'x'.repeat(100)], [utf8(': '), utf8('x'.repeat(100))]]) {
    expect(run(chunks, {maxBufferSize: 10})).toEqual([['error', expect.objectContaining({type: 'max-buffer-size-exceeded'})]])
  }
})

test('a line that may still be a field at first, then outgrows maxBufferSize as something else, is skipped from there on', () => {
  // "ev" may still be `event:`; "evx..." cannot.
  expect(run(['ev', 'x'.repeat(100), 'x'.repeat(100), '\ndata: a\n\n'], {maxBufferSize: 10})).toEqual([ev('a')])
  expect(run([utf8('ev'), utf8('x'.repeat(100)), utf8('\ndata: a\n\n')], {maxBufferSize: 10})).toEqual([ev('a')])
})

test('a skipped line ends once at a CR, an LF or a CRLF, wherever chunks cut them', () => {
  for (const end of ['\r', '\n', '\r\n']) {
    const first = 'data: a\nfoobarbazqux' // ends in a line that outgrows maxBufferSize
    const input = `${first}z${end}${end}data: b\n\n`
    // Cut anywhere after that.
    for (let cut = first.length + 1; cut <= input.length; cut++) {
      const chunks = [first, input.slice(first.length, cut), input.slice(cut)]
      expect(run(chunks, {maxBufferSize: 8}), JSON.stringify(chunks)).toEqual([ev('a'), ev('b')])
      expect(run(chunks.map(utf8), {maxBufferSize: 8}), JSON.stringify(chunks)).toEqual([ev('a'), ev('b')])
    }
  }
  // (A skipped line is held as a pending `id:\0`, which its line end completes into an id that is
  // ignored: a stream's own `id:\0` line, cut there, is ignored whole all the same.)
  for (const chunks of [['id:\0', 'abc', '\ndata: x\n\n'], ['id:\0', 'abc\r', '\n\ndata: x\n\n']]) {
    expect(run(chunks)).toEqual([ev('x')])
    expect(run(chunks.map(utf8))).toEqual([ev('x')])
  }
})

test('an LF after a CR that ended the line before a skipped line ends the skipped line', () => {
  // The CR at a chunk's end waits for an LF that would be the same line end; the skipped bytes after
  // it end that wait, so the LF that ends them is a line end of its own.
  for (const chunks of [['data: a\r', 'foobar', '\n', '\n'], ['data: a\r', 'foo', 'bar', '\n\n']]) {
    expect(run(chunks, {maxBufferSize: 4}), JSON.stringify(chunks)).toEqual([ev('a')])
    expect(run(chunks.map(utf8), {maxBufferSize: 4}), JSON.stringify(chunks)).toEqual([ev('a')])
  }
})

test('a byte stream\'s BOM is no part of the first line when deciding whether it may still be a field', () => {
  for (const [line, expected] of [
    ['x'.repeat(100), []],
    [`event: ${'e'.repeat(100)}`, [['error', expect.objectContaining({type: 'max-buffer-size-exceeded'})]]],
  ] as const) {
    const input = bytes([0xef, 0xbb, 0xbf], line)
    // Cut anywhere up to the field name's end (after which the chunk that overflows is the last).
    for (const [first, second] of twoWaySplits(input).slice(0, 9)) {
      expect(run([first, second], {maxBufferSize: 10})).toEqual(expected)
    }
  }
})

test('a line that a read of 256 bytes or more starts and smaller reads go on with counts against maxBufferSize whole', () => {
  // The large read's part of the line is kept as text, the small reads' parts as bytes: both count.
  const chunks = [`event: ${'e'.repeat(293)}`, 'e'.repeat(60), 'e'.repeat(60), '\ndata: a\n\n']
  const overflow = [['error', expect.objectContaining({type: 'max-buffer-size-exceeded'})]]
  for (const input of [chunks, chunks.map(utf8)]) {
    const rec = record()
    const parser = createParser({...rec, maxBufferSize: 400})
    parser.feed(input[0]!)
    parser.feed(input[1]!)
    expect(rec.calls).toEqual([])
    parser.feed(input[2]!)
    expect(rec.calls).toEqual(overflow)
  }
})

test('bytes of lines that end in a chunk do not count against maxBufferSize, as characters of strings do not', () => {
  for (const chunks of [['event: ', 'ab\ndata: x\n\n'], ['event: ', 'ab\ndata: x\n\nid']]) {
    expect(run(chunks, {maxBufferSize: 8})).toEqual([ev('x', {event: 'ab'})])
    expect(run(chunks.map(utf8), {maxBufferSize: 8})).toEqual([ev('x', {event: 'ab'})])
  }
})
