// The demo (`npm start`): its server's ticker and file serving from Node, then the page
// itself in Chromium, live against the real server and the built library.
import {mkdir} from 'node:fs/promises'
import {request} from 'node:http'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, test} from 'vitest'
import {startDemoServer, type DemoServer} from '../../demo/server.mjs'
import {useChromium, type WatchedPage} from '../support/chromium.js'
import {assertBuilt, distDir, repoRoot} from '../support/paths.js'

/** A GET with the path sent exactly as written (fetch would normalise `..` away before sending). */
function rawGet(url: string, path: string): Promise<{status: number; contentType: string | undefined}> {
  return new Promise((resolveGet, rejectGet) => {
    const {hostname, port} = new URL(url)
    const req = request({hostname, port, path, method: 'GET'}, (res) => {
      res.resume()
      res.on('end', () => resolveGet({status: res.statusCode ?? 0, contentType: res.headers['content-type']}))
    })
    req.on('error', rejectGet)
    req.end()
  })
}

/** Reads an event stream as text until `until` matches what has arrived, then disconnects. */
async function readStreamUntil(url: string, headers: Record<string, string>, until: RegExp) {
  const controller = new AbortController()
  const response = await fetch(url, {headers, signal: controller.signal})
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader()
  let text = ''
  try {
    while (!until.test(text)) {
      const {done, value} = await reader.read()
      if (done) break
      text += value
    }
  } finally {
    controller.abort()
  }
  return {response, text}
}

describe('demo server', () => {
  let demo: DemoServer

  beforeAll(async () => {
    // Fast ticks and keep-alives so the stream's whole shape shows up in well under a second.
    demo = await startDemoServer({port: 0, distDir, tickInterval: 40, keepAliveInterval: 100})
  })

  afterAll(async () => {
    await demo?.close()
  })

  test('/ticker: event-stream headers, retry first, then ticks resuming after Last-Event-ID, and keep-alives', async () => {
    const {response, text} = await readStreamUntil(
      `${demo.url}ticker`,
      {'Last-Event-ID': '41'},
      /: keep-alive\n\n[^]*id: \d+\n[^]*\n\n/,
    )
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/)
    expect(response.headers.get('cache-control')).toBe('no-store')
    expect(text.startsWith('retry: 2000\n\n')).toBe(true)

    const ids = [...text.matchAll(/^id: (\d+)$/gm)].map((match) => Number(match[1]))
    expect(ids[0]).toBe(42)
    expect(ids).toEqual(ids.map((_, index) => 42 + index))
    const first = /event: tick\nid: 42\ndata: (.*)\n\n/.exec(text)
    expect(JSON.parse(first?.[1] ?? 'null')).toMatchObject({symbol: 'SSE', price: expect.any(Number), change: expect.any(Number)})
  })

  test('/ticker without Last-Event-ID starts at 1', async () => {
    const {text} = await readStreamUntil(`${demo.url}ticker`, {}, /id: \d+\n/)
    expect(/id: (\d+)\n/.exec(text)?.[1]).toBe('1')
  })

  test('a client that goes away leaves no stream (and no timers) behind', async () => {
    await readStreamUntil(`${demo.url}ticker`, {}, /id: 2\n/)
    // The poll waits for the server to notice the disconnect, which takes a moment.
    await expect.poll(() => demo.openStreams(), {timeout: 10_000}).toBe(0)
  })

  test('serves the page with its CSP, the library as JavaScript, and nothing outside dist/', async () => {
    const page = await fetch(demo.url)
    expect(page.status).toBe(200)
    expect(page.headers.get('content-type')).toMatch(/^text\/html/)
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'")
    expect(await page.text()).toContain('<title>streamsource demo</title>')

    const library = await rawGet(demo.url, '/dist/index.js')
    expect(library).toEqual({status: 200, contentType: 'text/javascript; charset=utf-8'})

    for (const path of [
      '/dist/../package.json',
      '/dist/..%2Fpackage.json',
      '/dist/%2e%2e/%2e%2e/etc/passwd',
      '/dist/..%5C..%5Cpackage.json',
      '/dist/%00index.js',
      '/dist/',
      '/server.mjs',
      '/demo/server.mjs',
    ]) {
      expect({path, status: (await rawGet(demo.url, path)).status}).toEqual({path, status: 404})
    }
    expect((await fetch(demo.url, {method: 'POST'})).status).toBe(405)
  })
})

// Each test waits on real seconds (ticks, the 2 s retry) on a possibly busy machine.
describe('demo page in Chromium', {timeout: 60_000}, () => {
  let demo: DemoServer

  beforeAll(async () => {
    assertBuilt()
    // The real settings: a tick a second, retry 2000 ms.
    demo = await startDemoServer({port: 0, distDir})
  })
  const chromium = useChromium()

  afterAll(async () => {
    await demo?.close()
  })

  function openDemo(): Promise<WatchedPage> {
    return chromium.openPage(demo.url, {context: {viewport: {width: 1100, height: 760}}})
  }

  /** Waits until the log shows at least `count` tick events; generous, for a busy machine. */
  async function waitForTicks(page: WatchedPage['page'], count: number) {
    await page.waitForFunction(
      (min) => document.querySelectorAll('#log tr.event[data-type="tick"]').length >= min,
      count,
      {timeout: 20_000},
    )
  }

  /** Tick ids in the log, oldest first. */
  function tickIds(page: WatchedPage['page']): Promise<number[]> {
    return page.evaluate(() =>
      [...document.querySelectorAll<HTMLElement>('#log tr.event[data-type="tick"]')]
        .map((row) => Number(row.dataset['id']))
        .reverse(),
    )
  }

  test('shows live tick events, the open state and a price, without console errors', async () => {
    const {page, errors} = await openDemo()
    await waitForTicks(page, 2)

    expect(await page.title()).toBe('streamsource demo')
    expect(await page.locator('#state').textContent()).toBe('open')
    expect(await page.locator('#price').textContent()).toMatch(/^\d+\.\d{2}$/)
    expect(await page.locator('#retry').textContent()).toBe('2000 ms')
    const ids = await tickIds(page)
    expect(ids.slice(0, 2)).toEqual([1, 2])
    expect(errors).toEqual([])

    await mkdir(join(repoRoot, 'test-results'), {recursive: true})
    await page.screenshot({path: join(repoRoot, 'test-results', 'demo.png'), fullPage: true})
  })

  test('reconnects by itself when the stream ends, resuming after the last id (no gap, no repeat)', async () => {
    const {page, errors} = await openDemo()
    await waitForTicks(page, 2)
    const before = await tickIds(page)

    demo.disconnectClients()
    // After the server's `retry: 2000` the page reconnects and announces where it resumes.
    await page.waitForFunction(() => document.querySelector('#reconnects')?.textContent === '1', null, {timeout: 20_000})
    await waitForTicks(page, before.length + 2)

    const ids = await tickIds(page)
    // Consecutive ids across the reconnection: the page sent Last-Event-ID and the server
    // continued from it (without it the server would start again at 1).
    expect(ids).toEqual(ids.map((_, index) => 1 + index))
    expect(await page.locator('#log tr.system[data-type="open"]').first().textContent()).toContain('resuming after event')
    expect(errors).toEqual([])
  })

  test('Disconnect aborts the request, so the server closes its stream; Connect resumes', async () => {
    const {page, errors} = await openDemo()
    await waitForTicks(page, 1)

    await page.locator('#toggle').click()
    expect(await page.locator('#state').textContent()).toBe('closed')
    await expect.poll(() => demo.openStreams(), {timeout: 10_000}).toBe(0)
    const before = await tickIds(page)

    await page.locator('#toggle').click()
    await waitForTicks(page, before.length + 1)
    const ids = await tickIds(page)
    expect(ids).toEqual(ids.map((_, index) => 1 + index))
    expect(errors).toEqual([])
  })
})
