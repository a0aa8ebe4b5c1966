// The close() connection suite (suites/close-releases-connection.ts) in WebKit (WebKitGTK's MiniBrowser under Xvfb, WebKitWebDriver).
import {registerCloseReleasesConnectionSuite} from './suites/close-releases-connection.js'

registerCloseReleasesConnectionSuite('webkit')
