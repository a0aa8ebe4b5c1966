// Security (issue 6) in real Chromium, which has the cookie jar Node's fetch lacks. Two servers on
// 127.0.0.1 are two origins (ports differ) but one site, so a cookie of the stream's host is one the
// browser could send: it goes only when the source asks (`withCredentials`, `credentials: 'include'`),
// as with the browser's own EventSource. An `Authorization` header is dropped on a redirect to the
// other origin, and event data that looks like markup or script is delivered as a string, never run.
import {afterAll, beforeAll, describe, expect, test} from 'vitest'
import {useChromium, type WatchedPage} from '../support/chromium.js'
import {assertBuilt, distDir} from '../support/paths.js'
import {redirect, respond, serveDirectory, startServer, startSse, type RecordedRequest, type TestServer} from '../support/sse-server.js'

declare global {
  interface Window {
    security?: {
      open(name: string, url: string, init: Record<string, unknown> | undefined, native?: boolean): void
      logs: Record<string, string[]>
      pwned: boolean
    }
  }
}

const pageHtml = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>streamsource security</title>
<link rel="icon" href="data:,">
<script type="module">
import {EventSource} from '/dist/index.js'
const logs = {}
window.security = {
  logs,
  pwned: false,
  open(name, url, init, native) {
    const source = native ? new window.EventSource(url, init) : new EventSource(url, init)
    logs[name] = []
    for (const type of ['open', 'message', 'error']) {
      source.addEventListener(type, (event) => {
        logs[name].push(type + (typeof event.data === 'string' ? ' ' + event.data : '') + (type === 'error' ? ' ' + source.readyState : ''))
        if (type === 'error') source.close()
      })
    }
  },
}
</script>
</head>
<body><p>Driven by test/browser/security.test.ts.</p></body>
</html>
`

/** Strings that would run if anything evaluated them or inserted them as markup. */
const payloads = [
  'alert(1)',
  '</script><script>window.security.pwned = true</script>',
  '<img src=x onerror="window.security.pwned = true">',
  'javascript:window.security.pwned = true',
]

describe('in Chromium', {timeout: 30_000}, () => {
  let page: TestServer
  let streams: TestServer

  beforeAll(async () => {
    assertBuilt()
    streams = await startServer({
      // CORS for the page's origin, credentials allowed, so that only the request decides about the cookie.
      '/stream': (req, res) => {
        const stream = startSse(res, {
          headers: {'Access-Control-Allow-Origin': req.headers.origin ?? '*', 'Access-Control-Allow-Credentials': 'true'},
        })
        void stream.send({data: 'hello'})
      },
      '/payloads': (req, res) => {
        const stream = startSse(res, {headers: {'Access-Control-Allow-Origin': req.headers.origin ?? '*'}})
        void stream.write(payloads.map((payload) => `data: ${payload}\n\n`).join(''))
      },
    })
    page = await startServer({
      'GET /': respond(200, pageHtml, {'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store'}),
      'GET /dist/*': serveDirectory(distDir, '/dist'),
      'GET /start': (req, res, context) => redirect(`${streams.url}stream${context.url.search}`, 302)(req, res, context),
    })
  })
  const chromium = useChromium()

  afterAll(async () => {
    await Promise.all([page?.close(), streams?.close()])
  })

  /** The page, with a `session` cookie for the stream server's host in its fresh context. */
  async function openPage(): Promise<WatchedPage> {
    const watched = await chromium.openPage(page.url, {ready: () => window.security !== undefined})
    await watched.context.addCookies([{name: 'session', value: 's3cret', url: streams.origin}])
    return watched
  }

  /** Opens a source named `name` on the page and waits until it logged `count` entries. */
  async function openSource(
    watched: WatchedPage,
    name: string,
    url: string,
    init?: Record<string, unknown>,
    {native = false, count = 2} = {},
  ): Promise<string[]> {
    await watched.page.evaluate(([n, u, i, nat]) => window.security?.open(n, u, i, nat), [name, url, init, native] as const)
    await watched.page.waitForFunction(([n, c]) => (window.security?.logs[n]?.length ?? 0) >= c, [name, count] as const, {
      timeout: 10_000,
    })
    return watched.page.evaluate((n) => window.security?.logs[n] ?? [], name)
  }

  function requestFor(name: string): RecordedRequest | undefined {
    return streams.requests.find((request) => request.url.endsWith(`?name=${name}`))
  }

  test('the premise: the page and the streams are two origins of one site', () => {
    expect(new URL(page.origin).hostname).toBe(new URL(streams.origin).hostname)
    expect(page.origin).not.toBe(streams.origin)
  })

  test.each([
    ['default', undefined, false],
    ['withCredentials', {withCredentials: true}, true],
    ['include', {credentials: 'include'}, true],
    ['omit-overrides', {withCredentials: true, credentials: 'omit'}, false],
    ['same-origin', {credentials: 'same-origin'}, false],
  ] as const)('the cookie goes cross-origin only when asked: %s', async (name, init, sent) => {
    const watched = await openPage()
    const log = await openSource(watched, name, `${streams.url}stream?name=${name}`, init)
    expect(log).toEqual(['open', 'message hello'])
    expect(requestFor(name)?.headers.cookie).toBe(sent ? 'session=s3cret' : undefined)
    expect(watched.errors).toEqual([])
  })

  test('the browser’s own EventSource sends the cookie the same way', async () => {
    const watched = await openPage()
    await openSource(watched, 'native-default', `${streams.url}stream?name=native-default`, undefined, {native: true})
    await openSource(watched, 'native-credentials', `${streams.url}stream?name=native-credentials`, {withCredentials: true}, {native: true})
    expect(requestFor('native-default')?.headers.cookie).toBeUndefined()
    expect(requestFor('native-credentials')?.headers.cookie).toBe('session=s3cret')
  })

  test('Authorization goes to the page’s origin, and is dropped on the redirect to the other one', async () => {
    const watched = await openPage()
    const log = await openSource(watched, 'redirected', `${page.url}start?name=redirected`, {
      headers: {Authorization: 'Bearer secret'},
    })
    expect(log).toEqual(['open', 'message hello'])
    const start = page.requests.find((request) => request.url === '/start?name=redirected')
    expect(start?.headers.authorization).toBe('Bearer secret')
    const redirected = requestFor('redirected')
    expect(redirected).toBeDefined()
    expect(redirected?.headers.authorization).toBeUndefined()
  })

  test('data that looks like markup or script arrives as the same string and nothing runs', async () => {
    const watched = await openPage()
    const dialogs: string[] = []
    watched.page.on('dialog', (dialog) => {
      dialogs.push(dialog.message())
      void dialog.dismiss()
    })
    const log = await openSource(watched, 'payloads', `${streams.url}payloads`, undefined, {count: 1 + payloads.length})
    expect(log).toEqual(['open', ...payloads.map((payload) => `message ${payload}`)])
    expect(await watched.page.evaluate(() => window.security?.pwned)).toBe(false)
    expect(dialogs).toEqual([])
    expect(watched.errors).toEqual([])
  })
})
