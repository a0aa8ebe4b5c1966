// The polyfill script-tag build (dist/streamsource.polyfill.min.js: the EventSource alone, ES5) in
// the script-tag suite (differential/legacy-suite.ts), in Chromium: every differential scenario in
// a page without modern APIs, over XMLHttpRequest, against the native EventSource.
import {POLYFILL_BUILD, registerLegacySuite} from './differential/legacy-suite.js'

registerLegacySuite('chromium', POLYFILL_BUILD)
