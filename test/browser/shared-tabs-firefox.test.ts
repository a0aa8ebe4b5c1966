// The leader-election suite of createSharedEventSource (suites/shared-tabs.ts) in Firefox (Debian's
// firefox-esr), driven by puppeteer-core over WebDriver BiDi, each tab a window of one user context.
import {registerSharedTabsSuite} from './suites/shared-tabs.js'

registerSharedTabsSuite('firefox')
