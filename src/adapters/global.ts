/**
 * The script-tag entry (`<script src="…/streamsource.global.min.js">`), built to ES5 as an IIFE:
 * defines the global `StreamSource` with every export of the package root and of
 * `streamsource/shared`, and sets
 * `EventSource` on the global object to the library's class where the platform has none (a
 * native one is never replaced). In that build the transport is fetch where fetch can stream and
 * XMLHttpRequest elsewhere (../transport/legacy.ts), UTF-8 is decoded in JavaScript where there is
 * no `TextDecoder` (../parser/decode-legacy.ts), and the platform module is ../platform/legacy.ts.
 */
// The polyfill build's part first: it installs `EventSource` where the platform has none.
export * from './global-polyfill.js'
export * from '../index.js'
export * from '../shared/index.js'
