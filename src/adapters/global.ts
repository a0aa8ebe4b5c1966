/**
 * The script-tag entry (`<script src="…/streamsource.global.min.js">`), built to ES5 as an IIFE:
 * defines the global `StreamSource` with every export of the package root and of
 * `streamsource/shared`, and sets
 * `EventSource` on the global object to the library's class where the platform has none (a
 * native one is never replaced). In that build the transport is fetch where fetch can stream and
 * XMLHttpRequest elsewhere (../transport/legacy.ts), UTF-8 is decoded in JavaScript where there is
 * no `TextDecoder`, and the platform module is ../platform/legacy.ts.
 */
import {EventSource} from '../eventsource/EventSource.js'
import {scope} from '../platform/web.js'
import {installUtf8Fallback} from '../parser/utf8.js'

export * from '../index.js'
export * from '../shared/index.js'

installUtf8Fallback()

// As the polyfill entry does: anything but a constructor counts as none.
if (typeof (scope as {EventSource?: unknown}).EventSource != 'function') {
  Object.defineProperty(scope, 'EventSource', {value: EventSource, writable: true, enumerable: false, configurable: true})
}
