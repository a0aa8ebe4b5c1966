// The script-tag build's suite (differential/legacy-suite.ts) in WebKit: the page whose modern APIs
// were deleted is driven from its parent frame, as WebKit's WebDriver needs the page's Promise.
import {registerLegacySuite} from './differential/legacy-suite.js'

registerLegacySuite('webkit')
