// Real Chromium for the browser tests, driven by playwright-core. The browser is Debian's
// (or $CHROMIUM_PATH): playwright-core never downloads one, these machines have no internet.
import {chromium, type Browser, type BrowserContext, type BrowserContextOptions, type Page} from 'playwright-core'
import {afterAll, afterEach, beforeAll, expect} from 'vitest'

/** Headless, and quiet: no sandbox (we run as root), no background traffic to Google. */
export const chromiumArgs = [
  '--no-sandbox',
  '--headless',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
]

interface ChromiumPathModule {
  findChromium(): string | undefined
}

/** scripts/chromium-path.mjs, the lookup `npm test` itself uses (via scripts/ensure.mjs). */
async function findChromium(): Promise<string | undefined> {
  // A computed specifier, because the untyped .mjs has no declaration file for TypeScript.
  const specifier = new URL('../../scripts/chromium-path.mjs', import.meta.url).href
  const module = (await import(specifier)) as ChromiumPathModule
  return module.findChromium()
}

export interface WatchedPage {
  page: Page
  context: BrowserContext
  /** Console errors, uncaught exceptions and CSP violations reported by the page, in order. */
  errors: string[]
  close(): Promise<void>
}

export interface ChromiumSession {
  browser: Browser
  /** A page in a fresh context (no shared cache or cookies), watched for errors. */
  newPage(options?: BrowserContextOptions): Promise<WatchedPage>
  /** Closes every page, context and the browser; safe to call twice. */
  close(): Promise<void>
}

export async function launchChromium(): Promise<ChromiumSession> {
  const executablePath = await findChromium()
  if (!executablePath) {
    throw new Error(
      'No Chromium found for the browser tests: install Debian\'s `chromium` (node scripts/ensure.mjs --browser does) or set CHROMIUM_PATH.',
    )
  }
  const browser = await chromium.launch({executablePath, args: chromiumArgs, headless: true})
  const pages = new Set<WatchedPage>()

  return {
    browser,
    async newPage(options = {}) {
      const context = await browser.newContext(options)
      const page = await context.newPage()
      const errors = watchErrors(page)
      const watched: WatchedPage = {
        page,
        context,
        errors,
        async close() {
          pages.delete(watched)
          await context.close()
        },
      }
      pages.add(watched)
      return watched
    },
    async close() {
      await Promise.allSettled([...pages].map((watched) => watched.close()))
      if (browser.isConnected()) await browser.close()
    },
  }
}

/** Records what a page reports (console errors, CSP violations among them, and uncaught exceptions), in order. */
export function watchErrors(page: Page): string[] {
  const errors: string[] = []
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(`console.error: ${message.text()}`)
  })
  page.on('pageerror', (error) => errors.push(`uncaught: ${error.message}`))
  return errors
}

export interface OpenPageOptions {
  /** The Content-Security-Policy header the page must have been served with. */
  csp?: string
  /** Run in the page until it returns something truthy, e.g. the page's scripts have loaded. */
  ready?: () => unknown
  /** How long `ready` may take, in ms; generous by default, for a busy machine. */
  timeout?: number
  /** For the page's fresh context, e.g. a viewport. */
  context?: BrowserContextOptions
}

export interface ChromiumPages {
  /** A page in a fresh context, watched for errors; closed after the test that opened it. */
  newPage(options?: BrowserContextOptions): Promise<WatchedPage>
  /** A new page at `url`, checked for its CSP header and waited on until ready, each if asked for. */
  openPage(url: string, options?: OpenPageOptions): Promise<WatchedPage>
}

/**
 * Registers a suite's Chromium hooks: launch before all, close the test's pages after each,
 * close the browser after all. Call it after the suite's own beforeAll, so the browser starts
 * once the suite's servers are up, and (hooks running as a stack) is gone before they close.
 */
export function useChromium(): ChromiumPages {
  let session: ChromiumSession | undefined
  // Only this test's pages: a page left open would keep its stream, and its errors, alive.
  const opened = new Set<WatchedPage>()

  beforeAll(async () => {
    session = await launchChromium()
  })

  afterEach(async () => {
    const pages = [...opened]
    opened.clear()
    await Promise.all(pages.map((watched) => watched.close()))
  })

  afterAll(async () => {
    await session?.close()
    session = undefined
  })

  async function newPage(options?: BrowserContextOptions): Promise<WatchedPage> {
    if (!session) throw new Error('Chromium is not running: useChromium() launches it in beforeAll.')
    const watched = await session.newPage(options)
    opened.add(watched)
    return watched
  }

  return {
    newPage,
    async openPage(url, {csp, ready, timeout = 15_000, context} = {}) {
      const watched = await newPage(context)
      const response = await watched.page.goto(url)
      // Asserted, not assumed: the tests that rely on the policy would prove less without it.
      if (csp !== undefined) expect(response?.headers()['content-security-policy']).toBe(csp)
      if (ready) await watched.page.waitForFunction(ready, undefined, {timeout})
      return watched
    },
  }
}
