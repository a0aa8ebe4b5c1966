/**
 * `import 'streamsource/polyfill'`: makes `globalThis.EventSource` the library's class where the
 * platform has none (Node without its experimental EventSource, old or embedded browsers). A
 * platform that has one keeps it: code that names the global wants the platform's, and the
 * library's extras are one `import {EventSource} from 'streamsource'` away.
 *
 * The only module of the package whose side effect reaches outside it: `sideEffects` in
 * package.json names it alone, so bundlers keep it though nothing is imported from it.
 *
 * @module streamsource/polyfill
 */
import {EventSource} from '../eventsource/EventSource.js'

// Anything but a constructor counts as none (`undefined`, or a global set to `null` to hide it).
// A second import, or the ES module and CommonJS builds both loaded, finds it installed: a no-op.
if (typeof (globalThis as {EventSource?: unknown}).EventSource !== 'function') {
  // As WebIDL defines interface objects on the global: writable, configurable, not enumerable.
  Object.defineProperty(globalThis, 'EventSource', {value: EventSource, writable: true, enumerable: false, configurable: true})
}
