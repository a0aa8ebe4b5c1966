// `for await (const event of messages(source))`: every MessageEvent in order (named ones too), across
// reconnects; breaking out closes the source; close() ends the loop; a failure throws its cause.
import {describe, expect, test} from 'vitest'
import {EventSource, HTTPError, ParseError, messages} from '../src/index.js'
import {countFetches, open, passEveryDelay, recordEvents, scriptedStream, serve, skipReconnectDelays, useEventSourceHooks, useFakeClock, waitFor} from './support/eventsource.js'
import {respond, type SseStream} from './support/sse-server.js'

useEventSourceHooks()

/** Serves /stream: connection n (from 1) is written by `script(n, stream)`. */
async function scripted(script: (connection: number, stream: SseStream) => void | Promise<void>) {
  const {handler, streams} = scriptedStream(script)
  const server = await serve({'/stream': handler, '/missing': respond(404, 'no')})
  return {server, streams}
}

describe('for await', () => {
  test('yields every MessageEvent in order, named ones included; break closes the source', async () => {
    const {server, streams} = await scripted(async (_n, stream) => {
      const chunks = [
        'data: 1\n\n',
        'event: named\ndata: 2\n\n',
        ': comment\n\ndata: 3\n\nid: x\nevent: done\ndata: 4\n\n',
        'data: never read\n\n',
      ]
      await stream.writeChunks(chunks, {delay: 2})
    })
    useFakeClock()
    const fetches = countFetches()
    const source = open(`${server.url}stream`)
    const received: string[] = []
    for await (const event of messages(source)) {
      expect(event).toBeInstanceOf(MessageEvent)
      received.push(`${event.type} ${event.data} ${event.lastEventId}`)
      if (event.type === 'done') break
    }
    expect(received).toEqual(['message 1 ', 'named 2 ', 'message 3 ', 'done 4 x'])
    expect(source.readyState).toBe(EventSource.CLOSED)
    // The server sees the client go away.
    await streams[0]?.closed
    await waitFor(() => server.activeRequests() === 0, 'the request to end')
    // Past every delay: a reconnect would fetch again.
    await passEveryDelay()
    expect(fetches.count()).toBe(1)
    expect(server.requests).toHaveLength(1)
  })

  test('keeps events that arrive while the loop body is busy', async () => {
    const {server} = await scripted(async (_n, stream) => {
      // All in one write: they arrive together while the loop is still on the first.
      await stream.write('data: a\n\ndata: b\n\ndata: c\n\ndata: d\n\n')
    })
    const source = open(`${server.url}stream`)
    const {log: dispatched} = recordEvents(source, ['message'])
    const received: string[] = []
    for await (const event of messages(source)) {
      received.push(event.data)
      // Busy until all four have been dispatched, the first time round.
      await waitFor(() => dispatched.length === 4, 'the four events to be dispatched')
      if (received.length === 4) break
    }
    expect(received).toEqual(['a', 'b', 'c', 'd'])
  })

  test('continues across reconnects', async () => {
    const {server} = await scripted(async (n, stream) => {
      await stream.send({retry: 10, data: `from connection ${n}`})
      if (n < 3) await stream.end()
    })
    useFakeClock()
    const source = open(`${server.url}stream`)
    skipReconnectDelays(source)
    const received: string[] = []
    for await (const event of messages(source)) {
      received.push(event.data)
      if (received.length === 3) break
    }
    expect(received).toEqual(['from connection 1', 'from connection 2', 'from connection 3'])
    expect(server.requests).toHaveLength(3)
  })

  test('close() from outside ends the loop without an error', async () => {
    const {server} = await scripted(async (_n, stream) => {
      await stream.send({data: 'one'})
      await stream.send({data: 'two'})
    })
    const source = open(`${server.url}stream`)
    source.addEventListener('message', (event) => {
      // Once the loop waits for the next event: after this one's promise jobs.
      if (event.data === 'two') setImmediate(() => source.close())
    })
    const received: string[] = []
    for await (const event of messages(source)) received.push(event.data)
    expect(received).toEqual(['one', 'two'])
    expect(source.readyState).toBe(EventSource.CLOSED)
  })

  test('close() inside the loop body: events dispatched before it are still yielded, then the loop ends', async () => {
    // A custom fetch hands the body over as one chunk, so all three events are dispatched (and
    // queued for the loop) before the loop body first runs.
    const body = new TextEncoder().encode('data: 1\n\ndata: 2\n\ndata: 3\n\n')
    const source = open('http://stream.invalid/', {
      fetch: async () =>
        new Response(new ReadableStream({start: (controller) => controller.enqueue(body)}), {
          headers: {'Content-Type': 'text/event-stream'},
        }),
    })
    const seenByListeners: string[] = []
    source.addEventListener('message', (event) => seenByListeners.push(event.data))
    const received: string[] = []
    for await (const event of messages(source)) {
      received.push(event.data)
      source.close()
    }
    expect(seenByListeners).toEqual(['1', '2', '3'])
    expect(received).toEqual(['1', '2', '3'])
    expect(source.readyState).toBe(EventSource.CLOSED)
  })

  test('a failed connection makes the loop throw the cause', async () => {
    const {server} = await scripted(() => {})
    const source = open(`${server.url}missing`)
    const received: string[] = []
    const error = await (async () => {
      for await (const event of messages(source)) received.push(event.data)
    })().catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(HTTPError)
    expect((error as HTTPError).status).toBe(404)
    expect(received).toEqual([])
  })

  test('a failure mid-stream: the events before it, then the cause', async () => {
    const received: string[] = []
    const {server} = await scripted(async (_n, stream) => {
      await stream.send({data: 'fits'})
      // The big one once the first is in the loop: in a chunk of its own.
      await waitFor(() => received.length === 1, 'the first event in the loop')
      await stream.send({data: 'x'.repeat(200)})
    })
    const source = open(`${server.url}stream`, {maxEventSize: 100})
    const error = await (async () => {
      for await (const event of messages(source)) received.push(event.data)
    })().catch((caught: unknown) => caught)
    expect(received).toEqual(['fits'])
    expect(error).toBeInstanceOf(ParseError)
    expect((error as ParseError).type).toBe('max-buffer-size-exceeded')
  })

  test('errors that reconnect do not end the loop', async () => {
    const {server} = await scripted(async (n, stream) => {
      if (n === 1) {
        await stream.send({retry: 10, data: 'before the drop'})
        stream.drop()
      } else {
        await stream.send({data: 'after the drop'})
      }
    })
    useFakeClock()
    const source = open(`${server.url}stream`)
    skipReconnectDelays(source)
    const received: string[] = []
    for await (const event of messages(source)) {
      received.push(event.data)
      if (received.length === 2) break
    }
    expect(received).toEqual(['before the drop', 'after the drop'])
  })

  test('two loops over one source both see every event; breaking one closes the source', async () => {
    const {server} = await scripted(async (_n, stream) => {
      await stream.writeChunks(['data: a\n\n', 'data: b\n\n', 'data: c\n\n'], {delay: 5})
    })
    const source = open(`${server.url}stream`)
    const collect = async (limit: number) => {
      const received: string[] = []
      for await (const event of messages(source)) {
        received.push(event.data)
        if (received.length === limit) break
      }
      return received
    }
    const [first, second] = await Promise.all([collect(3), collect(4)])
    expect(first).toEqual(['a', 'b', 'c'])
    // The first loop's break closed the source, which ended the second loop too.
    expect(second).toEqual(['a', 'b', 'c'])
  })

  test('a loop started after the source failed throws the cause, as one started before does', async () => {
    const {server} = await scripted(() => {})
    const source = open(`${server.url}missing`)
    await new Promise((resolve) => source.addEventListener('error', resolve))
    expect(source.readyState).toBe(EventSource.CLOSED)
    const error = await (async () => {
      for await (const event of messages(source)) throw new Error(`unexpected ${event.data}`)
    })().catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(HTTPError)
    expect((error as HTTPError).status).toBe(404)
  })

  test('a loop started on a closed source ends at once', async () => {
    const source = new EventSource('http://127.0.0.1:1/')
    source.close()
    const received: unknown[] = []
    for await (const event of messages(source)) received.push(event)
    expect(received).toEqual([])
  })

  test('the iterator returns itself and, after a break, stays done', async () => {
    const {server} = await scripted((_n, stream) => void stream.write('data: only\n\n'))
    const source = open(`${server.url}stream`)
    const iterator = messages(source)
    expect(iterator[Symbol.asyncIterator]()).toBe(iterator)
    expect(await iterator.next()).toEqual({done: false, value: expect.objectContaining({data: 'only'})})
    expect(await iterator.return?.()).toEqual({done: true, value: undefined})
    expect(await iterator.next()).toEqual({done: true, value: undefined})
    expect(source.readyState).toBe(EventSource.CLOSED)
  })
})
