/**
 * The fetch transport: one connection attempt as a `fetch` whose body is read chunk by chunk.
 * It knows nothing of events; the EventSource decides what a response means.
 */
import type {FetchLikeInit} from '../eventsource/options.js'
import type {Transport} from './types.js'

export const fetchTransport: Transport = (request, handlers) => {
  const controller = new AbortController()
  const signal = controller.signal
  const body = request.body
  const ignore = (): void => {}
  const failed = (error: unknown): void => {
    if (!signal.aborted) handlers.onError(error)
  }
  // The `eventsource` package's shape, so a custom fetch written for it works here.
  const init: FetchLikeInit = {
    method: request.method,
    headers: request.headers,
    cache: 'no-store',
    credentials: request.credentials,
    mode: 'cors',
    redirect: 'follow',
    signal,
  }
  if (body !== undefined) init.body = body
  // Fetch refuses a stream body without `duplex: 'half'` (the only value there is so far).
  if ((body as ReadableStream | null)?.getReader) init.duplex = 'half'
  // A custom fetch may throw synchronously or return a non-promise: both end up in onError. What it
  // resolves to is typed loosely (FetchLikeResponse: another implementation's Response has types of
  // its own), and read as the Response it is.
  new Promise<Response>((resolve) => resolve((request.fetch ?? fetch)(request.url, init) as Promise<Response>))
    .then((response) => {
      if (signal.aborted) return
      const stream = response.body
      if (!handlers.onResponse(response)) {
        // Lets the connection go, unless an `error` listener started reading the body.
        if (!response.bodyUsed && stream && !stream.locked) stream.cancel().catch(ignore)
      } else if (stream?.getReader) {
        const reader = stream.getReader()
        const cancel = (): void => void reader.cancel().catch(ignore)
        // Each read starts its own promise chain: returning the next read from the last one's `then`
        // would nest every chunk's promise in the one before, for as long as the stream lasts.
        const read = (): void =>
          void reader
            .read()
            .then(({done, value}) => {
              if (signal.aborted) cancel()
              else if (done) handlers.onEnd()
              else {
                const wait = handlers.onChunk(value)
                if (wait) wait.then(read)
                else read()
              }
            })
            .catch(failed)
        // Letting go of the body too, at once: Deno can keep the connection of an aborted fetch open
        // while a read of its body is pending (the runtime suite's heartbeat drop, 2 runs in 6).
        signal.addEventListener('abort', cancel)
        read()
      }
      // A 200 whose body cannot be read (a custom fetch's Response made without one): every
      // attempt would get the same, so it fails the connection rather than reconnect for ever.
      else handlers.onError(new TypeError("The `fetch` option's Response has no ReadableStream body"), true)
    })
    .catch(failed)
  return () => controller.abort()
}
