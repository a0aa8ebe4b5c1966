// The leader-election suite of createSharedEventSource (suites/shared-tabs.ts) in Chromium, driven
// by playwright-core, and what only Chromium's driver can do: crash a tab's renderer, over CDP.
import {describe, test} from 'vitest'
import {registerSharedTabsSuite} from './suites/shared-tabs.js'

registerSharedTabsSuite('chromium', ({openTabs, handOver}) => {
  describe('Chromium only: a tab crashed over CDP', () => {
    test('a crashed leader tab hands over too', async () => {
      const {pages} = await openTabs()
      // The renderer dies: no unload, no pagehide, no close(); the browser releases the lock.
      await handOver(pages, (page) => page.crash!())
    })
  })
})
