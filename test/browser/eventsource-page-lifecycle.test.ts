// `reconnectOnPageEvents()` in real Chromium: a source waiting out a long reconnection delay
// (`retry: 60000`) reconnects at once when the browser itself says waiting no longer makes sense:
// the network came back (`online`), a hidden page became visible, or the page came back from the
// back/forward cache (`pageshow` with `persisted`). Off by default, and events a script
// dispatches (untrusted) do nothing.
//
// Chromium is started here rather than by test/support/chromium.ts, and attached with
// `connectOverCDP(..., {noDefaults: true})`: Playwright turns on focus emulation for every page it
// sets up, which keeps pages visible whatever happens, and launches with
// --disable-back-forward-cache. Pages in the default context of a browser attached this way are
// left alone, so tabs really hide each other and the bfcache really restores pages.
import {spawn, type ChildProcess} from 'node:child_process'
import {mkdtemp, readFile, rm} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {chromium as playwrightChromium, type Browser, type BrowserContext, type Page} from 'playwright-core'
import {afterAll, afterEach, beforeAll, describe, expect, test} from 'vitest'
import {chromiumArgs} from '../support/chromium.js'
import {assertBuilt, distDir} from '../support/paths.js'
import {delay, serveDirectory, startServer, startSse, type RecordedRequest, type SseStream, type TestServer} from '../support/sse-server.js'

// What the page below puts on window.
declare global {
  interface Window {
    lifecycle?: {
      open(name: string, url: string, init: {reconnectOnPageEvents?: boolean}): void
      /** Each source's events by name, as `type readyState [data]`. */
      logs: Record<string, string[]>
      /** online/offline, visibilitychange, pageshow/pagehide, with isTrusted or persisted. */
      pageLog: string[]
    }
  }
}

// Served without `Cache-Control: no-store`, which would keep the page out of the bfcache.
const pageHtml = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>streamsource page lifecycle</title>
<link rel="icon" href="data:,">
<script type="module">
import {EventSource, reconnectOnPageEvents} from '/dist/index.js'
const logs = {}
const pageLog = []
window.lifecycle = {
  logs,
  pageLog,
  open(name, url, init) {
    const source = new EventSource(url, init.reconnectOnPageEvents ? {extensions: [reconnectOnPageEvents()]} : {})
    logs[name] = []
    for (const type of ['open', 'message', 'error']) {
      source.addEventListener(type, (event) => {
        logs[name].push(type + ' ' + source.readyState + (event.data === undefined ? '' : ' ' + event.data))
      })
    }
  },
}
for (const type of ['online', 'offline']) {
  addEventListener(type, (event) => pageLog.push(type + ' trusted=' + event.isTrusted))
}
document.addEventListener('visibilitychange', (event) => {
  pageLog.push('visibilitychange ' + document.visibilityState + ' trusted=' + event.isTrusted)
})
for (const type of ['pageshow', 'pagehide']) {
  addEventListener(type, (event) => pageLog.push(type + ' persisted=' + event.persisted + ' trusted=' + event.isTrusted))
}
</script>
</head>
<body><p>Driven by test/browser/eventsource-page-lifecycle.test.ts.</p></body>
</html>
`

const LONG_RETRY = 60_000
/** What "at once" means here: far below LONG_RETRY, with room for a busy machine. */
const PROMPTLY = 5_000
/** How long a source that should keep waiting is watched for a reconnect it should not make. */
const QUIET_PERIOD = 1_500

/** The open /hold streams by key, for a test to write to later. */
const heldStreams = new Map<string, SseStream>()

/**
 * /stream?key=K: K's first connection sends `retry: 60000` and one event, then ends, so the
 * source waits a minute before reconnecting; later connections send one event and stay open.
 * /hold?key=K sends one event and stays open.
 */
async function startLifecycleServer(): Promise<TestServer> {
  const connections = new Map<string, number>()
  return startServer({
    'GET /hold': async (_req, res, {url}) => {
      const stream = startSse(res)
      heldStreams.set(url.searchParams.get('key') ?? '', stream)
      await stream.send({data: 'held'})
    },
    'GET /stream': async (_req, res, {url}) => {
      const key = url.searchParams.get('key') ?? ''
      const count = (connections.get(key) ?? 0) + 1
      connections.set(key, count)
      const stream = startSse(res)
      if (count === 1) {
        await stream.send({retry: LONG_RETRY, data: 'first'})
        await stream.end()
      } else {
        await stream.send({data: `connection ${count}`})
      }
    },
    'GET /page': (_req, res) => {
      res.writeHead(200, {'Content-Type': 'text/html; charset=utf-8'})
      res.end(pageHtml)
    },
    'GET /other': (_req, res) => {
      res.writeHead(200, {'Content-Type': 'text/html; charset=utf-8'})
      res.end('<!doctype html><title>other</title><link rel="icon" href="data:,"><p>elsewhere</p>')
    },
    'GET /dist/*': serveDirectory(distDir, '/dist'),
  })
}

function streamRequests(server: TestServer, key: string): RecordedRequest[] {
  return server.requests.filter((request) => request.url === `/stream?key=${key}`)
}

async function loadPage(page: Page, server: TestServer): Promise<void> {
  await page.goto(`${server.url}page`)
  await page.waitForFunction(() => window.lifecycle !== undefined, undefined, {timeout: 10_000})
}

/** Opens a source on /stream?key=K and waits until it is waiting out the minute-long retry. */
async function openWaitingSource(page: Page, server: TestServer, key: string, reconnectOnPageEvents?: boolean) {
  const init = reconnectOnPageEvents === undefined ? {} : {reconnectOnPageEvents}
  await page.evaluate(([name, url, options]) => window.lifecycle?.open(name, url, options), [key, `${server.url}stream?key=${key}`, init] as const)
  await waitForLog(page, key, ['open 1', 'message 1 first', 'error 0'])
}

async function waitForLog(page: Page, key: string, expected: string[]): Promise<void> {
  await expect
    .poll(() => page.evaluate((name) => window.lifecycle?.logs[name], key), {timeout: 10_000, interval: 50})
    .toEqual(expected)
}

async function waitForPageLog(page: Page, entry: string): Promise<void> {
  await expect
    .poll(() => page.evaluate(() => window.lifecycle?.pageLog), {timeout: 10_000, interval: 50})
    .toContain(entry)
}

/** The second request for `key`, which must come within PROMPTLY ms of `since` (performance.now()). */
async function expectPromptReconnect(server: TestServer, key: string, since: number): Promise<void> {
  const requests = await server.waitForRequests(2, {filter: (request) => request.url === `/stream?key=${key}`, timeout: PROMPTLY + 5_000})
  expect(requests).toHaveLength(2)
  expect(requests[1]!.time - since).toBeLessThan(PROMPTLY)
}

/** Real offline then online events: Playwright's network emulation fires them, trusted. */
async function goOfflineAndBack(context: BrowserContext, page: Page): Promise<number> {
  await context.setOffline(true)
  await waitForPageLog(page, 'offline trusted=true')
  const since = performance.now()
  await context.setOffline(false)
  await waitForPageLog(page, 'online trusted=true')
  return since
}

interface CdpChromium {
  browser: Browser
  /** The default context: the one whose pages `noDefaults` leaves without focus emulation. */
  context: BrowserContext
  close(): Promise<void>
}

/** scripts/chromium-path.mjs, as test/support/chromium.ts finds it. */
async function findChromium(): Promise<string | undefined> {
  const specifier = new URL('../../scripts/chromium-path.mjs', import.meta.url).href
  const module = (await import(specifier)) as {findChromium(): string | undefined}
  return module.findChromium()
}

/** Chromium started by hand with a DevTools port, attached over CDP without Playwright's page defaults. */
async function launchCdpChromium(): Promise<CdpChromium> {
  const executablePath = await findChromium()
  if (!executablePath) throw new Error('No Chromium found: install Debian\'s `chromium` or set CHROMIUM_PATH.')
  const profile = await mkdtemp(join(tmpdir(), 'streamsource-lifecycle-'))
  // Its own process group, so that it and its helpers can be killed together should it hang.
  const child: ChildProcess = spawn(
    executablePath,
    [...chromiumArgs, '--remote-debugging-port=0', `--user-data-dir=${profile}`, 'about:blank'],
    {detached: true, stdio: 'ignore'},
  )
  const exited = new Promise<void>((resolveExit) => child.once('exit', () => resolveExit()))
  let exitedEarly = false
  void exited.then(() => (exitedEarly = true))

  const killAndClean = async (): Promise<void> => {
    if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) {
      try {
        process.kill(-child.pid, 'SIGKILL')
      } catch {
        // Already gone.
      }
    }
    await Promise.race([exited, delay(5_000)])
    await rm(profile, {recursive: true, force: true})
  }

  try {
    // Chromium writes its port, then the browser target's path, once DevTools listens.
    let endpoint: string | undefined
    const deadline = performance.now() + 20_000
    while (endpoint === undefined) {
      if (exitedEarly) throw new Error('Chromium exited before DevTools listened')
      if (performance.now() > deadline) throw new Error('Timed out waiting for Chromium\'s DevTools port')
      const text = await readFile(join(profile, 'DevToolsActivePort'), 'utf8').catch(() => '')
      const [port, path] = text.split('\n')
      if (port && path) endpoint = `ws://127.0.0.1:${port}${path}`
      else await delay(50)
    }
    const browser = await playwrightChromium.connectOverCDP(endpoint, {noDefaults: true, timeout: 20_000})
    const context = browser.contexts()[0]
    if (context === undefined) throw new Error('No default context over CDP')
    return {
      browser,
      context,
      async close() {
        // Browser.close ends the process cleanly; killing is the fallback.
        try {
          const session = await browser.newBrowserCDPSession()
          await Promise.race([session.send('Browser.close'), delay(5_000)])
        } catch {
          // Disconnected already.
        }
        await Promise.race([exited, delay(5_000)])
        await killAndClean()
      },
    }
  } catch (error) {
    await killAndClean()
    throw error
  }
}

describe('reconnectOnPageEvents in Chromium', {timeout: 30_000}, () => {
  let server: TestServer
  let cdp: CdpChromium
  // One page for the whole file, loaded afresh for each test: a new page per test would start a
  // new renderer each time, which costs more than all the rest of a test here.
  let page: Page
  const errors: string[] = []
  const otherPages: Page[] = []

  beforeAll(async () => {
    assertBuilt()
    server = await startLifecycleServer()
    cdp = await launchCdpChromium()
    page = await cdp.context.newPage()
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(`console.error: ${message.text()}`)
    })
    page.on('pageerror', (error) => errors.push(`uncaught: ${error.message}`))
  })

  afterEach(async () => {
    // A failed test may have left the network off or another tab in front.
    await cdp?.context.setOffline(false)
    for (const other of otherPages.splice(0)) await other.close().catch(() => {})
  })

  afterAll(async () => {
    await cdp?.close()
    await server?.close()
  })

  /** A new document (its sources gone with the old one), in front, and no errors from before. */
  async function freshPage(): Promise<{page: Page; context: BrowserContext; errors: string[]}> {
    errors.length = 0
    await page.bringToFront()
    await loadPage(page, server)
    return {page, context: cdp.context, errors}
  }

  test('on: going offline and back online reconnects at once instead of waiting out retry: 60000', async () => {
    const {page, context, errors} = await freshPage()
    await openWaitingSource(page, server, 'online-on', true)
    const since = await goOfflineAndBack(context, page)
    await expectPromptReconnect(server, 'online-on', since)
    await waitForLog(page, 'online-on', ['open 1', 'message 1 first', 'error 0', 'open 1', 'message 1 connection 2'])
    expect(errors).toEqual([])
  })

  test('off (the default): the same online event leaves the source waiting', async () => {
    const {page, context, errors} = await freshPage()
    await openWaitingSource(page, server, 'online-default')
    await openWaitingSource(page, server, 'online-off', false)
    await goOfflineAndBack(context, page)
    await delay(QUIET_PERIOD)
    expect(streamRequests(server, 'online-default')).toHaveLength(1)
    expect(streamRequests(server, 'online-off')).toHaveLength(1)
    expect(await page.evaluate(() => window.lifecycle?.logs)).toEqual({
      'online-default': ['open 1', 'message 1 first', 'error 0'],
      'online-off': ['open 1', 'message 1 first', 'error 0'],
    })
    expect(errors).toEqual([])
  })

  // (A synthetic visibilitychange is left out: this page never stops being visible, so even a
  // trusted one would rightly do nothing here.)
  test('on: synthetic online and pageshow (persisted) events, untrusted, do nothing; a real online then does', async () => {
    const {page, context, errors} = await freshPage()
    await openWaitingSource(page, server, 'synthetic', true)
    await page.evaluate(() => {
      window.dispatchEvent(new Event('online'))
      window.dispatchEvent(new PageTransitionEvent('pageshow', {persisted: true}))
    })
    await delay(QUIET_PERIOD)
    expect(streamRequests(server, 'synthetic')).toHaveLength(1)
    expect(await page.evaluate(() => window.lifecycle?.pageLog)).toEqual([
      'pageshow persisted=false trusted=true', // the page's own load
      'online trusted=false',
      'pageshow persisted=true trusted=false',
    ])

    // The option was live all along: the browser's own online event does reconnect.
    const since = await goOfflineAndBack(context, page)
    await expectPromptReconnect(server, 'synthetic', since)
    expect(errors).toEqual([])
  })

  test('on: a page that is hidden waits; once visible again it reconnects at once (off: it waits)', async () => {
    const {page, errors} = await freshPage()
    expect(await page.evaluate(() => document.visibilityState)).toBe('visible')
    await openWaitingSource(page, server, 'visibility-on', true)
    await openWaitingSource(page, server, 'visibility-off', false)

    // A new tab in the same window hides this one, as switching tabs does.
    const other = await cdp.context.newPage()
    otherPages.push(other)
    await other.bringToFront()
    await waitForPageLog(page, 'visibilitychange hidden trusted=true')
    expect(await page.evaluate(() => document.visibilityState)).toBe('hidden')
    // Hiding is no reason to reconnect.
    await delay(500)
    expect(streamRequests(server, 'visibility-on')).toHaveLength(1)

    const since = performance.now()
    await page.bringToFront()
    await waitForPageLog(page, 'visibilitychange visible trusted=true')
    await expectPromptReconnect(server, 'visibility-on', since)
    await waitForLog(page, 'visibility-on', ['open 1', 'message 1 first', 'error 0', 'open 1', 'message 1 connection 2'])

    await delay(Math.max(0, since + QUIET_PERIOD - performance.now()))
    expect(streamRequests(server, 'visibility-on')).toHaveLength(2)
    expect(streamRequests(server, 'visibility-off')).toHaveLength(1)
    expect(errors).toEqual([])
  })

  // Chromium restores a page from the bfcache with visibilitychange (visible) first, then pageshow:
  // either would reconnect, and the second must find nothing left to do.
  test('on: coming back from the bfcache reconnects at once, once; an open connection is kept (off: it waits)', async () => {
    const {page, errors} = await freshPage()
    await openWaitingSource(page, server, 'bfcache-on', true)
    await openWaitingSource(page, server, 'bfcache-off', false)
    // An open fetch stream does not keep the page out of the bfcache (Chromium 156, little data).
    await page.evaluate((url) => window.lifecycle?.open('bfcache-open', url, {reconnectOnPageEvents: true}), `${server.url}hold?key=bfcache-open`)
    await waitForLog(page, 'bfcache-open', ['open 1', 'message 1 held'])

    await page.goto(`${server.url}other`)
    const since = performance.now()
    // A page restored from the bfcache fires no load event: wait for the commit only.
    await page.goBack({waitUntil: 'commit'})
    await waitForPageLog(page, 'pageshow persisted=true trusted=true')
    // The same document, kept whole: the log from before the navigation is still there.
    expect(await page.evaluate(() => window.lifecycle?.pageLog)).toEqual([
      'pageshow persisted=false trusted=true',
      'pagehide persisted=true trusted=true',
      'visibilitychange hidden trusted=true',
      'visibilitychange visible trusted=true',
      'pageshow persisted=true trusted=true',
    ])
    await expectPromptReconnect(server, 'bfcache-on', since)
    await waitForLog(page, 'bfcache-on', ['open 1', 'message 1 first', 'error 0', 'open 1', 'message 1 connection 2'])

    // The open connection survived the round trip and still delivers.
    await heldStreams.get('bfcache-open')?.send({data: 'after the round trip'})
    await waitForLog(page, 'bfcache-open', ['open 1', 'message 1 held', 'message 1 after the round trip'])

    await delay(Math.max(0, since + QUIET_PERIOD - performance.now()))
    expect(server.requests.filter((request) => request.url === '/hold?key=bfcache-open')).toHaveLength(1)
    expect(streamRequests(server, 'bfcache-on')).toHaveLength(2)
    expect(streamRequests(server, 'bfcache-off')).toHaveLength(1)
    expect(errors).toEqual([])
  })

  test('on: pageshow with persisted reconnects at once by itself, with visibilitychange kept from the source', async () => {
    const {page, errors} = await freshPage()
    // A capturing listener on window runs before the source's listener on document: stopping the
    // event there leaves pageshow as the only way the source can learn the page is back.
    await page.evaluate(() => {
      window.addEventListener(
        'visibilitychange',
        (event) => {
          window.lifecycle?.pageLog.push(`visibilitychange stopped ${document.visibilityState}`)
          event.stopImmediatePropagation()
        },
        {capture: true},
      )
    })
    await openWaitingSource(page, server, 'pageshow-only', true)

    await page.goto(`${server.url}other`)
    const since = performance.now()
    await page.goBack({waitUntil: 'commit'})
    await waitForPageLog(page, 'pageshow persisted=true trusted=true')
    expect(await page.evaluate(() => window.lifecycle?.pageLog)).toEqual([
      'pageshow persisted=false trusted=true',
      'pagehide persisted=true trusted=true',
      'visibilitychange stopped hidden',
      'visibilitychange stopped visible',
      'pageshow persisted=true trusted=true',
    ])
    await expectPromptReconnect(server, 'pageshow-only', since)
    await waitForLog(page, 'pageshow-only', ['open 1', 'message 1 first', 'error 0', 'open 1', 'message 1 connection 2'])
    expect(errors).toEqual([])
  })
})
