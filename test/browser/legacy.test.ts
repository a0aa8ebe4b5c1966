// The script-tag build's suite (differential/legacy-suite.ts) in Chromium, driven by playwright-core.
import {registerLegacySuite} from './differential/legacy-suite.js'

registerLegacySuite('chromium')
