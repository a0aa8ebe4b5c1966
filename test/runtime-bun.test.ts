// The runtime suite (test/runtimes/suite.mjs) in Bun, the binary of the npm package `bun`, through
// `import 'streamsource'`: Bun resolves package.json `exports` with the `bun` and `node` conditions
// (the package has no `bun` one), so it loads dist/node/index.js, the Node entry, on Bun's own `Buffer`
// and `EventTarget`.
import {runtimePath} from '../scripts/runtime-paths.mjs'
import {describeRuntimeSuite} from './support/runtimes.js'

describeRuntimeSuite(
  "Bun: import 'streamsource'",
  () => ({path: runtimePath('bun').path, args: ['test/runtimes/package-entry.mjs']}),
  /\/dist\/node\/index\.js$/,
)
