// createSharedEventSource in one engine with its SharedWorker (dist/shared-worker.js), found by
// default beside the page's module (`/app.js`, so `/shared-worker.js`): the worker holds one
// connection for every tab, keeps it while one tab is subscribed, whichever close or navigate away,
// and closes it with the last. Where the worker cannot run (its script is missing) or must not (a
// headers function, whose secret stays in its tab), the tabs elect a leader instead, with one
// connection still; and when the worker ends, they take over from it. Everything runs under
// `script-src 'self'` (the worker scripts too).
// shared-tabs-worker.test.ts registers it for Chromium (with a crashed tab, which only Chromium's
// driver can do), shared-tabs-worker-<engine>.test.ts for the other engines. Each of the three
// has `SharedWorker` (WebKitGTK's MiniBrowser included), which the first test checks: in a browser
// without one, the tabs would elect a leader, as suites/shared-tabs.ts tests.
import {describe, expect, test} from 'vitest'
import {engineLabels, type EngineName, type EnginePage} from '../../support/engines.js'
import type {ResumableServer} from '../../support/resumable-sse.js'
import {expectEvents, expectTakeover, leaderOf, leadersOf, statesOf, useSharedTabsSuite, type Tabs} from '../../support/shared-tabs.js'

const TABS = 5

/**
 * A departure of WebKitGTK 2.50, pinned by shared-tabs-worker-webkit.test.ts: it runs a SharedWorker
 * in a web process of pages that use it and ends it when that process exits, though tabs in other
 * processes are still subscribed. Measured here: with five tabs, closing the first two ends the
 * worker, and one WebKitWebProcess exits with them (ps); closing either alone, or any of the others,
 * does not. The spec keeps a worker while any of its documents lives, as Chromium and Firefox do.
 * The library handles it as any end of the worker: the tabs take over, nothing lost or twice.
 */
export const WEBKIT_WORKER_PROCESS = 'WebKitGTK ends a SharedWorker with the web process it runs in, though tabs of other processes still use it'

/** What the tests of the suite, and an engine's own tests beside them, open and check. */
export interface WorkerTabs {
  /** This test's server (started by serve()). */
  stream(): ResumableServer
  /** Starts this test's server; its URL. */
  serve(): Promise<string>
  openTabs(urls: string[]): Promise<Tabs>
  addTabs(tabs: Tabs, urls: string[]): Promise<EnginePage[]>
  /** Sends `count` more events and waits until every page in `pages` has all of them, once each, in order. */
  emitTo(pages: EnginePage[], count: number): Promise<void>
  /** The open connections to `url` (path and query). */
  openOf(url: string): ResumableServer['connections']
  /** How many times a worker script was fetched. */
  scriptRequests(path: string): number
}

/**
 * Registers the suite for `engine`; `engineOnly` declares, inside it, tests that only this engine's
 * driver can run (in a describe of their own, that says so).
 */
export function registerSharedTabsWorkerSuite(engine: EngineName, engineOnly?: (tabs: WorkerTabs) => void): void {
  describe(`createSharedEventSource in ${engineLabels[engine]}: one SharedWorker holds the connection`, {timeout: 30_000}, () => {
    const suite = useSharedTabsSuite(engine)
    let stream: ResumableServer

    const fixture: WorkerTabs = {
      stream: () => stream,
      async serve() {
        stream = await suite.serve()
        return stream.server.url
      },
      openTabs: (urls) => suite.openTabs(urls),
      addTabs: (tabs, urls) => suite.addTabs(tabs, urls),
      async emitTo(pages, count) {
        await stream.emit(count)
        await expectEvents(pages, stream.sent())
      },
      openOf: (url) => stream.openConnections().filter((connection) => connection.url === url),
      scriptRequests: (path) => stream.server.requests.filter((request) => request.path === path).length,
    }
    const {serve, openTabs, addTabs, emitTo, openOf, scriptRequests} = fixture

    test('five tabs, one connection, every event to every tab; it stays while any tab does, and closes with the last', async () => {
      const url = await serve()
      const tabs = await openTabs(Array.from({length: TABS}, () => url))
      const {pages} = tabs
      // The premise: this engine has SharedWorker (else the tabs would elect a leader, and isLeader would say so).
      expect(await pages[0]!.evaluate(() => typeof SharedWorker, null)).toBe('function')
      expect(stream.connections).toHaveLength(1)
      expect(scriptRequests('/shared-worker.js')).toBe(1)
      // The worker holds the connection: no tab does.
      expect(await leadersOf(pages)).toEqual(Array.from({length: TABS}, () => false))
      await emitTo(pages, 10)
      await emitTo(pages, 10)
      // Closing tabs one by one hands nothing over: the same connection, no reconnect in any tab.
      // First the tab that started the worker, which outlives it; but in WebKit the newest first,
      // which keeps the first tabs' web process, and with it the worker, to the last (see
      // WEBKIT_WORKER_PROCESS).
      const rest = engine === 'webkit' ? [...pages].reverse() : [...pages]
      while (rest.length > 1) {
        await rest.shift()!.close()
        await emitTo(rest, 3)
        expect(stream.openConnections()).toHaveLength(1)
      }
      for (const page of rest) expect(await statesOf(page)).toEqual(['open'])
      expect(stream.connections).toHaveLength(1)
      await rest[0]!.close()
      await stream.connections[0]!.stream.closed
      expect(stream.openConnections()).toHaveLength(0)
      expect(stream.connections).toHaveLength(1)
      expect(tabs.errors()).toEqual([])
    })

    test('the script-tag build finds the worker beside its own script', async () => {
      const url = await serve()
      const tabs = await openTabs([`${url}global`, `${url}global`])
      expect(await leadersOf(tabs.pages)).toEqual([false, false])
      await emitTo(tabs.pages, 3)
      expect(stream.connections).toHaveLength(1)
      expect(scriptRequests('/dist/shared-worker.js')).toBe(1)
      expect(tabs.errors()).toEqual([])
    })

    test('a tab that navigates away or closes leaves the worker, which closes its connection after the last', async () => {
      const url = await serve()
      // A tab on another stream keeps the worker alive throughout, so it is the worker that must
      // notice the tabs go, not the browser ending it.
      const tabs = await openTabs([`${url}?stream=/stream%3Fother`])
      const [leaving, closing] = (await addTabs(tabs, [url, url])) as [EnginePage, EnginePage]
      const [other] = tabs.pages as [EnginePage]
      expect(stream.connections.map((connection) => connection.url)).toEqual(['/stream?other', '/stream'])
      await emitTo(tabs.pages, 2)
      // Away: `pagehide` says goodbye.
      await leaving.goto('about:blank')
      await emitTo([closing, other], 2)
      expect(openOf('/stream')).toHaveLength(1)
      await closing.close()
      await expect.poll(() => openOf('/stream').length, {timeout: 5_000}).toBe(0)
      await emitTo([other], 2)
      // The same connection throughout: the worker lives on.
      expect(openOf('/stream?other')).toEqual([stream.connections[0]])
      expect(stream.connections).toHaveLength(2)
      expect(scriptRequests('/shared-worker.js')).toBe(1)
      expect(tabs.errors()).toEqual([])
    })

    test('when the worker ends, the tabs take over its connection, resuming with Last-Event-ID: nothing lost or twice', async () => {
      const url = await serve()
      const tabs = await openTabs(Array.from({length: 3}, () => `${url}?worker=/kill-worker.js`))
      const {pages} = tabs
      expect(await leadersOf(pages)).toEqual([false, false, false])
      await emitTo(pages, 5)
      await expectTakeover(stream, () => pages[0]!.evaluate(() => new BroadcastChannel('end the worker').postMessage('now'), null))
      await emitTo(pages, 5)
      await leaderOf(pages)
      expect(stream.connections).toHaveLength(2)
      expect(stream.openConnections()).toHaveLength(1)
      expect(tabs.errors()).toEqual([])
    })

    test('a worker script that is not there: the tabs elect a leader instead, one connection, no error event', async () => {
      const url = await serve()
      const tabs = await openTabs(Array.from({length: 3}, () => `${url}?worker=/missing-worker.js`))
      const {pages} = tabs
      await leaderOf(pages)
      await emitTo(pages, 5)
      for (const page of pages) expect(await statesOf(page)).toEqual(['open'])
      expect(stream.connections).toHaveLength(1)
      expect(scriptRequests('/missing-worker.js')).toBeGreaterThanOrEqual(1)
      // Chromium logs the 404 itself; the library adds nothing.
      expect(tabs.errors().filter((error) => !/Failed to load resource: .*404/.test(error))).toEqual([])
    })

    test('tabs with and without the worker share one connection', async () => {
      const url = await serve()
      const tabs = await openTabs([url, `${url}?worker=false`, url, `${url}?worker=http://localhost:${stream.server.port}/shared-worker.js`])
      const {pages} = tabs
      await emitTo(pages, 5)
      expect(stream.connections).toHaveLength(1)
      for (const page of pages) expect(await statesOf(page)).toEqual(['open'])
      // The two default tabs share one worker; a script of another origin is refused at once, unfetched.
      expect(scriptRequests('/shared-worker.js')).toBe(1)
      expect(stream.server.requests.filter((request) => request.headers.host?.startsWith('localhost'))).toEqual([])
      expect(tabs.errors()).toEqual([])
    })

    test('with a headers function no worker starts: the tab that calls it holds the connection', async () => {
      const url = await serve()
      const tabs = await openTabs(Array.from({length: 3}, () => `${url}?headers=function`))
      const {pages} = tabs
      await leaderOf(pages)
      await emitTo(pages, 3)
      expect(stream.connections).toHaveLength(1)
      expect(scriptRequests('/shared-worker.js')).toBe(0)
      const requests = stream.server.requests.filter((request) => request.path === '/stream')
      expect(requests.map((request) => request.headers['x-token'])).toEqual(['from a function'])
      expect(tabs.errors()).toEqual([])
    })

    engineOnly?.(fixture)
  })
}
