// The dedicated-worker suite (suites/worker.ts) in Firefox (Debian's firefox-esr), driven by puppeteer-core over WebDriver BiDi.
import {registerWorkerSuite} from './suites/worker.js'

registerWorkerSuite('firefox')
