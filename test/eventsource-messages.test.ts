// What the stream's events become: MessageEvents with data, origin and lastEventId, named
// events (odd names included), and the last event ID, which lives across events and is sent as
// Last-Event-ID when reconnecting.
import {describe, expect, test} from 'vitest'
import {open, recordEvents, serve, useEventSourceHooks, waitFor} from './support/eventsource.js'
import {startSse, type SseStream} from './support/sse-server.js'

useEventSourceHooks()

/**
 * Serves /stream: the first connection gets `first` then ends (so the client reconnects after
 * 10 ms), later ones get `later` and stay open.
 */
async function twoConnections(first: string, later = 'data: reconnected\n\n') {
  const streams: SseStream[] = []
  const server = await serve({
    '/stream': (_req, res) => {
      const stream = startSse(res)
      streams.push(stream)
      if (streams.length === 1) void stream.write(`retry: 10\n\n${first}`).then(() => stream.end())
      else void stream.write(later)
    },
  })
  return {server, streams}
}

/** Serves /stream with `body` and holds the connection open. */
async function oneStream(body: string | Uint8Array) {
  return serve({'/stream': (_req, res) => void startSse(res).write(body)})
}

describe('MessageEvent', () => {
  test('carries data, origin, lastEventId, no source and no ports', async () => {
    const server = await oneStream('id: 7\ndata: hello\n\n')
    const source = open(`${server.url}stream`)
    const events: MessageEvent[] = []
    source.onmessage = (event) => events.push(event)
    await waitFor(() => events.length === 1, 'the message')
    const [event] = events
    expect(event).toBeInstanceOf(MessageEvent)
    expect(event?.type).toBe('message')
    expect(event?.data).toBe('hello')
    expect(event?.origin).toBe(server.origin)
    expect(event?.lastEventId).toBe('7')
    expect(event?.source).toBeNull()
    expect(event?.ports).toEqual([])
    expect(event?.bubbles).toBe(false)
    expect(event?.cancelable).toBe(false)
  })

  test('data lines join with LF; one leading space is stripped; an empty data line gives an empty event', async () => {
    const server = await oneStream('data: line 1\ndata:line 2\ndata:  two spaces\n\ndata\n\ndata:\ndata:\n\n')
    const source = open(`${server.url}stream`)
    const data: string[] = []
    source.onmessage = (event) => data.push(event.data)
    await waitFor(() => data.length === 3, 'three messages')
    expect(data).toEqual(['line 1\nline 2\n two spaces', '', '\n'])
  })

  test('events split across many writes arrive whole and in order', async () => {
    const server = await serve({
      '/stream': async (_req, res) => {
        const stream = startSse(res)
        const chunks = ['da', 'ta: fir', 'st\n', '\nevent: x\r', '\ndata: sec', 'ond\r\n\r', '\ndata: third\n\n']
        await stream.writeChunks(chunks, {delay: 2})
      },
    })
    const source = open(`${server.url}stream`)
    const {log} = recordEvents(source, ['open', 'message', 'x'])
    await waitFor(() => log.length === 4, 'three events')
    expect(log).toEqual(['open 1', 'message 1 first', 'x 1 second', 'message 1 third'])
  })

  test('comments, unknown fields and blocks without data dispatch nothing', async () => {
    // A last event of its own type marks the end: whatever came before it has been dispatched by then.
    const server = await oneStream(': comment\n\nfoo: bar\n\nevent: ghost\n\nid: 1\n\ndata: real\n\nevent: last\ndata: .\n\n')
    const source = open(`${server.url}stream`)
    const {log} = recordEvents(source, ['open', 'message', 'error', 'ghost', 'last'])
    await waitFor(() => log.includes('last 1 .'), 'the last event')
    expect(log).toEqual(['open 1', 'message 1 real', 'last 1 .'])
  })
})

describe('named events', () => {
  test('go to listeners of their type only, not to onmessage; an empty event field means message', async () => {
    const server = await oneStream('event: add\ndata: 1\n\nevent:\ndata: 2\n\nevent: remove\ndata: 3\n\ndata: 4\n\n')
    const source = open(`${server.url}stream`)
    const {log} = recordEvents(source, ['message', 'add', 'remove'])
    const handled: string[] = []
    source.onmessage = (event) => handled.push(event.data)
    await waitFor(() => log.length === 4, 'four events')
    expect(log).toEqual(['add 1 1', 'message 1 2', 'remove 1 3', 'message 1 4'])
    expect(handled).toEqual(['2', '4'])
  })

  test('are MessageEvents with the same origin and lastEventId', async () => {
    const server = await oneStream('id: n1\nevent: update\ndata: {"a":1}\n\n')
    const source = open(`${server.url}stream`)
    const events: MessageEvent[] = []
    source.addEventListener('update', (event) => events.push(event))
    await waitFor(() => events.length === 1, 'the update')
    expect(events[0]).toBeInstanceOf(MessageEvent)
    expect([events[0]?.type, events[0]?.data, events[0]?.origin, events[0]?.lastEventId]).toEqual([
      'update',
      '{"a":1}',
      server.origin,
      'n1',
    ])
  })

  test('__proto__, constructor, hasOwnProperty and toString are ordinary event names', async () => {
    const names = ['__proto__', 'constructor', 'hasOwnProperty', 'toString', 'open', 'error']
    const server = await oneStream(names.map((name) => `event: ${name}\ndata: ${name}!\n\n`).join('') + 'data: end\n\n')
    const source = open(`${server.url}stream`)
    const {log} = recordEvents(source, ['message', ...names])
    await waitFor(() => log.includes('message 1 end'), 'the last message')
    expect(log).toEqual([
      'open 1',
      '__proto__ 1 __proto__!',
      'constructor 1 constructor!',
      'hasOwnProperty 1 hasOwnProperty!',
      'toString 1 toString!',
      // A server can send `open` and `error` too: they arrive as MessageEvents, the source stays OPEN.
      'open 1 open!',
      'error 1 error!',
      'message 1 end',
    ])
    expect(source.readyState).toBe(1)
  })
})

describe('last event ID', () => {
  test('persists across events without an id; an empty id clears it', async () => {
    const server = await oneStream('id: 1\ndata: a\n\ndata: b\n\nid\ndata: c\n\ndata: d\n\nid: 2\ndata: e\n\n')
    const source = open(`${server.url}stream`)
    const seen: string[] = []
    source.onmessage = (event) => seen.push(`${event.data}:${event.lastEventId}`)
    await waitFor(() => seen.length === 5, 'five messages')
    expect(seen).toEqual(['a:1', 'b:1', 'c:', 'd:', 'e:2'])
    expect(source.lastEventId).toBe('2')
  })

  test('is sent as Last-Event-ID when reconnecting', async () => {
    const {server} = await twoConnections('id: 41\ndata: a\n\nid: 42\ndata: b\n\n')
    const source = open(`${server.url}stream`)
    const seen: string[] = []
    source.onmessage = (event) => seen.push(`${event.data}:${event.lastEventId}`)
    await waitFor(() => seen.length === 3, 'the message after the reconnect')
    expect(seen).toEqual(['a:41', 'b:42', 'reconnected:42'])
    expect(server.requests.map((request) => request.headers['last-event-id'])).toEqual([undefined, '42'])
  })

  test('an id without data still updates it, and what is sent on reconnect', async () => {
    const {server} = await twoConnections('id: 1\ndata: a\n\nid: 99\n\n')
    const source = open(`${server.url}stream`)
    const seen: string[] = []
    source.onmessage = (event) => seen.push(`${event.data}:${event.lastEventId}`)
    await waitFor(() => seen.length === 2, 'the message after the reconnect')
    expect(seen).toEqual(['a:1', 'reconnected:99'])
    expect(server.requests.map((request) => request.headers['last-event-id'])).toEqual([undefined, '99'])
  })

  test('an id containing NULL is ignored', async () => {
    const {server} = await twoConnections('id: good\ndata: a\n\nid: ba\0d\ndata: b\n\n')
    const source = open(`${server.url}stream`)
    const seen: string[] = []
    source.onmessage = (event) => seen.push(`${event.data}:${event.lastEventId}`)
    await waitFor(() => seen.length === 3, 'the message after the reconnect')
    expect(seen).toEqual(['a:good', 'b:good', 'reconnected:good'])
    expect(server.requests[1]?.headers['last-event-id']).toBe('good')
  })

  test('an id cleared by an empty id field sends no Last-Event-ID', async () => {
    const {server} = await twoConnections('id: 5\ndata: a\n\nid:\ndata: b\n\n')
    const source = open(`${server.url}stream`)
    const seen: string[] = []
    source.onmessage = (event) => seen.push(`${event.data}:${event.lastEventId}`)
    await waitFor(() => seen.length === 3, 'the message after the reconnect')
    expect(seen).toEqual(['a:5', 'b:', 'reconnected:'])
    expect(server.requests.map((request) => 'last-event-id' in request.headers)).toEqual([false, false])
  })

  test('an id set in a block that is cut off by the end of the stream is not used', async () => {
    const {server} = await twoConnections('id: 1\ndata: a\n\nid: 2\ndata: never dispatched\n')
    const source = open(`${server.url}stream`)
    const seen: string[] = []
    source.onmessage = (event) => seen.push(`${event.data}:${event.lastEventId}`)
    await waitFor(() => seen.length === 2, 'the message after the reconnect')
    expect(seen).toEqual(['a:1', 'reconnected:1'])
    expect(server.requests[1]?.headers['last-event-id']).toBe('1')
  })

  test('a non-ASCII id is sent as its UTF-8 bytes', async () => {
    const {server} = await twoConnections('id: ünï-€\ndata: a\n\n')
    const source = open(`${server.url}stream`)
    const seen: string[] = []
    source.onmessage = (event) => seen.push(`${event.data}:${event.lastEventId}`)
    await waitFor(() => seen.length === 2, 'the message after the reconnect')
    expect(seen).toEqual(['a:ünï-€', 'reconnected:ünï-€'])
    // Node gives header values as Latin-1 strings: one character per byte.
    const header = server.requests[1]?.headers['last-event-id']
    expect(Buffer.from(String(header), 'latin1').toString('utf8')).toBe('ünï-€')
  })
})

describe('server data is data', () => {
  // Strings that would run, or break out of a page, if anything evaluated or inserted them as markup.
  const payloads = [
    'alert(1)',
    '</script><script>globalThis.__pwned = true</script>',
    '<img src=x onerror="globalThis.__pwned = true">',
    '${globalThis.__pwned = true}',
    '(() => { globalThis.__pwned = true })()',
    '{"__proto__": {"polluted": true}}',
    'javascript:globalThis.__pwned = true',
  ]

  test('is delivered as the exact string sent, and nothing of it runs or pollutes a prototype', async () => {
    const server = await serve({
      '/stream': (_req, res) => {
        const stream = startSse(res)
        // As `data:` and as event names, ids and comments too.
        void stream.write(
          payloads.map((payload) => `: ${payload}\nid: ${payload}\nevent: ${payload}\ndata: ${payload}\n\n`).join('') +
            payloads.map((payload) => `data: ${payload}\n\n`).join(''),
        )
      },
    })
    const source = open(`${server.url}stream`)
    const {events} = recordEvents(source, ['message', ...payloads])
    await waitFor(() => events.length === payloads.length * 2, 'every event')
    const messages = events as MessageEvent[]
    expect(messages.map((event) => [event.type, event.data, event.lastEventId])).toEqual([
      ...payloads.map((payload) => [payload, payload, payload]),
      ...payloads.map((payload) => ['message', payload, payloads.at(-1)]),
    ])
    for (const event of messages) expect(typeof event.data).toBe('string')
    expect((globalThis as {__pwned?: unknown}).__pwned).toBeUndefined()
    expect(({} as {polluted?: unknown}).polluted).toBeUndefined()
  })
})
