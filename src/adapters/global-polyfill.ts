/**
 * The polyfill script-tag entry (`<script src="…/streamsource.polyfill.min.js">`), built to ES5 as
 * an IIFE: the EventSource alone, for pages that want the browser's interface everywhere (with the
 * library's options) and nothing else. It sets `EventSource` on the global object where the
 * platform has none (a native one is never replaced), and defines the global `StreamSource` with
 * the class and the error classes its `error` events carry. The transport is fetch where fetch can
 * stream and XMLHttpRequest elsewhere (../transport/legacy.ts); the platform module is
 * ../platform/legacy.ts. The full build (./global.ts) has every export of the package.
 */
// The install itself is streamsource/polyfill's (the ES5 build's `globalThis` is the page's `self`).
import './polyfill.js'

export {EventSource} from '../eventsource/EventSource.js'
export {ContentTypeError, HTTPError, ParseError, StreamSourceError} from '../errors.js'
export {EventSourceErrorEvent} from '../eventsource/events.js'
