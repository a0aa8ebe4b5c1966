// The close() connection suite (suites/close-releases-connection.ts) in Firefox (Debian's firefox-esr, puppeteer-core over WebDriver BiDi).
import {registerCloseReleasesConnectionSuite} from './suites/close-releases-connection.js'

registerCloseReleasesConnectionSuite('firefox')
