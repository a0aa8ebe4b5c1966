// The builds under a strict Content-Security-Policy (suites/csp-builds.ts), in WebKit.
import {registerCspBuildsSuite} from './suites/csp-builds.js'

registerCspBuildsSuite('webkit')
