/**
 * The SharedWorker script of `createSharedEventSource`, built to dist/shared-worker.js: one classic
 * script (what `new SharedWorker(url)` runs by default, in every browser that has one) with the
 * library inside, so it loads nothing else and runs under `script-src 'self'`.
 */
import {serveSharedSources, type SharedWorkerScope} from './worker-host.js'

serveSharedSources(globalThis as unknown as SharedWorkerScope)
