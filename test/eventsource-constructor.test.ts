// `new EventSource(url, init)`: what it resolves, what it starts and when, and the first
// request it sends.
import {describe, expect, test} from 'vitest'
import {EventSource} from '../src/index.js'
import {open, recordEvents, serve, useEventSourceHooks, waitFor} from './support/eventsource.js'
import {startSse} from './support/sse-server.js'

useEventSourceHooks()

const hold = () => serve({'/stream': (_req, res) => void startSse(res).send({data: 'hello'})})

describe('new EventSource(url)', () => {
  test('starts CONNECTING and sends its request only after the constructor returns', async () => {
    const server = await hold()
    const source = open(`${server.url}stream`)
    expect(source.readyState).toBe(EventSource.CONNECTING)
    // Nothing can have been sent synchronously: the fetch starts in a later (micro)task.
    expect(server.requests).toHaveLength(0)
    await server.waitForRequests(1)
    expect(source.readyState).not.toBe(EventSource.CLOSED)
  })

  test('sends one GET with Accept: text/event-stream, no Last-Event-ID and no body', async () => {
    const server = await hold()
    const source = open(`${server.url}stream?topic=a`)
    const {log} = recordEvents(source)
    await waitFor(() => log.length === 2, 'open and message')
    expect(log).toEqual(['open 1', 'message 1 hello'])
    expect(server.requests).toHaveLength(1)
    const [request] = server.requests
    expect(request?.method).toBe('GET')
    expect(request?.url).toBe('/stream?topic=a')
    expect(request?.headers.accept).toBe('text/event-stream')
    expect(request?.headers['last-event-id']).toBeUndefined()
    // Fetch's `cache: 'no-store'` asks every cache on the way not to answer from a stored copy.
    expect(request?.headers['cache-control']).toBe('no-cache')
    expect(request?.body).toBe('')
  })

  test('accepts a URL object, and resolves and serializes the URL', async () => {
    const server = await hold()
    const fromObject = open(new URL('/stream', server.url))
    expect(fromObject.url).toBe(`${server.url}stream`)
    const dotted = open(`${server.origin}/a/../stream?q=1#frag`)
    expect(dotted.url).toBe(`${server.origin}/stream?q=1#frag`)
    await server.waitForRequests(2)
    // The fragment is never sent.
    expect(server.requests.map((request) => request.url).sort()).toEqual(['/stream', '/stream?q=1'])
  })

  test('stringifies a non-string url as the IDL USVString conversion does', async () => {
    const server = await hold()
    const source = open({toString: () => `${server.url}stream`} as unknown as string)
    expect(source.url).toBe(`${server.url}stream`)
    await server.waitForRequests(1)
  })

  test('treats a missing, undefined or null init as the empty dictionary', async () => {
    const server = await hold()
    const sources = [
      open(`${server.url}stream`),
      open(`${server.url}stream`, undefined),
      open(`${server.url}stream`, null as never),
      open(`${server.url}stream`, {}),
    ]
    for (const source of sources) expect(source.withCredentials).toBe(false)
    await server.waitForRequests(4)
    expect(server.requests.map((request) => request.method)).toEqual(['GET', 'GET', 'GET', 'GET'])
  })

  test('each source makes its own connection', async () => {
    const server = await hold()
    const first = open(`${server.url}stream`)
    const second = open(`${server.url}stream`)
    const firstLog = recordEvents(first).log
    const secondLog = recordEvents(second).log
    await waitFor(() => firstLog.length === 2 && secondLog.length === 2, 'both sources to get the message')
    expect(firstLog).toEqual(['open 1', 'message 1 hello'])
    expect(secondLog).toEqual(['open 1', 'message 1 hello'])
    expect(server.activeRequests()).toBe(2)
  })

  test('cannot be called without new', () => {
    expect(() => (EventSource as unknown as (url: string) => unknown)('http://127.0.0.1/')).toThrow(TypeError)
  })

  test('is an EventTarget', async () => {
    const server = await hold()
    const source = open(`${server.url}stream`)
    expect(source).toBeInstanceOf(EventTarget)
    expect(source).toBeInstanceOf(EventSource)
    expect(Object.prototype.toString.call(source)).toBe('[object EventSource]')
  })
})
