// Reestablishing the connection: the end of the stream or a network error makes the source
// CONNECTING, fires `error`, waits the reconnection time (`retry:`) and connects again with
// Last-Event-ID. The reconnect delays run on a fake clock (the sockets keep real time): a test moves
// it to a millisecond before the delay and sees no attempt, then to the delay and sees one.
import {describe, expect, test} from 'vitest'
import type {EventSourceErrorEvent, EventSourceReconnectEvent} from '../src/index.js'
import {countBodyChunks, countFetches, expectAttemptAfter, open, passEveryDelay, recordEvents, scriptedStream, serve, skipReconnectDelays, unhandledRejections, useEventSourceHooks, useFakeClock, waitFor} from './support/eventsource.js'
import {redirect, type SseStream, startServer, startSse, utf8} from './support/sse-server.js'

useEventSourceHooks()

/** Serves /stream: connection n (from 1) is written by `script(n, stream)`. */
async function scripted(script: (connection: number, stream: SseStream) => void | Promise<void>) {
  return serve({'/stream': scriptedStream(script).handler})
}

describe('when the stream ends', () => {
  test('goes CONNECTING, fires error, waits retry ms and reconnects with Last-Event-ID', async () => {
    const server = await scripted(async (n, stream) => {
      if (n === 1) {
        await stream.send({retry: 50, id: 'e1', data: 'first'})
        await stream.end()
      } else {
        await stream.send({data: 'second'})
      }
    })
    useFakeClock()
    const fetches = countFetches()
    const source = open(`${server.url}stream`)
    const {log} = recordEvents(source, ['open', 'message', 'error', 'reconnect'])
    await waitFor(() => log.length === 4, 'the reconnect to be scheduled')
    await expectAttemptAfter(fetches, 50)
    await waitFor(() => log.length === 6, 'the message after the reconnect')
    expect(log).toEqual(['open 1', 'message 1 first', 'error 0 retry', 'reconnect 0 #1 50ms', 'open 1', 'message 1 second'])
    expect(server.requests).toHaveLength(2)
    expect(server.requests[1]?.headers['last-event-id']).toBe('e1')
    expect(server.requests[1]?.url).toBe('/stream')
  })

  test('retry: 0 reconnects at once', async () => {
    const server = await scripted(async (n, stream) => {
      await stream.send({retry: 0, data: `connection ${n}`})
      if (n === 1) await stream.end()
    })
    useFakeClock()
    const fetches = countFetches()
    const source = open(`${server.url}stream`, {reconnect: {initialDelay: 5_000}})
    const {log} = recordEvents(source, ['message', 'error', 'reconnect'])
    await waitFor(() => log.length === 3, 'the reconnect to be scheduled')
    // Not the initial 5 s: the clock moves by nothing at all.
    await expectAttemptAfter(fetches, 0)
    await waitFor(() => log.length === 4, 'the second connection')
    expect(log).toEqual(['message 1 connection 1', 'error 0 retry', 'reconnect 0 #1 0ms', 'message 1 connection 2'])
  })

  test('waits the initial delay until the server sends retry:', async () => {
    const server = await scripted(async (n, stream) => {
      await stream.send({data: `connection ${n}`})
      if (n < 3) await stream.end()
    })
    useFakeClock()
    const fetches = countFetches()
    const source = open(`${server.url}stream`, {reconnect: {initialDelay: 40}})
    const {log} = recordEvents(source, ['reconnect'])
    for (const count of [1, 2]) {
      await waitFor(() => log.length === count, `reconnect ${count} to be scheduled`)
      await expectAttemptAfter(fetches, 40)
    }
    await server.waitForRequests(3)
    expect(log).toEqual(['reconnect 0 #1 40ms', 'reconnect 0 #1 40ms'])
  })

  test('the last valid retry: wins; invalid values are ignored', async () => {
    const server = await scripted(async (n, stream) => {
      if (n === 1) {
        await stream.write('retry: 30\n\nretry: 5x\n\nretry: -1\n\nretry: 1.5\n\nretry: \n\ndata: a\n\n')
        await stream.end()
      } else if (n === 2) {
        await stream.write('retry: 20\ndata: b\n\n')
        await stream.end()
      } else {
        await stream.send({data: 'c'})
      }
    })
    useFakeClock()
    const source = open(`${server.url}stream`)
    skipReconnectDelays(source)
    const {log} = recordEvents(source, ['message', 'reconnect'])
    await waitFor(() => log.length === 5, 'the third connection')
    expect(log).toEqual(['message 1 a', 'reconnect 0 #1 30ms', 'message 1 b', 'reconnect 0 #1 20ms', 'message 1 c'])
  })

  test('the new connection is a fresh stream: a partial event from the old one is dropped', async () => {
    const server = await scripted(async (n, stream) => {
      if (n === 1) {
        await stream.write('retry: 10\n\ndata: complete\n\ndata: cut')
        await stream.end()
      } else {
        await stream.write(' off\n\ndata: fresh\n\n')
      }
    })
    useFakeClock()
    const source = open(`${server.url}stream`)
    skipReconnectDelays(source)
    const {log} = recordEvents(source)
    await waitFor(() => log.length === 5, 'the second connection')
    expect(log).toEqual(['open 1', 'message 1 complete', 'error 0 retry', 'open 1', 'message 1 fresh'])
  })

  test('reconnects again and again, to the URL it was given', async () => {
    const server = await scripted(async (n, stream) => {
      await stream.send({retry: 10, id: String(n), data: String(n)})
      if (n < 4) await stream.end()
    })
    useFakeClock()
    const source = open(`${server.url}stream?x=1`)
    skipReconnectDelays(source)
    const {log} = recordEvents(source, ['message'])
    await waitFor(() => log.length === 4, 'four connections')
    expect(log).toEqual(['message 1 1', 'message 1 2', 'message 1 3', 'message 1 4'])
    expect(server.requests.map((request) => [request.url, request.headers['last-event-id']])).toEqual([
      ['/stream?x=1', undefined],
      ['/stream?x=1', '1'],
      ['/stream?x=1', '2'],
      ['/stream?x=1', '3'],
    ])
  })
})

describe('on a network error', () => {
  test('a connection dropped mid-stream reconnects the same way, with the network error as cause', async () => {
    const server = await scripted(async (n, stream) => {
      if (n === 1) {
        await stream.send({retry: 20, id: 'x', data: 'before'})
        await stream.write('data: half an ev')
        stream.drop()
      } else {
        await stream.send({data: 'after'})
      }
    })
    useFakeClock()
    const source = open(`${server.url}stream`)
    skipReconnectDelays(source)
    const {log, events} = recordEvents(source)
    await waitFor(() => log.length === 5, 'the second connection')
    expect(log).toEqual(['open 1', 'message 1 before', 'error 0 retry', 'open 1', 'message 1 after'])
    const error = events[2] as EventSourceErrorEvent
    expect(error.cause).toBeInstanceOf(TypeError)
    expect(error.status).toBeUndefined()
    expect(error.response).toBeUndefined()
    expect(error.willReconnect).toBe(true)
    expect(error.reconnectDelay).toBe(20)
    expect(server.requests[1]?.headers['last-event-id']).toBe('x')
  })

  test('each failed attempt fires one error while CONNECTING, until a connection opens', async () => {
    let attempts = 0
    const server = await serve({
      '/stream': async (req, res) => {
        attempts++
        if (attempts === 2 || attempts === 3) return void req.socket.destroy()
        const stream = startSse(res)
        await stream.send({retry: 15, data: `attempt ${attempts}`})
        if (attempts === 1) await stream.end()
      },
    })
    useFakeClock()
    // initialDelay 10: repeated failures wait at least that much (the floor), below the retry: 15.
    const source = open(`${server.url}stream`, {reconnect: {initialDelay: 10}})
    skipReconnectDelays(source)
    const {log} = recordEvents(source, ['open', 'message', 'error', 'reconnect'])
    await waitFor(() => log.length === 10, 'the fourth attempt')
    expect(log).toEqual([
      'open 1',
      'message 1 attempt 1',
      'error 0 retry',
      'reconnect 0 #1 15ms',
      'error 0 retry',
      'reconnect 0 #2 15ms',
      'error 0 retry',
      'reconnect 0 #3 15ms',
      'open 1',
      'message 1 attempt 4',
    ])
  })

  test('a refused connection keeps retrying while CONNECTING', async () => {
    // Started and closed here: the hooks would close it a second time.
    const gone = await startServer(() => {})
    const url = `${gone.url}stream`
    await gone.close()
    useFakeClock()
    const source = open(url, {reconnect: {initialDelay: 10}})
    skipReconnectDelays(source)
    const events: EventSourceReconnectEvent[] = []
    source.addEventListener('reconnect', (event) => events.push(event))
    const errors: EventSourceErrorEvent[] = []
    source.addEventListener('error', (event) => errors.push(event))
    await waitFor(() => events.length >= 3, 'three reconnects')
    expect(events.slice(0, 3).map((event) => event.attempt)).toEqual([1, 2, 3])
    expect(errors.every((error) => error.cause instanceof TypeError && error.willReconnect)).toBe(true)
    expect(source.readyState).toBe(0)
  })
})

// ---------------------------------------------------------------------------------------------
// A long run in which the server keeps cutting the connection at random
// points and resumes from Last-Event-ID, where the client must end up with every event exactly
// once and in order; then short fault tests the other suites do not cover (one byte per write,
// a refused connection that maxAttempts ends, a redirect loop between two paths).

/** A small LCG (Numerical Recipes constants): the same seed gives the same drops, so a failure can be replayed. */
function lcg(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0
    return state / 2 ** 32
  }
}

describe('a long run with random drops, resumed from Last-Event-ID', () => {
  const TOTAL = 100_000
  const BATCH = 500
  // RESUME_SEED=n replays another run; the default keeps CI deterministic.
  const SEED = Number(process.env['RESUME_SEED'] ?? 6_2024)

  type Ending = 'mid-event' | 'after-event' | 'clean-end'
  const ENDINGS: readonly Ending[] = ['mid-event', 'after-event', 'clean-end']

  interface Connection {
    /** The Last-Event-ID header the request carried. */
    header: string | undefined
    /** What the client had received last when the request arrived (same process, so exact). */
    clientLast: number | undefined
    /** The last complete event the server wrote on this connection. */
    last: number
    ending: Ending | 'complete' | 'no content'
  }

  test(`receives ${TOTAL.toLocaleString('en')} events exactly once and in order (seed ${SEED})`, {timeout: 120_000}, async () => {
    const random = lcg(SEED)
    const received: number[] = []
    const connections: Connection[] = []
    let sent = 0
    let wrongLastEventId = 0
    let finished = false

    const server = await serve({
      '/stream': async (req, res) => {
        const raw = req.headers['last-event-id']
        const header = Array.isArray(raw) ? raw.join(',') : raw
        const clientLast = received.at(-1)
        if (finished) {
          // 204 fails the connection: the source goes CLOSED, which ends the run.
          connections.push({header, clientLast, last: TOTAL, ending: 'no content'})
          res.writeHead(204)
          res.end()
          return
        }
        if (header !== undefined && !/^\d+$/.test(header)) {
          // A garbled id would make the server resume from nowhere: fail loudly instead.
          connections.push({header, clientLast, last: NaN, ending: 'no content'})
          res.writeHead(400)
          res.end()
          return
        }
        const first = header === undefined ? 1 : Number(header) + 1
        const budget = 1000 + Math.floor(random() * 7001)
        const last = Math.min(TOTAL, first + budget - 1)
        const ending = last === TOTAL ? 'complete' : ENDINGS[Math.floor(random() * ENDINGS.length)]!
        connections.push({header, clientLast, last, ending})
        const stream = startSse(res)
        // retry: 0 first, so that every reconnect is immediate and the run is bound by throughput.
        let chunk = 'retry: 0\n\n'
        for (let id = first; id <= last; id++) {
          chunk += `id: ${id}\ndata: ${id}\n\n`
          if ((id - first + 1) % BATCH !== 0 && id !== last) continue
          if (id === last && ending === 'mid-event') {
            // Any proper prefix of the next event, up to all but its blank line: it must not be
            // dispatched, and its id (when the cut falls after the id line) must not be used.
            const next = `id: ${last + 1}\ndata: ${last + 1}\n\n`
            chunk += next.slice(0, 1 + Math.floor(random() * (next.length - 1)))
          }
          await stream.write(chunk)
          chunk = ''
        }
        sent += last - first + 1
        if (ending === 'complete') finished = true
        if (ending === 'mid-event' || ending === 'after-event') stream.drop()
        else await stream.end()
      },
    })

    const started = performance.now()
    const source = open(`${server.url}stream`)
    source.onmessage = (event) => {
      if (event.lastEventId !== event.data) wrongLastEventId++
      received.push(Number(event.data))
    }
    const errors: EventSourceErrorEvent[] = []
    source.addEventListener('error', (event) => errors.push(event))
    await waitFor(() => source.readyState === 2, 'the source to close after the last event', {timeout: 110_000, interval: 20})
    const elapsed = performance.now() - started

    // Counted rather than compared with toEqual, so a failure says what went wrong, not a 100,000-line diff.
    const seen = new Set<number>()
    let duplicated = 0
    let outOfOrder = 0
    let firstMismatch = -1
    received.forEach((value, index) => {
      if (seen.has(value)) duplicated++
      seen.add(value)
      if (index > 0 && value <= received[index - 1]!) outOfOrder++
      if (firstMismatch === -1 && value !== index + 1) firstMismatch = index
    })
    let lost = 0
    for (let id = 1; id <= TOTAL; id++) if (!seen.has(id)) lost++
    const drops = connections.filter((connection) => ENDINGS.includes(connection.ending as Ending))
    const byEnding = ENDINGS.map((ending) => `${ending}=${drops.filter((drop) => drop.ending === ending).length}`).join(' ')
    console.log(
      `[random drops] seed=${SEED} sent=${sent} received=${received.length} duplicated=${duplicated} lost=${lost} ` +
        `reconnects=${connections.length - 1} requests=${connections.length} drops=${drops.length} (${byEnding}) ` +
        `in ${Math.round(elapsed)} ms`,
    )

    expect({sent, received: received.length, duplicated, lost, outOfOrder, firstMismatch, wrongLastEventId}).toEqual({
      sent: TOTAL,
      received: TOTAL,
      duplicated: 0,
      lost: 0,
      outOfOrder: 0,
      firstMismatch: -1,
      wrongLastEventId: 0,
    })
    // Every dropped connection, plus the one that completed, plus the 204 that ended it.
    expect(connections.length).toBe(drops.length + 2)
    expect(connections.map((connection) => connection.ending).slice(-2)).toEqual(['complete', 'no content'])
    // The first request carries no id; every reconnect resumes from what the client had, which is
    // exactly the last complete event the server wrote before the cut.
    expect(connections[0]?.header).toBeUndefined()
    const resumes = connections.slice(1).map((connection, index) => ({
      header: connection.header,
      clientLast: String(connection.clientLast),
      serverLast: String(connections[index]!.last),
    }))
    const wrongResumes = resumes.filter((resume) => resume.header !== resume.clientLast || resume.header !== resume.serverLast)
    expect(wrongResumes).toEqual([])
    // One error per cut (and per clean end) that reconnects, then the final one for the 204.
    expect(errors.map((error) => error.willReconnect)).toEqual([...Array<boolean>(drops.length + 1).fill(true), false])
    expect(errors.at(-1)?.status).toBe(204)
  })
})

describe('faults the other suites do not cover', () => {
  test('a server that writes one byte at a time: the same events, multibyte characters whole', async () => {
    const text =
      '\uFEFFretry: 10\nid: 1\r\ndata: é€😀\r\n\r\n' + 'event: ✓\rdata: 日本\rdata: second line\r\r' + 'id: 🆔\ndata: x\n\n'
    const bytes = utf8(text)
    const server = await serve({
      '/stream': async (_req, res) => {
        const stream = startSse(res)
        // Waiting a little between writes lets the client read each byte on its own.
        await stream.writeChunks(Array.from(bytes, (byte) => Uint8Array.of(byte)), {delay: 2})
      },
    })
    // A fetch that counts the body's chunks, to show the bytes really arrived apart.
    const body = countBodyChunks()
    const source = open(`${server.url}stream`, {fetch: body.fetch})
    const ids: string[] = []
    source.addEventListener('message', (event) => ids.push(event.lastEventId))
    source.addEventListener('✓', (event) => ids.push(event.lastEventId))
    const {log} = recordEvents(source, ['open', 'message', '✓', 'error'])
    await waitFor(() => log.length === 4, 'three events')
    expect(log).toEqual(['open 1', 'message 1 é€😀', '✓ 1 日本\nsecond line', 'message 1 x'])
    expect(ids).toEqual(['1', '1', '🆔'])
    expect(source.lastEventId).toBe('🆔')
    // Loose, for a loaded machine: many bytes must have been separate reads, not one merged chunk.
    expect(body.chunks()).toBeGreaterThan(bytes.length / 8)
  })

  test('a refused connection: errors with a cause while retrying, attempts grow, maxAttempts: 3 ends CLOSED', async () => {
    // A port nothing listens on: started and closed here (the hooks would close it a second time).
    const gone = await startServer(() => {})
    const url = `${gone.url}stream`
    await gone.close()
    useFakeClock()
    const fetches = countFetches()
    const source = open(url, {reconnect: {initialDelay: 10, maxAttempts: 3}})
    const {log, events} = recordEvents(source, ['open', 'error', 'reconnect'])
    skipReconnectDelays(source)
    await waitFor(() => source.readyState === 2, 'the source to give up')
    // Past any delay: more attempts, if there were any, would have been made.
    await passEveryDelay()
    expect(fetches.count()).toBe(4)
    expect(log).toEqual([
      'error 0 retry',
      'reconnect 0 #1 10ms',
      'error 0 retry',
      'reconnect 0 #2 10ms',
      'error 0 retry',
      'reconnect 0 #3 10ms',
      'error 2 final',
    ])
    const errors = events.filter((event): event is EventSourceErrorEvent => event.type === 'error')
    expect(errors.map((error) => [error.attempt, error.willReconnect])).toEqual([
      [1, true],
      [2, true],
      [3, true],
      [4, false],
    ])
    const reconnects = events.filter((event): event is EventSourceReconnectEvent => event.type === 'reconnect')
    expect(reconnects.map((event) => event.attempt)).toEqual([1, 2, 3])
    for (const error of errors) {
      // fetch's TypeError, whose own cause is the socket error.
      expect(error.cause).toBeInstanceOf(TypeError)
      expect((error.cause as {cause?: {code?: string}}).cause?.code).toBe('ECONNREFUSED')
      expect(error.status).toBeUndefined()
      expect(error.message).toContain('ECONNREFUSED')
    }
    expect(errors.at(-1)?.message).toMatch(/gave up after 3 reconnect attempts$/)
    expect(errors.at(-1)?.attempt).toBe(4)
    await new Promise((resolve) => setImmediate(resolve))
    expect(unhandledRejections()).toEqual([])
  })

  test('a redirect loop between two paths: fetch gives up, an error with a cause, and maxAttempts ends it', async () => {
    const server = await serve({'/a': redirect('/b', 302), '/b': redirect('/a', 302)})
    useFakeClock()
    const fetches = countFetches()
    const source = open(`${server.url}a`, {reconnect: {initialDelay: 10, maxAttempts: 2}})
    const {log, events} = recordEvents(source, ['open', 'message', 'error'])
    skipReconnectDelays(source)
    await waitFor(() => source.readyState === 2, 'the source to give up', {timeout: 10_000})
    await passEveryDelay()
    expect(fetches.count()).toBe(3)
    expect(log).toEqual(['error 0 retry', 'error 0 retry', 'error 2 final'])
    for (const event of events) {
      const error = event as EventSourceErrorEvent
      expect(error.cause).toBeInstanceOf(TypeError)
      expect(String((error.cause as {cause?: unknown}).cause)).toMatch(/redirect/i)
      expect(error.response).toBeUndefined()
    }
    // Fetch follows 20 redirects, then fails on the 21st: 21 requests an attempt, each starting
    // at /a again (a failed fetch leaves no final URL to reconnect to), alternating /a and /b.
    const paths = server.requests.map((request) => request.path)
    const perAttempt = Array.from({length: 21}, (_, index) => (index % 2 === 0 ? '/a' : '/b'))
    expect(paths).toEqual([...perAttempt, ...perAttempt, ...perAttempt])
    expect(server.activeRequests()).toBe(0)
  })
})
