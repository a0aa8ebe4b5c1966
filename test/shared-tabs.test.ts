// createSharedEventSource in Node: the per-tab fallback where there are no Web Locks, the rules of
// the sharing key, and the protocol itself, with each "tab" a shared source in this process on
// Node's own BroadcastChannel and a stand-in for navigator.locks (test/support/locks.ts). Real tabs
// are test/browser/shared-tabs.test.ts.
import {afterEach, describe, expect, test, vi} from 'vitest'
import {createSharedEventSource, EventSource, EventSourceErrorEvent, type SharedEventSource, type SharedEventSourceInit} from '../src/index.js'
import {waitFor} from './support/eventsource.js'
import {FakeLockManager} from './support/locks.js'
import {startResumableServer, type ResumableServer} from './support/resumable-sse.js'

const cleanups: (() => unknown)[] = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
  vi.unstubAllGlobals()
})

async function resumable(): Promise<ResumableServer> {
  const stream = await startResumableServer('/stream')
  cleanups.push(() => stream.server.close())
  return stream
}

interface Tab {
  source: SharedEventSource
  /** `open`, `error <readyState>`, and each event as `<type> <id>`. */
  log: string[]
  /** The IDs of the `message` and `tick` events, in order. */
  ids(): string[]
}

/** A shared source listening to `message` and `tick`, closed after the test. */
function tab(url: string, init?: SharedEventSourceInit): Tab {
  const source = createSharedEventSource(url, init)
  cleanups.push(() => source.close())
  const log: string[] = []
  source.onopen = () => log.push('open')
  source.onerror = () => log.push(`error ${source.readyState}`)
  source.onmessage = (event) => log.push(`message ${event.lastEventId}`)
  source.addEventListener('tick', (event) => log.push(`tick ${event.lastEventId}`))
  return {source, log, ids: () => log.filter((entry) => !/^(open|error)/.test(entry)).map((entry) => entry.split(' ')[1]!)}
}

const range = (from: number, to: number) => Array.from({length: to - from + 1}, (_, index) => String(from + index))

describe('where tabs cannot share', () => {
  test('Node without Web Locks gets a plain EventSource of its own', async () => {
    const {server, emit} = await resumable()
    const {source, ids} = tab(`${server.url}stream`)
    expect(source).toBeInstanceOf(EventSource)
    expect(source.isLeader).toBeUndefined()
    await waitFor(() => source.readyState === source.OPEN, 'open')
    await emit(3)
    await waitFor(() => ids().length === 3, 'three events')
    expect(ids()).toEqual(range(1, 3))
    source.close()
    await waitFor(() => server.activeRequests() === 0, 'the connection to close')
  })

  test('types: the result goes where the DOM EventSource is expected, and named events are typed', () => {
    const source = createSharedEventSource<'tick'>('http://127.0.0.1:1/stream', {signal: AbortSignal.abort()})
    const dom: globalThis.EventSource = source
    source.addEventListener('tick', (event) => event.data.toUpperCase())
    source.addEventListener('error', (event) => event.willReconnect)
    // @ts-expect-error: 'tock' is not a declared event name (as on EventSource<'tick'>)
    source.addEventListener('tock', (event: MessageEvent<string>) => event.data)
    expect(dom.readyState).toBe(2)
  })

  test('options that cannot be compared across tabs are refused on every platform', () => {
    const url = 'http://127.0.0.1:1/stream'
    expect(() => createSharedEventSource(url, {headers: () => ({authorization: 'secret'})})).toThrow(/`headers` is a function.*`key`/)
    expect(() => createSharedEventSource(url, {reconnect: {shouldReconnect: () => true}})).toThrow(/`reconnect.shouldReconnect` is a function/)
    expect(() => createSharedEventSource(url, {method: 'POST', body: new Blob(['x'])})).toThrow(/`body` cannot be compared across tabs/)
    // The EventSource's own checks run too.
    expect(() => createSharedEventSource(url, {reconnect: {factor: -1}})).toThrow(TypeError)
    const withKey = createSharedEventSource(url, {headers: () => ({authorization: 'secret'}), key: 'user 1', signal: AbortSignal.abort()})
    expect(withKey.readyState).toBe(withKey.CLOSED)
  })
})

describe('tabs sharing a connection (Web Locks stand-in, Node BroadcastChannel)', () => {
  let locks: FakeLockManager
  const useLocks = () => {
    locks = new FakeLockManager()
    vi.stubGlobal('navigator', {locks})
  }

  /** Opens `count` tabs on `url`, one after the other, and waits until the first leads and all are OPEN. */
  async function tabs(count: number, url: string, init?: SharedEventSourceInit): Promise<Tab[]> {
    const first = tab(url, init)
    await waitFor(() => first.source.isLeader === true, 'a leader')
    const all = [first, ...Array.from({length: count - 1}, () => tab(url, init))]
    await waitFor(() => all.every(({source}) => source.readyState === source.OPEN), 'every tab OPEN')
    return all
  }

  test('tabs with equal URL and options share one connection; other options get their own', async () => {
    useLocks()
    const stream = await resumable()
    const url = `${stream.server.url}stream`
    const shared = await tabs(3, url, {headers: {'X-A': '1', 'x-b': '2'}, reconnect: {factor: 2}})
    // The same options written otherwise: header names in another case and order.
    shared.push(tab(url, {reconnect: {factor: 2}, headers: [['x-b', '2'], ['x-a', '1']]}))
    const other = tab(url, {headers: {'x-a': '2'}})
    await waitFor(() => other.source.isLeader === true && shared[3]!.source.readyState === 1, 'the fourth tab OPEN, the other leading')
    await waitFor(() => stream.connections.length === 2, 'two connections')
    await stream.emit(4)
    for (const {ids} of [...shared, other]) await waitFor(() => ids().length === 4, 'four events')
    expect(stream.connections).toHaveLength(2)
    expect(shared.map(({source}) => source.isLeader)).toEqual([true, false, false, false])
    for (const {ids, log} of shared) {
      expect(ids()).toEqual(range(1, 4))
      expect(log).toEqual(['open', 'message 1', 'tick 2', 'message 3', 'tick 4'])
    }
  })

  test('a tab that joins starts OPEN and resumes from the ID it was told, should it lead', async () => {
    useLocks()
    const stream = await resumable()
    const url = `${stream.server.url}stream`
    const [leader] = await tabs(1, url)
    await stream.emit(2)
    await waitFor(() => leader!.ids().length === 2, 'two events')
    const late = tab(url)
    await waitFor(() => late.source.readyState === late.source.OPEN, 'the late tab OPEN')
    expect(late.log).toEqual(['open'])
    expect(late.source.lastEventId).toBe('2')
    leader!.source.close()
    await waitFor(() => stream.connections.length === 2, 'the second connection')
    expect(stream.connections[1]!.lastEventId).toBe('2')
    await stream.emit(1)
    await waitFor(() => late.ids().length === 1, 'event 3')
    expect(late.log).toEqual(['open', 'error 0', 'open', 'message 3'])
    expect(late.source.isLeader).toBe(true)
  })

  test('closing the leader hands the connection over, resuming with Last-Event-ID: nothing lost or twice', async () => {
    useLocks()
    const stream = await resumable()
    const url = `${stream.server.url}stream`
    const [leader, ...followers] = await tabs(3, url)
    await stream.emit(3)
    for (const {ids} of followers) await waitFor(() => ids().length === 3, 'three events')
    leader!.source.close()
    expect(leader!.source.readyState).toBe(2)
    await waitFor(() => stream.connections.length === 2 && stream.openConnections().length === 1, 'one new connection')
    expect(stream.connections[1]!.lastEventId).toBe('3')
    await stream.emit(3)
    for (const {ids} of followers) await waitFor(() => ids().length === 6, 'six events')
    for (const {ids, log} of followers) {
      expect(ids()).toEqual(range(1, 6))
      // The hand-over reads as a reconnect: error (CONNECTING), then open.
      expect(log.slice(4, 6)).toEqual(['error 0', 'open'])
    }
    expect(followers.filter(({source}) => source.isLeader)).toHaveLength(1)
    expect(leader!.ids()).toEqual(range(1, 3))
  })

  test('events still on the channel when the lock moves are skipped when the new connection sends them again', async () => {
    useLocks()
    const stream = await resumable()
    const url = `${stream.server.url}stream`
    const [leader, next, last] = await tabs(3, url)
    await stream.emit(2)
    for (const {ids} of [next!, last!]) await waitFor(() => ids().length === 2, 'two events')
    // Events 3 and 4 arrive in one chunk; the leader closes as it dispatches 4, so the lock reaches
    // the next tab before the channel has brought it 3 and 4: it resumes from 2, and the server
    // sends 3 and 4 again, which the last tab has by then.
    leader!.source.addEventListener('tick', (event) => {
      if (event.lastEventId === '4') leader!.source.close()
    })
    await stream.emit(2)
    await waitFor(() => stream.connections.length === 2, 'the second connection')
    expect(stream.connections[1]!.lastEventId).toBe('2')
    expect(next!.source.isLeader).toBe(true)
    await stream.emit(2)
    for (const {ids} of [next!, last!]) await waitFor(() => ids().length >= 6, 'six events')
    await new Promise((resolve) => setTimeout(resolve, 50))
    expect(next!.ids()).toEqual(range(1, 6))
    expect(last!.ids()).toEqual(range(1, 6))
    expect(leader!.ids()).toEqual(range(1, 4))
  })

  test('named events reach the tabs listening for them, whether or not the leading tab listens', async () => {
    useLocks()
    const stream = await resumable()
    const url = `${stream.server.url}stream`
    const plain = () => {
      const source = createSharedEventSource(url)
      cleanups.push(() => source.close())
      const ids: string[] = []
      source.onmessage = (event) => ids.push(event.lastEventId)
      return {source, ids}
    }
    const leader = plain()
    await waitFor(() => leader.source.isLeader === true, 'a leader')
    const next = plain()
    const ticks = tab(url)
    await waitFor(() => ticks.source.readyState === 1 && next.source.readyState === 1, 'both OPEN')
    await stream.emit(2)
    await waitFor(() => ticks.ids().length === 2, 'events 1 and 2')
    leader.source.close()
    await waitFor(() => next.source.isLeader === true && ticks.source.readyState === 1, 'the hand-over')
    await stream.emit(2)
    await waitFor(() => ticks.ids().length === 4, 'events 3 and 4')
    expect(ticks.log.filter((entry) => entry.startsWith('tick'))).toEqual(['tick 2', 'tick 4'])
    expect(next.ids).toEqual(['1', '3'])
  })

  test('a connection that fails closes every tab, with the status; a tab that comes later tries again', async () => {
    useLocks()
    // The first request is answered (404) once the second tab has joined.
    let answer = (): void => {}
    const joined = new Promise<void>((resolve) => (answer = resolve))
    const stream = await startResumableServer('/stream', {
      'GET /missing': async (_req, res, {server}) => {
        if (server.requests.filter((request) => request.path === '/missing').length === 1) await joined
        res.writeHead(404, {'Content-Type': 'text/plain'})
        res.end('Not found')
      },
    })
    cleanups.push(() => stream.server.close())
    const url = `${stream.server.url}missing`
    const errors: EventSourceErrorEvent[] = []
    const first = tab(url)
    await waitFor(() => first.source.isLeader === true, 'a leader')
    const second = tab(url)
    second.source.addEventListener('error', (event) => errors.push(event))
    await waitFor(() => locks.held().length === 1 && locks.waiting(locks.held()[0]!) === 1, 'the second tab waiting for the lock')
    answer()
    await waitFor(() => first.source.readyState === 2 && second.source.readyState === 2, 'both CLOSED')
    expect(first.log).toEqual(['error 2'])
    expect(second.log).toEqual(['error 2'])
    expect(errors[0]).toBeInstanceOf(EventSourceErrorEvent)
    expect(errors[0]).toMatchObject({status: 404, code: 404, willReconnect: false, response: undefined})
    expect((errors[0]!.cause as Error).name).toBe('HTTPError')
    const requests = () => stream.server.requests.filter((request) => request.path === '/missing').length
    expect(requests()).toBe(1)
    const third = tab(url)
    await waitFor(() => third.source.readyState === 2, 'the third tab CLOSED')
    expect(requests()).toBe(2)
  })

  test('the connection closes with the last tab; `signal` closes its own tab only', async () => {
    useLocks()
    const stream = await resumable()
    const url = `${stream.server.url}stream`
    const controller = new AbortController()
    const [leader, follower] = await tabs(2, url)
    const third = tab(url, {signal: controller.signal})
    await waitFor(() => third.source.readyState === 1, 'the third tab OPEN')
    controller.abort()
    expect(third.source.readyState).toBe(2)
    follower!.source.close()
    await stream.emit(1)
    await waitFor(() => leader!.ids().length === 1, 'event 1')
    expect(follower!.ids()).toEqual([])
    expect(third.ids()).toEqual([])
    expect(stream.connections).toHaveLength(1)
    leader!.source.close()
    await waitFor(() => stream.openConnections().length === 0, 'the connection to close')
    expect(stream.connections).toHaveLength(1)
    expect(locks.held()).toEqual([])
  })
})
