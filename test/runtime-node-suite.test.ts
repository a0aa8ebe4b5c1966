// The runtime suite (test/runtimes/suite.mjs) under Node itself, in a child process as in Deno and
// Bun: the reference the other runtimes are compared with.
import {describeRuntimeSuite} from './support/runtimes.js'

describeRuntimeSuite(
  `Node ${process.version}: import 'streamsource'`,
  () => ({path: process.execPath, args: ['test/runtimes/package-entry.mjs']}),
  /\/dist\/node\/index\.js$/,
)
