// The runtime suite (test/runtimes/suite.mjs) in Deno, the binary of the npm package `deno`, with
// network access to 127.0.0.1 and no other permission: through `import 'streamsource'` (Deno
// resolves package.json `exports` with the `node` condition: dist/node/index.js, the Node events and
// Buffer decoders on Deno's Node compatibility) and on dist/index.js (the ES module build).
import {runtimePath} from '../scripts/runtime-paths.mjs'
import {describeRuntimeSuite} from './support/runtimes.js'

/** `deno run` that fetches nothing: no remote modules, no npm install, no lockfile written. */
const deno = (entry: string) => () => ({
  path: runtimePath('deno').path,
  args: ['run', '--no-remote', '--no-lock', '--no-prompt', '--allow-net=127.0.0.1', entry],
})

describeRuntimeSuite("Deno: import 'streamsource'", deno('test/runtimes/package-entry.mjs'), /\/dist\/node\/index\.js$/)
describeRuntimeSuite('Deno: dist/index.js', deno('test/runtimes/module-entry.mjs'), /\/dist\/index\.js$/)
