// createSharedEventSource in Node: the per-tab fallback where there are no Web Locks, the rules of
// the sharing key, and the protocol itself, with each "tab" a shared source in this process on
// Node's own BroadcastChannel and a stand-in for navigator.locks (test/support/locks.ts); then the
// same with the SharedWorker's code (src/shared/worker-host.ts) in this process too, each tab
// connected to it over a MessageChannel. Real tabs are test/browser/shared-tabs*.test.ts.
import {afterEach, describe, expect, test, vi} from 'vitest'
import {EventSource, EventSourceErrorEvent, heartbeat, retryOnStatus} from '../src/index.js'
import {createSharedEventSource, type SharedEventSource, type SharedEventSourceInit} from '../src/shared/index.js'
import {SharedSubscription, sharedSourceKey} from '../src/shared/source.js'
import {serveSharedSources, type SharedWorkerScope} from '../src/shared/worker-host.js'
import {nextTurn, useFakeClock, waitFor} from './support/eventsource.js'
import {FakeLockManager} from './support/locks.js'
import {startResumableServer, type ResumableServer} from './support/resumable-sse.js'
import {startSse} from './support/sse-server.js'

const cleanups: (() => unknown)[] = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
  vi.unstubAllGlobals()
  vi.useRealTimers()
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
    expect(() => createSharedEventSource(url, {worker: 1 as never})).toThrow(/`worker` must be true, false or the URL/)
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
    // And one more, to mark the end: a second copy of an earlier event would come before it.
    await stream.emit(1)
    for (const {ids} of [next!, last!]) await waitFor(() => ids().includes('7'), 'event 7')
    expect(next!.ids()).toEqual(range(1, 7))
    expect(last!.ids()).toEqual(range(1, 7))
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

// Components (useEventSource, through sharedSourceKey) and tabs (createSharedEventSource) use one
// sharing key (src/shared/key.ts): requests that mean the same share a connection in both, and
// options are read as the EventSource reads them, inherited keys included.
describe('one sharing key for components and tabs', () => {
  /** An object whose options are all inherited, as WebIDL (and the EventSource) reads them. */
  const inherited = <T extends object>(fields: T): T => Object.create(fields) as T
  const same: [string, SharedEventSourceInit, SharedEventSourceInit][] = [
    [
      'headers as an object and as pairs, names in another case and order',
      {headers: {'X-A': '1', 'x-b': '2'}},
      {headers: [['x-b', '2'], ['x-a', '1']]},
    ],
    ['headers as an object and as a Headers', {headers: {'x-a': '1'}}, {headers: new Headers({'X-A': '1'})}],
    ['a repeated header name and its values joined', {headers: [['x-a', '1'], ['X-A', '2']]}, {headers: {'x-a': '1, 2'}}],
    ['the method in any case', {method: 'get', headers: {'x-a': '1'}}, {method: 'GET', headers: {'x-a': '1'}}],
    [
      'inherited options and own ones',
      inherited({headers: {'x-a': '1'}, reconnect: inherited({factor: 2, maxAttempts: 3})}),
      {headers: {'x-a': '1'}, reconnect: {factor: 2, maxAttempts: 3}},
    ],
    [
      'extensions compared by what they describe themselves as, not by their functions',
      {headers: {'x-a': '1'}, extensions: [heartbeat(60_000), retryOnStatus([503])]},
      {headers: {'x-a': '1'}, extensions: [heartbeat(60_000), retryOnStatus([503])]},
    ],
    [
      'URLSearchParams bodies, the method in any case',
      {method: 'post', body: new URLSearchParams('q=1'), headers: {'x-a': '1'}},
      {method: 'POST', body: new URLSearchParams('q=1'), headers: {'x-a': '1'}},
    ],
  ]

  async function server() {
    const stream = await startResumableServer('/stream', {'POST /stream': (_req, res) => void startSse(res)})
    cleanups.push(() => stream.server.close())
    return stream
  }

  test.each(same)('%s: one key, one connection in each, the request sent as given', async (_name, a, b) => {
    const stream = await server()
    const requests = (query: string) => stream.server.requests.filter((request) => request.url === `/stream?${query}`)
    const sentHeader = new Headers(b.headers as HeadersInit).get('x-a')

    // Components: one key, one connection.
    expect(sharedSourceKey('/stream', a)).toBe(sharedSourceKey('/stream', b))
    const components = [a, b].map((options) => new SharedSubscription(`${stream.server.url}stream?components`, options))
    for (const component of components) cleanups.push(component.subscribe(() => {}))
    await waitFor(() => components.every((component) => component.getSnapshot().status === 'open'), 'both components open')

    // Tabs: the second waits on the first's lock, and is told the connection is OPEN.
    vi.stubGlobal('navigator', {locks: new FakeLockManager()})
    const first = tab(`${stream.server.url}stream?tabs`, a)
    await waitFor(() => first.source.isLeader === true, 'the first tab leading')
    const second = tab(`${stream.server.url}stream?tabs`, b)
    await waitFor(() => second.source.readyState === second.source.OPEN, 'the second tab OPEN')
    expect(second.source.isLeader).toBe(false)

    for (const query of ['components', 'tabs']) {
      expect(requests(query), query).toHaveLength(1)
      // The options the key counted are the options sent, inherited ones too.
      expect(requests(query)[0]!.headers['x-a'], query).toBe(sentHeader)
      expect(requests(query)[0]!.method, query).toBe((b.method ?? 'GET').toUpperCase())
    }
  })

  test('a string body and a URLSearchParams body of the same text are two requests (another content type) in each', async () => {
    const stream = await server()
    const a: SharedEventSourceInit = {method: 'POST', body: 'q=1'}
    const b: SharedEventSourceInit = {method: 'POST', body: new URLSearchParams('q=1')}
    expect(sharedSourceKey('/stream', a)).not.toBe(sharedSourceKey('/stream', b))
    vi.stubGlobal('navigator', {locks: new FakeLockManager()})
    const first = tab(`${stream.server.url}stream`, a)
    await waitFor(() => first.source.isLeader === true, 'the first tab leading')
    const second = tab(`${stream.server.url}stream`, b)
    await waitFor(() => second.source.isLeader === true, 'the second tab leading a connection of its own')
    await waitFor(() => stream.server.requests.length === 2, 'two requests')
    expect(stream.server.requests.map((request) => request.headers['content-type']?.split(';')[0]).sort()).toEqual([
      'application/x-www-form-urlencoded',
      'text/plain',
    ])
  })
})

describe('a sharing key that cannot be hashed', () => {
  test('fails the source: CLOSED, an error event with the cause, no unhandled rejection', async () => {
    vi.stubGlobal('navigator', {locks: new FakeLockManager()})
    const refused = new DOMException('The operation failed for an operation-specific reason', 'OperationError')
    const digest = vi.spyOn(crypto.subtle, 'digest').mockRejectedValue(refused)
    cleanups.push(() => digest.mockRestore())
    const unhandled: unknown[] = []
    const onUnhandled = (reason: unknown) => unhandled.push(reason)
    process.on('unhandledRejection', onUnhandled)
    cleanups.push(() => process.off('unhandledRejection', onUnhandled))
    const {source, log} = tab('http://127.0.0.1:1/stream')
    const errors: EventSourceErrorEvent[] = []
    source.addEventListener('error', (event) => errors.push(event))
    expect(source.readyState).toBe(source.CONNECTING)
    await waitFor(() => errors.length > 0, 'an error event')
    // A turn of the event loop: Node reports a rejection nobody handled before it.
    await nextTurn()
    expect(digest).toHaveBeenCalled()
    expect(source.readyState).toBe(source.CLOSED)
    expect(log).toEqual(['error 2'])
    expect(errors).toHaveLength(1)
    expect(errors[0]!.cause).toBe(refused)
    expect(errors[0]!.willReconnect).toBe(false)
    expect(errors[0]!.message).toMatch(/sharing key .*could not be hashed/)
    expect(unhandled).toEqual([])
  })
})

describe('tabs sharing a SharedWorker (its code in this process, each tab connected over a MessageChannel)', () => {
  let locks: FakeLockManager
  /** The script URL of every `new SharedWorker()`. */
  let created: string[]

  /**
   * Web Locks, and a SharedWorker stand-in: every instance connects to one worker scope in this
   * process, running serveSharedSources, as the tabs of an origin connect to one worker. `fail`:
   * how a worker that cannot start fails (the constructor throws, an `error` event, no answer).
   */
  function useWorker(fail?: 'throw' | 'error' | 'silent'): void {
    locks = new FakeLockManager()
    vi.stubGlobal('navigator', {locks})
    created = []
    // The stand-in has what the library uses of a LockManager (not `query()`).
    const scope: SharedWorkerScope = {onconnect: null, navigator: {locks: locks as unknown as LockManager}}
    if (fail === undefined) serveSharedSources(scope)
    class FakeSharedWorker extends EventTarget {
      readonly port: MessagePort
      onerror: ((event: Event) => unknown) | null = null
      constructor(url: string | URL) {
        super()
        created.push(String(url))
        if (fail === 'throw') throw new DOMException('The script is of another origin', 'SecurityError')
        const {port1, port2} = new MessageChannel()
        this.port = port1
        cleanups.push(() => port1.close())
        if (fail === 'error') setTimeout(() => this.onerror?.(new Event('error')))
        else scope.onconnect?.(new MessageEvent('connect', {ports: [port2]}))
      }
    }
    vi.stubGlobal('SharedWorker', FakeSharedWorker)
  }

  /** Opens `count` tabs on `url` at once and waits until all are OPEN. */
  async function tabs(count: number, url: string, init?: SharedEventSourceInit): Promise<Tab[]> {
    const all = Array.from({length: count}, () => tab(url, init))
    await waitFor(() => all.every(({source}) => source.readyState === source.OPEN), 'every tab OPEN')
    return all
  }

  const tabLocks = () => locks.held().filter((name) => name.startsWith('streamsource tab '))

  test('the worker holds the connection for every tab, and closes it with the last', async () => {
    useWorker()
    const stream = await resumable()
    const all = await tabs(3, `${stream.server.url}stream`)
    expect(all.map(({source}) => source.isLeader)).toEqual([false, false, false])
    expect(created).toHaveLength(3)
    // By default, the package's own script beside the module.
    expect(created[0]).toMatch(/\/shared-worker\.js$/)
    await stream.emit(4)
    // `tick` events too: the tabs told the worker what they listen to when they subscribed.
    for (const {ids} of all) await waitFor(() => ids().length === 4, 'four events')
    for (const {log} of all) expect(log).toEqual(['open', 'message 1', 'tick 2', 'message 3', 'tick 4'])
    all[0]!.source.close()
    all[1]!.source.close()
    await stream.emit(1)
    await waitFor(() => all[2]!.ids().length === 5, 'event 5')
    expect(stream.openConnections()).toHaveLength(1)
    all[2]!.source.close()
    await waitFor(() => stream.openConnections().length === 0, 'the connection to close')
    expect(stream.connections).toHaveLength(1)
    // Nothing is held but the worker's own lock, for life.
    await waitFor(() => locks.held().length === 1, 'the locks to go')
    expect(locks.held()[0]).toMatch(/^streamsource worker /)
  })

  test('a tab that goes without a word is noticed by its lock, which the worker is granted', async () => {
    useWorker()
    const stream = await resumable()
    await tabs(2, `${stream.server.url}stream`)
    await waitFor(() => tabLocks().length === 2, 'the tabs holding their locks')
    // As when a tab crashes: its locks go, and nothing is said on its port.
    locks.drop(tabLocks()[0]!)
    await stream.emit(1)
    expect(stream.openConnections()).toHaveLength(1)
    locks.drop(tabLocks()[0]!)
    await waitFor(() => stream.openConnections().length === 0, 'the connection to close')
    expect(stream.connections).toHaveLength(1)
  })

  test('pagehide leaves the worker; back from the back/forward cache, the tab subscribes again and resumes', async () => {
    const page = new EventTarget()
    vi.stubGlobal('addEventListener', page.addEventListener.bind(page))
    useWorker()
    const stream = await resumable()
    const [only] = await tabs(1, `${stream.server.url}stream`)
    await stream.emit(2)
    await waitFor(() => only!.ids().length === 2, 'two events')
    page.dispatchEvent(new Event('pagehide'))
    await waitFor(() => stream.openConnections().length === 0, 'the connection to close')
    expect(tabLocks()).toHaveLength(1)
    page.dispatchEvent(Object.assign(new Event('pageshow'), {persisted: true}))
    await waitFor(() => stream.openConnections().length === 1, 'a new connection')
    expect(stream.connections[1]!.lastEventId).toBe('2')
    await stream.emit(1)
    await waitFor(() => only!.ids().length === 3, 'event 3')
    expect(only!.log).toEqual(['open', 'message 1', 'tick 2', 'error 0', 'open', 'message 3'])
  })

  test.each(['throw', 'error'] as const)('a worker that cannot start (it fails with %s): the tabs elect a leader, no error event', async (fail) => {
    useWorker(fail)
    const stream = await resumable()
    const all = await tabs(2, `${stream.server.url}stream`)
    expect(all.map(({source}) => source.isLeader).sort()).toEqual([false, true])
    await stream.emit(3)
    for (const {ids} of all) await waitFor(() => ids().length === 3, 'three events')
    for (const {log} of all) expect(log).toEqual(['open', 'message 1', 'tick 2', 'message 3'])
    expect(created).toHaveLength(2)
    expect(stream.connections).toHaveLength(1)
    expect(tabLocks()).toEqual([])
  })

  test('a worker that never answers: after a while (5 s) the tab competes for the lock too, and leads', async () => {
    useWorker('silent')
    const stream = await resumable()
    // The 5 s run on a fake clock (the sockets keep real time).
    useFakeClock()
    const only = tab(`${stream.server.url}stream`)
    await waitFor(() => created.length === 1, 'the worker')
    await vi.advanceTimersByTimeAsync(4_999)
    await nextTurn()
    expect(only.source.isLeader).toBe(false)
    expect(stream.connections).toHaveLength(0)
    await vi.advanceTimersByTimeAsync(1)
    await waitFor(() => only.source.isLeader === true, 'the tab to lead')
    await waitFor(() => only.source.readyState === only.source.OPEN, 'OPEN')
    expect(only.log).toEqual(['open'])
    // Still subscribed, should the worker answer late.
    expect(tabLocks()).toHaveLength(1)
  })

  test('no worker with a function option (its secret stays in the tab) or `worker: false`; `worker` names a script', async () => {
    useWorker()
    const stream = await resumable()
    const url = `${stream.server.url}stream`
    const [withFunction] = await tabs(1, url, {headers: () => ({'x-token': 'secret'}), key: 'user 1'})
    const [withoutWorker] = await tabs(1, url, {worker: false})
    expect([withFunction!.source.isLeader, withoutWorker!.source.isLeader]).toEqual([true, true])
    expect(created).toEqual([])
    const request = stream.server.requests.find((request) => request.headers['x-token'] !== undefined)
    expect(request?.headers['x-token']).toBe('secret')
    await tabs(1, url, {worker: new URL('https://app.example/workers/sse.js'), key: 'other'})
    expect(created).toEqual(['https://app.example/workers/sse.js'])
  })

  test('tabs with and without the worker share one connection, handed from a tab to the worker with nothing lost or twice', async () => {
    useWorker()
    const stream = await resumable()
    const url = `${stream.server.url}stream`
    const [leader] = await tabs(1, url, {worker: false})
    const [subscribed] = await tabs(1, url)
    await stream.emit(3)
    for (const {ids} of [leader!, subscribed!]) await waitFor(() => ids().length === 3, 'three events')
    expect(stream.connections).toHaveLength(1)
    // The worker's source follows the tab's connection, and takes it over when that tab goes.
    leader!.source.close()
    await waitFor(() => stream.connections.length === 2 && stream.openConnections().length === 1, 'the worker connected')
    expect(stream.connections[1]!.lastEventId).toBe('3')
    expect(subscribed!.source.isLeader).toBe(false)
    await stream.emit(3)
    await waitFor(() => subscribed!.ids().length === 6, 'six events')
    expect(subscribed!.ids()).toEqual(range(1, 6))
    expect(subscribed!.log.filter((entry) => /^(open|error)/.test(entry))).toEqual(['open', 'error 0', 'open'])
  })

  test('the worker rebuilds a tab\'s extensions from their plain-data descriptions: its heartbeat drops a silent connection', async () => {
    useWorker()
    const stream = await resumable()
    const [only] = await tabs(1, `${stream.server.url}stream`, {extensions: [heartbeat(300)], reconnect: {initialDelay: 10}})
    // The worker holds the connection (an extension is no function option), and its heartbeat strikes.
    expect(only!.source.isLeader).toBe(false)
    expect(created).toHaveLength(1)
    await waitFor(() => stream.connections.length >= 2, 'the heartbeat to reconnect')
    await waitFor(() => only!.log.length >= 3, 'the tab to open again')
    expect(only!.log.slice(0, 3)).toEqual(['open', 'error 0', 'open'])
  })

  test('the worker sends the request the tab would send: Headers, a URLSearchParams body', async () => {
    useWorker()
    const stream = await resumable()
    const url = `${stream.server.url}form`
    const init = () => ({method: 'post', headers: new Headers({'X-Client': 'tab'}), body: new URLSearchParams({q: 'a b'}), lastEventId: '7'})
    // The server answers 404 (no route): each connection fails at once.
    const viaWorker = tab(url, init())
    await waitFor(() => viaWorker.source.readyState === 2, 'CLOSED')
    const byTab = tab(url, {...init(), worker: false})
    await waitFor(() => byTab.source.readyState === 2, 'CLOSED')
    const [first, second] = stream.server.requests.filter((request) => request.path === '/form')
    const sent = (request: typeof first) => [request?.method, request?.body, request?.headers['content-type'], request?.headers['x-client'], request?.headers['last-event-id']]
    expect(sent(first)).toEqual(['POST', 'q=a+b', 'application/x-www-form-urlencoded;charset=UTF-8', 'tab', '7'])
    expect(sent(second)).toEqual(sent(first))
    expect(created).toHaveLength(1)
  })

  test('a connection that fails closes every tab; a tab that comes later has the worker try again', async () => {
    useWorker()
    const stream = await resumable()
    const url = `${stream.server.url}missing`
    const first = tab(url)
    const second = tab(url)
    await waitFor(() => first.source.readyState === 2 && second.source.readyState === 2, 'both CLOSED')
    expect([first.log, second.log]).toEqual([['error 2'], ['error 2']])
    const requests = () => stream.server.requests.filter((request) => request.path === '/missing').length
    expect(requests()).toBe(1)
    const third = tab(url)
    await waitFor(() => third.source.readyState === 2, 'the third tab CLOSED')
    expect(third.log).toEqual(['error 2'])
    expect(requests()).toBe(2)
  })
})
