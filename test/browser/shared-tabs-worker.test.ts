// The SharedWorker suite of createSharedEventSource (suites/shared-tabs-worker.ts) in Chromium,
// driven by playwright-core, and what only Chromium's driver can do: crash a tab's renderer, over CDP.
import {describe, expect, test} from 'vitest'
import type {EnginePage} from '../support/engines.js'
import {registerSharedTabsWorkerSuite} from './suites/shared-tabs-worker.js'

registerSharedTabsWorkerSuite('chromium', ({serve, openTabs, addTabs, emitTo, openOf, scriptRequests, stream}) => {
  describe('Chromium only: a tab crashed over CDP', () => {
    test('a tab that navigates away or crashes leaves the worker, which closes its connection after the last', async () => {
      const url = await serve()
      // A tab on another stream keeps the worker alive throughout, so it is the worker that must
      // notice the tabs go, not the browser ending it. It starts the worker, alone: Chromium may run
      // a worker in the process of a page of its site, and a crash ends everything in a process.
      const tabs = await openTabs([`${url}?stream=/stream%3Fother`])
      const [leaving, crashing] = (await addTabs(tabs, [url, url])) as [EnginePage, EnginePage]
      const [other] = tabs.pages as [EnginePage]
      expect(stream().connections.map((connection) => connection.url)).toEqual(['/stream?other', '/stream'])
      await emitTo(tabs.pages, 2)
      // Away: `pagehide` says goodbye.
      await leaving.goto('about:blank')
      await emitTo([crashing, other], 2)
      expect(openOf('/stream')).toHaveLength(1)
      // The renderer dies without a word: the worker learns of it when it is granted the tab's lock.
      await crashing.crash!()
      await expect.poll(() => openOf('/stream').length, {timeout: 5_000}).toBe(0)
      await emitTo([other], 2)
      // The same connection throughout: the worker lives on.
      expect(openOf('/stream?other')).toEqual([stream().connections[0]])
      expect(stream().connections).toHaveLength(2)
      expect(scriptRequests('/shared-worker.js')).toBe(1)
      expect(tabs.errors()).toEqual([])
    })
  })
})
