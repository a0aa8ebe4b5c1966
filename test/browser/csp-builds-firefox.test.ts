// The strict-CSP builds suite (suites/csp-builds.ts) in Firefox (Debian's firefox-esr), driven by puppeteer-core over WebDriver BiDi.
import {registerCspBuildsSuite} from './suites/csp-builds.js'

registerCspBuildsSuite('firefox')
