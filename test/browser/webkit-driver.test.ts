// The WebKit driver (test/support/webkit.ts: WebKitGTK's MiniBrowser under Xvfb, over WebDriver)
// does what the browser tests ask of an engine's page: evaluate with an argument and a promise,
// poll, cookies, errors (CSP violations included) from pages served under
// `Content-Security-Policy: script-src 'self'`, a page without `Promise` driven from its parent
// frame, and event streams with both WebKit's own EventSource and the library's module build.
// Last, that closing the session leaves no process behind.
import {execFileSync} from 'node:child_process'
import {fileURLToPath} from 'node:url'
import {afterAll, beforeAll, describe, expect, test} from 'vitest'
import {assertBuilt, distDir} from '../support/paths.js'
import {serveDirectory, servePage, startServer, startSse, type TestServer} from '../support/sse-server.js'
import {launchWebKit, type EnginePage, type WebKitSession} from '../support/webkit.js'

const webkitDir = fileURLToPath(new URL('./webkit/', import.meta.url))
const legacyDir = fileURLToPath(new URL('./legacy/', import.meta.url))

declare global {
  interface Window {
    /** The library's EventSource, from /webkit/library.js. */
    LibraryEventSource?: typeof EventSource
    inlineRan?: boolean
  }
}

/** What /legacy-host and its stripped /legacy frame define (legacy/host.js, strip-modern.js, collect.js). */
interface LegacyFrame {
  stripped: string[]
  transportCounts: {xhr: number; fetch: number}
  collect(url: string): Promise<{reason: string; opens: number; data: string[]; ids: string[]}>
}

interface Seen {
  reason: 'done' | 'failed' | 'timeout'
  opens: number
  data: string[]
  ids: string[]
  /** readyState at each error. */
  errors: number[]
}

/** Runs in the page: streams `url` with the browser's or the library's EventSource until a `done` event. */
function collect({url, library}: {url: string; library: boolean}): Promise<Seen> {
  const Implementation = library ? window.LibraryEventSource! : window.EventSource
  return new Promise((resolve) => {
    const source = new Implementation(url)
    const seen: Seen = {reason: 'timeout', opens: 0, data: [], ids: [], errors: []}
    const finish = (reason: Seen['reason']) => {
      clearTimeout(timer)
      source.close()
      resolve({...seen, reason})
    }
    const timer = setTimeout(() => finish('timeout'), 10_000)
    source.onopen = () => seen.opens++
    source.onmessage = (event) => {
      seen.data.push(event.data)
      seen.ids.push(event.lastEventId)
    }
    source.onerror = () => {
      seen.errors.push(source.readyState)
      if (source.readyState === EventSource.CLOSED) finish('failed')
    }
    source.addEventListener('done', () => finish('done'))
  })
}

let server: TestServer
let webkit: WebKitSession

const requestsFor = (run: string) => server.requests.filter((request) => request.url === `/events?run=${run}`)

beforeAll(async () => {
  assertBuilt()
  server = await startServer({
    'GET /page': servePage('WebKit driver smoke test', '<script type="module" src="/webkit/library.js"></script>', '<p>WebKit</p>'),
    'GET /legacy': servePage(
      'A page without Promise',
      ['/legacy/strip-modern.js', '/legacy/count-transports.js', '/dist/streamsource.global.min.js', '/legacy/collect.js']
        .map((src) => `<script src="${src}"></script>`)
        .join(''),
      '',
    ),
    'GET /legacy-host': servePage('Its host', '', '<iframe src="/legacy"></iframe><script src="/legacy/host.js"></script>'),
    'GET /webkit/*': serveDirectory(webkitDir, '/webkit/'),
    'GET /legacy/*': serveDirectory(legacyDir, '/legacy/'),
    'GET /dist/*': serveDirectory(distDir, '/dist/'),
    // Two events and the end of the stream; the reconnect (with Last-Event-ID) gets one more and `done`.
    'GET /events': async (req, res) => {
      const stream = startSse(res)
      if (req.headers['last-event-id'] === undefined) {
        await stream.write('retry: 50\nid: 1\ndata: one\n\nid: 2\ndata: two\n\n')
        await stream.end()
      } else {
        await stream.write('data: three\n\nevent: done\ndata: x\n\n')
        await stream.closed
      }
    },
  })
  webkit = await launchWebKit()
}, 60_000)

afterAll(async () => {
  await webkit?.close()
  await server?.close()
})

/**
 * Resolves once `page.errors` has `count` entries: they reach it with the result of the next
 * driver call, so this keeps making one, as a test that waits for an error has to.
 */
async function errorsReach(page: EnginePage, count: number): Promise<void> {
  const deadline = Date.now() + 5000
  while (page.errors.length < count) {
    if (Date.now() > deadline) throw new Error(`Expected ${count} errors, got ${JSON.stringify(page.errors)}`)
    // A real wait, in WebKit: the errors come with a driver call's result, and the page's clock is WebKit's own.
    await page.evaluate(() => new Promise((resolve) => setTimeout(resolve, 20)), null)
  }
}

/** A page at /page with the library's module loaded. */
async function openPage(): Promise<EnginePage> {
  const page = await webkit.newPage()
  // WebDriver cannot see the response, so the page proves its policy below, by what it blocks.
  expect(await page.goto(`${server.origin}/page`)).toEqual({})
  await page.waitFor(() => document.documentElement.dataset['ready'] === 'true')
  return page
}

describe('the WebKit driver', {timeout: 60_000}, () => {
  let page: EnginePage

  beforeAll(async () => {
    page = await openPage()
  }, 60_000)

  afterAll(async () => {
    await page?.close()
  })

  test('is WebKit, and evaluates a function with an argument, awaiting the promise it returns', async () => {
    expect(page.engine).toBe('webkit')
    expect(await page.evaluate(() => navigator.userAgent, undefined)).toMatch(/AppleWebKit\/[\d.]+ \(KHTML, like Gecko\)/)
    const result = await page.evaluate(
      async ({items, factor}) => {
        // A real wait, in WebKit: what is checked is a promise that settles on the page's own (real) clock.
        await new Promise((resolve) => setTimeout(resolve, 20))
        return {products: items.map((item) => item * factor), title: document.title, text: 'é→😀'}
      },
      {items: [1, 2, 3], factor: 7},
    )
    expect(result).toEqual({products: [7, 14, 21], title: 'WebKit driver smoke test', text: 'é→😀'})
    expect(await page.evaluate(() => undefined, null)).toBeUndefined()
    expect(await page.evaluate((value) => value, null)).toBeNull()
  })

  test('rejects when the function throws or its promise rejects, without counting that as a page error', async () => {
    await expect(page.evaluate(() => {
      throw new TypeError('thrown on purpose')
    }, null)).rejects.toThrow(/TypeError: thrown on purpose/)
    await expect(page.evaluate(() => Promise.reject(new RangeError('rejected on purpose')), null)).rejects.toThrow(/RangeError: rejected on purpose/)
    expect(page.errors).toEqual([])
  })

  test('waitFor polls until the function is truthy, and rejects after its timeout', async () => {
    await page.evaluate(() => void setTimeout(() => (document.body.dataset['late'] = 'yes'), 200), null)
    const started = Date.now()
    await page.waitFor(() => document.body.dataset['late'] === 'yes', 5000)
    expect(Date.now() - started).toBeGreaterThanOrEqual(150)
    await expect(page.waitFor(() => false, 300)).rejects.toThrow(/timed out after 300 ms/)
  })

  test('reports a CSP violation, an uncaught exception and a console.error, in order', async () => {
    // An inline script: `script-src 'self'` blocks it, so it never runs.
    await page.evaluate(() => {
      const script = document.createElement('script')
      script.textContent = 'window.inlineRan = true'
      document.body.append(script)
    }, null)
    await errorsReach(page, 1)
    await page.evaluate(() => void setTimeout(() => {
      throw new Error('uncaught on purpose')
    }), null)
    await errorsReach(page, 2)
    await page.evaluate(() => console.error('logged on purpose', 42), null)
    expect(await page.evaluate(() => window.inlineRan ?? false, null)).toBe(false)
    expect(page.errors).toHaveLength(3)
    expect(page.errors[0]).toMatch(/^csp: script-src(-elem)? blocked inline\b/)
    expect(page.errors.slice(1)).toEqual(['uncaught: uncaught on purpose', 'console.error: logged on purpose 42'])
  })

  test("WebKit's own EventSource streams from the local server and reconnects with Last-Event-ID", async () => {
    const seen = await page.evaluate(collect, {url: '/events?run=native', library: false})
    expect(seen).toEqual({reason: 'done', opens: 2, data: ['one', 'two', 'three'], ids: ['1', '2', '2'], errors: [0]})
    expect(requestsFor('native').map((request) => request.headers['last-event-id'])).toEqual([undefined, '2'])
  })

  test("the library's module build (dist/index.js, <script type=module>) does the same", async () => {
    expect(await page.evaluate(() => window.LibraryEventSource !== window.EventSource && typeof window.LibraryEventSource, null)).toBe('function')
    const seen = await page.evaluate(collect, {url: '/events?run=library', library: true})
    expect(seen).toEqual({reason: 'done', opens: 2, data: ['one', 'two', 'three'], ids: ['1', '2', '2'], errors: [0]})
    expect(requestsFor('library').map((request) => request.headers['last-event-id'])).toEqual([undefined, '2'])
    expect(page.errors).toHaveLength(3)
  })
})

test('addCookie: the cookie goes with the page\'s requests, and a new page does not have it', async () => {
  const withCookie = await webkit.newPage()
  const without = await webkit.newPage()
  try {
    // Before any navigation, as openHarnessPage does it: the driver stands on a page of its own first.
    await withCookie.addCookie({name: 'session', value: 'webkit', domain: '127.0.0.1'})
    for (const page of [withCookie, without]) {
      await page.goto(`${server.origin}/page`)
      await page.waitFor(() => document.documentElement.dataset['ready'] === 'true')
    }
    const runs = {withCookie: 'cookie', without: 'no-cookie'}
    await withCookie.evaluate(collect, {url: `/events?run=${runs.withCookie}`, library: false})
    await without.evaluate(collect, {url: `/events?run=${runs.without}`, library: true})
    expect(requestsFor(runs.withCookie).map((request) => request.headers.cookie)).toEqual(['session=webkit', 'session=webkit'])
    expect(requestsFor(runs.without).map((request) => request.headers.cookie)).toEqual([undefined, undefined])
    // On the page's own host it is set in place, without leaving the page.
    await without.addCookie({name: 'later', value: 'here', domain: '127.0.0.1'})
    expect(await without.evaluate(() => [document.cookie, document.title], null)).toEqual(['later=here', 'WebKit driver smoke test'])
  } finally {
    await Promise.all([withCookie.close(), without.close()])
  }
}, 60_000)

test('a page whose Promise was deleted cannot be driven itself, and is driven from its parent frame', async () => {
  const page = await webkit.newPage()
  try {
    await page.goto(`${server.origin}/legacy`)
    // WebKitWebDriver's own script wrapper needs the page's global Promise.
    await expect(page.evaluate(() => 1, null)).rejects.toThrow(/Promise/)
    await page.goto(`${server.origin}/legacy-host`)
    await page.waitFor(() => document.documentElement.dataset['ready'] === 'true')
    const stripped = await page.evaluate(() => (window as unknown as {legacy(): LegacyFrame}).legacy().stripped, null)
    expect(stripped).toContain('Promise')
    expect(stripped).toContain('EventSource')
    const seen = await page.evaluate(async (run) => await (window as unknown as {legacy(): LegacyFrame}).legacy().collect(`/events?run=${run}`), 'legacy')
    expect(seen).toMatchObject({reason: 'done', opens: 2, data: ['one', 'two', 'three'], ids: ['1', '2', '2']})
    expect(await page.evaluate(() => (window as unknown as {legacy(): LegacyFrame}).legacy().transportCounts, null)).toEqual({xhr: 2, fetch: 0})
    expect(requestsFor('legacy').map((request) => request.headers['last-event-id'])).toEqual([undefined, '2'])
    expect(page.errors).toEqual([])
  } finally {
    await page.close()
  }
}, 60_000)

test('openTab(): another window of the same browser, sharing its storage; each page acts in its own window, even called at once', async () => {
  const first = await webkit.newPage()
  try {
    const second = await first.openTab()
    await Promise.all([first.goto(`${server.origin}/page?first`), second.goto(`${server.origin}/page?second`)])
    // Each command switches to its page's window, one page at a time.
    const searches = await Promise.all([first, second, first, second].map((page) => page.evaluate(() => location.search, null)))
    expect(searches).toEqual(['?first', '?second', '?first', '?second'])
    await first.evaluate(() => localStorage.setItem('tab', 'first'), null)
    expect(await second.evaluate(() => localStorage.getItem('tab'), null)).toBe('first')
    // Closing one window leaves the other, and the browser, running.
    await second.close()
    expect(await first.evaluate(() => location.search, null)).toBe('?first')
    expect(first.errors).toEqual([])
  } finally {
    await first.close()
  }
}, 60_000)

test('close() leaves no Xvfb, WebKitWebDriver, MiniBrowser or web process running', async () => {
  const groups = webkit.processGroups()
  // Xvfb, and the five browsers opened above (a tab is a window of its browser, not one of its own).
  expect(groups.length).toBe(6)
  await webkit.close()
  // Processes that ended may stay as zombies until init reaps them; none may still run.
  const running = execFileSync('ps', ['-eo', 'pgid=,stat=,args='], {encoding: 'utf8'})
    .split('\n')
    .map((line) => line.trim().split(/\s+/))
    .filter(([pgid, stat]) => pgid !== undefined && groups.includes(Number(pgid)) && !stat?.startsWith('Z'))
  expect(running).toEqual([])
  expect(server.errors).toEqual([])
}, 60_000)
