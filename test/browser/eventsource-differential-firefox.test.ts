// The differential suite (differential/suite.ts) in Firefox (Debian's firefox-esr), driven by
// puppeteer-core over WebDriver BiDi; its departures are pinned in differential/divergences-firefox.ts.
import {registerDifferentialSuite} from './differential/suite.js'

registerDifferentialSuite('firefox')
