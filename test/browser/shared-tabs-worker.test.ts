// createSharedEventSource in real Chromium with its SharedWorker (dist/shared-worker.js), found by
// default beside the page's module (`/app.js`, so `/shared-worker.js`): the worker holds one
// connection for every tab, keeps it while one tab is subscribed, whichever close, navigate away
// or crash, and closes it with the last. Where the worker cannot run (its script is missing) or
// must not (a headers function, whose secret stays in its tab), the tabs elect a leader instead,
// with one connection still; and when the worker ends, they take over from it. Everything runs
// under `script-src 'self'` (the worker scripts too).
import type {Page} from 'playwright-core'
import {describe, expect, test} from 'vitest'
import type {ResumableServer} from '../support/resumable-sse.js'
import {addTabs, crash, expectEvents, expectTakeover, leaderOf, leadersOf, openTabs, statesOf, useSharedTabsSuite} from '../support/shared-tabs.js'

const TABS = 5

describe('createSharedEventSource in Chromium: one SharedWorker holds the connection', {timeout: 30_000}, () => {
  const suite = useSharedTabsSuite()
  const chromium = suite.chromium
  let stream: ResumableServer

  /** Starts this test's server; its URL. */
  async function serve(): Promise<string> {
    stream = await suite.serve()
    return stream.server.url
  }

  /** How many times a worker script was fetched. */
  const scriptRequests = (path: string) => stream.server.requests.filter((request) => request.path === path).length
  const openOf = (url: string) => stream.openConnections().filter((connection) => connection.url === url)

  /** Sends `count` more events and waits until every page in `pages` has all of them, once each, in order. */
  async function emitTo(pages: Page[], count: number): Promise<void> {
    await stream.emit(count)
    await expectEvents(pages, stream.sent())
  }

  test('five tabs, one connection, every event to every tab; it stays while any tab does, and closes with the last', async () => {
    const url = await serve()
    const {pages, errors} = await openTabs(chromium, Array.from({length: TABS}, () => url))
    expect(stream.connections).toHaveLength(1)
    expect(scriptRequests('/shared-worker.js')).toBe(1)
    // The worker holds the connection: no tab does.
    expect(await leadersOf(pages)).toEqual(Array.from({length: TABS}, () => false))
    await emitTo(pages, 10)
    await emitTo(pages, 10)
    // Closing tabs one by one hands nothing over: the same connection, no reconnect in any tab.
    const rest = [...pages]
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
    expect(errors).toEqual([])
  })

  test('the script-tag build finds the worker beside its own script', async () => {
    const url = await serve()
    const {pages, errors} = await openTabs(chromium, [`${url}global`, `${url}global`])
    expect(await leadersOf(pages)).toEqual([false, false])
    await emitTo(pages, 3)
    expect(stream.connections).toHaveLength(1)
    expect(scriptRequests('/dist/shared-worker.js')).toBe(1)
    expect(errors).toEqual([])
  })

  test('a tab that navigates away or crashes leaves the worker, which closes its connection after the last', async () => {
    const url = await serve()
    // A tab on another stream keeps the worker alive throughout, so it is the worker that must
    // notice the tabs go, not the browser ending it. It starts the worker, alone: Chromium may run
    // a worker in the process of a page of its site, and a crash ends everything in a process.
    const tabs = await openTabs(chromium, [`${url}?stream=/stream%3Fother`])
    const [leaving, crashing] = (await addTabs(tabs, [url, url])) as [Page, Page]
    const [other] = tabs.pages as [Page]
    expect(stream.connections.map((connection) => connection.url)).toEqual(['/stream?other', '/stream'])
    await emitTo(tabs.pages, 2)
    // Away: `pagehide` says goodbye.
    await leaving.goto('about:blank')
    await emitTo([crashing, other], 2)
    expect(openOf('/stream')).toHaveLength(1)
    // The renderer dies without a word: the worker learns of it when it is granted the tab's lock.
    await crash(crashing)
    await expect.poll(() => openOf('/stream').length, {timeout: 5_000}).toBe(0)
    await emitTo([other], 2)
    // The same connection throughout: the worker lives on.
    expect(openOf('/stream?other')).toEqual([stream.connections[0]])
    expect(stream.connections).toHaveLength(2)
    expect(scriptRequests('/shared-worker.js')).toBe(1)
    expect(tabs.errors).toEqual([])
  })

  test('when the worker ends, the tabs take over its connection, resuming with Last-Event-ID: nothing lost or twice', async () => {
    const url = await serve()
    const {pages, errors} = await openTabs(chromium, Array.from({length: 3}, () => `${url}?worker=/kill-worker.js`))
    expect(await leadersOf(pages)).toEqual([false, false, false])
    await emitTo(pages, 5)
    await expectTakeover(stream, () => pages[0]!.evaluate(() => new BroadcastChannel('end the worker').postMessage('now')))
    await emitTo(pages, 5)
    await leaderOf(pages)
    expect(stream.connections).toHaveLength(2)
    expect(stream.openConnections()).toHaveLength(1)
    expect(errors).toEqual([])
  })

  test('a worker script that is not there: the tabs elect a leader instead, one connection, no error event', async () => {
    const url = await serve()
    const {pages, errors} = await openTabs(chromium, Array.from({length: 3}, () => `${url}?worker=/missing-worker.js`))
    await leaderOf(pages)
    await emitTo(pages, 5)
    for (const page of pages) expect(await statesOf(page)).toEqual(['open'])
    expect(stream.connections).toHaveLength(1)
    expect(scriptRequests('/missing-worker.js')).toBeGreaterThanOrEqual(1)
    // Chromium logs the 404 itself; the library adds nothing.
    expect(errors.filter((error) => !/Failed to load resource: .*404/.test(error))).toEqual([])
  })

  test('tabs with and without the worker share one connection', async () => {
    const url = await serve()
    const {pages, errors} = await openTabs(chromium, [url, `${url}?worker=false`, url, `${url}?worker=http://localhost:${stream.server.port}/shared-worker.js`])
    await emitTo(pages, 5)
    expect(stream.connections).toHaveLength(1)
    for (const page of pages) expect(await statesOf(page)).toEqual(['open'])
    // The two default tabs share one worker; a script of another origin is refused at once, unfetched.
    expect(scriptRequests('/shared-worker.js')).toBe(1)
    expect(stream.server.requests.filter((request) => request.headers.host?.startsWith('localhost'))).toEqual([])
    expect(errors).toEqual([])
  })

  test('with a headers function no worker starts: the tab that calls it holds the connection', async () => {
    const url = await serve()
    const {pages, errors} = await openTabs(chromium, Array.from({length: 3}, () => `${url}?headers=function`))
    await leaderOf(pages)
    await emitTo(pages, 3)
    expect(stream.connections).toHaveLength(1)
    expect(scriptRequests('/shared-worker.js')).toBe(0)
    const requests = stream.server.requests.filter((request) => request.path === '/stream')
    expect(requests.map((request) => request.headers['x-token'])).toEqual(['from a function'])
    expect(errors).toEqual([])
  })
})
