// createSharedEventSource in real Chromium: five tabs of one origin (five pages of one browser
// context, which share Web Locks and BroadcastChannels) on a server that resumes from
// `Last-Event-ID` (test/support/resumable-sse.ts). The server sees one connection; every tab gets
// every event, in order, once; closing or crashing the leader's tab hands the connection over at
// once (well within the 3 s reconnection time) with nothing lost or repeated; the connection closes
// with the last tab. The page (shared-tabs/app.js, bundled with esbuild against the built package)
// runs under `script-src 'self'`: no blob:, data: or eval anywhere.
import {mkdtemp, rm, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {build} from 'esbuild'
import type {Page} from 'playwright-core'
import {afterAll, afterEach, beforeAll, describe, expect, test} from 'vitest'
import {useChromium} from '../support/chromium.js'
import {assertBuilt, distDir} from '../support/paths.js'
import {startResumableServer, type ResumableServer} from '../support/resumable-sse.js'
import {serveFile} from '../support/sse-server.js'

declare global {
  interface Window {
    shared?: {
      source: {readyState: number; isLeader?: boolean}
      /** `open`, `error <readyState>`, and each event as `<type> <id>`. */
      log: string[]
    }
  }
}

const CSP = "script-src 'self'"
const pageHtml = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>streamsource shared tabs</title>
<link rel="icon" href="data:,">
<script type="module" src="/app.js"></script>
</head>
<body><p>Driven by test/browser/shared-tabs.test.ts.</p></body>
</html>
`
/** The default reconnection time: a hand-over must take less. */
const RECONNECTION_TIME = 3000
const TABS = 5

describe('createSharedEventSource in Chromium: five tabs, one connection', {timeout: 30_000}, () => {
  let dir: string
  let stream: ResumableServer

  beforeAll(async () => {
    assertBuilt()
    dir = await mkdtemp(join(tmpdir(), 'streamsource-shared-tabs-'))
    await build({
      entryPoints: [fileURLToPath(new URL('./shared-tabs/app.js', import.meta.url))],
      outfile: join(dir, 'app.js'),
      bundle: true,
      format: 'esm',
      alias: {streamsource: join(distDir, 'index.js')},
      logLevel: 'silent',
    })
    await writeFile(join(dir, 'index.html'), pageHtml)
  })
  const chromium = useChromium()

  // A server per test: a fresh event log, and a fresh origin, so no lock or channel carries over.
  afterEach(async () => {
    await stream?.server.close()
  })
  afterAll(async () => {
    if (dir !== undefined) await rm(dir, {recursive: true, force: true})
  })

  /** Starts the server and opens `TABS` tabs of it in one browser context, each waited on until OPEN. */
  async function openTabs(): Promise<{pages: Page[]; errors: string[]}> {
    stream = await startResumableServer('/stream', {
      'GET /': serveFile(join(dir, 'index.html'), {'Content-Security-Policy': CSP}),
      'GET /app.js': serveFile(join(dir, 'app.js'), {'Content-Security-Policy': CSP}),
    })
    const first = await chromium.newPage()
    const pages = [first.page, ...(await Promise.all(Array.from({length: TABS - 1}, () => first.context.newPage())))]
    const errors = first.errors
    for (const page of pages.slice(1)) {
      page.on('console', (message) => {
        if (message.type() === 'error') errors.push(`console.error: ${message.text()}`)
      })
      page.on('pageerror', (error) => errors.push(`uncaught: ${error.message}`))
    }
    const responses = await Promise.all(pages.map((page) => page.goto(stream.server.url)))
    for (const response of responses) expect(response?.headers()['content-security-policy']).toBe(CSP)
    await Promise.all(pages.map((page) => page.waitForFunction(() => window.shared?.source.readyState === 1, undefined, {timeout: 10_000, polling: 20})))
    return {pages, errors}
  }

  const logOf = (page: Page) => page.evaluate(() => window.shared!.log)
  const idsOf = async (page: Page) => (await logOf(page)).filter((entry) => !/^(open|error)/.test(entry)).map((entry) => entry.split(' ')[1])
  const range = (from: number, to: number) => Array.from({length: to - from + 1}, (_, index) => String(from + index))

  /** Waits until every page has received events 1 to `last`, then checks that each has exactly those, in order. */
  async function expectEvents(pages: Page[], last: number): Promise<void> {
    for (const page of pages) {
      await page.waitForFunction((count) => window.shared!.log.filter((entry) => !/^(open|error)/.test(entry)).length >= count, last, {
        timeout: 10_000,
        polling: 20,
      })
    }
    for (const page of pages) expect(await idsOf(page)).toEqual(range(1, last))
  }

  async function leaderOf(pages: Page[]): Promise<Page> {
    const flags = await Promise.all(pages.map((page) => page.evaluate(() => window.shared!.source.isLeader)))
    expect(flags.filter(Boolean)).toHaveLength(1)
    return pages[flags.indexOf(true)]!
  }

  /** Closes the leader's tab, sends a burst, and checks the hand-over: one new connection, resumed, prompt. */
  async function handOver(pages: Page[], close: (page: Page) => Promise<void>): Promise<Page[]> {
    await stream.emit(5)
    await expectEvents(pages, 5)
    const leader = await leaderOf(pages)
    const rest = pages.filter((page) => page !== leader)
    // A burst as the leader goes: some of it may reach some tabs through the channel and not others,
    // and the new connection resumes from whatever its tab saw last.
    const burst = stream.emit(5)
    const closedAt = performance.now()
    await close(leader)
    await burst
    await expect.poll(() => stream.connections.length, {timeout: RECONNECTION_TIME}).toBe(2)
    const resumed = stream.connections[1]!
    expect(resumed.time - closedAt).toBeLessThan(RECONNECTION_TIME)
    expect(Number(resumed.lastEventId)).toBeGreaterThanOrEqual(5)
    await stream.connections[0]!.stream.closed
    expect(stream.openConnections()).toHaveLength(1)
    await stream.emit(5)
    await expectEvents(rest, 15)
    await leaderOf(rest)
    expect(stream.connections).toHaveLength(2)
    return rest
  }

  test('the server sees one connection, and every tab receives every event in order', async () => {
    const {pages, errors} = await openTabs()
    expect(stream.connections).toHaveLength(1)
    expect(stream.openConnections()).toHaveLength(1)
    await stream.emit(10)
    await stream.emit(10)
    await expectEvents(pages, 20)
    for (const page of pages) expect((await logOf(page))[0]).toBe('open')
    await leaderOf(pages)
    expect(stream.connections).toHaveLength(1)
    expect(errors).toEqual([])
  })

  test('closing the leader tab hands over: resumed with Last-Event-ID, nothing lost or twice', async () => {
    const {pages, errors} = await openTabs()
    const rest = await handOver(pages, (page) => page.close())
    // The hand-over reads as a reconnect in the tabs that stay: error (CONNECTING), then open.
    for (const page of rest) expect((await logOf(page)).filter((entry) => /^(open|error)/.test(entry))).toEqual(['open', 'error 0', 'open'])
    expect(errors).toEqual([])
  })

  test('a leader that closes its source mid-burst hands over with nothing lost or twice', async () => {
    const {pages, errors} = await openTabs()
    await stream.emit(5)
    await expectEvents(pages, 5)
    const leader = await leaderOf(pages)
    // Closed from its own listener, while events 9 and 10 of the same chunk are still to come: the
    // lock may reach the next tab before the channel brings it 8, and whatever it resumes from,
    // every tab must end up with each event once.
    await leader.evaluate(() => {
      const source = window.shared!.source as unknown as EventTarget & {close(): void}
      source.addEventListener('tick', (event) => {
        if ((event as MessageEvent).lastEventId === '8') source.close()
      })
    })
    await stream.emit(5)
    await expect.poll(() => stream.connections.length, {timeout: RECONNECTION_TIME}).toBe(2)
    expect(Number(stream.connections[1]!.lastEventId)).toBeGreaterThanOrEqual(5)
    await stream.emit(5)
    const rest = pages.filter((page) => page !== leader)
    await expectEvents(rest, 15)
    expect(await idsOf(leader)).toEqual(range(1, 8))
    expect(stream.openConnections()).toHaveLength(1)
    expect(errors).toEqual([])
  })

  test('a crashed leader tab hands over too', async () => {
    const {pages} = await openTabs()
    await handOver(pages, async (page) => {
      // The renderer dies: no unload, no pagehide, no close(); the browser releases the lock.
      const cdp = await page.context().newCDPSession(page)
      const crashed = new Promise<void>((resolve) => page.once('crash', () => resolve()))
      void cdp.send('Page.crash').catch(() => {})
      await crashed
    })
  })

  test('the connection closes when the last tab closes, not before', async () => {
    const {pages} = await openTabs()
    const leader = await leaderOf(pages)
    for (const page of pages.filter((page) => page !== leader)) {
      await page.close()
      await stream.emit(1)
      expect(stream.openConnections()).toHaveLength(1)
    }
    await expectEvents([leader], TABS - 1)
    await leader.close()
    await stream.connections[0]!.stream.closed
    expect(stream.openConnections()).toHaveLength(0)
    expect(stream.connections).toHaveLength(1)
  })
})
