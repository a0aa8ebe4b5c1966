// Real Chromium for the browser tests, driven by playwright-core. The browser is Debian's
// (or $CHROMIUM_PATH): playwright-core never downloads one, these machines have no internet.
import {chromium, type Browser, type BrowserContext, type BrowserContextOptions, type Page} from 'playwright-core'

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
      const errors: string[] = []
      page.on('console', (message) => {
        if (message.type() === 'error') errors.push(`console.error: ${message.text()}`)
      })
      page.on('pageerror', (error) => errors.push(`uncaught: ${error.message}`))
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
