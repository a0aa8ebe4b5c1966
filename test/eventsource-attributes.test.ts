// The IDL attributes and constants (url, readyState, withCredentials, CONNECTING/OPEN/CLOSED)
// and the [non-spec] read-only state (lastEventId, attempt, reconnectDelay, lastStatus).
import {describe, expect, test} from 'vitest'
import {EventSource} from '../src/index.js'
import {open, recordEvents, serve, skipReconnectDelays, useEventSourceHooks, useFakeClock, waitFor} from './support/eventsource.js'
import {startSse, type SseStream} from './support/sse-server.js'

useEventSourceHooks()

describe('constants', () => {
  test('CONNECTING, OPEN and CLOSED are 0, 1 and 2 on the constructor, the prototype and instances', () => {
    const source = new EventSource('http://127.0.0.1:1/')
    source.close()
    for (const target of [EventSource, EventSource.prototype, source]) {
      expect([target.CONNECTING, target.OPEN, target.CLOSED]).toEqual([0, 1, 2])
    }
  })

  test('are read-only, enumerable and not configurable, as WebIDL constants are', () => {
    for (const target of [EventSource, EventSource.prototype]) {
      for (const [name, value] of [['CONNECTING', 0], ['OPEN', 1], ['CLOSED', 2]] as const) {
        expect(Object.getOwnPropertyDescriptor(target, name), name).toEqual({
          value,
          writable: false,
          enumerable: true,
          configurable: false,
        })
      }
    }
  })
})

describe('attributes', () => {
  test('url, readyState and withCredentials are read-only accessors on the prototype', () => {
    for (const name of ['url', 'readyState', 'withCredentials', 'onopen', 'onmessage', 'onerror']) {
      const descriptor = Object.getOwnPropertyDescriptor(EventSource.prototype, name)
      expect(typeof descriptor?.get, name).toBe('function')
    }
    const source = new EventSource('http://127.0.0.1:1/')
    source.close()
    // Module code is strict: assigning to a getter-only accessor throws.
    expect(() => ((source as {readyState: number}).readyState = 0)).toThrow(TypeError)
    expect(() => ((source as {url: string}).url = 'http://example.com/')).toThrow(TypeError)
    expect(source.readyState).toBe(EventSource.CLOSED)
  })

  test('withCredentials reflects the option, converted to a boolean', () => {
    const values: [unknown, boolean][] = [[undefined, false], [false, false], [true, true], [1, true], ['', false]]
    for (const [given, expected] of values) {
      const source = new EventSource('http://127.0.0.1:1/', {withCredentials: given as boolean})
      source.close()
      expect(source.withCredentials, String(given)).toBe(expected)
    }
  })

  test('readyState: CONNECTING, OPEN while events flow, CONNECTING while reconnecting, CLOSED after close()', async () => {
    const streams: SseStream[] = []
    const server = await serve({
      '/stream': (_req, res) => {
        const stream = startSse(res)
        streams.push(stream)
        void stream.send({retry: 20, data: `connection ${streams.length}`}).then(() => {
          if (streams.length === 1) void stream.end()
        })
      },
    })
    useFakeClock()
    const source = open(`${server.url}stream`)
    skipReconnectDelays(source)
    const {log} = recordEvents(source)
    expect(source.readyState).toBe(0)
    await waitFor(() => log.length === 5, 'a reconnect and a second message')
    expect(log).toEqual(['open 1', 'message 1 connection 1', 'error 0 retry', 'open 1', 'message 1 connection 2'])
    expect(source.readyState).toBe(1)
    source.close()
    expect(source.readyState).toBe(2)
  })

  test('lastEventId starts empty and follows the stream; attempt and reconnectDelay are on the error event', async () => {
    let count = 0
    const server = await serve({
      '/stream': (_req, res) => {
        count++
        const stream = startSse(res)
        if (count === 1) void stream.send({id: 'a1', retry: 25, data: 'x'}).then(() => stream.end())
        else void stream.send({data: 'y'})
      },
    })
    useFakeClock()
    const source = open(`${server.url}stream`)
    skipReconnectDelays(source)
    expect(source.lastEventId).toBe('')
    // The attempt counts and the delays are the error event's, not attributes of the source (the WHATWG interface).
    for (const name of ['attempt', 'reconnectDelay', 'lastStatus']) expect(name in source).toBe(false)
    const states: unknown[] = []
    source.addEventListener('message', () => {
      states.push(['message', source.lastEventId])
    })
    source.addEventListener('error', (event) => {
      states.push(['error', source.lastEventId, event.attempt, event.reconnectDelay, event.status])
    })
    await waitFor(() => states.length === 3, 'two messages and an error')
    expect(states).toEqual([
      ['message', 'a1'],
      ['error', 'a1', 1, 25, undefined],
      ['message', 'a1'],
    ])
  })
})
