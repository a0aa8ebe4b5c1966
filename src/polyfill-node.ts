/**
 * `import 'streamsource/polyfill'` in Node (package.json `exports` condition `node`): the polyfill
 * (src/polyfill.ts), after what the Node entry installs (src/node.ts: Buffer's decoders and the
 * EventSource's own listener lists), so that the global `EventSource` it sets is the one
 * `import {EventSource} from 'streamsource'` gives there, as fast.
 *
 * @module streamsource/polyfill
 */
import './node.js'
import './polyfill.js'
