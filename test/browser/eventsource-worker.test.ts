// The dedicated-worker suite (suites/worker.ts) in Chromium, driven by playwright-core.
import {registerWorkerSuite} from './suites/worker.js'

registerWorkerSuite('chromium')
