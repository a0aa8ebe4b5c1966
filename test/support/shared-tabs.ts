// The tabs of the createSharedEventSource tests (test/browser/suites/shared-tabs*.ts, in Chromium,
// Firefox and WebKit): the page's script (test/browser/shared-tabs/app.js) bundled by esbuild
// against the built package, as an app bundles it, served beside the resumable stream under
// `script-src 'self'`, and opened as pages of one browser context (EnginePage.openTab()), which
// share Web Locks, BroadcastChannels and SharedWorkers.
import {mkdtemp, rm} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {build} from 'esbuild'
import {afterAll, afterEach, beforeAll, expect} from 'vitest'
import {useEngine, type EngineName, type EnginePage} from './engines.js'
import {assertBuilt, distDir} from './paths.js'
import {startResumableServer, type ResumableServer} from './resumable-sse.js'
import {serveDirectory, serveFile, servePage, STRICT_CSP, type Routes} from './sse-server.js'

declare global {
  interface Window {
    shared?: {
      source: {readyState: number; isLeader?: boolean}
      /** `open`, `error <readyState>`, and each event as `<type> <id>`. */
      log: string[]
      /** Resolves once `count` events are in the log; rejects after `timeout` ms (10 s by default). */
      events(count: number, timeout?: number): Promise<void>
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
  const bundle = (outfile: string, format: 'esm' | 'iife', streamsource: string, shared: string) =>
    build({entryPoints: [join(fixtures, 'app.js')], outfile, bundle: true, format, alias: {streamsource, 'streamsource/shared': shared}, logLevel: 'silent'})
  const file = join(dir, 'app.js')
  const globalFile = join(dir, 'app-global.js')
  await bundle(file, 'esm', join(distDir, 'index.js'), join(distDir, 'shared.js'))
  // The script-tag build's global holds both entries' exports.
  await bundle(globalFile, 'iife', join(fixtures, 'global.js'), join(fixtures, 'global.js'))
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
 * The hooks of a suite of shared-tabs tests in one engine: the page's script bundled once, the
 * browser, and a server of its own for each test (a fresh event log and a fresh origin, so no
 * worker, lock or channel carries over from one test to the next), started by `serve()` and closed
 * after the test; `openTabs()` opens tabs of it in a fresh context, `addTabs()` more in the same.
 */
export function useSharedTabsSuite(engine: EngineName): {
  serve(): Promise<ResumableServer>
  openTabs(urls: string[]): Promise<Tabs>
  addTabs(tabs: Tabs, urls: string[]): Promise<EnginePage[]>
} {
  let app: SharedTabsApp | undefined
  let stream: ResumableServer | undefined
  beforeAll(async () => {
    assertBuilt()
    app = await bundleApp()
  })
  const browser = useEngine(engine)
  afterEach(async () => {
    await stream?.server.close()
    stream = undefined
  })
  afterAll(async () => {
    await app?.remove()
  })

  /** Opens a blank page per URL beside `tabs.pages[0]` (or `first`), navigates them all at once, and waits until each is OPEN. */
  async function navigate(tabs: Tabs, urls: string[], first?: EnginePage): Promise<EnginePage[]> {
    const opener = first ?? tabs.pages[0]!
    const fresh = await Promise.all(urls.slice(first ? 1 : 0).map(() => browser.openTab(opener)))
    const pages = first ? [first, ...fresh] : fresh
    tabs.opened.push(...pages)
    const headers = await Promise.all(pages.map((page, index) => page.goto(urls[index]!)))
    // Asserted where the driver tells the headers (WebKit's does not): the tests would prove less without the policy.
    for (const header of headers) if (Object.keys(header).length > 0) expect(header['content-security-policy']).toBe(STRICT_CSP)
    await Promise.all(pages.map((page) => page.waitFor(() => window.shared?.source.readyState === 1, 10_000)))
    tabs.pages.push(...pages)
    return pages
  }

  return {
    async serve() {
      stream = await startResumableServer('/stream', pageRoutes(app!))
      return stream
    },
    async openTabs(urls) {
      const first = await browser.newPage()
      const tabs: Tabs = {pages: [], opened: [], errors: () => tabs.opened.flatMap((page) => page.errors)}
      await navigate(tabs, urls, first)
      return tabs
    },
    addTabs: (tabs, urls) => navigate(tabs, urls),
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
  const body = '<p>Driven by test/browser/suites/shared-tabs*.ts.</p>'
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
  /** The tabs opened, in order, each waited on until OPEN. */
  pages: EnginePage[]
  /** Every page opened for them, closed ones too, whose errors count. */
  opened: EnginePage[]
  /** What the tabs reported, in the order of the tabs (in WebKit, as of each tab's last driver call). */
  errors(): string[]
}

export const logOf = (page: EnginePage): Promise<string[]> => page.evaluate(() => window.shared!.log, null)

/** The IDs of the events a page received, in order. */
export const idsOf = async (page: EnginePage): Promise<string[]> =>
  (await logOf(page)).filter((entry) => !/^(open|error)/.test(entry)).map((entry) => entry.split(' ')[1]!)

/** `open` and `error <readyState>` entries only. */
export const statesOf = async (page: EnginePage): Promise<string[]> => (await logOf(page)).filter((entry) => /^(open|error)/.test(entry))

export const range = (from: number, to: number): string[] => Array.from({length: to - from + 1}, (_, index) => String(from + index))

/** Waits until every page has received events 1 to `last` (as they arrive: see app.js), then checks that each has exactly those, in order. */
export async function expectEvents(pages: EnginePage[], last: number): Promise<void> {
  for (const page of pages) await page.evaluate((count) => window.shared!.events(count), last)
  for (const page of pages) expect(await idsOf(page)).toEqual(range(1, last))
}

/** What each page's source says of `isLeader`. */
export const leadersOf = (pages: EnginePage[]): Promise<(boolean | undefined)[]> =>
  Promise.all(pages.map((page) => page.evaluate(() => window.shared!.source.isLeader, null)))

/** The one page whose source holds the connection; fails unless there is exactly one. */
export async function leaderOf(pages: EnginePage[]): Promise<EnginePage> {
  const flags = await leadersOf(pages)
  expect(flags.filter(Boolean)).toHaveLength(1)
  return pages[flags.indexOf(true)]!
}
