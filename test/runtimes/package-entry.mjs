// The suite through `import 'streamsource'`, resolved by the runtime through package.json `exports`
// (a self-reference: this file is inside the package), as an app that installed the package gets
// it. Node, Bun and Deno all match the `node` condition and load dist/node/index.js; the summary names
// the file each one picked.
import * as lib from 'streamsource'
import {args, run, runtimeName} from './suite.mjs'

const [base, other, only] = args()
await run(lib, {base, other, only, runtime: runtimeName(), entry: import.meta.resolve('streamsource')})
