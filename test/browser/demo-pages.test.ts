// The demo's chat and flaky pages in Chromium, live against the real server and the built
// library: a POST stream that survives an expired token, and a stream that survives a server
// that drops connections and answers 503.
import {mkdir} from 'node:fs/promises'
import {join} from 'node:path'
import {describe, expect, test} from 'vitest'
import {useChromium, type WatchedPage} from '../support/chromium.js'
import {useDemoServer} from '../support/demo-server.js'
import {repoRoot} from '../support/paths.js'

// Real timings (Retry-After: 1, backoff from 500 ms) on a possibly busy machine.
describe('demo chat and flaky pages in Chromium', {timeout: 60_000}, () => {
  const demo = useDemoServer()
  const chromium = useChromium()

  async function open(path: string): Promise<WatchedPage> {
    // The CSP is checked, so these pages prove the library runs without inline script or style.
    const csp = (await fetch(demo.url)).headers.get('content-security-policy')
    expect(csp).toContain("script-src 'self'")
    return chromium.openPage(new URL(path, demo.url).href, {csp: csp!, context: {viewport: {width: 1100, height: 900}}})
  }

  async function screenshot(page: WatchedPage['page'], name: string) {
    await mkdir(join(repoRoot, 'test-results'), {recursive: true})
    await page.screenshot({path: join(repoRoot, 'test-results', name), fullPage: true})
  }

  /**
   * The console errors left once those the demo causes on purpose are taken out: Chromium itself
   * logs every non-2xx fetch and every body cut short, whatever the page does with them.
   */
  function unexpected(errors: string[], statuses: number[], {dropped = false} = {}) {
    const status = new RegExp(`^console\\.error: Failed to load resource: the server responded with a status of (${statuses.join('|')})\\b`)
    const drop = /^console\.error: Failed to load resource: net::ERR_INCOMPLETE_CHUNKED_ENCODING$/
    return errors.filter((error) => !status.test(error) && !(dropped && drop.test(error)))
  }

  test('the index page links to every demo page, and every page has the same links', async () => {
    const pages = ['/', '/chat.html', '/flaky.html', '/react.html', '/script-tag.html']
    const {page, errors} = await open('/')
    expect(await page.locator('nav a').evaluateAll((links) => links.map((link) => link.getAttribute('href')))).toEqual(pages)
    expect(errors).toEqual([])
    for (const path of pages.slice(1)) {
      const html = await (await fetch(new URL(path, demo.url))).text()
      expect({path, links: [...html.matchAll(/<a href="([^"]+)"/g)].map((match) => match[1])}).toEqual({path, links: pages})
    }
  })

  test('chat: a 401 for the expired token, a fresh token from the headers function, then the answer and [DONE]', async () => {
    const before = demo.chatRequests().length
    const {page, errors} = await open('/chat.html')
    await page.locator('#send:not([disabled])').waitFor()
    await page.locator('#prompt').fill('Why <b>SSE</b>?')
    await page.locator('#send').click()

    await page.waitForFunction(() => document.querySelector('#state')?.textContent === 'closed done', null, {
      timeout: 20_000,
    })

    const requests = demo.chatRequests().slice(before)
    expect(requests.map((request) => request.status)).toEqual([401, 200])
    expect(requests[0]?.authorization).toBe('Bearer expired-token')
    expect(requests[1]?.authorization).toMatch(/^Bearer fresh-\d+-\w+$/)
    const shown = await page.locator('#token').textContent()
    expect(`Bearer ${shown}`).toBe(requests[1]?.authorization)

    // Tokens rendered as text: the prompt's markup comes back escaped, not as an element.
    const answer = await page.locator('#answer').textContent()
    expect(answer).toMatch(/^You asked: "Why <b>SSE<\/b>\?"\. Here is the answer/)
    expect(answer).toMatch(/request again\.$/)
    expect(await page.locator('#answer b').count()).toBe(0)

    const ids = await page.evaluate(() =>
      [...document.querySelectorAll<HTMLElement>('#log tr.event[data-type="token"]')].map((row) => Number(row.dataset['id'])).reverse(),
    )
    expect(ids.length).toBeGreaterThan(10)
    expect(ids).toEqual(ids.map((_, index) => index + 1))
    expect(await page.locator('#count').textContent()).toBe(String(ids.length))
    expect(await page.locator('#log tr[data-type="done"]').count()).toBe(1)
    expect(await page.locator('#log tr[data-type="reconnect"]').count()).toBe(1)
    expect(await page.locator('#log tr[data-type="error"]').first().textContent()).toContain('401')
    expect(unexpected(errors, [401])).toEqual([])

    await screenshot(page, 'demo-chat.png')
  })

  test('flaky: reconnects after drops and 503s with growing delays, resuming with no repeated or missing id', async () => {
    const {page, errors} = await open('/flaky.html')
    // Two streams of four events with two 503s between them: drop, 503, 503, stream.
    await page.waitForFunction(() => document.querySelectorAll('#log tr.event').length >= 8, null, {timeout: 25_000})

    const ids = await page.evaluate(() =>
      [...document.querySelectorAll<HTMLElement>('#log tr.event')].map((row) => Number(row.dataset['id'])).reverse(),
    )
    expect(ids).toEqual(ids.map((_, index) => index + 1))

    // The rows and the counter read at one moment: the server goes on dropping streams meanwhile.
    const {reconnects, counter} = await page.evaluate(() => ({
      reconnects: [...document.querySelectorAll<HTMLElement>('#log tr[data-type="reconnect"]')]
        .map((row) => ({attempt: Number(row.dataset['attempt']), delay: Number(row.dataset['delay'])}))
        .reverse(),
      counter: document.querySelector('#reconnects')?.textContent,
    }))
    expect(reconnects.length).toBeGreaterThanOrEqual(3)
    // After the drop: attempt 1, 500 ms less up to half of it in jitter.
    expect(reconnects[0]?.attempt).toBe(1)
    expect(reconnects[0]?.delay).toBeGreaterThanOrEqual(250)
    expect(reconnects[0]?.delay).toBeLessThanOrEqual(500)
    // After each 503 the count grows and Retry-After: 1 holds the delay to at least a second.
    expect(reconnects[1]).toMatchObject({attempt: 2, delay: expect.any(Number)})
    expect(reconnects[1]!.delay).toBeGreaterThanOrEqual(1000)
    expect(reconnects[2]?.attempt).toBe(3)
    expect(reconnects[2]!.delay).toBeGreaterThanOrEqual(1000)
    expect(reconnects[2]!.delay).toBeLessThanOrEqual(2000)

    const log = await page.locator('#log').textContent()
    expect(log).toContain('503')
    expect(log).toContain('Connected, resuming after event 4')
    expect(counter).toBe(String(reconnects.length))
    expect(unexpected(errors, [503], {dropped: true})).toEqual([])

    await screenshot(page, 'demo-flaky.png')
  })
})
