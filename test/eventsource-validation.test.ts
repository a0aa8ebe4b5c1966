// Option values that cannot work are refused up front with a TypeError naming the option, rather
// than misbehaving later (a 0 heartbeat that fires at once, a status list that never matches);
// and a ReadableStream body, which can be sent only once, fails the connection on the reconnect
// instead of retrying forever. "Nothing more happens" is fake time past every delay (the source's
// timers run on a fake clock, the sockets keep real time), with the attempts counted at fetch.
import {describe, expect, test} from 'vitest'
import {EventSource, type EventSourceErrorEvent, type EventSourceInit, heartbeat, retryOnStatus} from '../src/index.js'
import {countFetches, open, passEveryDelay, recordEvents, serve, skipReconnectDelays, useEventSourceHooks, useFakeClock, waitFor} from './support/eventsource.js'
import {startSse} from './support/sse-server.js'

useEventSourceHooks()

// Port 1 is never listened on; nothing should be sent anyway, since the constructor throws.
const unreachable = 'http://127.0.0.1:1/'

describe('invalid option values throw a TypeError naming the option', () => {
  test.each([
    ['maxEventSize', {maxEventSize: 0}],
    ['maxEventSize', {maxEventSize: -1}],
    ['reconnect.factor', {reconnect: {factor: -1}}],
    ['reconnect.factor', {reconnect: {factor: Number.NaN}}],
    ['reconnect.jitter', {reconnect: {jitter: Number.NaN}}],
    ['reconnect.jitter', {reconnect: {jitter: -0.1}}],
    ['fetch', {fetch: 'x'}],
    ['fetch', {fetch: {}}],
    ['reconnect.shouldReconnect', {reconnect: {shouldReconnect: 1}}],
    ['reconnect.shouldReconnect', {reconnect: {shouldReconnect: 'no'}}],
    // A factor below 1 shrinks the delay with every failure: a reconnect storm against a closed port.
    ['reconnect.factor', {reconnect: {factor: 0}}],
    ['reconnect.factor', {reconnect: {factor: 0.5}}],
    // Methods fetch refuses: forbidden ones, and ones that are not a token.
    ['method', {method: 'TRACE'}],
    ['method', {method: 'connect'}],
    ['method', {method: 'TRACK'}],
    ['method', {method: 'GE T'}],
    ['method', {method: ''}],
    ['credentials', {credentials: 'bogus'}],
    ['credentials', {credentials: 'INCLUDE'}],
    // Headers fetch refuses, or a form it does not take.
    ['headers', {headers: 'Authorization: x'}],
    ['headers', {headers: [['X-Pair']]}],
    ['headers', {headers: [['X-Pair', 'a', 'b']]}],
    ['headers', {headers: ['Xy']}],
    ['headers', {headers: {'X-Bad Name': 'x'}}],
    ['headers', {headers: {'': 'x'}}],
    ['headers', {headers: {'X-Line': 'a\nb'}}],
    ['headers', {headers: {'X-Return': 'a\rb'}}],
    ['headers', {headers: {'X-Null': 'a\0b'}}],
    ['headers', {headers: {'X-Vt': 'a\u000bb'}}],
    ['headers', {headers: {'X-Wide': 'caf\u00e9 \u20ac'}}],
    ['headers', {headers: [['X-Line', 'a\nb']]}],
    ['headers', {headers: new Map([['X-Line', 'a\nb']])}],
    ['headers', {headers: 42}],
    ['signal', {signal: {}}],
    ['signal', {signal: 'abort'}],
    ['lastEventId', {lastEventId: 'a\u000bb'}],
  ])('%s: %o', (name, init) => {
    const construct = () => new EventSource(unreachable, init as unknown as EventSourceInit)
    expect(construct).toThrow(TypeError)
    expect(construct).toThrow(`\`${name}\``)
  })

  test.each([
    ['method', {method: 'GE T'}, '"GE T"'],
    ['credentials', {credentials: 'bogus'}, '"bogus"'],
    ['headers', {headers: 'Authorization: x'}, '"Authorization: x"'],
    ['headers', {headers: [['X-Pair']]}, '["X-Pair"]'],
    ['headers', {headers: {'X-Line': 'a\nb'}}, '"a\\nb"'],
    ['reconnect.factor', {reconnect: {factor: 0.5}}, '0.5'],
  ])('the message names the option %s and the value %s', (name, init, value) => {
    const construct = () => new EventSource(unreachable, init as unknown as EventSourceInit)
    expect(construct).toThrow(`\`${name}\``)
    expect(construct).toThrow(value)
  })

  // Extensions check their arguments when they are made, as the constructor checks the options.
  test.each([
    ['heartbeat', () => heartbeat(0 as never)],
    ['heartbeat', () => heartbeat(-1 as never)],
    ['heartbeat', () => heartbeat(-0.5 as never)],
    ['heartbeat', () => heartbeat(Number.NaN as never)],
    ['heartbeat', () => heartbeat('1000' as never)],
    ['retryOnStatus', () => retryOnStatus(['503'] as never)],
    ['retryOnStatus', () => retryOnStatus([99] as never)],
    ['retryOnStatus', () => retryOnStatus([600] as never)],
    ['retryOnStatus', () => retryOnStatus([503.5] as never)],
    ['retryOnStatus', () => retryOnStatus(503 as never)],
    ['retryOnStatus', () => retryOnStatus('503' as never)],
    ['retryOnStatus', () => retryOnStatus(new Set([503]) as never)],
    ['retryOnStatus', () => retryOnStatus(null as never)],
    ['extensions', () => new EventSource(unreachable, {extensions: [{}]} as never)],
    ['extensions', () => new EventSource(unreachable, {extensions: heartbeat(1)} as never)],
  ])('%s: an impossible value', (name, make) => {
    expect(make).toThrow(TypeError)
    expect(make).toThrow(`\`${name}\``)
  })

  test.each([
    ['GET', {method: 'GET', body: 'x'}],
    ['get (lower case)', {method: 'get', body: 'x'}],
    ['the default method', {body: 'x'}],
    ['HEAD', {method: 'HEAD', body: 'x'}],
    ['HEAD and a body function', {method: 'HEAD', body: () => 'x'}],
  ])('a body with %s', (_name, init) => {
    const construct = () => new EventSource(unreachable, init as EventSourceInit)
    expect(construct).toThrow(TypeError)
    expect(construct).toThrow('`body`')
  })

  test('a refused source sends nothing', async () => {
    const server = await serve((_req, res) => void startSse(res))
    useFakeClock()
    const fetches = countFetches()
    const inits: (() => EventSourceInit)[] = [() => ({extensions: [heartbeat(0)]}), () => ({method: 'GET', body: 'x'}), () => ({extensions: [retryOnStatus([99])]})]
    for (const init of inits) {
      expect(() => new EventSource(`${server.url}stream`, init())).toThrow(TypeError)
    }
    // Connecting starts a microtask after the constructor: a stray attempt would have reached fetch.
    await passEveryDelay()
    expect(fetches.count()).toBe(0)
    expect(server.requests).toEqual([])
  })

  // The boundaries the checks draw: what is accepted right next to what is refused.
  test.each([
    {extensions: [heartbeat(1)]},
    {extensions: []},
    {extensions: undefined},
    {maxEventSize: 1},
    {extensions: [retryOnStatus([100, 503, 599])]},
    {extensions: [retryOnStatus([])]},
    {reconnect: {factor: 1, jitter: 0}},
    {reconnect: {jitter: 1}},
    {method: 'POST', body: 'x'},
    {body: null},
    {method: 'patch'},
    {method: 'M-SEARCH'},
    {credentials: 'omit'},
    {credentials: 'include'},
    {headers: {'X-Tab': 'a\tb', 'X-Latin1': 'caf\u00e9', 'X-Number': 5}},
    {headers: [['X-Pair', 'a']]},
    {headers: new Headers({'X-Header': 'a'})},
    {headers: null},
    {signal: null},
    {signal: new AbortController().signal},
    {lastEventId: 'a\tb caf\u00e9 \u20ac'},
  ])('%o is accepted', (init) => {
    const source = new EventSource(unreachable, init as EventSourceInit)
    source.close()
    expect(source.readyState).toBe(EventSource.CLOSED)
  })
})

test('EventSource.length is 1, as WebIDL counts the optional init', () => {
  expect(EventSource.length).toBe(1)
})

describe('a ReadableStream passed directly as body', () => {
  test('is sent on the first attempt; the reconnect fails the connection instead of retrying forever', async () => {
    // Each connection sends one event and ends, so the source reconnects 10 ms later.
    const server = await serve({
      'POST /stream': async (_req, res) => {
        const stream = startSse(res)
        await stream.send({retry: 10, id: '1', data: 'one'})
        await stream.end()
      },
    })
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('the prompt'))
        controller.close()
      },
    })
    useFakeClock()
    const fetches = countFetches()
    const source = open(`${server.url}stream`, {method: 'POST', body})
    const {log, events} = recordEvents(source)
    skipReconnectDelays(source)

    await waitFor(() => source.readyState === EventSource.CLOSED, 'the source to fail', {timeout: 10_000})
    // Past any number of 10 ms retries, had the source gone on retrying.
    await passEveryDelay()
    expect(fetches.count()).toBe(1)

    expect(log).toEqual(['open 1', 'message 1 one', 'error 0 retry', 'error 2 final'])
    expect(server.requests.map((request) => [request.method, request.body])).toEqual([['POST', 'the prompt']])
    const final = events[3] as EventSourceErrorEvent
    expect(final.willReconnect).toBe(false)
    expect(final.cause).toBeInstanceOf(TypeError)
    expect(String((final.cause as TypeError).message)).toMatch(/function/)
  })
})

describe('a heartbeat past what timers can wait', () => {
  test.each([Infinity, 2 ** 40])('%s never times out a quiet open connection', async (timeout) => {
    // setTimeout fires at once for a delay past 2³¹ − 1 ms: unclamped, this source would loop on errors.
    const server = await serve({
      '/stream': (_req, res) => void startSse(res).send({data: 'one'}),
    })
    useFakeClock()
    const fetches = countFetches()
    const source = open(`${server.url}stream`, {extensions: [heartbeat(timeout)], reconnect: {initialDelay: 10}})
    const {log} = recordEvents(source)
    await waitFor(() => log.length === 2, 'the first event')
    // The fake clock fires a timer past 2³¹ − 1 ms at once too, as Node's does.
    await passEveryDelay()
    expect(log).toEqual(['open 1', 'message 1 one'])
    expect(fetches.count()).toBe(1)
    expect(server.requests).toHaveLength(1)
  })
})
