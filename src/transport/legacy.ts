/**
 * The transport of the ES5 script-tag build (rollup.config.mjs puts this module in place of
 * ./index.ts there): fetch where it can stream a response body, XMLHttpRequest elsewhere, chosen
 * for each request, so a polyfill or a test that changes the globals later is seen. A custom
 * `fetch` option always goes to fetch. The module build never carries the XMLHttpRequest code.
 */
import {fetchTransport} from './fetch.js'
import type {Transport} from './types.js'
import {xhrTransport} from './xhr.js'

export type {Transport, TransportHandlers, TransportRequest, TransportResponse} from './types.js'

/** Whether fetch can stream: it, a `ReadableStream` body and `AbortController` are all there. */
const fetchStreams = (): boolean =>
  typeof fetch == 'function' &&
  typeof AbortController == 'function' &&
  typeof ReadableStream == 'function' &&
  typeof Response == 'function' &&
  'body' in Response.prototype

export const transport: Transport = (request, handlers) =>
  (request.fetch || fetchStreams() ? fetchTransport : xhrTransport)(request, handlers)
