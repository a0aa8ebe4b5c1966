// The close() connection suite (suites/close-releases-connection.ts) in Chromium (playwright-core).
import {registerCloseReleasesConnectionSuite} from './suites/close-releases-connection.js'

registerCloseReleasesConnectionSuite('chromium')
