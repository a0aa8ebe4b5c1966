// @vitest-environment node
// Server-side rendering in plain Node (no window, no EventSource global): renderToString of a
// component using useEventSource renders the stable `connecting` state and sends no request.
import {renderToString} from 'react-dom/server'
import {StrictMode} from 'react'
import {expect, test, vi} from 'vitest'
import {useEventSource} from '../src/adapters/react.js'
import {nextTurn, serve, useEventSourceHooks, useFakeClock} from './support/eventsource.js'
import {startSse} from './support/sse-server.js'

useEventSourceHooks()

function Prices({url, onMessage}: {url: string | null; onMessage?: () => void}) {
  const {status, readyState, message, error} = useEventSource<{price: number}>(url, {
    events: ['price'],
    parse: JSON.parse,
    ...(onMessage === undefined ? {} : {onMessage}),
  })
  return (
    <p>
      {status} {readyState} {message?.data ?? '-'} {error?.message ?? 'no error'}
    </p>
  )
}

test('Node with no window and no EventSource global', () => {
  expect(typeof window).toBe('undefined')
  expect('EventSource' in globalThis).toBe(false)
})

test('renderToString shows the connecting state and makes no request', async () => {
  const server = await serve({'/prices': (_req, res) => void startSse(res).send({event: 'price', data: '1'})})
  useFakeClock()
  const fetchSpy = vi.spyOn(globalThis, 'fetch')
  try {
    const url = `${server.url}prices`
    const markup = renderToString(
      <StrictMode>
        <Prices url={url} onMessage={() => {}} />
      </StrictMode>,
    )
    expect(markup).toBe('<p>connecting<!-- --> <!-- -->0<!-- --> <!-- -->-<!-- --> <!-- -->no error</p>')
    // The same markup every time: the server snapshot is one stable object.
    expect(renderToString(<Prices url={url} />)).toBe(renderToString(<Prices url={url} />))
    // Nothing was scheduled (a timer would be on the fake clock); a microtask would have run by now.
    expect(vi.getTimerCount()).toBe(0)
    await nextTurn()
    expect(server.requests).toEqual([])
    expect(fetchSpy).not.toHaveBeenCalled()
  } finally {
    fetchSpy.mockRestore()
  }
})

test('renderToString with no url shows idle', () => {
  expect(renderToString(<Prices url={null} />)).toContain('idle')
})
