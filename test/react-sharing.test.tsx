// @vitest-environment jsdom
// useEventSource across components: one connection per URL and options (reference counted,
// closed after the last unmount), StrictMode's double mount, the sharing key's rules, and
// callbacks and parse per component. Connections are counted at the real server and at fetch; the
// sources' timers (and the 0 ms one that closes a connection its last component left) run on a fake
// clock where a test says "nothing more happens", the sockets on the real one.
import {act, render, renderHook} from '@testing-library/react'
import {StrictMode} from 'react'
import {describe, expect, test, vi} from 'vitest'
import {useEventSource, type UseEventSourceOptions} from '../src/adapters/react.js'
import {countFetches, passEveryDelay, useFakeClock, waitFor} from './support/eventsource.js'
import {eventServer, useReactHooks} from './support/react.js'

useReactHooks()

/** Under the fake clock: runs the 0 ms timers that close connections no component holds any more. */
async function releaseConnections(): Promise<void> {
  await vi.advanceTimersByTimeAsync(0)
}

/** Shows the hook's status and last message; `name` labels it in the page. */
function Feed({name, url, options}: {name: string; url: string | null; options?: UseEventSourceOptions}) {
  const {status, message} = useEventSource(url, options)
  return <p data-testid={name}>{`${status} ${message?.data ?? '-'}`}</p>
}

/** Renders the feeds named in `names`, all with the same url and options. */
function Feeds({names, url, options}: {names: string[]; url: string; options?: UseEventSourceOptions}) {
  return (
    <>
      {names.map((name) => (
        <Feed key={name} name={name} url={url} {...(options === undefined ? {} : {options})} />
      ))}
    </>
  )
}

function text(container: HTMLElement, name: string): string | null | undefined {
  return container.querySelector(`[data-testid="${name}"]`)?.textContent
}

describe('one connection per url and options', () => {
  test('two components share one connection, closed only after the last one unmounts', async () => {
    const events = await eventServer()
    useFakeClock()
    const fetches = countFetches()
    const url = events.url()
    const {container, rerender, unmount} = render(<Feeds names={['a', 'b']} url={url} />)
    await waitFor(() => text(container, 'a') === 'open -' && text(container, 'b') === 'open -', 'both open')
    await events.send({data: 'hello'})
    await waitFor(() => text(container, 'a') === 'open hello' && text(container, 'b') === 'open hello', 'both got it')
    expect(events.server.requests).toHaveLength(1)

    rerender(<Feeds names={['b']} url={url} />)
    await passEveryDelay()
    expect(events.server.activeRequests()).toBe(1)
    await events.send({data: 'still here'})
    await waitFor(() => text(container, 'b') === 'open still here', 'b still receives')

    unmount()
    await releaseConnections()
    await waitFor(() => events.server.activeRequests() === 0, 'the stream to close at the server')
    await passEveryDelay()
    expect(fetches.count()).toBe(1)
    expect(events.server.requests).toHaveLength(1)
  })

  test('a component joining an open connection renders its state at once, no connecting flash', async () => {
    const events = await eventServer()
    const url = events.url()
    const {container, rerender} = render(<Feeds names={['a']} url={url} />)
    await waitFor(() => text(container, 'a') === 'open -', 'open')
    const statuses: string[] = []
    function Late() {
      const {status} = useEventSource(url)
      statuses.push(status)
      return null
    }
    rerender(
      <>
        <Feeds names={['a']} url={url} />
        <Late />
      </>,
    )
    expect(statuses[0]).toBe('open')
    expect(statuses).not.toContain('connecting')
    expect(events.server.requests).toHaveLength(1)
  })

  test('the only component remounting in one commit (a new React key) keeps the open connection', async () => {
    const events = await eventServer()
    useFakeClock()
    const fetches = countFetches()
    const url = events.url()
    const {container, rerender} = render(<Feed key="1" name="a" url={url} />)
    await waitFor(() => text(container, 'a') === 'open -', 'open')
    await events.send({id: '1', data: 'kept'})
    await waitFor(() => text(container, 'a') === 'open kept', 'message')

    // Unmounted and mounted in the same commit: the connection is not closed in between.
    rerender(<Feed key="2" name="a" url={url} />)
    expect(text(container, 'a')).toBe('open -')
    await passEveryDelay()
    expect(fetches.count()).toBe(1)
    expect(events.server.requests).toHaveLength(1)
    expect(events.server.activeRequests()).toBe(1)
    // Past the release timer, the connection still delivers.
    await events.send({data: 'still open'})
    await waitFor(() => text(container, 'a') === 'open still open', 'the next message')
  })

  test('options equal by value share; other request options or another key do not', async () => {
    const events = await eventServer()
    useFakeClock()
    const fetches = countFetches()
    const url = events.url()
    render(
      <>
        <Feed name="a" url={url} options={{headers: {'X-A': '1', 'X-B': '2'}, reconnect: {factor: 2}}} />
        {/* The same options written in another order, with another onMessage: shared. */}
        <Feed name="b" url={url} options={{reconnect: {factor: 2}, headers: {'X-B': '2', 'X-A': '1'}, onMessage: () => {}}} />
        <Feed name="c" url={url} options={{headers: {'X-A': '1', 'X-B': '3'}, reconnect: {factor: 2}}} />
        <Feed name="d" url={url} options={{headers: {'X-A': '1', 'X-B': '2'}, reconnect: {factor: 2}, key: 'user 2'}} />
      </>,
    )
    await events.server.waitForRequests(3)
    await passEveryDelay()
    expect(fetches.count()).toBe(3)
    expect(events.server.requests).toHaveLength(3)
    expect(events.server.activeRequests()).toBe(3)
  })

  test('the function options of the component there longest are called; a new function reconnects nothing', async () => {
    const events = await eventServer()
    const url = events.url('retry=20')
    function Authed({token}: {token: string}) {
      useEventSource(url, {headers: () => ({Authorization: token})})
      return null
    }
    const {rerender} = render(
      <>
        <Authed key="first" token="A" />
        <Authed key="second" token="B" />
      </>,
    )
    await events.server.waitForRequests(1)
    await events.open()[0]!.end()
    await events.server.waitForRequests(2)
    expect(events.server.requests.map((request) => request.headers.authorization)).toEqual(['A', 'A'])

    // The first one leaves: the next attempt calls the second one's function.
    rerender(<Authed key="second" token="B" />)
    await waitFor(() => events.open().length === 1, 'the second stream')
    await events.open()[0]!.end()
    await events.server.waitForRequests(3)
    expect(events.server.requests.map((request) => request.headers.authorization)).toEqual(['A', 'A', 'B'])
  })

  test('close() in one component closes the shared connection for all; reconnect() in another reopens it', async () => {
    const events = await eventServer()
    const url = events.url()
    const first = renderHook(() => useEventSource(url))
    const second = renderHook(() => useEventSource(url))
    await waitFor(() => first.result.current.status === 'open' && second.result.current.status === 'open', 'both open')

    act(() => first.result.current.close())
    await waitFor(() => second.result.current.status === 'closed', 'closed for the other too')
    await waitFor(() => events.server.activeRequests() === 0, 'the stream to close at the server')

    act(() => second.result.current.reconnect())
    await waitFor(() => first.result.current.status === 'open' && second.result.current.status === 'open', 'both open again')
    expect(events.server.requests).toHaveLength(2)
  })
})

describe('StrictMode', () => {
  test('never more than one connection per key, and none left open after unmount', async () => {
    const events = await eventServer()
    useFakeClock()
    const fetches = countFetches()
    const url = events.url()
    const {container, unmount} = render(
      <StrictMode>
        <Feeds names={['a', 'b']} url={url} />
        <Feed name="c" url={url} options={{key: 'other'}} />
      </StrictMode>,
    )
    await waitFor(() => ['a', 'b', 'c'].every((name) => text(container, name) === 'open -'), 'all open')
    await passEveryDelay()
    expect(fetches.count()).toBe(2)
    // One connection for a and b, one for c: StrictMode's mount, unmount, mount opened no other.
    expect(events.server.requests).toHaveLength(2)
    expect(events.server.activeRequests()).toBe(2)
    await events.send({data: 'x'})
    await waitFor(() => ['a', 'b', 'c'].every((name) => text(container, name) === 'open x'), 'all received')

    unmount()
    await releaseConnections()
    await waitFor(() => events.server.activeRequests() === 0, 'every stream to close at the server')
    await passEveryDelay()
    expect(fetches.count()).toBe(2)
    expect(events.server.requests).toHaveLength(2)
  })

  test('a new url under StrictMode: one new connection, the old one closed', async () => {
    const events = await eventServer()
    useFakeClock()
    const fetches = countFetches()
    const {container, rerender, unmount} = render(
      <StrictMode>
        <Feed name="a" url={events.url('n=1')} />
      </StrictMode>,
    )
    await waitFor(() => text(container, 'a') === 'open -', 'open')
    rerender(
      <StrictMode>
        <Feed name="a" url={events.url('n=2')} />
      </StrictMode>,
    )
    await events.server.waitForRequests(2)
    await releaseConnections()
    await waitFor(() => events.server.activeRequests() === 1, 'the old stream to close')
    await passEveryDelay()
    expect(fetches.count()).toBe(2)
    expect(events.server.requests.map((request) => request.url)).toEqual(['/events?n=1', '/events?n=2'])
    unmount()
    await releaseConnections()
    await waitFor(() => events.server.activeRequests() === 0, 'no stream left')
  })

  test('onMessage is called once per event, not twice', async () => {
    const events = await eventServer()
    const received: string[] = []
    const parse = vi.fn((data: string) => data.toUpperCase())
    const {result} = renderHook(() => useEventSource(events.url(), {parse, onMessage: (message) => received.push(message.data)}), {
      wrapper: StrictMode,
    })
    await waitFor(() => result.current.status === 'open', 'open')
    await events.send({data: 'a'})
    await events.send({data: 'b'})
    // A last event marks the end: a second call for 'a' or 'b' would have come before it.
    await events.send({data: 'end'})
    await waitFor(() => received.includes('END'), 'the last event')
    expect(received).toEqual(['A', 'B', 'END'])
    expect(parse).toHaveBeenCalledTimes(3)
  })
})

describe('callbacks and parse per component', () => {
  test('components with the same parse function share its result: once per event', async () => {
    const events = await eventServer()
    const url = events.url()
    const parse = vi.fn((data: string): unknown => JSON.parse(data))
    const other = vi.fn((data: string): unknown => data.length)
    const seen: unknown[] = []
    const a = renderHook(() => useEventSource<{message: unknown}>(url, {parse, onMessage: (message) => seen.push(message.data)}))
    const b = renderHook(() => useEventSource<{message: unknown}>(url, {parse, onMessage: (message) => seen.push(message.data)}))
    const c = renderHook(() => useEventSource<{message: unknown}>(url, {parse: other}))
    await waitFor(() => [a, b, c].every(({result}) => result.current.status === 'open'), 'all open')
    await events.send({data: '{"n":1}'})
    await events.send({data: '{"n":2}'})
    await waitFor(() => c.result.current.message?.data === 7, 'the last message parsed by the other function')
    expect(parse).toHaveBeenCalledTimes(2)
    expect(other).toHaveBeenCalledTimes(2)
    // The same parsed object for both components.
    expect(seen).toEqual([{n: 1}, {n: 1}, {n: 2}, {n: 2}])
    expect(seen[0]).toBe(seen[1])
    expect(events.server.requests).toHaveLength(1)
  })

  test('an onMessage or parse that throws is reported; other components still receive the event', async () => {
    const reported: unknown[] = []
    vi.stubGlobal('reportError', (error: unknown) => reported.push(error))
    try {
      const events = await eventServer()
      const url = events.url()
      const received: string[] = []
      const throwing = renderHook(() =>
        useEventSource(url, {
          onMessage: () => {
            throw new Error('onMessage failed')
          },
        }),
      )
      const badParse = renderHook(() =>
        useEventSource(url, {
          parse: () => {
            throw new Error('parse failed')
          },
        }),
      )
      const fine = renderHook(() => useEventSource(url, {onMessage: (message) => received.push(message.data)}))
      await waitFor(() => fine.result.current.status === 'open', 'open')
      await events.send({data: '1'})
      await events.send({data: '2'})
      await waitFor(() => received.length === 2, 'both events')
      expect(received).toEqual(['1', '2'])
      expect(reported.map((error) => (error as Error).message).sort()).toEqual([
        'onMessage failed',
        'onMessage failed',
        'parse failed',
        'parse failed',
      ])
      // The throwing onMessage still saw its message; the failed parse left the message unset.
      expect(throwing.result.current.message?.data).toBe('2')
      expect(badParse.result.current.message).toBeUndefined()
      expect(badParse.result.current.status).toBe('open')
    } finally {
      vi.unstubAllGlobals()
    }
  })
})
