/**
 * The XMLHttpRequest transport, for browsers where fetch cannot stream (no `ReadableStream` body,
 * no `AbortController`): the ES5 script-tag build picks it there (see ./legacy.ts). It knows
 * nothing of events, only of line ends, as the restart rule below needs.
 *
 * `responseText` grows while the response loads; each `progress` event (and `load`) passes on the
 * part not passed yet, as text. The text is decoded as UTF-8 whatever charset the server names
 * (`overrideMimeType`): "Event streams are always decoded as UTF-8" (WHATWG HTML § 9.2.5).
 *
 * `responseText` holds the whole response: on a long-lived stream it would grow without end. Once
 * it passed {@link RESTART_AFTER} characters (or half of `maxEventSize`, if less), the request is
 * restarted, silently, right after a chunk whose text ends with a blank line: there the parser
 * holds nothing (no partial line, no partial event), so no event is lost or seen twice. Only when
 * there is a last event ID to resume from (`request.resume()`): a server replays a stream asked for
 * without `Last-Event-ID` from its start, or from now, losing what it sent in between. The new
 * request goes to the URL the EventSource asked for, not where a redirect led, so that it is
 * judged by the origin first asked again (and credentials reach no origin the user did not name).
 * The EventSource sees neither `open` nor `error` unless the new response is not another 200 of
 * the same content type, which it then judges as it judges any response.
 *
 * A response that cannot restart (no ID yet, or no chunk that ends an event) is read on, until
 * `responseText` passes `maxEventSize` characters: then the attempt ends with a fatal
 * `max-buffer-size-exceeded` {@link ParseError} that names the option, and the EventSource fails
 * the connection (a reconnect would read the same stream into the same limit).
 *
 * The response the EventSource is handed (which `error` events expose as `response`) is a real
 * `Response` where the page has `Response`, `ReadableStream` and `TextEncoder`: its body is the
 * rest of the XMLHttpRequest's response, streamed as it loads, so `event.response.json()` works
 * inside an `error` listener as with fetch. Elsewhere it is an object with `status`, `statusText`,
 * `ok`, `url`, `redirected`, `headers.get(name)` and, where `Promise` exists, `text()` and `json()`
 * (promises of the whole body, settled once it loaded). A body that no listener started reading is
 * let go (the request is aborted), as the fetch transport cancels it.
 */
import {ParseError} from '../errors.js'
import type {Transport, TransportResponse} from './types.js'

/** Characters of `responseText` after which a request restarts (at an event boundary): 256 Ki. */
const RESTART_AFTER = 256 * 1024

/** A blank line at the very end: a line end, then another (a CR that an LF follows is one CRLF). */
const ENDS_EVENT = /(\r\n|\n|\r(?!\n))(\r\n|\n|\r)$/

/** `url` without its fragment, which requests never carry (and `responseURL` never has). */
const withoutFragment = (url: string): string => url.split('#')[0]!

/** The body of a response handed over: fed from the request once the EventSource turned it down. */
interface Body {
  /** Whether an `error` listener started reading it: then the request goes on to its end. */
  used(): boolean
  /** `responseText` so far, the whole of it when `done`; `undefined`: the request failed. */
  feed(text: string | undefined, done?: boolean): void
}

/** The response of `xhr` as the EventSource and its `error` listeners see it, and its body. */
function responseOf(xhr: XMLHttpRequest, url: string, redirected: boolean): [TransportResponse, Body] {
  const {status, statusText} = xhr
  const responseUrl = xhr.responseURL || url
  // "name: value" lines, CRLF-separated, names lower-cased, values of a repeated name joined (XHR § 4.6.5).
  // Lower-cased here again all the same: Firefox gives a data: URL's `Content-Type` as it is spelt.
  // Read at once, not from `xhr` later: an aborted XMLHttpRequest forgets its headers.
  const headers: [string, string][] = []
  for (const line of xhr.getAllResponseHeaders().split('\r\n')) {
    const colon = line.indexOf(': ')
    if (colon > 0) headers.push([line.slice(0, colon).toLowerCase(), line.slice(colon + 2)])
  }
  const failure = (): TypeError => new TypeError(`XMLHttpRequest to ${url} failed`)
  try {
    // Where the page has `ReadableStream`, `Response` and `TextEncoder` (a missing one throws here),
    // a real `Response`. Statuses that "Response with null body status cannot have body" (and those
    // `Response` refuses, outside 200–599) throw too: then the plain object below.
    const encoder = new TextEncoder()
    let controller: ReadableStreamDefaultController<Uint8Array>
    let sent = 0
    // `start` runs in the constructor.
    const stream = new ReadableStream<Uint8Array>({start: (given) => void (controller = given)})
    const response = new Response(status === 204 || status === 205 || status === 304 ? null : stream, {status, statusText, headers})
    // A `Response` made by hand has no URL: the one fetch would give, as own properties.
    Object.defineProperties(response, {url: {value: responseUrl}, redirected: {value: redirected}})
    return [
      response,
      {
        used: () => stream.locked,
        feed(text, done) {
          if (text === undefined) return controller.error(failure())
          if (text.length > sent) controller.enqueue(encoder.encode(text.slice(sent)))
          sent = text.length
          if (done) controller.close()
        },
      },
    ]
  } catch {
    // The plain object, then.
  }
  let used = false
  /** Settles the whole body's promise: with the text, or (`undefined`) with the failure. */
  let settle = (_text?: string): void => {}
  const response = {
    status,
    statusText,
    ok: status > 199 && status < 300,
    url: responseUrl,
    redirected,
    headers: {
      get(name: string): string | null {
        name = name.toLowerCase()
        for (const header of headers) if (header[0] === name) return header[1]
        return null
      },
    },
  } as TransportResponse & {text?: () => Promise<string>; json?: () => Promise<unknown>}
  // Without `Promise` (an ES5 engine), the body cannot be promised: no `text()` or `json()`.
  if (typeof Promise == 'function') {
    const whole = new Promise<string>((resolve, reject) => {
      settle = (text) => (text === undefined ? reject(failure()) : resolve(text))
    })
    // A failure that no listener asked for is no unhandled rejection; `text()` still rejects with it.
    // (`then`, not `catch`: a polyfill may have `then` alone, as Promises/A+ asks.)
    whole.then(undefined, () => {})
    response.text = () => {
      used = true
      return whole
    }
    response.json = () => response.text!().then(JSON.parse)
  }
  return [response, {used: () => used, feed: (text, done) => void ((text === undefined || done) && settle(text))}]
}

/**
 * The XMLHttpRequest transport: it restarts its request once `responseText` passed
 * {@link RESTART_AFTER} characters, at the next event boundary, when there is an ID to resume from.
 */
export const xhrTransport: Transport = (request, handlers) => {
  let current: XMLHttpRequest | undefined
  // Every request of the attempt, restarts too, goes to the URL the EventSource gave.
  const url = request.url
  const limit = request.maxEventSize
  // Restarts begin early enough that a stream with IDs finds an event boundary before `limit`.
  const restartAt = Math.min(RESTART_AFTER, limit / 2)
  /** The first response of this attempt, which the EventSource judges; later ones are restarts. */
  let first = true
  let contentType: string | null = null

  const stop = (xhr: XMLHttpRequest): void => {
    xhr.onreadystatechange = xhr.onprogress = xhr.onload = xhr.onerror = xhr.ontimeout = xhr.onabort = null
    xhr.abort()
  }
  const cancel = (): void => {
    const xhr = current
    current = undefined
    if (xhr) stop(xhr)
  }

  const send = (headers: Record<string, string>): void => {
    const xhr = (current = new XMLHttpRequest())
    /** How much of `responseText` was passed on. */
    let seen = 0
    let headed = false
    // Whether the handlers may still hear from this request: not once cancelled or replaced.
    const live = (): boolean => current === xhr
    /** The response head, once: whether the body is wanted. */
    const head = (): boolean => {
      headed = true
      const type = xhr.getResponseHeader('content-type')
      // A restart answered as the first request was: the EventSource need not know.
      if (!first && xhr.status === 200 && type === contentType) return true
      contentType = type
      const [response, body] = responseOf(xhr, url, withoutFragment(xhr.responseURL || url) !== withoutFragment(url))
      if (handlers.onResponse(response) && live()) return true
      if (live()) {
        // Turned down: the handlers hear no more, and the body goes to whoever reads it.
        current = undefined
        if (body.used()) {
          const feed = (done?: boolean): void => body.feed(xhr.responseText, done)
          xhr.onreadystatechange = null
          xhr.onprogress = () => feed()
          xhr.onload = () => feed(true)
          xhr.onerror = xhr.ontimeout = xhr.onabort = () => body.feed(undefined)
          // From `load` itself (the head arrived with the end), all of it is there already.
          feed(xhr.readyState > 3)
          return false
        }
      }
      stop(xhr)
      return false
    }
    const read = (end: boolean): void => {
      if (!live() || (!headed && !head())) return
      const text = xhr.responseText
      if (text.length > seen) {
        // The decoder of `responseText` strips a leading BOM, as the parser does: put back, the
        // parser strips it, and a second BOM stays as the spec says. Not after a restart: the
        // parser is past the start of the stream.
        const chunk = (seen === 0 && first ? '\uFEFF' : '') + text.slice(seen)
        seen = text.length
        handlers.onChunk(chunk)
        if (!live()) return
      }
      let resume: Record<string, string> | undefined
      if (end) {
        current = undefined
        handlers.onEnd()
      } else if (seen > restartAt && ENDS_EVENT.test(text.slice(-4)) && (resume = request.resume())) {
        first = false
        send(resume)
        stop(xhr)
      } else if (seen > limit) {
        cancel()
        handlers.onError(
          new ParseError(`XMLHttpRequest response from ${url} passed maxEventSize (${limit} characters) with no event id to restart from`, {
            type: 'max-buffer-size-exceeded',
          }),
          true,
        )
      }
    }
    const failed = (): void => {
      if (!live()) return
      current = undefined
      // The EventSource's message names the URL and says it failed: this says how.
      handlers.onError(new TypeError('XMLHttpRequest network error'))
    }
    // HEADERS_RECEIVED: the status and headers are known (a network error leaves the status 0).
    xhr.onreadystatechange = () => {
      if (xhr.readyState > 1 && xhr.status && !headed && live()) head()
    }
    xhr.onprogress = () => read(false)
    xhr.onload = () => read(true)
    xhr.onerror = xhr.ontimeout = failed
    const body = request.body
    try {
      xhr.open(request.method, url, true)
      for (const name of Object.keys(headers)) xhr.setRequestHeader(name, headers[name]!)
      xhr.withCredentials = request.credentials === 'include'
      // Event streams are UTF-8, whatever charset the response names.
      if (xhr.overrideMimeType) xhr.overrideMimeType('text/plain; charset=utf-8')
      xhr.send(body == null ? null : (body as XMLHttpRequestBodyInit))
    } catch {
      // A header or method XMLHttpRequest refuses: a failed attempt, as fetch would reject it,
      // reported from a later task, as every handler is.
      setTimeout(failed)
    }
  }

  send(request.headers)
  return cancel
}
