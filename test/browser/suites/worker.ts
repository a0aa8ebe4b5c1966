// The built library inside a dedicated module Web Worker, in one engine. The page and every
// script (the worker's too) are served with `Content-Security-Policy: script-src 'self'`, which
// worker-src falls back to, so nothing may run from eval, blob: or inline code. The worker's
// EventSource receives events from the test server, reconnects with Last-Event-ID, and posts
// each event to the page, where the test reads them.
// eventsource-worker.test.ts registers it for Chromium, eventsource-worker-<engine>.test.ts for the others.
import {fileURLToPath} from 'node:url'
import {join} from 'node:path'
import {pathToFileURL} from 'node:url'
import {afterAll, beforeAll, describe, expect, test} from 'vitest'
import {engineLabels, useEngine, type EngineName, type EnginePage} from '../../support/engines.js'
import {assertBuilt, distDir} from '../../support/paths.js'
import {serveDirectory, serveFile, startServer, startSse, type TestServer} from '../../support/sse-server.js'

interface WorkerRecord {
  messages: Record<string, unknown>[]
  errors: string[]
}

// What worker/page.js puts on window.
declare global {
  interface Window {
    workerHarness?: {
      start(name: string, script: string): void
      read(name: string): WorkerRecord | undefined
      post(name: string, message: unknown): void
      violations: string[]
    }
  }
}

const fixtures = fileURLToPath(new URL('../worker/', import.meta.url))
const CSP = "script-src 'self'"

export function registerWorkerSuite(engine: EngineName): void {
  describe(`EventSource in a dedicated module worker, in ${engineLabels[engine]}`, {timeout: 30_000}, () => {
    let server: TestServer

    beforeAll(async () => {
      assertBuilt()
      server = await startServer({
        // First connection: two events (one named) with ids, then a clean end, which the source
        // reconnects after `retry` ms; the second resumes from the Last-Event-ID and stays open.
        'GET /events': async (req, res) => {
          const stream = startSse(res)
          const lastEventId = req.headers['last-event-id']
          if (lastEventId === undefined) {
            await stream.send({retry: 100, id: '1', data: 'first'})
            await stream.send({id: '2', event: 'greeting', data: 'hello'})
            await stream.end()
          } else {
            await stream.send({id: '3', data: `resumed after ${String(lastEventId)}`})
          }
        },
        'GET /': serveFile(join(fixtures, 'page.html'), {'Content-Security-Policy': CSP}),
        'GET /dist/*': serveDirectory(distDir, '/dist', {'Content-Security-Policy': CSP}),
        'GET /*': serveDirectory(fixtures, '/', {'Content-Security-Policy': CSP}),
      })
    })
    const browser = useEngine(engine)

    afterAll(async () => {
      await server?.close()
    })

    function openHarness(): Promise<EnginePage> {
      return browser.openPage(server.url, {csp: CSP, ready: () => window.workerHarness !== undefined, timeout: 10_000})
    }

    /** Waits until the worker posted `count` messages or reported an error, then reads it. */
    async function readWorker(page: EnginePage, name: string, count: number): Promise<WorkerRecord> {
      // waitFor takes no argument: the page polls, and resolves, in one evaluation.
      await page.evaluate(
        ([workerName, expected]) =>
          new Promise<void>((resolve, reject) => {
            const started = Date.now()
            const poll = (): void => {
              const record = window.workerHarness?.read(workerName)
              if (record !== undefined && (record.messages.length >= expected || record.errors.length > 0)) resolve()
              else if (Date.now() - started > 15_000) reject(new Error(`worker ${workerName}: ${expected} messages not seen in 15 s`))
              else setTimeout(poll, 20)
            }
            poll()
          }),
        [name, count] as const,
      )
      const record = await page.evaluate((workerName) => window.workerHarness?.read(workerName), name)
      if (record === undefined) throw new Error(`no worker named ${name}`)
      return record
    }

    test('importing /dist/index.js in a worker raises no error: nothing touches the DOM at import time', async () => {
      const page = await openHarness()
      await page.evaluate(() => window.workerHarness?.start('import', '/import-worker.js'), null)
      const record = await readWorker(page, 'import', 1)

      // The same module imported in Node lists what the worker should see.
      const library = (await import(pathToFileURL(join(distDir, 'index.js')).href)) as Record<string, unknown>
      const expectedExports = Object.keys(library).sort()
      expect(record.errors).toEqual([])
      expect(record.messages).toEqual([
        {
          exports: expectedExports,
          types: Object.fromEntries(expectedExports.map((name) => [name, typeof library[name]])),
          hasWindow: false,
          hasDocument: false,
          constructed: {url: `${server.origin}/never`, readyState: 2},
        },
      ])
      expect(expectedExports).toContain('EventSource')
      expect(await page.evaluate(() => window.workerHarness?.violations, null)).toEqual([])
      expect(page.errors).toEqual([])
      // close() before the first microtask sent nothing.
      expect(server.requests.filter((request) => request.path === '/never')).toEqual([])
    })

    test('the CSP is in force for workers: a blob: worker is refused', async () => {
      // Checks the premise of the other tests: were worker-src not covered, they would prove less.
      const page = await openHarness()
      await page.evaluate(() => {
        const url = URL.createObjectURL(new Blob(['postMessage("ran")'], {type: 'text/javascript'}))
        window.workerHarness?.start('blob', url)
      }, null)
      await page.waitFor(
        () => (window.workerHarness?.violations.length ?? 0) > 0 || (window.workerHarness?.read('blob')?.errors.length ?? 0) > 0,
        10_000,
      )
      const record = await page.evaluate(() => window.workerHarness?.read('blob'), null)
      expect(record?.messages).toEqual([])
      const violations = await page.evaluate(() => window.workerHarness?.violations ?? [], null)
      expect(violations.some((violation) => violation.startsWith('worker-src blocked blob'))).toBe(true)
    })

    test('a worker-side EventSource receives events, a named one and ids, reconnects with Last-Event-ID, and closes', async () => {
      const page = await openHarness()
      await page.evaluate(() => window.workerHarness?.start('events', '/worker.js'), null)
      const record = await readWorker(page, 'events', 7)
      const origin = server.origin

      expect(record.errors).toEqual([])
      expect(record.messages).toEqual([
        // Resolved against the worker's own URL, there being no document.
        {type: 'started', url: `${origin}/events`, inWorker: true, hasDocument: false},
        {type: 'open', readyState: 1},
        {type: 'message', readyState: 1, data: 'first', lastEventId: '1', origin},
        {type: 'greeting', readyState: 1, data: 'hello', lastEventId: '2', origin},
        {type: 'error', readyState: 0, willReconnect: true},
        {type: 'open', readyState: 1},
        {type: 'message', readyState: 1, data: 'resumed after 2', lastEventId: '3', origin},
      ])

      const requests = server.requests.filter((request) => request.path === '/events')
      expect(requests.map((request) => [request.headers.accept, request.headers['last-event-id']])).toEqual([
        ['text/event-stream', undefined],
        ['text/event-stream', '2'],
      ])
      // The worker's retry came from the stream: no sooner than 100 ms after the first request.
      expect(requests[1]!.time - requests[0]!.time).toBeGreaterThanOrEqual(90)

      // close() in the worker ends the open connection: the server sees it go.
      await page.evaluate(() => window.workerHarness?.post('events', 'close'), null)
      const closed = await readWorker(page, 'events', 8)
      expect(closed.messages[7]).toEqual({type: 'closed', readyState: 2})
      await expect.poll(() => server.activeRequests(), {timeout: 10_000}).toBe(0)
      expect(server.requests.filter((request) => request.path === '/events')).toHaveLength(2)

      expect(await page.evaluate(() => window.workerHarness?.violations, null)).toEqual([])
      expect(page.errors).toEqual([])
    })
  })
}
