// The dedicated-worker suite (suites/worker.ts) in WebKit.
import {registerWorkerSuite} from './suites/worker.js'

registerWorkerSuite('webkit')
