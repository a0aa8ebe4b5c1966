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
 * it passed `restartAfter` characters, the request is restarted, silently, right after a chunk
 * whose text ends with a blank line: there the parser holds nothing (no partial line, no partial
 * event), so no event is lost or seen twice. The new request resumes with the `Last-Event-ID` of
 * the last event (`request.resume()`) and goes where the last one was redirected to; the
 * EventSource sees neither `open` nor `error` unless the new response is not another 200 of the
 * same content type, which it then judges as it judges any response. A stream that never ends a
 * chunk with a blank line past the limit (writes that always split events) is never restarted.
 */
import type {Transport, TransportResponse} from './index.js'

/** The default `restartAfter`: 256 Ki characters of `responseText`. */
export const RESTART_AFTER = 256 * 1024

/** A blank line at the very end: a line end, then another (a CR that an LF follows is one CRLF). */
const ENDS_EVENT = /(\r\n|\n|\r(?!\n))(\r\n|\n|\r)$/

/** `url` without its fragment, which requests never carry (and `responseURL` never has). */
const withoutFragment = (url: string): string => url.split('#')[0]!

/**
 * An XMLHttpRequest transport that restarts its request once `responseText` passed `restartAfter`
 * characters, at the next event boundary.
 */
export function createXhrTransport(restartAfter: number = RESTART_AFTER): Transport {
  return (request, handlers) => {
    let current: XMLHttpRequest | undefined
    let url = request.url
    /** The first response of this attempt, which the EventSource judges; later ones are restarts. */
    let first = true
    let contentType: string | null = null

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
        const responseUrl = xhr.responseURL || url
        const response: TransportResponse = {
          status: xhr.status,
          statusText: xhr.statusText,
          url: responseUrl,
          redirected: withoutFragment(responseUrl) !== withoutFragment(request.url),
          headers: {get: (name) => xhr.getResponseHeader(name)},
        }
        if (handlers.onResponse(response) && live()) return true
        cancel()
        return false
      }
      const read = (end: boolean): void => {
        if (!live() || (!headed && !head())) return
        const text = xhr.responseText
        if (text.length > seen) {
          let chunk = text.slice(seen)
          // The decoder of `responseText` strips a leading BOM, as the parser does: put back, the
          // parser strips it, and a second BOM stays as the spec says. Not after a restart: the
          // parser is past the start of the stream.
          if (seen === 0 && first) chunk = '\uFEFF' + chunk
          seen = text.length
          handlers.onChunk(chunk)
          if (!live()) return
        }
        if (end) {
          current = undefined
          handlers.onEnd()
        } else if (seen > restartAfter && ENDS_EVENT.test(text.slice(-4))) {
          first = false
          url = xhr.responseURL || url
          send(request.resume ? request.resume() : request.headers)
          stop(xhr)
        }
      }
      const failed = (): void => {
        if (!live()) return
        current = undefined
        handlers.onError(new TypeError(`XMLHttpRequest to ${url} failed`))
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

    const stop = (xhr: XMLHttpRequest): void => {
      xhr.onreadystatechange = xhr.onprogress = xhr.onload = xhr.onerror = xhr.ontimeout = null
      xhr.abort()
    }
    const cancel = (): void => {
      const xhr = current
      current = undefined
      if (xhr) stop(xhr)
    }
    send(request.headers)
    return cancel
  }
}

/** The XMLHttpRequest transport with the default {@link RESTART_AFTER}. */
export const xhrTransport: Transport = createXhrTransport()
