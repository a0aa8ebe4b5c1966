// The demo (`npm start`): its server's ticker and file serving from Node, then the page
// itself in Chromium, live against the real server and the built library.
import {mkdir, mkdtemp, rm} from 'node:fs/promises'
import {request} from 'node:http'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {describe, expect, test, vi} from 'vitest'
import {startDemoServer} from '../../demo/server.mjs'
import {useChromium, type WatchedPage} from '../support/chromium.js'
import {useDemoServer} from '../support/demo-server.js'
import {repoRoot} from '../support/paths.js'

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
  // Fast ticks and keep-alives so the stream's whole shape shows up in well under a second.
  const demo = useDemoServer({tickInterval: 40, keepAliveInterval: 100, restartDowntime: 1000})

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

  test('/ticker?symbols=: one tick per symbol per tick, ids counting across symbols, resumable mid-round', async () => {
    const {text} = await readStreamUntil(`${demo.url}ticker?symbols=SSE,ACME,WAVE`, {'Last-Event-ID': '4'}, /id: 10\n.*\n\n/)
    const ticks = [...text.matchAll(/^id: (\d+)\ndata: (.*)$/gm)].map((match) => ({id: Number(match[1]), ...JSON.parse(match[2]!)}))
    expect(ticks.map((tick) => [tick.id, tick.symbol])).toEqual([
      [5, 'ACME'],
      [6, 'WAVE'],
      [7, 'SSE'],
      [8, 'ACME'],
      [9, 'WAVE'],
      [10, 'SSE'],
    ])
    // Each symbol has its own curve; SSE's is the one /ticker alone sends.
    // (SSE's ids 7 and 10 above are its 3rd and 4th quotes.)
    const single = await readStreamUntil(`${demo.url}ticker`, {'Last-Event-ID': '2'}, /id: 4\n.*\n\n/)
    const ssePrices = [...single.text.matchAll(/^data: (.*)$/gm)].map((match) => JSON.parse(match[1]!).price)
    expect(ticks.filter((tick) => tick.symbol === 'SSE').map((tick) => tick.price)).toEqual(ssePrices)
    expect(ticks.find((tick) => tick.symbol === 'ACME')!.price).toBeLessThan(60)

    for (const symbols of ['SSE,NOPE', '', 'SSE,SSE']) {
      const response = await fetch(`${demo.url}ticker?symbols=${symbols}`)
      expect({symbols, status: response.status}).toEqual({symbols, status: 400})
    }
  })

  test('/ticker with X-Demo-Client: a hello event (no id) echoing it, cut to 100 characters, and the request recorded', async () => {
    const from = demo.tickerRequests().length
    const {text} = await readStreamUntil(`${demo.url}ticker?symbols=WAVE`, {'X-Demo-Client': 'page "1"', 'Last-Event-ID': '6'}, /id: 7\n/)
    expect(text).toMatch(/^retry: 2000\n\nevent: hello\ndata: \{"client":"page \\"1\\"","lastEventId":6\}\n\nevent: tick\nid: 7\n/)
    const long = await readStreamUntil(`${demo.url}ticker`, {'X-Demo-Client': 'x'.repeat(500)}, /id: 1\n/)
    expect(/event: hello\ndata: (.*)\n/.exec(long.text)?.[1]).toBe(JSON.stringify({client: 'x'.repeat(100), lastEventId: null}))
    expect(demo.tickerRequests().slice(from)).toEqual([
      {symbols: 'WAVE', client: 'page "1"', lastEventId: 6},
      {symbols: null, client: 'x'.repeat(100), lastEventId: undefined},
    ])
    // Without the header, no hello: the stream the other pages get is unchanged.
    expect((await readStreamUntil(`${demo.url}ticker`, {}, /id: 1\n/)).text).not.toContain('hello')
  })

  test('counts the /ticker streams it opens', async () => {
    const before = demo.tickerConnections()
    await readStreamUntil(`${demo.url}ticker`, {}, /id: 1\n/)
    await readStreamUntil(`${demo.url}ticker?symbols=WAVE`, {}, /id: 1\n/)
    expect(demo.tickerConnections()).toBe(before + 2)
  })

  test('POST /ticker/restart ends every stream, then /ticker is down (no response) for a moment', async () => {
    const controller = new AbortController()
    const response = await fetch(`${demo.url}ticker`, {signal: controller.signal})
    const body = response.body!.pipeThrough(new TextDecoderStream())
    await expect.poll(() => demo.openStreams()).toBe(1)

    expect((await fetch(`${demo.url}ticker/restart`)).status).toBe(405)
    const restart = await fetch(`${demo.url}ticker/restart`, {method: 'POST'})
    expect(restart.status).toBe(204)
    // The stream ends cleanly: reading it to the end finishes.
    let text = ''
    for await (const chunk of body) text += chunk
    expect(text).toContain('id: 1\n')
    await expect(fetch(`${demo.url}ticker`)).rejects.toThrow()
    // Up again after restartDowntime (1 s here), resuming as usual.
    await expect
      .poll(async () => (await readStreamUntil(`${demo.url}ticker`, {'Last-Event-ID': '7'}, /id: \d+\n/).catch(() => undefined))?.text, {
        timeout: 5_000,
      })
      .toContain('id: 8\n')
  })

  test('/react-app.js: the React app bundled from demo/react-app.jsx against dist/, built once and then cached', async () => {
    const first = await fetch(`${demo.url}react-app.js`)
    expect(first.status).toBe(200)
    expect(first.headers.get('content-type')).toBe('text/javascript; charset=utf-8')
    const code = await first.text()
    // React's production build, with the hook from dist/ (its shared connections) in it.
    expect(code).not.toContain('process.env.NODE_ENV')
    expect(code).not.toMatch(/react\.development|Warning: /)
    expect(code).toContain('/ticker?symbols=')
    expect(code.length).toBeGreaterThan(50_000)

    const started = performance.now()
    expect(await (await fetch(`${demo.url}react-app.js`)).text()).toBe(code)
    expect(performance.now() - started).toBeLessThan(200)

    for (const path of ['/react-app.jsx', '/bundle.mjs', '/server.d.mts']) {
      expect({path, status: (await rawGet(demo.url, path)).status}).toEqual({path, status: 404})
    }
  })

  test('/react-app.js: a bundling failure is a 500 with the reason, and a console message, not a crash', async () => {
    const emptyDist = await mkdtemp(join(tmpdir(), 'streamsource-demo-nodist-'))
    const consoleError = vi.spyOn(console, 'error').mockImplementation(() => {})
    const broken = await startDemoServer({port: 0, distDir: emptyDist})
    try {
      const response = await fetch(`${broken.url}react-app.js`)
      expect(response.status).toBe(500)
      const text = await response.text()
      expect(text).toMatch(/^The React demo could not be bundled\./)
      expect(text).toContain(`${join(emptyDist, 'react.js')} is missing: run \`npm run build\` first`)
      expect(consoleError).toHaveBeenCalledWith(expect.stringContaining('[demo] /react-app.js: esbuild could not bundle'))
      // Still serving.
      expect((await fetch(`${broken.url}react.html`)).status).toBe(200)
    } finally {
      consoleError.mockRestore()
      await broken.close()
      await rm(emptyDist, {recursive: true, force: true})
    }
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
    // `//x` is a path, not a host; a target that is not a path at all is refused.
    expect((await rawGet(demo.url, '//')).status).toBe(404)
    expect((await rawGet(demo.url, '//example.com/ticker')).status).toBe(404)
    expect((await rawGet(demo.url, 'http://example.com/ticker')).status).toBe(400)
  })
})

// Each test waits on real seconds (ticks, the 2 s retry) on a possibly busy machine.
describe('demo page in Chromium', {timeout: 60_000}, () => {
  // The real settings: a tick a second, retry 2000 ms, a restart that keeps /ticker down 3 s (past
  // the first reconnect, before the second).
  const demo = useDemoServer()
  const chromium = useChromium()

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

  /** The reconnects the log shows (attempt and delay), oldest first. */
  function reconnectRows(page: WatchedPage['page']): Promise<{attempt: number; delay: number}[]> {
    return page.evaluate(() =>
      [...document.querySelectorAll<HTMLElement>('#log tr[data-type="reconnect"]')]
        .map((row) => ({attempt: Number(row.dataset['attempt']), delay: Number(row.dataset['delay'])}))
        .reverse(),
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
    // No reconnect yet, so no delay to show.
    expect(await page.locator('#delay').textContent()).toBe('—')
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
    // The error event's details and the reconnect event, as the page shows them.
    expect(await page.locator('#log tr.system[data-type="error"]').first().textContent()).toContain(
      'The server ended the stream (attempt 1); reconnecting in 2000 ms',
    )
    expect(await reconnectRows(page)).toEqual([{attempt: 1, delay: 2000}])
    expect(await page.locator('#delay').textContent()).toBe('2000 ms')
    expect(errors).toEqual([])
  })

  test('Restart server: the stream drops, the first reconnect finds the server down, the second (twice the delay) resumes', async () => {
    const {page, errors} = await openDemo()
    await waitForTicks(page, 1)

    await page.locator('#restart').click()
    await page.waitForFunction(() => document.querySelector('#reconnects')?.textContent === '2', null, {timeout: 20_000})
    const before = await tickIds(page)
    await page.waitForFunction(() => document.querySelector('#state')?.textContent === 'open', null, {timeout: 20_000})
    await waitForTicks(page, before.length + 1)

    // factor 2: 2000 ms after the drop, 4000 ms after the failed attempt.
    expect(await reconnectRows(page)).toEqual([
      {attempt: 1, delay: 2000},
      {attempt: 2, delay: 4000},
    ])
    const ids = await tickIds(page)
    expect(ids).toEqual(ids.map((_, index) => 1 + index))
    expect(await page.locator('#log tr.system[data-type="open"]').first().textContent()).toContain(
      `resuming after event ${before.at(-1)}`,
    )
    // Chromium logs the refused attempt itself.
    expect(errors.filter((error) => !/net::ERR_EMPTY_RESPONSE|net::ERR_CONNECTION/.test(error))).toEqual([])
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
