// The differential suite (differential/suite.ts) in WebKit (WebKitGTK's MiniBrowser under Xvfb,
// driven over WebDriver by selenium-webdriver); its departures are pinned in
// differential/divergences-webkit.ts.
import {registerDifferentialSuite} from './differential/suite.js'

registerDifferentialSuite('webkit')
