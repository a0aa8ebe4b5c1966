// The SharedWorker suite of createSharedEventSource (suites/shared-tabs-worker.ts) in WebKit (WebKitGTK's
// MiniBrowser under Xvfb, each tab a window of one WebDriver session, driven by selenium-webdriver),
// and WebKit's departure: the worker ends with the web process it runs in (WEBKIT_WORKER_PROCESS).
import {describe, expect, test} from 'vitest'
import {expectEvents, expectTakeover, leaderOf, leadersOf, statesOf} from '../support/shared-tabs.js'
import {registerSharedTabsWorkerSuite, WEBKIT_WORKER_PROCESS} from './suites/shared-tabs-worker.js'

registerSharedTabsWorkerSuite('webkit', ({serve, openTabs, emitTo, stream}) => {
  describe(`WebKit only: ${WEBKIT_WORKER_PROCESS}`, () => {
    test('closing the first two tabs ends the worker, still used by three: they take over, resuming with Last-Event-ID, nothing lost or twice', async () => {
      const url = await serve()
      const tabs = await openTabs(Array.from({length: 5}, () => url))
      const {pages} = tabs
      expect(await leadersOf(pages)).toEqual([false, false, false, false, false])
      await emitTo(pages, 5)
      // The first tab alone goes: its web process stays (the second tab's page is in it), and so does the worker.
      await pages[0]!.close()
      await emitTo(pages.slice(1), 3)
      expect(stream().connections).toHaveLength(1)
      // The second goes, the process with it, and the worker too: the others are granted its lock, and one leads.
      const rest = pages.slice(2)
      await expectTakeover(stream(), () => pages[1]!.close())
      await expectEvents(rest, stream().sent())
      await emitTo(rest, 5)
      await leaderOf(rest)
      for (const page of rest) expect(await statesOf(page)).toEqual(['open', 'error 0', 'open'])
      expect(stream().connections).toHaveLength(2)
      expect(stream().openConnections()).toHaveLength(1)
      expect(tabs.errors()).toEqual([])
    })
  })
})
