// A worker script an app could serve itself (the `worker` option): the package's, and a way for
// test/browser/suites/shared-tabs-worker.ts to end it, as a crash would: `close()` ends a worker at once.
importScripts('/shared-worker.js')
new BroadcastChannel('end the worker').onmessage = () => close()
