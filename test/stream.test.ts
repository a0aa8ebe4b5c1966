// EventSourceParserStream: the parser as a TransformStream, with eventsource-parser/stream's options.
import {expect, test} from 'vitest'
import {type EventSourceMessage, EventSourceParserStream, ParseError} from '../src/index.js'

const encoder = new TextEncoder()

function source<T>(chunks: T[]): ReadableStream<T> {
  return new ReadableStream<T>({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(chunk)
      controller.close()
    },
  })
}

async function collect<T>(stream: ReadableStream<T>): Promise<T[]> {
  const out: T[] = []
  const reader = stream.getReader()
  for (;;) {
    const {done, value} = await reader.read()
    if (done) return out
    out.push(value)
  }
}

/** Reads until the stream ends or errors; returns what was read and the error, if any. */
async function collectSettled<T>(stream: ReadableStream<T>): Promise<{values: T[]; error: unknown}> {
  const values: T[] = []
  const reader = stream.getReader()
  try {
    for (;;) {
      const {done, value} = await reader.read()
      if (done) return {values, error: undefined}
      values.push(value)
    }
  } catch (error) {
    return {values, error}
  }
}

function message(data: string, extra: {id?: string; event?: string} = {}): EventSourceMessage {
  return {id: extra.id, event: extra.event, data}
}

test('string chunks become messages', async () => {
  const events = await collect(
    source(['data: a\n', '\nevent: e\nid: 1\ndata: b\r', '\ndata: c\r\n\r\n']).pipeThrough(
      new EventSourceParserStream(),
    ),
  )
  expect(events).toEqual([message('a'), message('b\nc', {id: '1', event: 'e'})])
})

test('Uint8Array chunks become messages, with a multi-byte character split across chunks', async () => {
  const bytes = encoder.encode('data: é€😀\n\nevent: ✓\ndata: x\n\n')
  // Cut inside 'é' (2 bytes), '€' (3 bytes) and '😀' (4 bytes).
  const chunks = [bytes.slice(0, 7), bytes.slice(7, 9), bytes.slice(9, 13), bytes.slice(13)]
  const events = await collect(source(chunks).pipeThrough(new EventSourceParserStream()))
  expect(events).toEqual([message('é€😀'), message('x', {event: '✓'})])
})

test('a Uint8Array stream fed one byte per chunk gives the same messages', async () => {
  const bytes = encoder.encode('\uFEFFid: 🆔\r\ndata: 日本\r\n\r\ndata: b\r\r')
  const chunks = Array.from(bytes, (byte) => Uint8Array.of(byte))
  const events = await collect(source(chunks).pipeThrough(new EventSourceParserStream()))
  expect(events).toEqual([message('日本', {id: '🆔'}), message('b')])
})

test('the incomplete last event is not emitted when the input ends', async () => {
  const events = await collect(source(['data: a\n\ndata: b\n']).pipeThrough(new EventSourceParserStream()))
  expect(events).toEqual([message('a')])
})

test('by default an unknown field is ignored and the stream goes on', async () => {
  const events = await collect(source(['foo: bar\ndata: a\n\n']).pipeThrough(new EventSourceParserStream()))
  expect(events).toEqual([message('a')])
})

test('onError: "terminate" errors the stream with the ParseError on an unknown field', async () => {
  const {error} = await collectSettled(
    source(['data: a\n\n', 'foo: bar\n', 'data: b\n\n']).pipeThrough(
      new EventSourceParserStream({onError: 'terminate'}),
    ),
  )
  expect(error).toBeInstanceOf(ParseError)
  expect(error).toMatchObject({type: 'unknown-field', field: 'foo', value: 'bar', line: 'foo: bar'})
})

test('onError: "terminate" errors the stream with the ParseError even when events follow in the same chunk', async () => {
  const {values, error} = await collectSettled(
    source(['retry: soon\ndata: a\n\ndata: b\n\n']).pipeThrough(new EventSourceParserStream({onError: 'terminate'})),
  )
  expect(values).toEqual([])
  expect(error).toBeInstanceOf(ParseError)
  expect(error).toMatchObject({type: 'invalid-retry', value: 'soon'})
})

test('onError: "terminate" delivers events read before the error', async () => {
  const stream = new EventSourceParserStream({onError: 'terminate'})
  const writer = stream.writable.getWriter()
  const reader = stream.readable.getReader()
  void writer.write('data: a\n\n')
  expect(await reader.read()).toEqual({done: false, value: message('a')})
  void writer.write('foo\n').catch(() => {})
  await expect(reader.read()).rejects.toMatchObject({type: 'unknown-field', field: 'foo'})
})

test('a function onError is called with each ParseError and the stream goes on', async () => {
  const errors: ParseError[] = []
  const events = await collect(
    source(['foo: bar\ndata: a\n\nretry: x\n', 'data: b\n\n']).pipeThrough(
      new EventSourceParserStream({onError: (error) => errors.push(error)}),
    ),
  )
  expect(events).toEqual([message('a'), message('b')])
  expect(errors.map((error) => error.type)).toEqual(['unknown-field', 'invalid-retry'])
  expect(errors[0]).toBeInstanceOf(ParseError)
  expect(errors[0]).toMatchObject({field: 'foo', value: 'bar', line: 'foo: bar'})
})

for (const onError of [undefined, 'terminate', 'function'] as const) {
  test(`max-buffer-size-exceeded errors the stream regardless of onError (${onError ?? 'not set'})`, async () => {
    const seen: ParseError[] = []
    const stream = new EventSourceParserStream({
      maxBufferSize: 100,
      ...(onError === undefined ? {} : {onError: onError === 'function' ? (error) => seen.push(error) : onError}),
    })
    const chunks = ['data: ok\n\n', 'data: ', ...Array.from({length: 20}, () => 'x'.repeat(10)), '\n\n']
    const {values, error} = await collectSettled(source(chunks).pipeThrough(stream))
    expect(values).toEqual([message('ok')])
    expect(error).toBeInstanceOf(ParseError)
    expect(error).toMatchObject({type: 'max-buffer-size-exceeded'})
    if (onError === 'function') expect(seen.map((e) => e.type)).toEqual(['max-buffer-size-exceeded'])
  })
}

test('onRetry, onComment and onId are passed through', async () => {
  const calls: [string, string | number][] = []
  const events = await collect(
    source([': hello\nretry: 3000\nid: 7\n\nid: 8\ndata: x\n\n']).pipeThrough(
      new EventSourceParserStream({
        onRetry: (ms) => calls.push(['retry', ms]),
        onComment: (comment) => calls.push(['comment', comment]),
        onId: (id) => calls.push(['id', id]),
      }),
    ),
  )
  expect(calls).toEqual([
    ['comment', 'hello'],
    ['retry', 3000],
    ['id', '7'],
    ['id', '8'],
  ])
  expect(events).toEqual([message('x', {id: '8'})])
})

test('onId is called before the event of its block is enqueued', async () => {
  const order: string[] = []
  const stream = new EventSourceParserStream({onId: (id) => order.push(`id ${id}`)})
  const writer = stream.writable.getWriter()
  const reader = stream.readable.getReader()
  void writer.write('id: 1\ndata: a\n\n')
  const {value} = await reader.read()
  order.push(`event ${value?.data}`)
  expect(order).toEqual(['id 1', 'event a'])
})

test('works with pipeThrough from a Response body', async () => {
  const body = new Response('data: x\n\n').body
  if (body === null) throw new Error('Response has no body')
  expect(await collect(body.pipeThrough(new EventSourceParserStream()))).toEqual([message('x')])
})

test('works with a Response body that starts with a BOM and uses CRLF', async () => {
  const body = new Response(Uint8Array.from([0xef, 0xbb, 0xbf, ...encoder.encode('event: e\r\ndata: x\r\n\r\n')])).body
  if (body === null) throw new Error('Response has no body')
  expect(await collect(body.pipeThrough(new EventSourceParserStream()))).toEqual([message('x', {event: 'e'})])
})

test('works after a TextDecoderStream, as with eventsource-parser/stream', async () => {
  const body = new Response('data: é\n\nid: 2\ndata: y\n\n').body
  if (body === null) throw new Error('Response has no body')
  const events = await collect(body.pipeThrough(new TextDecoderStream()).pipeThrough(new EventSourceParserStream()))
  expect(events).toEqual([message('é'), message('y', {id: '2'})])
})

test('the stream can be consumed with for await', async () => {
  const events: EventSourceMessage[] = []
  const stream = source(['data: 1\n\ndata: 2\n\n']).pipeThrough(new EventSourceParserStream())
  for await (const event of stream as unknown as AsyncIterable<EventSourceMessage>) events.push(event)
  expect(events).toEqual([message('1'), message('2')])
})
