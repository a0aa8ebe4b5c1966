// The tabs of the createSharedEventSource tests in real Chromium (test/browser/shared-tabs*.test.ts):
// the page's script (test/browser/shared-tabs/app.js) bundled by esbuild against the built package,
// as an app bundles it, served beside the resumable stream under `script-src 'self'`, and opened
// as pages of one browser context, which share Web Locks, BroadcastChannels and SharedWorkers.
import {mkdtemp, rm} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {build} from 'esbuild'
import type {BrowserContext, Page} from 'playwright-core'
import {afterAll, afterEach, beforeAll, expect} from 'vitest'
import {useChromium, type ChromiumPages} from './chromium.js'
import {assertBuilt, distDir} from './paths.js'
import {startResumableServer, type ResumableServer} from './resumable-sse.js'
import {serveDirectory, serveFile, servePage, STRICT_CSP, type Routes} from './sse-server.js'

declare global {
  interface Window {
    shared?: {
      source: {readyState: number; isLeader?: boolean}
      /** `open`, `error <readyState>`, and each event as `<type> <id>`. */
      log: string[]
    }
  }
}

const fixtures = fileURLToPath(new URL('../browser/shared-tabs/', import.meta.url))

export interface SharedTabsApp {
  /** The page's script as an ES module, bundled with the package's ES module build. */
  file: string
  /** The same as a classic script for the script-tag build's page, taking the global `StreamSource`. */
  globalFile: string
  remove(): Promise<void>
}

/** The page's script, bundled into a temporary directory; `remove()` it after the suite. */
export async function bundleApp(): Promise<SharedTabsApp> {
  const dir = await mkdtemp(join(tmpdir(), 'streamsource-shared-tabs-'))
  const bundle = (outfile: string, format: 'esm' | 'iife', streamsource: string) =>
    build({entryPoints: [join(fixtures, 'app.js')], outfile, bundle: true, format, alias: {streamsource}, logLevel: 'silent'})
  const file = join(dir, 'app.js')
  const globalFile = join(dir, 'app-global.js')
  await bundle(file, 'esm', join(distDir, 'index.js'))
  await bundle(globalFile, 'iife', join(fixtures, 'global.js'))
  return {file, globalFile, remove: () => rm(dir, {recursive: true, force: true})}
}

/** The default reconnection time: a hand-over must take less. */
export const RECONNECTION_TIME = 3000

/**
 * Ends whoever holds the connection (`end`: a tab, or the SharedWorker) while a burst of 5 events
 * goes out, and checks the hand-over: some of the burst may reach some tabs and not others, and the
 * second connection, opened within the reconnection time, resumes from whatever its tab saw last
 * (at least the 5th event, which every tab had before); the first one is closed.
 */
export async function expectTakeover(stream: ResumableServer, end: () => Promise<unknown>): Promise<void> {
  const burst = stream.emit(5)
  const endedAt = performance.now()
  await end()
  await burst
  await expect.poll(() => stream.connections.length, {timeout: RECONNECTION_TIME}).toBe(2)
  const resumed = stream.connections[1]!
  expect(resumed.time - endedAt).toBeLessThan(RECONNECTION_TIME)
  expect(Number(resumed.lastEventId)).toBeGreaterThanOrEqual(5)
  await stream.connections[0]!.stream.closed
}

/**
 * The hooks of a suite of shared-tabs tests: the page's script bundled once, Chromium, and a server of
 * its own for each test (a fresh event log and a fresh origin, so no worker, lock or channel carries
 * over from one test to the next), started by `serve()` and closed after the test.
 */
export function useSharedTabsSuite(): {chromium: ChromiumPages; serve(): Promise<ResumableServer>} {
  let app: SharedTabsApp | undefined
  let stream: ResumableServer | undefined
  beforeAll(async () => {
    assertBuilt()
    app = await bundleApp()
  })
  const chromium = useChromium()
  afterEach(async () => {
    await stream?.server.close()
    stream = undefined
  })
  afterAll(async () => {
    await app?.remove()
  })
  return {
    chromium,
    async serve() {
      stream = await startResumableServer('/stream', pageRoutes(app!))
      return stream
    },
  }
}

/**
 * The page at `/` (the query picks its options: see app.js) and its script; the package's worker
 * script where that page's module finds it by default (`/shared-worker.js`, beside `/app.js`), and
 * kill-worker.js; the same page at `/global` on the script-tag build, served from `/dist/`. Every
 * script is served under the page's CSP.
 */
export function pageRoutes(app: SharedTabsApp): Routes {
  const csp = {'Content-Security-Policy': STRICT_CSP}
  const body = '<p>Driven by test/browser/shared-tabs*.test.ts.</p>'
  return {
    'GET /': servePage('streamsource shared tabs', '<script type="module" src="/app.js"></script>', body),
    'GET /app.js': serveFile(app.file, csp),
    'GET /shared-worker.js': serveFile(join(distDir, 'shared-worker.js'), csp),
    'GET /kill-worker.js': serveFile(join(fixtures, 'kill-worker.js'), csp),
    'GET /global': servePage(
      'streamsource shared tabs, script-tag build',
      '<script src="/dist/streamsource.global.min.js"></script>\n<script src="/app-global.js" defer></script>',
      body,
    ),
    'GET /app-global.js': serveFile(app.globalFile, csp),
    'GET /dist/*': serveDirectory(distDir, '/dist/', csp),
  }
}

/** Tabs of one browser context, and what any of them reports: console errors, uncaught exceptions. */
export interface Tabs {
  pages: Page[]
  errors: string[]
  context: BrowserContext
}

/** Opens a tab per URL, in a fresh browser context, all at once, and waits until each is OPEN. */
export async function openTabs(chromium: ChromiumPages, urls: string[]): Promise<Tabs> {
  const first = await chromium.newPage()
  const tabs: Tabs = {pages: [], errors: first.errors, context: first.context}
  await addTabs(tabs, urls, first.page)
  return tabs
}

/**
 * Opens a tab per URL in the context of `tabs` (the first in `blank`, a page not yet used), all at
 * once, and waits until each is OPEN; adds them to `tabs.pages`, and returns them.
 */
export async function addTabs(tabs: Tabs, urls: string[], blank?: Page): Promise<Page[]> {
  const fresh = await Promise.all(urls.slice(blank ? 1 : 0).map(() => tabs.context.newPage()))
  for (const page of fresh) {
    page.on('console', (message) => {
      if (message.type() === 'error') tabs.errors.push(`console.error: ${message.text()}`)
    })
    page.on('pageerror', (error) => tabs.errors.push(`uncaught: ${error.message}`))
  }
  const pages = blank ? [blank, ...fresh] : fresh
  const responses = await Promise.all(pages.map((page, index) => page.goto(urls[index]!)))
  for (const response of responses) expect(response?.headers()['content-security-policy']).toBe(STRICT_CSP)
  await Promise.all(pages.map((page) => page.waitForFunction(() => window.shared?.source.readyState === 1, undefined, {timeout: 10_000, polling: 20})))
  tabs.pages.push(...pages)
  return pages
}

export const logOf = (page: Page): Promise<string[]> => page.evaluate(() => window.shared!.log)

/** The IDs of the events a page received, in order. */
export const idsOf = async (page: Page): Promise<string[]> =>
  (await logOf(page)).filter((entry) => !/^(open|error)/.test(entry)).map((entry) => entry.split(' ')[1]!)

/** `open` and `error <readyState>` entries only. */
export const statesOf = async (page: Page): Promise<string[]> => (await logOf(page)).filter((entry) => /^(open|error)/.test(entry))

export const range = (from: number, to: number): string[] => Array.from({length: to - from + 1}, (_, index) => String(from + index))

/** Waits until every page has received events 1 to `last`, then checks that each has exactly those, in order. */
export async function expectEvents(pages: Page[], last: number): Promise<void> {
  for (const page of pages) {
    await page.waitForFunction((count) => window.shared!.log.filter((entry) => !/^(open|error)/.test(entry)).length >= count, last, {
      timeout: 10_000,
      polling: 20,
    })
  }
  for (const page of pages) expect(await idsOf(page)).toEqual(range(1, last))
}

/** What each page's source says of `isLeader`. */
export const leadersOf = (pages: Page[]): Promise<(boolean | undefined)[]> =>
  Promise.all(pages.map((page) => page.evaluate(() => window.shared!.source.isLeader)))

/** The one page whose source holds the connection; fails unless there is exactly one. */
export async function leaderOf(pages: Page[]): Promise<Page> {
  const flags = await leadersOf(pages)
  expect(flags.filter(Boolean)).toHaveLength(1)
  return pages[flags.indexOf(true)]!
}

/** Crashes a page's renderer: no unload, no pagehide, no close(); resolves once Playwright saw it. */
export async function crash(page: Page): Promise<void> {
  const cdp = await page.context().newCDPSession(page)
  const crashed = new Promise<void>((resolve) => page.once('crash', () => resolve()))
  void cdp.send('Page.crash').catch(() => {})
  await crashed
}
