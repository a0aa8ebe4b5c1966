// The SharedWorker suite of createSharedEventSource (suites/shared-tabs-worker.ts) in WebKit (WebKitGTK's
// MiniBrowser under Xvfb, each tab a window of one WebDriver session, driven by selenium-webdriver).
import {registerSharedTabsWorkerSuite} from './suites/shared-tabs-worker.js'

registerSharedTabsWorkerSuite('webkit')
