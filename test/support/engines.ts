// One page interface for every browser engine the browser tests drive, so that a suite written
// once (the differential suite, the legacy page) runs in each: Chromium through playwright-core
// (test/support/chromium.ts), Firefox through puppeteer-core over WebDriver BiDi, WebKit through
// test/support/webkit.ts. Each engine is the Debian package scripts/ensure.mjs --browser installs.
import type {Page as PlaywrightPage} from 'playwright-core'
import type {Browser as PuppeteerBrowser, BrowserContext as PuppeteerContext, Page as PuppeteerPage} from 'puppeteer-core'
import {afterAll, afterEach, beforeAll, expect} from 'vitest'
import {launchChromium, watchErrors} from './chromium.js'

export type EngineName = 'chromium' | 'firefox' | 'webkit'

export interface EnginePage {
  readonly engine: EngineName
  /** Console errors, uncaught exceptions and CSP violations the page reported, in order. */
  readonly errors: string[]
  /** Navigates; resolves with the document response's headers (lower-case names), or {} where the driver cannot tell. */
  goto(url: string): Promise<Record<string, string>>
  /** Runs `fn(arg)` in the page, awaits a returned promise, resolves with its JSON-serialisable result. */
  evaluate<A, R>(fn: (arg: A) => R | Promise<R>, arg: A): Promise<R>
  /** Resolves once `fn()` is truthy in the page (polling), or rejects after `timeoutMs`. */
  waitFor(fn: () => unknown, timeoutMs?: number): Promise<void>
  /** Sets a cookie (path '/') for `domain`, a host name, in this page's context. */
  addCookie(cookie: {name: string; value: string; domain: string}): Promise<void>
  /**
   * Another page of this page's context, blank: a second tab of the same browser profile, sharing
   * cookies, storage, Web Locks, BroadcastChannels and SharedWorkers with this one. It has a window
   * of its own, so that it is visible: engines throttle a hidden tab's timers.
   */
  openTab(): Promise<EnginePage>
  /**
   * Crashes the page's renderer (no unload, no pagehide, no close()) and resolves once the driver
   * saw it; only where the driver can (Chromium, over CDP): absent in the other engines.
   */
  crash?(): Promise<void>
  /** Closes this page; its context ends with the last of its pages. */
  close(): Promise<void>
}

export interface EngineSession {
  readonly engine: EngineName
  /** A page in a fresh context where the engine has one (no shared cookies or cache); EnginePage.openTab() adds others to it. */
  newPage(): Promise<EnginePage>
  close(): Promise<void>
}

/** How long waitFor waits by default: generous, for a busy machine. */
const WAIT = 15_000

/**
 * Launches the engine: chromium (playwright-core), firefox (puppeteer-core, WebDriver BiDi),
 * webkit (test/support/webkit.ts, imported only when asked for).
 */
export async function launchEngine(engine: EngineName): Promise<EngineSession> {
  switch (engine) {
    case 'chromium':
      return launchChromiumEngine()
    case 'firefox':
      return launchFirefox()
    case 'webkit':
      return launchWebKit()
  }
}

async function launchChromiumEngine(): Promise<EngineSession> {
  const session = await launchChromium()

  /** An EnginePage on a Playwright page; `group` holds the pages of its context, which is closed after the last. */
  function enginePage(page: PlaywrightPage, errors: string[], group: ContextPages): EnginePage {
    const engined: EnginePage = {
      engine: 'chromium',
      errors,
      async goto(url) {
        const response = await page.goto(url)
        return response?.headers() ?? {}
      },
      // The drivers type arguments through their handle types; ours are plain JSON values.
      evaluate: <A, R>(fn: (arg: A) => R | Promise<R>, arg: A) => page.evaluate(fn as (arg: unknown) => R, arg as unknown),
      async waitFor(fn, timeoutMs = WAIT) {
        await page.waitForFunction(fn, undefined, {timeout: timeoutMs})
      },
      addCookie: (cookie) => page.context().addCookies([{...cookie, path: '/'}]),
      async openTab() {
        const tab = await page.context().newPage()
        return enginePage(tab, watchErrors(tab), group)
      },
      async crash() {
        const cdp = await page.context().newCDPSession(page)
        const crashed = new Promise<void>((resolve) => page.once('crash', () => resolve()))
        void cdp.send('Page.crash').catch(() => {})
        await crashed
      },
      close: () => closeInGroup(group, engined, () => page.close()),
    }
    group.pages.add(engined)
    return engined
  }

  return {
    engine: 'chromium',
    async newPage() {
      const watched = await session.newPage()
      return enginePage(watched.page, watched.errors, {pages: new Set(), close: () => watched.close()})
    },
    close: () => session.close(),
  }
}

/** The open pages of one browser context, and how to close it, once they are all closed. */
interface ContextPages {
  pages: Set<EnginePage>
  close(): Promise<void>
}

/**
 * Closes one page of `group`: the whole context once it was the last (a context left open would
 * keep its cookies and connections), else the page alone. Once only.
 */
async function closeInGroup(group: ContextPages, page: EnginePage, closePage: () => Promise<void>): Promise<void> {
  if (!group.pages.delete(page)) return
  if (group.pages.size === 0) await group.close()
  else await closePage()
}

interface BrowserPathsModule {
  findFirefox(): string | undefined
}

/** scripts/browser-paths.mjs, the lookup scripts/ensure.mjs uses. */
async function findFirefox(): Promise<string | undefined> {
  // A computed specifier, because the untyped .mjs has no declaration file for TypeScript.
  const specifier = new URL('../../scripts/browser-paths.mjs', import.meta.url).href
  const module = (await import(specifier)) as BrowserPathsModule
  return module.findFirefox()
}

/**
 * Preferences on top of puppeteer's own test profile (which already turns off updates, safe
 * browsing, telemetry uploads and the new tab page): the rest of what Firefox would fetch by itself,
 * since these machines reach nothing but the test servers on loopback.
 */
const quietFirefox: Record<string, unknown> = {
  'network.captive-portal-service.enabled': false,
  'network.connectivity-service.enabled': false,
  'network.dns.disablePrefetch': true,
  'network.prefetch-next': false,
  'network.predictor.enabled': false,
  'network.trr.mode': 5,
  'security.OCSP.enabled': 0,
  'security.remote_settings.crlite_filters.enabled': false,
  'browser.safebrowsing.provider.mozilla.updateURL': '',
  'browser.region.network.url': '',
  'browser.region.update.enabled': false,
  'toolkit.telemetry.enabled': false,
  'toolkit.telemetry.server': '',
  'extensions.blocklist.enabled': false,
  'media.gmp-gmpopenh264.enabled': false,
  'browser.topsites.contile.enabled': false,
  'browser.newtabpage.activity-stream.feeds.topsites': false,
  'app.shield.optoutstudies.enabled': false,
}

/** Marks the console messages the violation listener below writes, so they read as CSP violations. */
const CSP_MARK = '[streamsource-test csp]'

/**
 * Chromium logs a CSP violation to the console, which is how chromium.ts sees it. Firefox 153's
 * BiDi log reports one as an error entry too (seen here as `uncaught: Content-Security-Policy: …`),
 * but that is a console message's text, not a promise of the protocol: a listener that runs before
 * the page's own scripts also reports each violation, by its directive, through the console. (A
 * preload script is not subject to the page's CSP.) A violation is listed twice, which no test
 * minds: they ask for no errors at all.
 */
function reportViolations(mark: string): void {
  window.addEventListener(
    'securitypolicyviolation',
    (event) => console.error(`${mark} ${event.effectiveDirective} blocked ${event.blockedURI}`),
    true,
  )
}

async function launchFirefox(): Promise<EngineSession> {
  const executablePath = await findFirefox()
  if (!executablePath) {
    throw new Error(
      'No Firefox found for the browser tests: install Debian\'s `firefox-esr` (node scripts/ensure.mjs --browser does) or set FIREFOX_PATH.',
    )
  }
  const {default: puppeteer} = await import('puppeteer-core')
  const browser: PuppeteerBrowser = await puppeteer.launch({
    browser: 'firefox',
    protocol: 'webDriverBiDi',
    executablePath,
    headless: true,
    extraPrefsFirefox: quietFirefox,
    // Firefox on a busy two-core machine can take a while to start.
    timeout: 60_000,
  })
  const contexts = new Set<ContextPages>()

  /** An EnginePage on a puppeteer page of `context`; `group` holds the context's pages, and closes it after the last. */
  async function enginePage(page: PuppeteerPage, context: PuppeteerContext, group: ContextPages): Promise<EnginePage> {
    const errors: string[] = []
    page.on('console', (message) => {
      if (message.type() !== 'error') return
      const text = message.text()
      errors.push(text.startsWith(CSP_MARK) ? `csp: ${text.slice(CSP_MARK.length + 1)}` : `console.error: ${text}`)
    })
    page.on('pageerror', (error) => errors.push(`uncaught: ${error instanceof Error ? error.message : String(error)}`))
    await page.evaluateOnNewDocument(reportViolations, CSP_MARK)
    const engined: EnginePage = {
      engine: 'firefox',
      errors,
      async goto(url) {
        const response = await page.goto(url)
        return response?.headers() ?? {}
      },
      evaluate: <A, R>(fn: (arg: A) => R | Promise<R>, arg: A) =>
        page.evaluate(fn as (arg: unknown) => R, arg as unknown) as Promise<R>,
      async waitFor(fn, timeoutMs = WAIT) {
        await page.waitForFunction(fn, {timeout: timeoutMs, polling: 50})
      },
      addCookie: (cookie) => context.setCookie({...cookie, path: '/'}),
      // A window of its own, as newPage() opens (see there).
      openTab: async () => enginePage(await context.newPage({type: 'window'}), context, group),
      close: () => closeInGroup(group, engined, () => page.close()),
    }
    group.pages.add(engined)
    return engined
  }

  async function newPage(): Promise<EnginePage> {
    // A BiDi user context: its own cookies, cache and connections. In a window of its own: a
    // tab behind another one is hidden, and Firefox throttles a hidden page's timers (to 1 s and
    // less, by budget), which would slow the page's own setTimeout and not the browser's.
    const context: PuppeteerContext = await browser.createBrowserContext()
    const group: ContextPages = {
      pages: new Set(),
      async close() {
        if (!contexts.delete(group)) return
        group.pages.clear()
        await context.close()
      },
    }
    contexts.add(group)
    return enginePage(await context.newPage({type: 'window'}), context, group)
  }

  return {
    engine: 'firefox',
    newPage,
    async close() {
      await Promise.allSettled([...contexts].map((context) => context.close()))
      if (browser.connected) await browser.close()
    },
  }
}

interface WebKitModule {
  launchWebKit(): Promise<EngineSession>
}

async function launchWebKit(): Promise<EngineSession> {
  // Imported by a computed specifier only when WebKit is asked for, so the other engines run
  // without it, and its absence is one clear error rather than a failed import of this file.
  const specifier = ['.', 'webkit.js'].join('/')
  let module: WebKitModule
  try {
    module = (await import(specifier)) as WebKitModule
  } catch (error) {
    throw new Error(`WebKit's driver, test/support/webkit.ts, could not be loaded: ${String(error)}`)
  }
  return module.launchWebKit()
}

export const engineLabels: Record<EngineName, string> = {chromium: 'Chromium', firefox: 'Firefox', webkit: 'WebKit'}

export interface OpenEnginePageOptions {
  /** The Content-Security-Policy header the page must have been served with (where the driver tells headers). */
  csp?: string
  /** Run in the page until it returns something truthy, e.g. the page's scripts have loaded. */
  ready?: () => unknown
  /** How long `ready` may take, in ms. */
  timeout?: number
}

export interface EnginePages {
  /** A new page at `url`, in a fresh context, checked for its CSP header and waited on until ready, each if asked for; closed after the test. */
  openPage(url: string, options?: OpenEnginePageOptions): Promise<EnginePage>
  /** A blank page in a fresh context; closed after the test. */
  newPage(): Promise<EnginePage>
  /** A blank page in the context of `page`, another tab of it (see EnginePage.openTab); closed after the test. */
  openTab(page: EnginePage): Promise<EnginePage>
}

/**
 * Registers a suite's hooks for one engine, as useChromium does for Chromium: launch before all,
 * close the test's pages after each, close the browser after all. Call it after the suite's own
 * beforeAll, so the browser starts once the suite's servers are up.
 */
export function useEngine(engine: EngineName): EnginePages {
  let session: EngineSession | undefined
  // Only this test's pages: a page left open would keep its streams, and its errors, alive.
  const opened = new Set<EnginePage>()

  beforeAll(async () => {
    session = await launchEngine(engine)
  }, 90_000)

  afterEach(async () => {
    const pages = [...opened]
    opened.clear()
    await Promise.all(pages.map((page) => page.close()))
  })

  afterAll(async () => {
    await session?.close()
    session = undefined
  })

  async function newPage(): Promise<EnginePage> {
    if (!session) throw new Error(`${engineLabels[engine]} is not running: useEngine() launches it in beforeAll.`)
    const page = await session.newPage()
    opened.add(page)
    return page
  }

  return {
    newPage,
    async openTab(page) {
      const tab = await page.openTab()
      opened.add(tab)
      return tab
    },
    async openPage(url, {csp, ready, timeout = WAIT} = {}) {
      const page = await newPage()
      const headers = await page.goto(url)
      // Asserted, not assumed: the tests that rely on the policy would prove less without it.
      if (csp !== undefined && Object.keys(headers).length > 0) expect(headers['content-security-policy']).toBe(csp)
      if (ready) await page.waitFor(ready, timeout)
      return page
    },
  }
}
