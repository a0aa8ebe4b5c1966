/**
 * The transport the EventSource uses: the one place that picks it, so that another build (the ES5
 * script-tag one, which picks XMLHttpRequest where fetch cannot stream: ./legacy.ts) can replace
 * this module without the module build paying for the alternatives.
 */
export type {Transport, TransportHandlers, TransportRequest, TransportResponse} from './types.js'
export {fetchTransport as transport} from './fetch.js'
