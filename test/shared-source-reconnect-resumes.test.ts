// reconnect() on a shared connection resumes after the last event its members were handed. In
// browsers each event of a chunk is dispatched in a task of its own (src/platform/event-tasks.ts),
// so when a member reconnects right after the first event's task, the chunk's later events are parsed
// (the source's lastEventId already names the last of them) but not dispatched, and close() drops
// them: resuming from the source's lastEventId would lose them. (The demo's React page lost two
// ticks that way, when its Reconnect button was clicked between two.) Run with the browser build's event
// tasks, in place of the Node build's (which dispatch a chunk's events at once).
import {expect, test, vi} from 'vitest'
import {SharedSubscription} from '../src/shared/source.js'
import {serve, useEventSourceHooks, waitFor} from './support/eventsource.js'
import {startSse} from './support/sse-server.js'

vi.mock('../src/platform/event-tasks-node.js', () => vi.importActual('../src/platform/event-tasks.js'))

useEventSourceHooks()

test('reconnect() between two events of a chunk resumes after the event handed last, not after those still waiting for their task', async () => {
  const server = await serve({
    '/events': (req, res) => {
      const stream = startSse(res)
      // The first connection: three events in one write. The next: one more, and the end.
      if (req.headers['last-event-id'] === undefined) void stream.write('id: 1\ndata: one\n\nid: 2\ndata: two\n\nid: 3\ndata: three\n\n')
      else void stream.write(`id: 4\ndata: after ${req.headers['last-event-id']}\n\n`)
    },
  })
  const seen: string[] = []
  const subscription = new SharedSubscription(`${server.url}events`, {
    onMessage: (message) => {
      seen.push(message.data as string)
      // Once the task that handed it is over (a click, say): the chunk's other events are parsed by then.
      if (message.data === 'one') queueMicrotask(() => subscription.reconnect())
    },
  })
  const unsubscribe = subscription.subscribe(() => {})
  await waitFor(() => seen.length === 2, 'the event of the second connection')
  // Events two and three were parsed but never handed over: the server is asked for them again.
  expect(seen).toEqual(['one', 'after 1'])
  expect(server.requests.map((request) => request.headers['last-event-id'])).toEqual([undefined, '1'])
  unsubscribe()
})
