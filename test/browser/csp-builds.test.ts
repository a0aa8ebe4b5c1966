// The strict-CSP builds suite (suites/csp-builds.ts) in Chromium, driven by playwright-core.
import {registerCspBuildsSuite} from './suites/csp-builds.js'

registerCspBuildsSuite('chromium')
