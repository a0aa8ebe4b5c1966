/**
 * The fetch transport: one connection attempt as a `fetch` whose body is read chunk by chunk.
 * It knows nothing of events; the EventSource decides what a response means.
 */
import type {BodyValue, FetchLike} from '../options.js'

export interface TransportRequest {
  url: string
  method: string
  headers: Record<string, string>
  body: BodyValue | undefined
  credentials: RequestCredentials
  /** Aborting it ends the attempt silently: no handler is called afterwards. */
  signal: AbortSignal
}

export interface TransportHandlers {
  /** The response head arrived; return `false` to leave the body unread. */
  onResponse(response: Response): boolean
  onChunk(chunk: Uint8Array): void
  /** The body ended cleanly. */
  onEnd(): void
  /** The request failed or the body broke off (a network error). */
  onError(error: unknown): void
}

export type Transport = (request: TransportRequest, handlers: TransportHandlers) => void

export function createFetchTransport(fetchImpl: FetchLike): Transport {
  return (request, handlers) => {
    const {signal} = request
    const init = {
      method: request.method,
      headers: request.headers,
      cache: 'no-store',
      credentials: request.credentials,
      mode: 'cors',
      redirect: 'follow',
      signal,
      ...(request.body === undefined ? {} : {body: request.body}),
      // Fetch refuses a stream body without `duplex: 'half'` (the only value there is so far).
      ...(isStream(request.body) ? {duplex: 'half' as const} : {}),
    } as const
    // A custom fetch may throw synchronously or return a non-promise: both end up in onError.
    new Promise<Response>((resolve) => resolve(fetchImpl(request.url, init)))
      .then(async (response) => {
        if (signal.aborted || !handlers.onResponse(response)) return
        const body = response.body
        if (body === null) return handlers.onEnd()
        const reader = body.getReader()
        for (;;) {
          const {done, value} = await reader.read()
          if (signal.aborted) {
            reader.cancel().catch(ignore)
            return
          }
          if (done) return handlers.onEnd()
          handlers.onChunk(value)
        }
      })
      .catch((error: unknown) => {
        if (!signal.aborted) handlers.onError(error)
      })
  }
}

function ignore(): void {}

function isStream(body: unknown): body is ReadableStream {
  return typeof ReadableStream === 'function' && body instanceof ReadableStream
}
