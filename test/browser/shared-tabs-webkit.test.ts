// The leader-election suite of createSharedEventSource (suites/shared-tabs.ts) in WebKit (WebKitGTK's
// MiniBrowser under Xvfb, each tab a window of one WebDriver session, driven by selenium-webdriver).
import {registerSharedTabsSuite} from './suites/shared-tabs.js'

registerSharedTabsSuite('webkit')
