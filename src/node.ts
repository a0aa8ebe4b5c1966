/**
 * The package root in Node (package.json `exports` condition `node`): everything `index.ts`
 * exports, with parsers that decode bytes through Node's `Buffer` (src/decode-node.ts), which is
 * faster than `TextDecoder` there, and EventSources that dispatch their `MessageEvent`s through
 * listener lists of their own (src/node-events.ts), which is faster than Node's `EventTarget`, and
 * dispatch the events of a chunk at once (src/event-tasks.ts).
 * Browsers and bundles for them get `index.ts` and never this.
 */
import {installUtf8Decoder} from './decode.js'
import {createNodeDecoder, nodeDecoderAvailable, nodeLastLineEnd} from './decode-node.js'
import {dispatchChunksAtOnce} from './event-tasks.js'
import {installNodeEvents} from './node-events.js'

if (nodeDecoderAvailable) installUtf8Decoder(createNodeDecoder, nodeLastLineEnd)
installNodeEvents()
dispatchChunksAtOnce()

export * from './index.js'
