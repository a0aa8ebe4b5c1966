// The suite on dist/index.js, the ES module build that browsers, workers and bundlers get (no
// `node` condition): what a Deno app loads when it imports the file or a CDN's copy of it.
import * as lib from '../../dist/index.js'
import {args, run, runtimeName} from './suite.mjs'

const [base, other, only] = args()
await run(lib, {base, other, only, runtime: runtimeName(), entry: import.meta.resolve('../../dist/index.js')})
