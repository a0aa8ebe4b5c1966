// The demo's script-tag page in Chromium (demo/script-tag.html + script-tag.js): the ES5 build
// loaded with a plain <script src>, a classic script on the global `StreamSource`, under the demo's
// `script-src 'self'`, live against the real ticker. Then the same page with fetch, streams,
// Promise and the rest deleted before the build loads (legacy/strip-modern.js), as an old browser.
import {mkdir, readFile} from 'node:fs/promises'
import {join} from 'node:path'
import {describe, expect, test} from 'vitest'
import type {TickerRequest} from '../../demo/server.mjs'
import {useChromium, type WatchedPage} from '../support/chromium.js'
import {useDemoServer} from '../support/demo-server.js'
import {repoRoot} from '../support/paths.js'

type Page = WatchedPage['page']

const STRIP = '/strip-modern.js'

// Ticks every 200 ms and a 300 ms retry, so the reconnect takes well under a second.
describe('demo script-tag page in Chromium', {timeout: 30_000}, () => {
  const demo = useDemoServer({tickInterval: 200, retry: 300})
  const chromium = useChromium()

  /**
   * Opens the page under the demo's CSP, recording the resource type (fetch or xhr) of each
   * /ticker request. `stripped` serves it with strip-modern.js loaded first, from the same origin.
   */
  async function openPage({stripped = false} = {}) {
    const csp = (await fetch(demo.url)).headers.get('content-security-policy')!
    expect(csp).toContain("script-src 'self'")
    const watched = await chromium.newPage({viewport: {width: 1100, height: 900}})
    const {page} = watched
    const tickerTypes: string[] = []
    page.on('request', (request) => {
      if (new URL(request.url()).pathname === '/ticker') tickerTypes.push(request.resourceType())
    })
    if (stripped) {
      const strip = await readFile(join(repoRoot, 'test/browser/legacy/strip-modern.js'), 'utf8')
      await page.route(`**${STRIP}`, (route) => route.fulfill({contentType: 'text/javascript', body: strip}))
      await page.route('**/script-tag.html', async (route) => {
        const response = await route.fetch()
        const html = await response.text()
        const build = '<script src="/dist/streamsource.global.min.js"></script>'
        expect(html).toContain(build)
        // The page's own headers, its CSP included.
        await route.fulfill({response, body: html.replace(build, `<script src="${STRIP}"></script>\n  ${build}`)})
      })
    }
    const response = await page.goto(new URL('/script-tag.html', demo.url).href)
    expect(response?.headers()['content-security-policy']).toBe(csp)
    return {...watched, tickerTypes}
  }

  /**
   * Waits until the log shows `count` ticks. Locators, not page functions: those run in the page's
   * own world, where the stripped page has no Promise; locators run in Playwright's isolated one.
   */
  async function waitForTicks(page: Page, count: number) {
    await expect.poll(() => page.locator('#log tr.event[data-type="tick"]').count(), {timeout: 15_000}).toBeGreaterThanOrEqual(count)
  }

  async function tickIds(page: Page): Promise<number[]> {
    const ids = await page.locator('#log tr.event[data-type="tick"]').evaluateAll((rows) => rows.map((row) => row.getAttribute('data-id')))
    return ids.map(Number).reverse()
  }

  /** The BOLT /ticker requests since `from`: this page's. */
  function requestsSince(from: number): TickerRequest[] {
    return demo.tickerRequests().slice(from).filter((request) => request.symbols === 'BOLT')
  }

  /**
   * Loads, streams, sends its header before each attempt, reconnects after the server ends the
   * stream and resumes after the last id: everything the page shows, checked against the server.
   */
  async function runStory(stripped: boolean) {
    const from = demo.tickerRequests().length
    const {page, errors, tickerTypes} = await openPage({stripped})
    await waitForTicks(page, 2)
    expect(await page.title()).toBe('streamsource demo: script tag')
    expect(await page.locator('#state').textContent()).toBe('open')
    expect(requestsSince(from)).toEqual([{symbols: 'BOLT', client: 'script-tag page, request 1', lastEventId: undefined}])
    expect(await page.locator('#echo').textContent()).toBe('script-tag page, request 1')

    demo.disconnectClients()
    await expect.poll(() => page.locator('#reconnects').textContent(), {timeout: 15_000}).toBe('1')
    const before = await tickIds(page)
    await waitForTicks(page, before.length + 2)

    // The header went out again from the headers function, with the Last-Event-ID of the last tick.
    const requests = requestsSince(from)
    expect(requests).toHaveLength(2)
    expect(requests[1]).toEqual({symbols: 'BOLT', client: 'script-tag page, request 2', lastEventId: before.at(-1)})
    expect(await page.locator('#echo').textContent()).toBe('script-tag page, request 2')
    const ids = await tickIds(page)
    expect(ids).toEqual(ids.map((_, index) => index + 1))
    expect(await page.locator('#log tr.system[data-type="open"]').first().textContent()).toContain(`resuming after event ${before.at(-1)}`)
    expect(await page.locator('#log tr.system[data-type="error"]').first().textContent()).toContain(
      'The server ended the stream (attempt 1); reconnecting in 300 ms',
    )
    expect(await page.locator('#log tr[data-type="reconnect"]').getAttribute('data-delay')).toBe('300')
    expect(await page.locator('#delay').textContent()).toBe('300 ms')
    // Under the CSP: no violation, no error of any kind.
    expect(errors).toEqual([])
    return {page, tickerTypes}
  }

  test('loads under the CSP, streams over fetch with its header, resumes with Last-Event-ID after a drop; EventSource stays native', async () => {
    const {page, tickerTypes} = await runStory(false)
    expect(await page.locator('#global').getAttribute('data-value')).toBe('native')
    expect(await page.locator('#global').textContent()).toBe("the browser's own")
    expect(await page.evaluate(() => /\[native code\]/.test(String(window.EventSource)))).toBe(true)
    expect(await page.locator('#transport').textContent()).toBe('fetch')
    expect(tickerTypes).toEqual(['fetch', 'fetch'])

    await mkdir(join(repoRoot, 'test-results'), {recursive: true})
    await page.screenshot({path: join(repoRoot, 'test-results', 'demo-script-tag.png'), fullPage: true})
  })

  test('without fetch, ReadableStream, Promise and the rest: the same page over XMLHttpRequest, with the library as window.EventSource', async () => {
    const {page, tickerTypes} = await runStory(true)
    expect(await page.locator('#global').getAttribute('data-value')).toBe('library')
    expect(await page.locator('#global').textContent()).toBe("the library's (this browser has none)")
    expect(await page.locator('#transport').textContent()).toBe('XMLHttpRequest')
    expect(tickerTypes).toEqual(['xhr', 'xhr'])
  })
})
