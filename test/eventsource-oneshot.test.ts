// oneShot: one request, one response stream (an LLM completion, say). A clean end closes the
// source with an `end` event and no reconnect; a dropped connection resumes with Last-Event-ID
// when the server sent ids, and fails when it did not. That nothing follows an end or a failure is
// checked on a fake clock moved past every delay (the sockets keep real time): a reconnect would fetch.
import {describe, expect, test} from 'vitest'
import {type EventSource, messages, oneShot, type EventSourceErrorEvent} from '../src/index.js'
import {countFetches, open, passEveryDelay, recordEvents, scriptedStream, serve, useEventSourceHooks, useFakeClock, waitFor} from './support/eventsource.js'
import {respond, type SseStream} from './support/sse-server.js'

useEventSourceHooks()

/** Serves POST /chat: connection n (from 1) is written by `script(n, stream)`. */
async function chat(script: (connection: number, stream: SseStream) => void | Promise<void>) {
  return serve({'POST /chat': scriptedStream(script).handler, '/missing': respond(404, 'no')})
}

const init = {method: 'POST', body: '{"prompt":"hello"}', extensions: [oneShot()], reconnect: {initialDelay: 10}}

describe('oneShot', () => {
  test('a clean end: CLOSED, an end event, no error, no reconnect, the POST not sent again', async () => {
    const server = await chat(async (_n, stream) => {
      await stream.send({data: 'Hel'})
      await stream.send({event: 'token', data: 'lo'})
      await stream.end()
    })
    useFakeClock()
    const fetches = countFetches()
    const source = open(`${server.url}chat`, init)
    const {log} = recordEvents(source, ['open', 'message', 'token', 'error', 'reconnect', 'end'])
    await waitFor(() => log.length === 4, 'the end')
    await passEveryDelay()
    expect(fetches.count()).toBe(1)
    expect(log).toEqual(['open 1', 'message 1 Hel', 'token 1 lo', 'end 2'])
    expect(source.readyState).toBe(2)
    expect(server.requests.map((request) => [request.method, request.body])).toEqual([['POST', '{"prompt":"hello"}']])
  })

  test('a clean end is final even when the server sent ids and retry:', async () => {
    const server = await chat(async (_n, stream) => {
      await stream.send({id: '1', retry: 10, data: 'done'})
      await stream.end()
    })
    useFakeClock()
    const fetches = countFetches()
    const source = open(`${server.url}chat`, init)
    const {log} = recordEvents(source, ['open', 'message', 'error', 'end'])
    await waitFor(() => log.length === 3, 'the end')
    await passEveryDelay()
    expect(fetches.count()).toBe(1)
    expect(log).toEqual(['open 1', 'message 1 done', 'end 2'])
    expect(server.requests).toHaveLength(1)
  })

  test('a drop mid-stream after ids resumes with Last-Event-ID and the same POST', async () => {
    const server = await chat(async (n, stream) => {
      if (n === 1) {
        await stream.send({id: 't1', data: 'one'})
        await stream.send({id: 't2', data: 'two'})
        stream.drop()
      } else {
        await stream.send({id: 't3', data: 'three'})
        await stream.end()
      }
    })
    const source = open(`${server.url}chat`, init)
    const {log, events} = recordEvents(source, ['open', 'message', 'error', 'end'])
    await waitFor(() => log.includes('end 2'), 'the end')
    expect(log).toEqual(['open 1', 'message 1 one', 'message 1 two', 'error 0 retry', 'open 1', 'message 1 three', 'end 2'])
    expect((events[3] as EventSourceErrorEvent).cause).toBeInstanceOf(TypeError)
    expect(server.requests.map((request) => [request.method, request.body, request.headers['last-event-id']])).toEqual([
      ['POST', '{"prompt":"hello"}', undefined],
      ['POST', '{"prompt":"hello"}', 't2'],
    ])
  })

  test('a drop mid-stream without ids fails: CLOSED, one final error, no second request', async () => {
    const server = await chat(async (_n, stream) => {
      await stream.send({data: 'partial'})
      stream.drop()
    })
    useFakeClock()
    const fetches = countFetches()
    const source = open(`${server.url}chat`, init)
    const {log, events} = recordEvents(source, ['open', 'message', 'error', 'reconnect', 'end'])
    await waitFor(() => source.readyState === 2, 'the failure')
    await passEveryDelay()
    expect(fetches.count()).toBe(1)
    expect(log).toEqual(['open 1', 'message 1 partial', 'error 2 final'])
    const error = events.at(-1) as EventSourceErrorEvent
    expect(error.cause).toBeInstanceOf(TypeError)
    expect(error.willReconnect).toBe(false)
    expect(server.requests).toHaveLength(1)
  })

  test('a failed status fails as usual, without an end event', async () => {
    const server = await chat(() => {})
    useFakeClock()
    const fetches = countFetches()
    const source = open(`${server.url}missing`, {extensions: [oneShot()]})
    const {log} = recordEvents(source, ['open', 'error', 'end'])
    await waitFor(() => log.length === 1, 'the failure')
    await passEveryDelay()
    expect(fetches.count()).toBe(1)
    expect(log).toEqual(['error 2 final'])
  })

  test('close() before the end: no end event', async () => {
    const opened: {source?: EventSource} = {}
    const server = await chat(async (_n, stream) => {
      await stream.send({data: 'first'})
      // The end comes once the source is closed: too late to be dispatched.
      await waitFor(() => opened.source?.readyState === 2, 'the close')
      await stream.end()
    })
    useFakeClock()
    const fetches = countFetches()
    const source = (opened.source = open(`${server.url}chat`, init))
    const {log} = recordEvents(source, ['open', 'message', 'error', 'end'])
    source.onmessage = () => source.close()
    await waitFor(() => source.readyState === 2, 'the close')
    await waitFor(() => server.usedConnections() === 0, 'the server to see the connection closed')
    await passEveryDelay()
    expect(fetches.count()).toBe(1)
    expect(log).toEqual(['open 1', 'message 1 first'])
  })

  test('for await over a one-shot stream ends when the stream does', async () => {
    const server = await chat(async (_n, stream) => {
      await stream.writeChunks(['data: a\n\n', 'data: b\n\n', 'event: meta\ndata: c\n\n'], {delay: 2})
      await stream.end()
    })
    const received: string[] = []
    for await (const event of messages(open(`${server.url}chat`, init))) received.push(`${event.type}:${event.data}`)
    expect(received).toEqual(['message:a', 'message:b', 'meta:c'])
  })
})
