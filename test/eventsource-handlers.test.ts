// The event handler IDL attributes onopen, onmessage and onerror: one handler each, null
// removes it, and the handler keeps its place among addEventListener listeners while it changes.
import {describe, expect, test} from 'vitest'
import {EventSource} from '../src/index.js'
import {countFetches, open, passEveryDelay, serve, useEventSourceHooks, useFakeClock, waitFor} from './support/eventsource.js'
import {respond, startSse, type SseStream} from './support/sse-server.js'

useEventSourceHooks()

/** A server whose /stream sends `retry: 10` and holds; the test writes the rest. */
async function streamServer() {
  const streams: SseStream[] = []
  const server = await serve({
    '/stream': (_req, res) => {
      const stream = startSse(res)
      streams.push(stream)
      void stream.write('retry: 10\n\n')
    },
    '/missing': respond(404, 'no'),
  })
  const latest = () => {
    const stream = streams.at(-1)
    if (stream === undefined) throw new Error('no stream yet')
    return stream
  }
  return {server, streams, latest}
}

describe('onopen, onmessage, onerror', () => {
  test('start null and return what was set', () => {
    const source = new EventSource('http://127.0.0.1:1/')
    source.close()
    expect([source.onopen, source.onmessage, source.onerror]).toEqual([null, null, null])
    const handler = () => {}
    source.onopen = handler
    source.onmessage = handler
    source.onerror = handler
    expect([source.onopen, source.onmessage, source.onerror]).toEqual([handler, handler, handler])
    source.onmessage = null
    expect(source.onmessage).toBeNull()
  })

  test('a non-function value is treated as null', () => {
    const source = new EventSource('http://127.0.0.1:1/')
    source.close()
    source.onmessage = () => {}
    source.onmessage = 'alert(1)' as never
    expect(source.onmessage).toBeNull()
  })

  test('are called with the event and the source as `this`, for their own event type only', async () => {
    const {server, latest} = await streamServer()
    const source = open(`${server.url}stream`)
    const calls: [string, string, unknown, number][] = []
    source.onopen = function (event) {
      calls.push(['onopen', event.type, this, source.readyState])
    }
    source.onmessage = function (event) {
      calls.push(['onmessage', `${event.type} ${event.data}`, this, source.readyState])
    }
    source.onerror = function (event) {
      calls.push(['onerror', event.type, this, source.readyState])
    }
    await waitFor(() => calls.length === 1, 'open')
    await latest().send({data: 'one'})
    await latest().send({event: 'named', data: 'not for onmessage'})
    await latest().send({data: 'two'})
    await waitFor(() => calls.length === 3, 'two messages')
    await latest().end()
    await waitFor(() => calls.length === 5, 'error and reopen')
    expect(calls).toEqual([
      ['onopen', 'open', source, 1],
      ['onmessage', 'message one', source, 1],
      ['onmessage', 'message two', source, 1],
      ['onerror', 'error', source, 0],
      ['onopen', 'open', source, 1],
    ])
  })

  test('hold one handler: setting another replaces it, null removes it', async () => {
    const {server, latest} = await streamServer()
    const source = open(`${server.url}stream`)
    const calls: string[] = []
    const first = (event: MessageEvent) => calls.push(`first ${event.data}`)
    const second = (event: MessageEvent) => calls.push(`second ${event.data}`)
    source.onmessage = first
    source.onmessage = second
    source.addEventListener('message', (event) => calls.push(`listener ${event.data}`))
    await new Promise((resolve) => (source.onopen = resolve))
    await latest().send({data: 'a'})
    await waitFor(() => calls.length === 2, 'message a')
    source.onmessage = null
    await latest().send({data: 'b'})
    await waitFor(() => calls.length === 3, 'message b')
    expect(calls).toEqual(['second a', 'listener a', 'listener b'])
  })

  test('removeEventListener with the handler function does not remove the handler', async () => {
    const {server, latest} = await streamServer()
    const source = open(`${server.url}stream`)
    const calls: string[] = []
    const handler = (event: MessageEvent) => calls.push(event.data)
    source.onmessage = handler
    source.removeEventListener('message', handler)
    await new Promise((resolve) => (source.onopen = resolve))
    await latest().send({data: 'still called'})
    await waitFor(() => calls.length === 1, 'the message')
    expect(calls).toEqual(['still called'])
  })

  test('keep their place among listeners when the handler changes; null then a new one moves it last', async () => {
    const {server, latest} = await streamServer()
    const source = open(`${server.url}stream`)
    const calls: string[] = []
    source.addEventListener('message', () => calls.push('A'))
    source.onmessage = () => calls.push('h1')
    source.addEventListener('message', () => calls.push('B'))
    await new Promise((resolve) => source.addEventListener('open', resolve, {once: true}))

    const round = async (data: string) => {
      const before = calls.length
      await latest().send({data})
      await waitFor(() => calls.length === before + 3, `round ${data}`)
      return calls.slice(before)
    }
    expect(await round('1')).toEqual(['A', 'h1', 'B'])
    source.onmessage = () => calls.push('h2')
    expect(await round('2')).toEqual(['A', 'h2', 'B'])
    source.onmessage = null
    source.onmessage = () => calls.push('h3')
    expect(await round('3')).toEqual(['A', 'B', 'h3'])
  })

  test('onerror sees a failed connection once, with readyState CLOSED; listeners added later run after it', async () => {
    const {server} = await streamServer()
    useFakeClock()
    const fetches = countFetches()
    const source = open(`${server.url}missing`)
    const calls: string[] = []
    source.onerror = () => calls.push(`onerror ${source.readyState}`)
    source.addEventListener('error', () => calls.push(`listener ${source.readyState}`))
    await waitFor(() => calls.length === 2, 'the error')
    // Once: fake time past any reconnect delay brings no attempt and no second error.
    await passEveryDelay()
    expect(fetches.count()).toBe(1)
    expect(calls).toEqual(['onerror 2', 'listener 2'])
  })

  test('a handler set inside a listener of the same event does not run for that event', async () => {
    const {server, latest} = await streamServer()
    const source = open(`${server.url}stream`)
    const calls: string[] = []
    source.addEventListener('message', (event) => {
      calls.push(`listener ${event.data}`)
      source.onmessage ??= (later) => calls.push(`handler ${later.data}`)
    })
    await new Promise((resolve) => (source.onopen = resolve))
    await latest().send({data: '1'})
    await latest().send({data: '2'})
    await waitFor(() => calls.length === 3, 'two messages')
    expect(calls).toEqual(['listener 1', 'listener 2', 'handler 2'])
  })
})
