/**
 * The transport of the Node build, in place of ./index.ts (scripts/platform-swaps.mjs): the fetch
 * transport, with a stream body read through a stream of its own that cancelling the attempt
 * cancels. Node 20's fetch (undici) does not cancel a request body when the request is aborted, as
 * the fetch standard says to, and goes on pulling it; browsers do, so their builds carry none of this.
 */
import {fetchTransport} from './fetch.js'
import type {Transport} from './types.js'

export type {Transport, TransportHandlers, TransportRequest, TransportResponse} from './types.js'

export const transport: Transport = (request, handlers) => {
  const body = request.body
  if (typeof (body as ReadableStream | null)?.getReader != 'function') return fetchTransport(request, handlers)
  const reader = (body as ReadableStream<Uint8Array>).getReader()
  const cancel = fetchTransport(
    {
      ...request,
      body: new ReadableStream<Uint8Array>({
        pull: (controller) => reader.read().then((chunk) => (chunk.done ? controller.close() : controller.enqueue(chunk.value))),
        cancel: (reason) => reader.cancel(reason),
      }),
    },
    handlers,
  )
  return () => {
    cancel()
    reader.cancel().catch(() => {})
  }
}
