// close(): from every state, the source goes CLOSED at once, fires nothing more, sends no
// request and leaves no timer. Checked with the server's records and real (short) delays.
import {describe, expect, test} from 'vitest'
import {EventSource} from '../src/index.js'
import {open, recordEvents, scriptedStream, serve, sleep, trackSourceTimers, useEventSourceHooks, waitFor} from './support/eventsource.js'
import type {SseStream} from './support/sse-server.js'

useEventSourceHooks()

/** Serves /stream: each connection is handed to `script`; /hang never answers. */
async function scripted(script: (connection: number, stream: SseStream) => void | Promise<void>) {
  return serve({'/stream': scriptedStream(script).handler, '/hang': () => {}})
}

describe('close()', () => {
  test('right after construction: no request at all, no event', async () => {
    const server = await scripted((_n, stream) => void stream.send({data: 'x'}))
    const timers = trackSourceTimers()
    const source = open(`${server.url}stream`, {heartbeatTimeout: 10_000})
    const {log} = recordEvents(source, ['open', 'message', 'error', 'reconnect'])
    source.close()
    expect(source.readyState).toBe(EventSource.CLOSED)
    await sleep(100)
    expect(server.requests).toEqual([])
    expect(log).toEqual([])
    expect(timers.started()).toBe(0)
  })

  test('while connecting: the request is aborted, no event fires, nothing is sent again', async () => {
    const server = await scripted(() => {})
    const timers = trackSourceTimers()
    const source = open(`${server.url}hang`, {reconnect: {initialDelay: 10}, heartbeatTimeout: 10_000})
    const {log} = recordEvents(source, ['open', 'message', 'error', 'reconnect'])
    await server.waitForRequests(1)
    expect(source.readyState).toBe(EventSource.CONNECTING)
    expect(timers.pending()).toBe(1) // the heartbeat
    source.close()
    expect(timers.pending()).toBe(0)
    expect(source.readyState).toBe(EventSource.CLOSED)
    await waitFor(() => server.activeRequests() === 0, 'the server to see the request end')
    await sleep(100)
    expect(server.requests).toHaveLength(1)
    expect(log).toEqual([])
  })

  test('while an async headers function is pending: no request is ever sent', async () => {
    const server = await scripted((_n, stream) => void stream.send({data: 'x'}))
    let release: (headers: Record<string, string>) => void = () => {}
    let calls = 0
    const source = open(`${server.url}stream`, {
      headers: () => {
        calls++
        return new Promise<Record<string, string>>((resolve) => (release = resolve))
      },
    })
    const {log} = recordEvents(source, ['open', 'message', 'error', 'reconnect'])
    await waitFor(() => calls === 1, 'the headers function')
    source.close()
    release({authorization: 'late'})
    await sleep(100)
    expect(server.requests).toEqual([])
    expect(log).toEqual([])
    expect(calls).toBe(1)
  })

  test('while an async headers function is pending: the body function is never called', async () => {
    const server = await scripted((_n, stream) => void stream.send({data: 'x'}))
    let release: (headers: Record<string, string>) => void = () => {}
    let headerCalls = 0
    let bodyCalls = 0
    const source = open(`${server.url}stream`, {
      method: 'POST',
      headers: () => {
        headerCalls++
        return new Promise<Record<string, string>>((resolve) => (release = resolve))
      },
      // A stream body built here would be left unread for ever.
      body: () => {
        bodyCalls++
        return 'payload'
      },
    })
    await waitFor(() => headerCalls === 1, 'the headers function')
    source.close()
    release({authorization: 'late'})
    await sleep(50)
    expect(bodyCalls).toBe(0)
    expect(server.requests).toEqual([])
  })

  test('while open: the server sees the stream end; no error, no reconnect', async () => {
    const streams: SseStream[] = []
    const server = await scripted((_n, stream) => {
      streams.push(stream)
      void stream.send({retry: 10, data: 'hello'})
    })
    const timers = trackSourceTimers()
    const source = open(`${server.url}stream`, {heartbeatTimeout: 10_000})
    const {log} = recordEvents(source, ['open', 'message', 'error', 'reconnect'])
    await waitFor(() => log.length === 2, 'the message')
    expect(timers.pending()).toBe(1) // the heartbeat
    source.close()
    expect(source.readyState).toBe(EventSource.CLOSED)
    expect(timers.pending()).toBe(0)
    await streams[0]?.closed
    // Events written after close() reach no one.
    await sleep(100)
    expect(log).toEqual(['open 1', 'message 1 hello'])
    expect(server.requests).toHaveLength(1)
    expect(server.activeRequests()).toBe(0)
  })

  test('inside a message handler: no further events from the same chunk', async () => {
    const server = await scripted((_n, stream) => {
      // One write, so the three events arrive in one chunk.
      void stream.write('retry: 10\n\ndata: first\n\nevent: named\ndata: second\n\ndata: third\n\n')
    })
    const source = open(`${server.url}stream`)
    const {log} = recordEvents(source, ['open', 'message', 'named', 'error', 'reconnect'])
    source.addEventListener('message', () => source.close(), {once: true})
    // A listener after the one that closes still runs for this event, as for any EventTarget.
    const after: number[] = []
    source.addEventListener('message', () => after.push(source.readyState))
    await waitFor(() => source.readyState === EventSource.CLOSED, 'the close')
    await sleep(100)
    expect(log).toEqual(['open 1', 'message 1 first'])
    expect(after).toEqual([2])
    expect(server.requests).toHaveLength(1)
  })

  test('inside the open handler: the events that came with the response are not dispatched', async () => {
    const server = await scripted((_n, stream) => void stream.write('data: too late\n\n'))
    const source = open(`${server.url}stream`)
    const {log} = recordEvents(source, ['open', 'message', 'error'])
    source.onopen = () => source.close()
    await waitFor(() => source.readyState === EventSource.CLOSED, 'the close')
    await sleep(100)
    expect(log).toEqual(['open 1'])
    expect(server.activeRequests()).toBe(0)
  })

  test('while waiting to reconnect: the reconnect never happens and its timer is cleared', async () => {
    const server = await scripted(async (_n, stream) => {
      await stream.send({retry: 300, data: 'bye'})
      await stream.end()
    })
    const timers = trackSourceTimers()
    const source = open(`${server.url}stream`)
    const {log} = recordEvents(source, ['open', 'message', 'error', 'reconnect'])
    const pending: number[] = []
    // Right after the reconnect is scheduled (the timer starts once the reconnect event is dispatched).
    source.addEventListener('reconnect', () => {
      setImmediate(() => {
        pending.push(timers.pending())
        source.close()
        pending.push(timers.pending())
      })
    })
    await waitFor(() => source.readyState === EventSource.CLOSED, 'the close')
    expect(log).toEqual(['open 1', 'message 1 bye', 'error 0 retry', 'reconnect 0 #1 300ms'])
    // The 300 ms reconnect timer was pending, and close() cleared it.
    expect(pending).toEqual([1, 0])
    await sleep(400)
    expect(server.requests).toHaveLength(1)
    expect(log).toHaveLength(4)
  })

  test('inside the error listener of a reconnect: no reconnect event, no request', async () => {
    const server = await scripted(async (_n, stream) => {
      await stream.send({retry: 10, data: 'bye'})
      await stream.end()
    })
    const source = open(`${server.url}stream`)
    const {log} = recordEvents(source, ['open', 'message', 'error', 'reconnect'])
    source.onerror = () => source.close()
    await waitFor(() => log.length === 3, 'the error')
    await sleep(100)
    expect(log).toEqual(['open 1', 'message 1 bye', 'error 0 retry'])
    expect(source.readyState).toBe(EventSource.CLOSED)
    expect(server.requests).toHaveLength(1)
  })

  test('inside the reconnect listener: no request', async () => {
    const server = await scripted(async (_n, stream) => {
      await stream.send({retry: 10, data: 'bye'})
      await stream.end()
    })
    const source = open(`${server.url}stream`)
    const {log} = recordEvents(source, ['open', 'message', 'error', 'reconnect'])
    source.addEventListener('reconnect', () => source.close())
    await waitFor(() => log.length === 4, 'the reconnect event')
    await sleep(100)
    expect(log).toEqual(['open 1', 'message 1 bye', 'error 0 retry', 'reconnect 0 #1 10ms'])
    expect(server.requests).toHaveLength(1)
  })

  test('twice, or after the connection failed, is harmless', async () => {
    const server = await scripted(() => {})
    const source = open(`${server.url}missing`)
    const {log} = recordEvents(source, ['open', 'message', 'error', 'reconnect'])
    await waitFor(() => log.length === 1, 'the failure')
    source.close()
    source.close()
    expect(log).toEqual(['error 2 final'])
    expect(source.readyState).toBe(EventSource.CLOSED)
  })
})
