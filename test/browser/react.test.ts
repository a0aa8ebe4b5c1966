// useEventSource in real Chromium: a small React app (test/browser/react/app.jsx) bundled with
// esbuild against the built `streamsource/react`, served under `script-src 'self'`, renders live
// events from the test server: each one in order, a burst included, with one connection despite
// StrictMode, and its Close and Reconnect buttons act on the stream.
import {mkdtemp, rm, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {build} from 'esbuild'
import {afterAll, beforeAll, describe, expect, test} from 'vitest'
import {useChromium} from '../support/chromium.js'
import {assertBuilt, distDir} from '../support/paths.js'
import {formatEvent, serveFile, startServer, startSse, type SseStream, type TestServer} from '../support/sse-server.js'

const CSP = "script-src 'self'"
const pageHtml = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>streamsource React</title>
<link rel="icon" href="data:,">
<script type="module" src="/app.js"></script>
</head>
<body><div id="root"></div></body>
</html>
`

// The app is bundled once per supported React major: 19 (the devDependency) and 18 (installed as
// `react-18` and `react-dom-18`; esbuild's alias swaps them in for every import, React DOM's own included).
const reactVersions = [
  {react: 19, alias: {}},
  {react: 18, alias: {react: 'react-18', 'react-dom': 'react-dom-18'}},
]

describe.each(reactVersions)('useEventSource in Chromium with React $react', {timeout: 60_000}, ({react, alias}) => {
  let server: TestServer
  let dir: string
  const streams: SseStream[] = []

  beforeAll(async () => {
    assertBuilt()
    dir = await mkdtemp(join(tmpdir(), `streamsource-react${react}-`))
    await build({
      entryPoints: [fileURLToPath(new URL('./react/app.jsx', import.meta.url))],
      outfile: join(dir, 'app.js'),
      bundle: true,
      format: 'esm',
      jsx: 'automatic',
      alias: {'streamsource/react': join(distDir, 'react.js'), ...alias},
      // React's development build: StrictMode mounts, unmounts and mounts every effect again.
      define: {'process.env.NODE_ENV': '"development"'},
      logLevel: 'silent',
    })
    await writeFile(join(dir, 'index.html'), pageHtml)
    server = await startServer({
      'GET /events': (_req, res) => {
        streams.push(startSse(res))
      },
      'GET /': serveFile(join(dir, 'index.html'), {'Content-Security-Policy': CSP}),
      'GET /app.js': serveFile(join(dir, 'app.js'), {'Content-Security-Policy': CSP}),
    })
  })
  const chromium = useChromium()

  afterAll(async () => {
    await server?.close()
    if (dir !== undefined) await rm(dir, {recursive: true, force: true})
  })

  const eventRequests = () => server.requests.filter((request) => request.path === '/events')
  const ticks = (from: number, to: number) =>
    Array.from({length: to - from + 1}, (_, index) => formatEvent({event: 'tick', id: String(from + index), data: JSON.stringify({n: from + index})})).join('')

  test('renders live events in order, a burst included, over one connection; Close and Reconnect work', async () => {
    const {page, errors} = await chromium.openPage(server.url, {csp: CSP})
    const text = (selector: string) => page.locator(selector).textContent()
    const logLength = (count: number) =>
      page.waitForFunction((min) => document.querySelectorAll('#log li').length >= min, count, {timeout: 20_000})

    await page.waitForFunction(() => document.querySelector('#status')?.textContent === 'open', undefined, {timeout: 20_000})
    expect(streams).toHaveLength(1)
    await streams[0]!.write(ticks(1, 3))
    await logLength(3)
    expect(await text('#last')).toBe('3 (id 3)')

    // 200 events in one write: every one reaches onMessage and the list, in order.
    await streams[0]!.write(ticks(4, 203))
    await logLength(203)
    const logged = await page.locator('#log li').allTextContents()
    expect(logged.map(Number)).toEqual(Array.from({length: 203}, (_, index) => index + 1))
    expect(await text('#last')).toBe('203 (id 203)')
    // StrictMode's second mount joined the connection the first one opened.
    expect(eventRequests()).toHaveLength(1)

    await page.locator('#reconnect').click()
    await expect.poll(() => eventRequests().length, {timeout: 20_000}).toBe(2)
    expect(eventRequests()[1]?.headers['last-event-id']).toBe('203')
    await page.waitForFunction(() => document.querySelector('#status')?.textContent === 'open', undefined, {timeout: 20_000})
    await expect.poll(() => streams[0]!.isClosed, {timeout: 20_000}).toBe(true)

    await page.locator('#close').click()
    await page.waitForFunction(() => document.querySelector('#status')?.textContent === 'closed', undefined, {timeout: 20_000})
    await expect.poll(() => streams[1]!.isClosed, {timeout: 20_000}).toBe(true)
    expect(eventRequests()).toHaveLength(2)
    expect(errors).toEqual([])
    // The bundle holds the React it was meant to test.
    expect(await page.evaluate(() => document.querySelector('#root')?.getAttribute('data-react'))).toMatch(
      new RegExp(`^${react}\\.`),
    )
  })
})
