// A Worker (ES module syntax) for the workerd smoke suite (test/runtime-workerd.test.ts): for a
// request `/?base=URL&other=URL`, it uses the package against the local SSE servers at those URLs
// and answers with what it saw, as JSON, for the test to check. Bundled by esbuild with the
// conditions a Workers bundler (wrangler) uses, so `streamsource` resolves as it would there.
import {EventSource, EventSourceParserStream, HTTPError, createParser} from 'streamsource'

/** Rejects after `ms`: a scenario that hangs reports that instead of holding the request. */
function within(ms, what, promise) {
  let timer
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: nothing after ${ms} ms`)), ms)
  })
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer))
}

/** The first `count` messages of a new EventSource on `url`, then it is closed. */
async function messages(url, count, init) {
  const source = new EventSource(url, init)
  const seen = []
  const errors = []
  let listenerCalls = 0
  source.addEventListener('message', () => listenerCalls++)
  try {
    await within(
      3000,
      url,
      new Promise((resolve) => {
        source.onmessage = (event) => {
          seen.push({data: event.data, lastEventId: event.lastEventId, origin: event.origin, isMessageEvent: event instanceof MessageEvent})
          if (seen.length === count) resolve()
        }
        source.onerror = (event) => errors.push({willReconnect: event.willReconnect, delay: event.reconnectDelay})
      }),
    )
  } finally {
    source.close()
  }
  return {messages: seen, errors, readyState: source.readyState, listenerCalls}
}

const scenarios = {
  /** id, retry and the reconnect with Last-Event-ID, through setTimeout inside a request. */
  resume: ({base}) => messages(`${base}resume?key=resume&retry=50`, 2),

  /** Headers and a POST body go out. */
  post: async ({base}) => {
    const {messages: [echo]} = await messages(`${base}echo?key=post`, 1, {
      method: 'POST',
      body: 'héllo',
      headers: async () => ({Authorization: 'Bearer w'}),
    })
    const sent = JSON.parse(echo.data)
    return {method: sent.method, body: sent.body, authorization: sent.headers.authorization}
  },

  /** A 404 fails the source with an HTTPError carrying the response. */
  status: ({base}) => {
    const source = new EventSource(`${base}status?key=status&code=404`)
    return within(
      3000,
      'the 404',
      new Promise((resolve) => {
        source.onerror = async (event) => {
          const body = await event.response.text()
          resolve({
            readyState: source.readyState,
            willReconnect: event.willReconnect,
            code: event.code,
            httpError: event.cause instanceof HTTPError,
            status: event.cause.status,
            body,
          })
        }
      }),
    )
  },

  /** Where a redirect's Authorization goes is up to the runtime's fetch: the test checks the servers' records. */
  redirect: ({base, other}) =>
    messages(`${base}redirect?key=redirect&to=${encodeURIComponent(`${other}ending?key=redirect&retry=10`)}`, 2, {
      headers: {Authorization: 'Bearer secret'},
    }),

  /** EventSourceParserStream on a fetch body cut inside characters. */
  parserStream: async ({base}) => {
    const response = await fetch(`${base}utf8?key=stream&end=1`)
    const reader = response.body.pipeThrough(new EventSourceParserStream()).getReader()
    const events = []
    for (;;) {
      const {done, value} = await within(3000, 'the parser stream', reader.read())
      if (done) return events
      events.push(value)
    }
  },

  /** createParser on one byte per chunk. */
  parser: async () => {
    const events = []
    const parser = createParser({onEvent: (event) => events.push(event)})
    for (const byte of new TextEncoder().encode('id: 1\ndata: ü😀\n\n')) parser.feed(Uint8Array.of(byte))
    return events
  },
}

export default {
  async fetch(request) {
    const params = new URL(request.url).searchParams
    const urls = {base: params.get('base'), other: params.get('other')}
    const results = {}
    // One after another: the servers' records are per scenario key, and a Worker's concurrent
    // subrequests are limited.
    for (const [name, scenario] of Object.entries(scenarios)) {
      try {
        results[name] = {ok: true, value: await scenario(urls)}
      } catch (error) {
        results[name] = {ok: false, error: String(error?.stack ?? error)}
      }
    }
    return Response.json(results)
  },
}
