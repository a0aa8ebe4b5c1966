// The SharedWorker suite of createSharedEventSource (suites/shared-tabs-worker.ts) in Firefox (Debian's
// firefox-esr), driven by puppeteer-core over WebDriver BiDi, each tab a window of one user context.
import {registerSharedTabsWorkerSuite} from './suites/shared-tabs-worker.js'

registerSharedTabsWorkerSuite('firefox')
