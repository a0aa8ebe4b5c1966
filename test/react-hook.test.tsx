// @vitest-environment jsdom
// useEventSource in one component, in jsdom against a real local SSE server: state, messages,
// bursts, parse, callbacks, option changes, errors, close() and reconnect().
import {act, render, renderHook, screen} from '@testing-library/react'
import {hydrateRoot} from 'react-dom/client'
import {renderToString} from 'react-dom/server'
import {describe, expect, test, vi} from 'vitest'
import {useEventSource, type UseEventSourceOptions} from '../src/adapters/react.js'
import {countFetches, passEveryDelay, useFakeClock, waitFor} from './support/eventsource.js'
import {eventServer, useReactHooks} from './support/react.js'

useReactHooks()

describe('useEventSource: state and messages', () => {
  test('connecting, then open; each message replaces the last one', async () => {
    const events = await eventServer()
    const {result} = renderHook(() => useEventSource(events.url()))
    expect(result.current).toMatchObject({status: 'connecting', readyState: 0, message: undefined, error: undefined})

    await waitFor(() => result.current.status === 'open', 'open')
    expect(result.current.readyState).toBe(1)
    await events.send({id: '1', data: 'first'})
    await waitFor(() => result.current.message?.data === 'first', 'first message')
    expect(result.current.message).toMatchObject({type: 'message', data: 'first', lastEventId: '1', origin: events.server.origin})
    expect(result.current.message?.event).toBeInstanceOf(MessageEvent)
    await events.send({data: 'second'})
    await waitFor(() => result.current.message?.data === 'second', 'second message')
    expect(events.server.requests).toHaveLength(1)
  })

  test('a component shows live events as they arrive', async () => {
    const events = await eventServer()
    function Ticker() {
      const {status, message} = useEventSource(events.url())
      return (
        <p data-testid="ticker">
          {status} {message?.data ?? '-'}
        </p>
      )
    }
    render(<Ticker />)
    await waitFor(() => screen.getByTestId('ticker').textContent === 'open -', 'open')
    for (const price of ['101', '102', '103']) {
      await events.send({data: price})
      await waitFor(() => screen.getByTestId('ticker').textContent === `open ${price}`, `price ${price}`)
    }
  })

  test('500 events in one write all reach onMessage, in order, each parsed once', async () => {
    const events = await eventServer()
    const received: number[] = []
    const parse = vi.fn((data: string) => Number(data))
    let renders = 0
    const {result, rerender} = renderHook(() => {
      renders++
      return useEventSource<{message: number}>(events.url(), {parse, onMessage: (message) => received.push(message.data)})
    })
    await waitFor(() => result.current.status === 'open', 'open')
    const burst = Array.from({length: 500}, (_, index) => `data: ${index}\n\n`).join('')
    await events.open()[0]!.write(burst)

    await waitFor(() => received.length === 500, '500 events', {timeout: 10_000})
    expect(received).toEqual(Array.from({length: 500}, (_, index) => index))
    await waitFor(() => result.current.message?.data === 499, 'the last message rendered')
    // Far fewer renders than events: onMessage did not wait for renders, and none was skipped.
    expect(renders).toBeLessThan(500)
    // Rendering again parses nothing: parse runs in the listener, once per event.
    rerender()
    rerender()
    expect(parse).toHaveBeenCalledTimes(500)
  })

  test('events: only the named types are received, and message.type says which', async () => {
    const events = await eventServer()
    const received: string[] = []
    const {result} = renderHook(() =>
      useEventSource<'price' | 'trade'>(events.url(), {
        events: ['price', 'trade'],
        onMessage: (message) => received.push(`${message.type} ${message.data}`),
      }),
    )
    await waitFor(() => result.current.status === 'open', 'open')
    await events.send({event: 'price', data: '1'})
    await events.send({data: 'unnamed'})
    await events.send({event: 'volume', data: '2'})
    await events.send({event: 'trade', data: '3'})
    // 'trade' was sent last: the events before it were dispatched (or not) before it.
    await waitFor(() => received.includes('trade 3'), 'the last event')
    expect(received).toEqual(['price 1', 'trade 3'])
    expect(result.current.message).toMatchObject({type: 'trade', data: '3'})
  })
})

describe('useEventSource: what opens a connection', () => {
  test('url null opens nothing: idle, CLOSED, no request', async () => {
    const events = await eventServer()
    useFakeClock()
    const fetches = countFetches()
    const {result} = renderHook(() => useEventSource(null, {onMessage: () => {}}))
    expect(result.current).toMatchObject({status: 'idle', readyState: 2, message: undefined})
    await passEveryDelay()
    expect(result.current.status).toBe('idle')
    expect(fetches.count()).toBe(0)
    expect(events.server.requests).toEqual([])
    // close() and reconnect() of an idle hook do nothing.
    result.current.close()
    result.current.reconnect()
    await passEveryDelay()
    expect(fetches.count()).toBe(0)
    expect(events.server.requests).toEqual([])
  })

  test('enabled: false opens nothing; true connects; false again closes the connection', async () => {
    const events = await eventServer()
    useFakeClock()
    const fetches = countFetches()
    const {result, rerender} = renderHook((props: {enabled: boolean}) => useEventSource(events.url(), props), {
      initialProps: {enabled: false},
    })
    await passEveryDelay()
    expect(result.current.status).toBe('idle')
    expect(fetches.count()).toBe(0)
    expect(events.server.requests).toEqual([])

    rerender({enabled: true})
    await waitFor(() => result.current.status === 'open', 'open')
    expect(events.server.requests).toHaveLength(1)

    rerender({enabled: false})
    expect(result.current.status).toBe('idle')
    // The connection closes on a 0 ms timer of its own (a component may come straight back for it).
    await vi.advanceTimersByTimeAsync(0)
    await waitFor(() => events.server.activeRequests() === 0, 'the stream to close at the server')
  })

  test('a new url reconnects: the old stream closes, the new one delivers', async () => {
    const events = await eventServer()
    const {result, rerender} = renderHook((props: {url: string}) => useEventSource(props.url), {
      initialProps: {url: events.url('stream=1')},
    })
    await waitFor(() => result.current.status === 'open', 'open')

    rerender({url: events.url('stream=2')})
    await events.server.waitForRequests(2)
    expect(events.server.requests.map((request) => request.url)).toEqual(['/events?stream=1', '/events?stream=2'])
    await waitFor(() => events.streams[0]!.isClosed, 'the first stream to close')
    await waitFor(() => result.current.status === 'open', 'open again')
    await events.send({data: 'from 2'})
    await waitFor(() => result.current.message?.data === 'from 2', 'a message on the new stream')
    expect(events.server.activeRequests()).toBe(1)
  })

  test('a changed request option (a header value) reconnects with it', async () => {
    const events = await eventServer()
    useFakeClock()
    const fetches = countFetches()
    const {result, rerender} = renderHook((props: {version: string}) =>
      useEventSource(events.url(), {headers: {'X-Version': props.version}, method: 'GET'}),
      {initialProps: {version: '1'}},
    )
    await waitFor(() => result.current.status === 'open', 'open')
    rerender({version: '1'}) // equal by value: the same connection
    await passEveryDelay()
    expect(fetches.count()).toBe(1)
    expect(events.server.requests).toHaveLength(1)

    rerender({version: '2'})
    await events.server.waitForRequests(2)
    expect(events.server.requests.map((request) => request.headers['x-version'])).toEqual(['1', '2'])
    // The old connection closes on a 0 ms timer of its own.
    await vi.advanceTimersByTimeAsync(0)
    await waitFor(() => events.server.activeRequests() === 1, 'the first stream to close')
  })

  test('a new onMessage or parse does not reconnect, and the newest one is called', async () => {
    const events = await eventServer()
    const calls: string[] = []
    const {result, rerender} = renderHook(
      (props: {name: string}) =>
        useEventSource<{message: string}>(events.url(), {
          parse: (data) => `${data} parsed by ${props.name}`,
          onMessage: (message) => calls.push(`${props.name} got ${message.data}`),
        }),
      {initialProps: {name: 'A'}},
    )
    await waitFor(() => result.current.status === 'open', 'open')
    await events.send({data: 'x'})
    await waitFor(() => calls.length === 1, 'first call')

    rerender({name: 'B'})
    await events.send({data: 'y'})
    await waitFor(() => calls.length === 2, 'second call')
    expect(calls).toEqual(['A got x parsed by A', 'B got y parsed by B'])
    expect(events.server.requests).toHaveLength(1)
  })

  test('a new headers function does not reconnect; the next attempt calls it', async () => {
    const events = await eventServer()
    useFakeClock()
    const fetches = countFetches()
    const {result, rerender} = renderHook(
      (props: {token: string}) =>
        useEventSource(events.url('retry=50'), {headers: () => ({Authorization: `Bearer ${props.token}`})}),
      {initialProps: {token: 'one'}},
    )
    await waitFor(() => result.current.status === 'open', 'open')
    rerender({token: 'two'})
    await passEveryDelay()
    expect(fetches.count()).toBe(1)
    expect(events.server.requests).toHaveLength(1)

    // The server ends the stream; the EventSource reconnects by itself after `retry: 50`.
    await events.open()[0]!.end()
    await waitFor(() => result.current.status === 'reconnecting', 'reconnecting')
    await vi.advanceTimersByTimeAsync(50)
    await events.server.waitForRequests(2)
    expect(events.server.requests.map((request) => request.headers.authorization)).toEqual(['Bearer one', 'Bearer two'])
  })
})

describe('useEventSource: errors, close() and reconnect()', () => {
  test('a failed connection: status error, CLOSED, and the error event with its details', async () => {
    const events = await eventServer()
    useFakeClock()
    const fetches = countFetches()
    const {result} = renderHook(() => useEventSource(events.statusUrl(503)))
    await waitFor(() => result.current.status === 'error', 'error')
    const {error} = result.current
    expect(result.current.readyState).toBe(2)
    expect(error).toMatchObject({type: 'error', status: 503, code: 503, willReconnect: false, attempt: 1})
    expect(error?.message).toMatch(/503/)
    expect(error?.cause).toBeInstanceOf(Error)
    await passEveryDelay()
    expect(fetches.count()).toBe(1)
    expect(events.server.requests).toHaveLength(1)
  })

  test('a dropped stream: reconnecting with the error, then reconnect() resumes at once with Last-Event-ID', async () => {
    const events = await eventServer()
    // retry: 60000 keeps the EventSource waiting: only reconnect() can bring it back in time.
    const {result} = renderHook(() => useEventSource(events.url('retry=60000')))
    await waitFor(() => result.current.status === 'open', 'open')
    await events.send({id: '7', data: 'seven'})
    await waitFor(() => result.current.message?.lastEventId === '7', 'event 7')
    await events.open()[0]!.end()

    await waitFor(() => result.current.status === 'reconnecting', 'reconnecting')
    expect(result.current.readyState).toBe(0)
    expect(result.current.error).toMatchObject({willReconnect: true, reconnectDelay: 60_000})
    expect(result.current.message?.data).toBe('seven')

    act(() => result.current.reconnect())
    await events.server.waitForRequests(2)
    expect(events.server.requests[1]?.headers['last-event-id']).toBe('7')
    await waitFor(() => result.current.status === 'open', 'open again')
    expect(result.current.error).toBeUndefined()
  })

  test('close(): CLOSED at once, the request aborted, nothing more; reconnect() opens it again', async () => {
    const events = await eventServer()
    useFakeClock()
    const fetches = countFetches()
    const {result} = renderHook(() => useEventSource(events.url('retry=10')))
    await waitFor(() => result.current.status === 'open', 'open')
    await events.send({id: 'a', data: 'before close'})
    await waitFor(() => result.current.message?.data === 'before close', 'message')

    act(() => result.current.close())
    expect(result.current).toMatchObject({status: 'closed', readyState: 2})
    await waitFor(() => events.server.activeRequests() === 0, 'the stream to close at the server')
    await passEveryDelay()
    expect(fetches.count()).toBe(1)
    expect(events.server.requests).toHaveLength(1)

    act(() => result.current.reconnect())
    await events.server.waitForRequests(2)
    expect(events.server.requests[1]?.headers['last-event-id']).toBe('a')
    await waitFor(() => result.current.status === 'open', 'open again')
  })

  test('reconnect() while open replaces the stream and keeps Last-Event-ID and the request headers', async () => {
    const events = await eventServer()
    const options: UseEventSourceOptions = {headers: {'X-Token': 't'}}
    const {result} = renderHook(() => useEventSource(events.url(), options))
    await waitFor(() => result.current.status === 'open', 'open')
    await events.send({id: 'é1', data: 'x'})
    await waitFor(() => result.current.message?.lastEventId === 'é1', 'event é1')

    act(() => result.current.reconnect())
    await events.server.waitForRequests(2)
    // Before the new stream sends an ID, a second reconnect() still resumes from the first one's.
    await waitFor(() => result.current.status === 'open', 'open again')
    act(() => result.current.reconnect())
    await events.server.waitForRequests(3)
    for (const request of events.server.requests.slice(1)) {
      expect(request.headers['x-token']).toBe('t')
      // As the EventSource sends it: the UTF-8 bytes, which Node reads back as Latin-1.
      expect(Buffer.from(String(request.headers['last-event-id']), 'latin1').toString('utf8')).toBe('é1')
    }
    await waitFor(() => events.server.activeRequests() === 1, 'only the newest stream open')
  })

  test('an invalid URL is an error state, not an exception', async () => {
    const {result} = renderHook(() => useEventSource('http://[bad'))
    await waitFor(() => result.current.status === 'error', 'error')
    expect(result.current.error?.cause).toBeInstanceOf(DOMException)
  })
})

describe('useEventSource: server rendering then hydration', () => {
  test('hydrates the server markup without a mismatch, then connects', async () => {
    const events = await eventServer()
    useFakeClock()
    const fetches = countFetches()
    function Status() {
      const {status, message} = useEventSource(events.url())
      return <p id="status">{`${status} ${message?.data ?? '-'}`}</p>
    }
    const container = document.createElement('div')
    container.innerHTML = renderToString(<Status />)
    expect(container.textContent).toBe('connecting -')
    // Rendering on the server scheduled nothing (a timer would be on the fake clock).
    expect(vi.getTimerCount()).toBe(0)
    await passEveryDelay()
    expect(fetches.count()).toBe(0)
    expect(events.server.requests).toEqual([])

    document.body.append(container)
    const errors = vi.spyOn(console, 'error').mockImplementation(() => {})
    const recoverable: unknown[] = []
    const root = await act(async () => hydrateRoot(container, <Status />, {onRecoverableError: (error) => recoverable.push(error)}))
    try {
      await waitFor(() => container.textContent === 'open -', 'open')
      await events.send({data: 'live'})
      await waitFor(() => container.textContent === 'open live', 'live')
      expect(recoverable).toEqual([])
      expect(errors).not.toHaveBeenCalled()
    } finally {
      errors.mockRestore()
      act(() => root.unmount())
      container.remove()
    }
  })
})
