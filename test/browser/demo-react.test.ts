// The demo's React page in Chromium: the price board app (demo/react-app.jsx), bundled by the demo
// server with esbuild against the built `streamsource/react`, live against the real ticker. Its
// components share one connection, and it survives a drop, reconnect(), close() and a restart.
import {mkdir} from 'node:fs/promises'
import {join} from 'node:path'
import {describe, expect, test} from 'vitest'
import {useChromium, type WatchedPage} from '../support/chromium.js'
import {useDemoServer} from '../support/demo-server.js'
import {repoRoot} from '../support/paths.js'

type Page = WatchedPage['page']

const SYMBOLS = ['SSE', 'ACME', 'WAVE']

// Ticks every 200 ms and a 300 ms retry, so reconnects take well under a second. The restart keeps
// /ticker down past the first reconnect (at 300 ms) and not to the second (at 300 + 600 ms).
describe('demo React page in Chromium', {timeout: 60_000}, () => {
  const demo = useDemoServer({tickInterval: 200, retry: 300, restartDowntime: 800})
  const chromium = useChromium()

  async function openReact(): Promise<WatchedPage> {
    const csp = (await fetch(demo.url)).headers.get('content-security-policy')!
    const watched = await chromium.openPage(new URL('/react.html', demo.url).href, {
      csp,
      context: {viewport: {width: 1100, height: 1000}},
    })
    await waitForText(watched.page, '#state', 'open')
    return watched
  }

  function waitForText(page: Page, selector: string, text: string): Promise<unknown> {
    return page.waitForFunction(({selector, text}) => document.querySelector(selector)?.textContent === text, {selector, text}, {
      timeout: 20_000,
    })
  }

  /** Waits until the log shows at least `count` tick events. */
  function waitForTicks(page: Page, count: number): Promise<unknown> {
    return page.waitForFunction((min) => document.querySelectorAll('#log tr.event[data-type="tick"]').length >= min, count, {
      timeout: 20_000,
    })
  }

  /** The ticks in the log, oldest first. */
  function ticks(page: Page): Promise<{id: number; symbol: string; price: number}[]> {
    return page.evaluate(() =>
      [...document.querySelectorAll<HTMLElement>('#log tr.event[data-type="tick"]')]
        .map((row) => ({id: Number(row.dataset['id']), ...JSON.parse(row.querySelector('td.data')!.textContent!)}))
        .reverse(),
    )
  }

  /** Ids consecutive from 1: nothing lost, nothing repeated, across every reconnect. */
  async function expectConsecutive(page: Page) {
    const ids = (await ticks(page)).map((tick) => tick.id)
    expect(ids).toEqual(ids.map((_, index) => index + 1))
    return ids
  }

  /** Chromium logs a refused request itself, whatever the page does with it. */
  const unexpected = (errors: string[]) => errors.filter((error) => !/net::ERR_EMPTY_RESPONSE|net::ERR_CONNECTION/.test(error))

  test('the board fills with every symbol over one connection shared by all its components', async () => {
    const before = demo.tickerConnections()
    const {page, errors} = await openReact()
    await waitForTicks(page, 2 * SYMBOLS.length)

    expect(await page.title()).toBe('streamsource demo: React')
    expect(await page.locator('#app [data-symbol]').evaluateAll((rows) => rows.map((row) => row.getAttribute('data-symbol')))).toEqual(
      SYMBOLS,
    )
    // Each row is its own component, keeping its own symbol's ticks.
    await page.waitForFunction(() => [...document.querySelectorAll('#app [data-symbol] .price-cell')].every((cell) => /^\d+\.\d{2}$/.test(cell.textContent!)))
    const log = await ticks(page)
    for (const symbol of SYMBOLS) {
      const last = log.filter((tick) => tick.symbol === symbol).at(-1)!
      const row = page.locator(`[data-symbol="${symbol}"]`)
      // The row may be a tick ahead of the log read just before: compare with what the row says.
      const id = Number(await row.locator('.id-cell').textContent())
      expect(id).toBeGreaterThanOrEqual(last.id)
      expect((id - SYMBOLS.indexOf(symbol) - 1) % SYMBOLS.length).toBe(0)
    }
    await expectConsecutive(page)

    // Panel, three quote rows and the log: five components, one stream.
    expect(demo.tickerConnections()).toBe(before + 1)
    expect(demo.openStreams()).toBe(1)
    expect(Number(await page.locator('#count').textContent())).toBeGreaterThanOrEqual(2 * SYMBOLS.length)
    expect(await page.locator('#reconnects').textContent()).toBe('0')
    expect(await page.locator('#error').textContent()).toBe('—')
    expect(errors).toEqual([])

    await mkdir(join(repoRoot, 'test-results'), {recursive: true})
    await page.screenshot({path: join(repoRoot, 'test-results', 'demo-react.png'), fullPage: true})
  })

  test('a dropped stream: status, error and delay shown, then one new connection resuming after the last id', async () => {
    const {page, errors} = await openReact()
    await waitForTicks(page, 3)
    const before = demo.tickerConnections()

    demo.disconnectClients()
    await waitForText(page, '#reconnects', '1')
    await waitForText(page, '#state', 'open')
    const seen = (await ticks(page)).length
    await waitForTicks(page, seen + 3)

    expect(demo.tickerConnections()).toBe(before + 1)
    expect(await page.locator('#delay').textContent()).toBe('300 ms')
    expect(await page.locator('#attempt').textContent()).toBe('1')
    expect(await page.locator('#error').textContent()).toBe('The server ended the stream (recovered)')
    expect(await page.locator('#log tr[data-type="error"]').first().textContent()).toContain(
      'The server ended the stream (attempt 1); reconnecting in 300 ms',
    )
    expect(await page.locator('#log tr[data-type="open"]').first().textContent()).toMatch(/Connected, resuming after event \d+/)
    await expectConsecutive(page)
    expect(errors).toEqual([])
  })

  test('Reconnect opens one new connection at once, resuming; Close ends it for every component', async () => {
    const {page, errors} = await openReact()
    await waitForTicks(page, 3)
    const before = demo.tickerConnections()

    await page.locator('#reconnect').click()
    await page.waitForFunction(() => document.querySelectorAll('#log tr[data-type="open"]').length >= 2, null, {timeout: 20_000})
    const seen = (await ticks(page)).length
    await waitForTicks(page, seen + 3)
    expect(demo.tickerConnections()).toBe(before + 1)
    expect(await page.locator('#log tr[data-type="open"]').first().textContent()).toMatch(/Connected, resuming after event \d+/)
    // reconnect() is no failure: no error, no scheduled reconnect.
    expect(await page.locator('#reconnects').textContent()).toBe('0')
    await expectConsecutive(page)

    await page.locator('#close').click()
    await waitForText(page, '#state', 'closed')
    await expect.poll(() => demo.openStreams(), {timeout: 10_000}).toBe(0)
    const closedAt = (await ticks(page)).length
    expect(await page.locator('#close').isDisabled()).toBe(true)
    expect(await page.locator('#log tr[data-type="closed"]').count()).toBe(1)

    // Reconnect after Close opens again, from where it stopped.
    await page.locator('#reconnect').click()
    await waitForText(page, '#state', 'open')
    await waitForTicks(page, closedAt + 3)
    expect(demo.tickerConnections()).toBe(before + 2)
    await expectConsecutive(page)
    expect(errors).toEqual([])
  })

  test('Restart server: the first reconnect finds it down, the second backs off from the floor and resumes', async () => {
    const {page, errors} = await openReact()
    await waitForTicks(page, 3)

    await page.locator('#restart').click()
    await waitForText(page, '#reconnects', '2')
    await waitForText(page, '#state', 'open')
    const seen = (await ticks(page)).length
    await waitForTicks(page, seen + 3)

    // The server's retry: 300 after the drop; after the refused attempt, a second failure in a row,
    // factor 2 from the floor of repeated failures (1 s with the default initialDelay): 2000 ms.
    expect(await page.locator('#delay').textContent()).toBe('2000 ms')
    expect(await page.locator('#attempt').textContent()).toBe('2')
    const errorRows = await page.locator('#log tr[data-type="error"]').allTextContents()
    expect(errorRows.reverse().map((row) => /\(attempt \d\); reconnecting in \d+ ms/.exec(row)?.[0])).toEqual([
      '(attempt 1); reconnecting in 300 ms',
      '(attempt 2); reconnecting in 2000 ms',
    ])
    expect(await page.locator('#log tr[data-type="restart"]').count()).toBe(1)
    await expectConsecutive(page)
    expect(unexpected(errors)).toEqual([])
  })
})
