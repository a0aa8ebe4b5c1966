// createSharedEventSource in one engine, electing a leader among the tabs (`worker: false`; the
// SharedWorker is suites/shared-tabs-worker.ts): five tabs of one origin (five pages of one browser
// context, which share Web Locks and BroadcastChannels) on a server that resumes from
// `Last-Event-ID` (test/support/resumable-sse.ts). The server sees one connection; every tab gets
// every event, in order, once; closing the leader's tab hands the connection over at once (well
// within the 3 s reconnection time) with nothing lost or repeated; the connection closes with the
// last tab. The page (shared-tabs/app.js, bundled with esbuild against the built package) runs
// under `script-src 'self'`: no blob:, data: or eval anywhere.
// shared-tabs.test.ts registers it for Chromium (with a crashed tab, which only Chromium's driver
// can do), shared-tabs-<engine>.test.ts for the other engines.
import {describe, expect, test} from 'vitest'
import {engineLabels, type EngineName, type EnginePage} from '../../support/engines.js'
import type {ResumableServer} from '../../support/resumable-sse.js'
import {
  expectEvents,
  expectTakeover,
  idsOf,
  leaderOf,
  logOf,
  range,
  RECONNECTION_TIME,
  statesOf,
  useSharedTabsSuite,
  type Tabs,
} from '../../support/shared-tabs.js'

const TABS = 5

/** What the tests of the suite, and an engine's own tests beside them, open and check. */
export interface LeaderTabs {
  /** This test's server (started by openTabs()). */
  stream(): ResumableServer
  /** Starts the server and opens `TABS` tabs of it that elect a leader, each waited on until OPEN. */
  openTabs(): Promise<Tabs>
  /** Closes the leader's tab by `close`, sends a burst, and checks the hand-over: one new connection, resumed, prompt; the other tabs. */
  handOver(pages: EnginePage[], close: (page: EnginePage) => Promise<void>): Promise<EnginePage[]>
}

/**
 * Registers the suite for `engine`; `engineOnly` declares, inside it, tests that only this engine's
 * driver can run (in a describe of their own, that says so).
 */
export function registerSharedTabsSuite(engine: EngineName, engineOnly?: (tabs: LeaderTabs) => void): void {
  describe(`createSharedEventSource in ${engineLabels[engine]}: five tabs, one connection`, {timeout: 30_000}, () => {
    const suite = useSharedTabsSuite(engine)
    let stream: ResumableServer

    const fixture: LeaderTabs = {
      stream: () => stream,
      async openTabs() {
        stream = await suite.serve()
        return suite.openTabs(Array.from({length: TABS}, () => `${stream.server.url}?worker=false`))
      },
      async handOver(pages, close) {
        await stream.emit(5)
        await expectEvents(pages, 5)
        const leader = await leaderOf(pages)
        const rest = pages.filter((page) => page !== leader)
        await expectTakeover(stream, () => close(leader))
        expect(stream.openConnections()).toHaveLength(1)
        await stream.emit(5)
        await expectEvents(rest, 15)
        await leaderOf(rest)
        expect(stream.connections).toHaveLength(2)
        return rest
      },
    }
    const {openTabs, handOver} = fixture

    test('the server sees one connection, and every tab receives every event in order', async () => {
      const tabs = await openTabs()
      const {pages} = tabs
      expect(stream.connections).toHaveLength(1)
      expect(stream.openConnections()).toHaveLength(1)
      await stream.emit(10)
      await stream.emit(10)
      await expectEvents(pages, 20)
      for (const page of pages) expect((await logOf(page))[0]).toBe('open')
      await leaderOf(pages)
      expect(stream.connections).toHaveLength(1)
      expect(tabs.errors()).toEqual([])
    })

    test('closing the leader tab hands over: resumed with Last-Event-ID, nothing lost or twice', async () => {
      const tabs = await openTabs()
      const rest = await handOver(tabs.pages, (page) => page.close())
      // The hand-over reads as a reconnect in the tabs that stay: error (CONNECTING), then open.
      for (const page of rest) expect(await statesOf(page)).toEqual(['open', 'error 0', 'open'])
      expect(tabs.errors()).toEqual([])
    })

    test('a leader that closes its source mid-burst hands over with nothing lost or twice', async () => {
      const tabs = await openTabs()
      const {pages} = tabs
      await stream.emit(5)
      await expectEvents(pages, 5)
      const leader = await leaderOf(pages)
      // Closed from its own listener, while events 9 and 10 of the same chunk are still to come: the
      // lock may reach the next tab before the channel brings it 8, and whatever it resumes from,
      // every tab must end up with each event once.
      await leader.evaluate(() => {
        const source = window.shared!.source as unknown as EventTarget & {close(): void}
        source.addEventListener('tick', (event) => {
          if ((event as MessageEvent).lastEventId === '8') source.close()
        })
      }, null)
      await stream.emit(5)
      await expect.poll(() => stream.connections.length, {timeout: RECONNECTION_TIME}).toBe(2)
      expect(Number(stream.connections[1]!.lastEventId)).toBeGreaterThanOrEqual(5)
      await stream.emit(5)
      const rest = pages.filter((page) => page !== leader)
      await expectEvents(rest, 15)
      expect(await idsOf(leader)).toEqual(range(1, 8))
      expect(stream.openConnections()).toHaveLength(1)
      expect(tabs.errors()).toEqual([])
    })

    test('the connection closes when the last tab closes, not before', async () => {
      const {pages} = await openTabs()
      const leader = await leaderOf(pages)
      for (const page of pages.filter((page) => page !== leader)) {
        await page.close()
        await stream.emit(1)
        expect(stream.openConnections()).toHaveLength(1)
      }
      await expectEvents([leader], TABS - 1)
      await leader.close()
      await stream.connections[0]!.stream.closed
      expect(stream.openConnections()).toHaveLength(0)
      expect(stream.connections).toHaveLength(1)
    })

    engineOnly?.(fixture)
  })
}
