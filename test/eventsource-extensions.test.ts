// The extensions hook into the core: heartbeat(), retryOnStatus(), oneShot() and messages() do
// their jobs through the hooks of src/extensions/extension.ts, on a fake clock with a `fetch` that
// answers at once (nothing waits on the real clock); each extension describes itself as plain data,
// and the SharedWorker's rebuildExtensions() gives back one that works the same.
import {describe, expect, test, vi} from 'vitest'
import {
  EventSource,
  HeartbeatTimeoutError,
  heartbeat,
  messages,
  oneShot,
  reconnectOnPageEvents,
  retryOnStatus,
  type EventSourceErrorEvent,
  type FetchLike,
} from '../src/index.js'
import {rebuildExtensions} from '../src/extensions/rebuild.js'
import {useFakeClockSources} from './support/fake-clock-sources.js'

/** A stream response whose body the test writes to, and closes. */
function openStream(): {response: Response; write(text: string): void; end(): void} {
  let controller!: ReadableStreamDefaultController<Uint8Array>
  const body = new ReadableStream<Uint8Array>({start: (given) => void (controller = given)})
  return {
    response: new Response(body, {headers: {'Content-Type': 'text/event-stream'}}),
    write: (text) => controller.enqueue(new TextEncoder().encode(text)),
    end: () => controller.close(),
  }
}

/** A fetch that answers the `n`-th attempt (from 1) with `answer(n)`, and counts the attempts. */
function scriptedFetch(answer: (attempt: number) => Response): {fetch: FetchLike; calls: () => number} {
  let calls = 0
  const fetch: FetchLike = () => Promise.resolve(answer(++calls))
  return {fetch, calls: () => calls}
}

const {open, run} = useFakeClockSources()

/** Every event of the given types as `type readyState [detail]`. */
function record(source: EventSource, types = ['open', 'message', 'error', 'reconnect', 'end']): {log: string[]; events: Event[]} {
  const log: string[] = []
  const events: Event[] = []
  for (const type of types) {
    source.addEventListener(type, (event: Event) => {
      events.push(event)
      const detail =
        event instanceof MessageEvent ? ` ${String(event.data)}` : type === 'reconnect' ? ` ${(event as Event & {delay: number}).delay}ms` : ''
      log.push(`${type} ${source.readyState}${detail}`)
    })
  }
  return {log, events}
}

describe('heartbeat(ms)', () => {
  test('a silent connection is dropped at the timeout exactly, with HeartbeatTimeoutError, and reconnects', async () => {
    const streams = [openStream(), openStream()]
    const {fetch, calls} = scriptedFetch((n) => streams[n - 1]!.response)
    const source = open(fetch, {extensions: [heartbeat(1000)], reconnect: {initialDelay: 10}})
    const {log, events} = record(source)
    await run(0)
    streams[0]!.write('data: one\n\n')
    await run(999)
    expect(log).toEqual(['open 1', 'message 1 one'])
    await run(1)
    expect(log).toEqual(['open 1', 'message 1 one', 'error 0', 'reconnect 0 10ms'])
    const error = events[2] as EventSourceErrorEvent
    expect(error.cause).toBeInstanceOf(HeartbeatTimeoutError)
    expect(error.message).toBe('No data received for 1000 ms (heartbeat)')
    await run(10)
    expect(calls()).toBe(2)
  })

  test('each chunk, a comment too, starts the timeout again', async () => {
    const stream = openStream()
    const {fetch} = scriptedFetch(() => stream.response)
    const source = open(fetch, {extensions: [heartbeat(1000)]})
    const {log} = record(source)
    await run(0)
    for (let index = 0; index < 5; index++) {
      await run(900)
      stream.write(': ping\n\n')
    }
    expect(log).toEqual(['open 1'])
    expect(vi.getTimerCount()).toBe(1)
    await run(1000)
    expect(log).toEqual(['open 1', 'error 0', 'reconnect 0 3000ms'])
  })

  test.each([0, -1, Number.NaN, '1000', undefined])('heartbeat(%o) is a TypeError naming it', (value) => {
    expect(() => heartbeat(value as number)).toThrow(TypeError)
    expect(() => heartbeat(value as number)).toThrow('`heartbeat`')
  })
})

describe('retryOnStatus(statuses)', () => {
  test('a listed status reconnects no sooner than Retry-After asks; another one fails', async () => {
    const stream = openStream()
    const answers = [new Response('', {status: 503, headers: {'Retry-After': '5'}}), stream.response]
    const {fetch, calls} = scriptedFetch((n) => answers[n - 1]!)
    const source = open(fetch, {extensions: [retryOnStatus([503])], reconnect: {initialDelay: 10}})
    const {log} = record(source)
    await run(0)
    expect(log).toEqual(['error 0', 'reconnect 0 5000ms'])
    await run(4999)
    expect(calls()).toBe(1)
    await run(1)
    expect(calls()).toBe(2)
    stream.write('data: back\n\n')
    await run(0)
    expect(log.slice(2)).toEqual(['open 1', 'message 1 back'])
  })

  test('a status not listed fails the connection, as the spec says', async () => {
    const {fetch, calls} = scriptedFetch(() => new Response('', {status: 500}))
    const source = open(fetch, {extensions: [retryOnStatus([503])]})
    const {log} = record(source)
    await run(60_000)
    expect(log).toEqual(['error 2'])
    expect(calls()).toBe(1)
  })
})

describe('oneShot()', () => {
  test('a clean end closes the source with an end event, and sends nothing again', async () => {
    const stream = openStream()
    const {fetch, calls} = scriptedFetch(() => stream.response)
    const source = open(fetch, {method: 'POST', body: '{}', extensions: [oneShot()]})
    const {log} = record(source)
    await run(0)
    stream.write('data: answer\n\n')
    stream.end()
    await run(60_000)
    expect(log).toEqual(['open 1', 'message 1 answer', 'end 2'])
    expect(calls()).toBe(1)
  })
})

describe('messages(source)', () => {
  test('yields named events too, and throws the cause of a failure', async () => {
    const stream = openStream()
    const {fetch} = scriptedFetch(() => stream.response)
    const source = open(fetch, {maxEventSize: 20})
    const received: string[] = []
    const loop = (async () => {
      for await (const event of messages(source)) received.push(`${event.type} ${event.data}`)
    })()
    const failed = expect(loop).rejects.toMatchObject({name: 'ParseError', type: 'max-buffer-size-exceeded'})
    await run(0)
    stream.write('data: a\n\nevent: named\ndata: b\n\n')
    await run(0)
    stream.write(`data: ${'x'.repeat(30)}\n\n`)
    await run(0)
    await failed
    expect(received).toEqual(['message a', 'named b'])
    // A loop started after the failure throws it at once.
    await expect(messages(source).next()).rejects.toMatchObject({name: 'ParseError'})
  })
})

describe('plain-data descriptions', () => {
  test('each extension describes itself by its export and arguments, which the structured clone copies', () => {
    const extensions = [heartbeat(30_000), retryOnStatus([429, 503]), oneShot(), reconnectOnPageEvents()]
    const described = extensions.map((extension) => extension.describe)
    expect(described).toEqual([['heartbeat', 30_000], ['retryOnStatus', [429, 503]], ['oneShot'], ['reconnectOnPageEvents']])
    expect(structuredClone(described)).toEqual(described)
  })

  test('rebuilt from its description, an extension works the same', async () => {
    const streams = [openStream(), openStream()]
    const {fetch} = scriptedFetch((n) => streams[n - 1]!.response)
    const rebuilt = rebuildExtensions([heartbeat(500).describe])
    expect(rebuilt?.map((extension) => extension.describe)).toEqual([['heartbeat', 500]])
    const source = open(fetch, {extensions: rebuilt, reconnect: {initialDelay: 10}})
    const {log} = record(source, ['open', 'error'])
    await run(500)
    expect(log).toEqual(['open 1', 'error 0'])
  })

  test('a name the package does not export is a TypeError', () => {
    expect(() => rebuildExtensions([['bogus', 1]])).toThrow(TypeError)
  })
})
