// close() must give the connection back: the server sees the stream's socket close. Counted at the
// server, in one engine, for a stream reached directly and one reached through a redirect, with the
// library's ES module build (fetch). Firefox keeps a redirected fetch's connection after an abort
// until the server next writes to it (its own EventSource and XMLHttpRequest release it): no
// workaround was found that keeps the library's rules (docs/firefox-redirect-close.md has the
// measurements), so Firefox's behaviour is pinned here, to be noticed the day it changes.
// close-releases-connection.test.ts registers it for Chromium, close-releases-connection-<engine>.test.ts for the others.
import {afterAll, beforeAll, describe, expect, test} from 'vitest'
import {engineLabels, useEngine, type EngineName} from '../../support/engines.js'
import {assertBuilt, distDir} from '../../support/paths.js'
import {delay, serveDirectory, servePage, startServer, startSse, type SseStream, type TestServer} from '../../support/sse-server.js'

export function registerCloseReleasesConnectionSuite(engine: EngineName): void {
  describe(`close() releases the connection, in ${engineLabels[engine]}`, {timeout: 30_000}, () => {
    let server: TestServer
    /** The open streams, by the query that names the source. */
    const streams = new Map<string, SseStream>()

    beforeAll(async () => {
      assertBuilt()
      server = await startServer({
        // The ES module build, as an app imports it: a module script from the page's origin (the
        // page's CSP allows no other kind), which hands the class to the test.
        'GET /': servePage('close', '<script type="module" src="/app.js"></script>', ''),
        'GET /app.js': (_req, res) => {
          res.writeHead(200, {'Content-Type': 'text/javascript'})
          res.end("import {EventSource} from '/dist/index.js'\nwindow.StreamSource = {EventSource}\n")
        },
        'GET /dist/*': serveDirectory(distDir, '/dist'),
        'GET /moved': (req, res) => {
          res.writeHead(302, {Location: `/stream?${new URL(req.url!, 'http://x').searchParams}`})
          res.end()
        },
        'GET /stream': async (req, res) => {
          const stream = startSse(res)
          streams.set(new URL(req.url!, 'http://x').searchParams.get('name')!, stream)
          await stream.send({data: 'hello'})
        },
      })
    })
    const browser = useEngine(engine)
    afterAll(async () => {
      await server?.close()
    })

    /** Whether the stream named `name` still holds its socket at the server. */
    const isOpen = (name: string): boolean => {
      const stream = streams.get(name)
      return stream !== undefined && !stream.isClosed
    }

    test('a stream reached directly and one reached through a redirect: both closed, both sockets released', async () => {
      const page = await browser.openPage(`${server.origin}/`, {ready: () => (window as {StreamSource?: unknown}).StreamSource})
      await page.evaluate(async () => {
        const {EventSource} = (window as unknown as {StreamSource: typeof import('../../../src/index.js')}).StreamSource
        const sources = [new EventSource('/stream?name=direct'), new EventSource('/moved?name=redirected')]
        await Promise.all(sources.map((source) => new Promise((resolve) => source.addEventListener('message', resolve, {once: true}))))
        for (const source of sources) source.close()
      }, undefined)
      await server.waitForRequests(3)
      // Released: the socket of the direct stream closes at once, in every engine.
      await expect.poll(() => isOpen('direct'), {timeout: 10_000}).toBe(false)
      if (engine !== 'firefox') {
        await expect.poll(() => isOpen('redirected'), {timeout: 10_000}).toBe(false)
        return
      }
      // Pinned: Firefox keeps the redirected one while the server is silent (measured: 310 s and
      // more), and lets it go when the server next writes.
      await delay(1_000)
      expect(isOpen('redirected')).toBe(true)
      await streams.get('redirected')!.comment('ping').catch(() => {})
      await expect.poll(() => isOpen('redirected'), {timeout: 10_000}).toBe(false)
    })
  })
}
