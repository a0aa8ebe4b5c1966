// Reliability (issue 6): backoff against a server that is down (its port refuses connections), not one
// that answers with an empty stream as test/eventsource-retry-policy.test.ts uses. Every attempt is
// timed at the fetch, since a refused one never reaches a server: the delays grow by the factor, stop
// growing at maxDelay, carry real jitter (Math.random not stubbed: no two clients in lockstep), start
// from the server's `retry:`, stop when maxAttempts or shouldReconnect says, and start over once the
// server is back and data flows.
import {describe, expect, test} from 'vitest'
import type {EventSourceErrorEvent, EventSourceReconnectEvent, ReconnectInfo} from '../src/index.js'
import {gaps, open, recordEvents, recordFetches, serve, sleep, useEventSourceHooks, waitFor} from './support/eventsource.js'
import {startServer, startSse, type Routes} from './support/sse-server.js'

useEventSourceHooks()

/** Slack for timer granularity below an expected delay. */
const EARLY = 5

/** A URL on a port nothing listens on: a server started, then closed. */
async function downUrl(): Promise<string> {
  const gone = await startServer(() => {})
  await gone.close()
  return `${gone.url}stream`
}

function reconnectsOf(source: EventTarget): EventSourceReconnectEvent[] {
  const reconnects: EventSourceReconnectEvent[] = []
  source.addEventListener('reconnect', (event) => reconnects.push(event as EventSourceReconnectEvent))
  return reconnects
}

describe('with the server down', () => {
  test('the delays grow by the factor up to maxDelay, each one waited, and maxAttempts stops them', async () => {
    const url = await downUrl()
    const {fetch, calls} = recordFetches()
    const source = open(url, {fetch, reconnect: {initialDelay: 20, factor: 2, maxDelay: 80, maxAttempts: 5}})
    const {log, events} = recordEvents(source, ['open', 'error', 'reconnect'])
    await waitFor(() => source.readyState === 2, 'the source to give up')
    const delays = [20, 40, 80, 80, 80]
    expect(log).toEqual([
      ...delays.flatMap((delay, index) => ['error 0 retry', `reconnect 0 #${index + 1} ${delay}ms`]),
      'error 2 final',
    ])
    expect(calls).toHaveLength(6)
    const measured = gaps(calls.map((call) => call.time))
    for (const [index, delay] of delays.entries()) expect(measured[index]).toBeGreaterThanOrEqual(delay - EARLY)
    const final = events.at(-1) as EventSourceErrorEvent
    expect((final.cause as {cause?: {code?: string}}).cause?.code).toBe('ECONNREFUSED')
    expect(final.message).toMatch(/gave up after 5 reconnect attempts$/)
    // Longer than the last delay: no attempt after the last.
    await sleep(150)
    expect(calls).toHaveLength(6)
  })

  test('jitter, with the real Math.random: clients started together do not retry in lockstep', async () => {
    const url = await downUrl()
    const CLIENTS = 8
    const clients = Array.from({length: CLIENTS}, () => {
      const {fetch, calls} = recordFetches()
      const source = open(url, {fetch, reconnect: {initialDelay: 200, jitter: 0.5, maxAttempts: 1}})
      return {source, calls, reconnects: reconnectsOf(source)}
    })
    await waitFor(() => clients.every((client) => client.source.readyState === 2), 'every client to give up')
    const delays = clients.map((client) => client.reconnects[0]!.delay)
    // jitter 0.5 takes up to half off: 100 to 200 ms.
    for (const delay of delays) {
      expect(delay).toBeGreaterThanOrEqual(100)
      expect(delay).toBeLessThanOrEqual(200)
    }
    // Eight uniform draws over 100 ms all within 10 ms of each other: about 1 in 10⁷.
    expect(Math.max(...delays) - Math.min(...delays)).toBeGreaterThan(10)
    // And each client waited its own delay, so their second attempts are spread the same way.
    for (const [index, client] of clients.entries()) {
      expect(client.calls).toHaveLength(2)
      expect(client.calls[1]!.time - client.calls[0]!.time).toBeGreaterThanOrEqual(delays[index]! - EARLY)
    }
    const retries = clients.map((client) => client.calls[1]!.time)
    expect(Math.max(...retries) - Math.min(...retries)).toBeGreaterThan(10)
  })

  test('shouldReconnect sees each refused attempt and its cause, and stops when it says so', async () => {
    const url = await downUrl()
    const {fetch, calls} = recordFetches()
    const seen: ReconnectInfo[] = []
    const source = open(url, {
      fetch,
      reconnect: {
        initialDelay: 10,
        factor: 3,
        shouldReconnect: (info) => {
          seen.push(info)
          return info.attempt < 3
        },
      },
    })
    const {log} = recordEvents(source, ['open', 'error', 'reconnect'])
    await waitFor(() => source.readyState === 2, 'the policy to stop')
    await sleep(150)
    expect(log).toEqual(['error 0 retry', 'reconnect 0 #1 10ms', 'error 0 retry', 'reconnect 0 #2 30ms', 'error 2 final'])
    expect(seen.map((info) => [info.attempt, info.delay, info.status])).toEqual([
      [1, 10, undefined],
      [2, 30, undefined],
      [3, 90, undefined],
    ])
    for (const info of seen) expect((info.cause as {cause?: {code?: string}}).cause?.code).toBe('ECONNREFUSED')
    expect(calls).toHaveLength(3)
  })
})

describe('a server that goes down and comes back', () => {
  test('the delays start from its retry:, are capped, and start over once it is back; Last-Event-ID resumes', async () => {
    let connections = 0
    const routes: Routes = {
      '/stream': async (req, res) => {
        connections++
        const stream = startSse(res)
        await stream.send({retry: 30, id: `c${connections}`, data: `connection ${connections} after ${String(req.headers['last-event-id'])}`})
      },
    }
    const first = await startServer(routes)
    const {fetch, calls} = recordFetches()
    // initialDelay would be 20 ms (the floor of repeated failures): every delay below comes from the
    // server's retry: 30.
    const source = open(`${first.url}stream`, {fetch, reconnect: {initialDelay: 20, factor: 2, maxDelay: 100}})
    const {log} = recordEvents(source, ['open', 'message'])
    const reconnects = reconnectsOf(source)
    await waitFor(() => log.length === 2, 'the first message')
    // Down: its connections cut, its port closed.
    await first.close()
    await waitFor(() => reconnects.length >= 4, 'four reconnects while down')
    // Up again on the same port.
    const back = await serve(routes, {port: first.port})
    await waitFor(() => log.length === 4, 'the message after the outage')
    const outage = reconnects.map((event) => event.delay)
    expect(outage.slice(0, 4)).toEqual([30, 60, 100, 100])
    expect(outage.slice(4).every((delay) => delay === 100)).toBe(true)
    const measured = gaps(calls.map((call) => call.time))
    for (const [index, delay] of outage.entries()) expect(measured[index]).toBeGreaterThanOrEqual(delay - EARLY)
    expect(log).toEqual(['open 1', 'message 1 connection 1 after undefined', 'open 1', 'message 1 connection 2 after c1'])
    expect(source.attempt).toBe(0)

    // A drop now starts again from retry: 30, not from the cap.
    const before = reconnects.length
    back.dropConnections()
    await waitFor(() => log.length === 6, 'the message after the drop')
    expect(reconnects.slice(before).map((event) => event.delay)).toEqual([30])
    expect(log.slice(4)).toEqual(['open 1', 'message 1 connection 3 after c2'])
  })
})
