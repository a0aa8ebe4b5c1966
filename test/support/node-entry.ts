// Every test runs with what `import 'streamsource'` gives in Node (the `node` export condition,
// src/node.ts): Buffer decoders and the EventSource's own listener lists (src/node-events.ts).
// Browsers get neither: the tests in test/browser/ run the builds there.
import '../../src/node.js'
