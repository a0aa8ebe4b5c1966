// Credentials never reach an origin the user did not name: not on the first connection (fetch strips
// them on the cross-origin redirect) and not on any reconnect, which asks the URL the user gave
// again, so fetch strips them again. Cookie, Authorization and Proxy-Authorization, given as static
// headers, by a headers function or added by a fetch wrapper; 301, 302, 307 and 308; another port,
// and `localhost` against `127.0.0.1` (one server, two origins).
import {describe, expect, test} from 'vitest'
import type {FetchLike, HeadersContext} from '../src/index.js'
import {open, recordEvents, serve, skipReconnectDelays, useEventSourceHooks, useFakeClock, waitFor} from './support/eventsource.js'
import {redirect, startSse, type RecordedRequest, type TestServer} from './support/sse-server.js'

useEventSourceHooks()

const SECRETS = {authorization: 'Bearer secret', cookie: 'session=secret', 'proxy-authorization': 'Basic secret'}
const STATUSES = [301, 302, 307, 308] as const
/** How many connections each test waits for: the first and two reconnects. */
const CONNECTIONS = 3

/** The stream at the redirect's target: one event with an id, then the end, so the source reconnects. */
function endingStream(): (req: unknown, res: Parameters<typeof startSse>[0]) => Promise<void> {
  let count = 0
  return async (_req, res) => {
    const stream = startSse(res)
    await stream.send({retry: 10, id: String(++count), data: `connection ${count}`})
    await stream.end()
  }
}

/** Where the user points the source, and where its redirect leads: another origin either way. */
interface Layout {
  start: string
  /** The requests that reached the origin the user named. */
  named(): RecordedRequest[]
  /** The requests that reached the other origin. */
  other(): RecordedRequest[]
}

const layouts: Record<string, (status: (typeof STATUSES)[number]) => Promise<Layout>> = {
  'another port': async (status) => {
    const target = await serve({'/stream': endingStream()})
    const first = await serve({'/start': redirect(`${target.url}stream`, status)})
    return {start: `${first.url}start`, named: () => first.requests, other: () => target.requests}
  },
  'localhost to 127.0.0.1': async (status) => {
    // One server, two origins: the Host header tells which one a request was sent to.
    let server: TestServer | undefined
    server = await serve({
      '/start': (req, res, context) => redirect(`http://127.0.0.1:${server!.port}/stream`, status)(req, res, context),
      '/stream': endingStream(),
    })
    const byHost = (host: string) => server!.requests.filter((request) => request.headers.host === `${host}:${server!.port}`)
    return {start: `http://localhost:${server.port}/start`, named: () => byHost('localhost'), other: () => byHost('127.0.0.1')}
  },
}

/** Waits for the connections, then checks where each credential went. */
async function expectCredentialsOnlyAtNamedOrigin(layout: Layout, names: readonly string[]): Promise<void> {
  await waitFor(() => layout.other().length >= CONNECTIONS, `${CONNECTIONS} connections at the target`)
  const named = layout.named()
  const other = layout.other()
  // Every connection asked the URL the user gave first, with the credentials…
  expect(named.length).toBeGreaterThanOrEqual(CONNECTIONS)
  for (const request of named) {
    expect(request.path).toBe('/start')
    for (const name of names) expect(request.headers[name], name).toBe(SECRETS[name as keyof typeof SECRETS])
  }
  // …and none of them reached the other origin, on the first connection or any reconnect.
  for (const request of other) {
    for (const name of names) expect(request.headers[name], `${name} at the other origin`).toBeUndefined()
  }
  // The reconnects still resume: Last-Event-ID reaches the stream through the redirect.
  expect(other.slice(1, CONNECTIONS).map((request) => request.headers['last-event-id'])).toEqual(['1', '2'])
}

describe.each(Object.keys(layouts))('a redirect to %s', (layoutName) => {
  test.each(STATUSES)('%i: static Authorization, Cookie and Proxy-Authorization stay at the named origin', async (status) => {
    const layout = await layouts[layoutName]!(status)
    useFakeClock()
    const source = open(layout.start, {headers: SECRETS, reconnect: {initialDelay: 10}})
    skipReconnectDelays(source)
    recordEvents(source)
    await expectCredentialsOnlyAtNamedOrigin(layout, Object.keys(SECRETS))
  })

  test.each(STATUSES)('%i: a headers function is told the named URL every time, and its headers stay there', async (status) => {
    const layout = await layouts[layoutName]!(status)
    const contexts: HeadersContext[] = []
    useFakeClock()
    const source = open(layout.start, {
      headers: async (context) => {
        contexts.push(context)
        return SECRETS
      },
      reconnect: {initialDelay: 10},
    })
    skipReconnectDelays(source)
    await expectCredentialsOnlyAtNamedOrigin(layout, Object.keys(SECRETS))
    expect(contexts.length).toBeGreaterThanOrEqual(CONNECTIONS)
    expect(new Set(contexts.map((context) => context.url))).toEqual(new Set([source.url]))
  })

  test.each(STATUSES)('%i: a fetch wrapper that adds Authorization is only ever called with the named URL', async (status) => {
    const layout = await layouts[layoutName]!(status)
    const urls: string[] = []
    // The pattern docs/migrating.md shows for users of the `eventsource` package.
    const withToken: FetchLike = (url, init) => {
      urls.push(url)
      return fetch(url, {...init, headers: {...init.headers, Authorization: SECRETS.authorization}})
    }
    useFakeClock()
    const source = open(layout.start, {fetch: withToken, reconnect: {initialDelay: 10}})
    skipReconnectDelays(source)
    await expectCredentialsOnlyAtNamedOrigin(layout, ['authorization'])
    expect(new Set(urls)).toEqual(new Set([source.url]))
  })
})

test('a temporary redirect can be taken back: the next reconnect follows what the named origin says now', async () => {
  const streams: string[] = []
  const stream = (name: string) => async (_req: unknown, res: Parameters<typeof startSse>[0]) => {
    streams.push(name)
    const sse = startSse(res)
    await sse.send({retry: 10, data: name})
    await sse.end()
  }
  const elsewhere = await serve({'/stream': stream('elsewhere')})
  let redirecting = true
  const first = await serve({
    '/start': (req, res, context) => {
      if (redirecting) return redirect(`${elsewhere.url}stream`, 302)(req, res, context)
      return stream('home')(req, res)
    },
  })
  useFakeClock()
  const source = open(`${first.url}start`, {reconnect: {initialDelay: 10}})
  skipReconnectDelays(source)
  const {log} = recordEvents(source, ['message'])
  await waitFor(() => log.length === 1, 'the first message')
  redirecting = false
  await waitFor(() => log.length >= 3, 'two more messages')
  expect(streams.slice(0, 3)).toEqual(['elsewhere', 'home', 'home'])
})

// The first connection's redirect, as fetch follows it: Authorization is stripped on a cross-origin
// redirect (the fetch spec; Node's fetch, undici, also strips Cookie and Proxy-Authorization, as
// the tests above show), and kept within the origin; other headers go along, as fetch sends them.
describe('a redirect to another origin', () => {
  test.each([301, 302, 307, 308] as const)('%i: Authorization is not carried there; other headers are, as fetch sends them', async (status) => {
    const other = await serve({'/stream': (_req, res) => void startSse(res).send({data: 'from the other origin'})})
    const first = await serve({'/start': redirect(`${other.url}stream`, status)})
    expect(other.origin).not.toBe(first.origin)
    const source = open(`${first.url}start`, {headers: {Authorization: 'Bearer secret', 'X-Trace': 't1'}})
    const {log} = recordEvents(source, ['open', 'message'])
    await waitFor(() => log.length === 2, 'the message')
    expect(first.requests.map((request) => request.headers.authorization)).toEqual(['Bearer secret'])
    const [redirected] = other.requests
    expect(redirected?.headers.authorization).toBeUndefined()
    // Only Authorization is removed on a cross-origin redirect: a secret in another header would go on.
    expect(redirected?.headers['x-trace']).toBe('t1')
  })

  test('a redirect within the origin keeps Authorization', async () => {
    const server = await serve({
      '/start': redirect('/stream', 302),
      '/stream': (_req, res) => void startSse(res).send({data: 'same origin'}),
    })
    const source = open(`${server.url}start`, {headers: {Authorization: 'Bearer secret'}})
    const {log} = recordEvents(source, ['message'])
    await waitFor(() => log.length === 1, 'the message')
    expect(server.requests.map((request) => [request.path, request.headers.authorization])).toEqual([
      ['/start', 'Bearer secret'],
      ['/stream', 'Bearer secret'],
    ])
  })
})
