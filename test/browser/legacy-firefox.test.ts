// The script-tag build's suite (differential/legacy-suite.ts) in Firefox (Debian's firefox-esr),
// driven by puppeteer-core over WebDriver BiDi; its departures are in differential/divergences-firefox.ts.
import {registerLegacySuite} from './differential/legacy-suite.js'

registerLegacySuite('firefox')
