// What goes out as Last-Event-ID. The spec only keeps NULL out of an `id:`, so a stream can send an
// ID with a control character (VT, FF, DEL…) that no header value can carry: fetch refuses it, and
// every reconnect would fail before a request is sent, for ever. Such an ID is still the source's
// `lastEventId` and each event's, but it is not sent: the reconnect goes out without the header.
import {afterEach, describe, expect, test, vi} from 'vitest'
import {lastEventIdHeader} from '../src/eventsource/request-headers.js'
import {open, recordEvents, serve, useEventSourceHooks, waitFor} from './support/eventsource.js'
import {startSse} from './support/sse-server.js'

useEventSourceHooks()

/** Serves a stream whose first connection sends `id` and ends; later ones hold `data: later`. */
async function resumingAfter(id: string) {
  let connections = 0
  return serve({
    '/stream': async (_req, res) => {
      const stream = startSse(res)
      if (++connections > 1) return void (await stream.write('data: later\n\n'))
      await stream.write(`retry: 10\nid: ${id}\ndata: first\n\n`)
      await stream.end()
    },
  })
}

describe('an id: a header cannot carry', () => {
  test.each([
    ['VT', 'a\u000bb'],
    ['FF', 'a\u000cb'],
    ['ESC', 'a\u001bb'],
    ['DEL', 'a\u007fb'],
  ])('with %s: kept as lastEventId, not sent, and the stream goes on', async (_name, id) => {
    const server = await resumingAfter(id)
    const source = open(`${server.url}stream`)
    const {log, events} = recordEvents(source, ['open', 'message', 'error'])
    await waitFor(() => log.length === 5, 'the reconnect')
    expect(log).toEqual(['open 1', 'message 1 first', 'error 0 retry', 'open 1', 'message 1 later'])
    expect((events[1] as MessageEvent).lastEventId).toBe(id)
    expect((events[4] as MessageEvent).lastEventId).toBe(id)
    expect(source.lastEventId).toBe(id)
    expect(server.requests.map((request) => request.headers['last-event-id'])).toEqual([undefined, undefined])
  })

  test('a tab and bytes above 0x7F are sent as they are (UTF-8)', async () => {
    const server = await resumingAfter('a\tcafé')
    const source = open(`${server.url}stream`)
    const {log} = recordEvents(source, ['message'])
    await waitFor(() => log.length === 2, 'the reconnect')
    expect(server.requests[1]?.headers['last-event-id']).toBe(Buffer.from('a\tcafé', 'utf8').toString('latin1'))
  })
})

describe('the header value of an id, as each engine takes header bytes', () => {
  afterEach(() => {
    vi.unstubAllGlobals()
  })

  test('a ByteString engine (Chromium, Firefox, Node) gets the UTF-8 bytes, one character each', () => {
    expect(lastEventIdHeader('42')).toBe('42')
    expect(lastEventIdHeader('café')).toBe('caf\xc3\xa9')
    expect(lastEventIdHeader('é→😀')).toBe(Buffer.from('é→😀').toString('latin1'))
    expect(lastEventIdHeader('')).toBeUndefined()
    expect(lastEventIdHeader('a\u000bb')).toBeUndefined()
  })

  test('WebKit, which encodes header values as UTF-8 itself, gets the id as it is, and none it would refuse', () => {
    vi.stubGlobal('navigator', {vendor: 'Apple Computer, Inc.'})
    expect(lastEventIdHeader('42')).toBe('42')
    // Sent by WebKit as C3 A9: the bytes string would go double-encoded (`Ã©`).
    expect(lastEventIdHeader('café')).toBe('café')
    // WebKit refuses characters above U+00FF in a header value: no value sends these bytes there.
    expect(lastEventIdHeader('é→😀')).toBeUndefined()
    expect(lastEventIdHeader('a\u000bb')).toBeUndefined()
  })

  test("jsdom, which reports WebKit's vendor but runs Node's fetch, gets the bytes", () => {
    vi.stubGlobal('navigator', {vendor: 'Apple Computer, Inc.', userAgent: 'Mozilla/5.0 (linux) AppleWebKit/537.36 (KHTML, like Gecko) jsdom/29.1.0'})
    expect(lastEventIdHeader('café')).toBe('caf\xc3\xa9')
  })
})
