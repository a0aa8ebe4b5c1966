// The differential suite (differential/suite.ts) in Chromium, driven by playwright-core.
import {registerDifferentialSuite} from './differential/suite.js'

registerDifferentialSuite('chromium')
