/**
 * What the CLI sees of each connection beyond the events the EventSource dispatches: a `fetch` for
 * the EventSource's `fetch` option that reports each request, response head and body chunk on its
 * way to the EventSource (the status, the headers, the time to first byte, the bytes for `--raw`),
 * and the warnings about what breaks event streams in production, each given once.
 */
import type {FetchLike, FetchLikeInit} from '../index.js'

/** What the observing fetch reports, in order, for every attempt. */
export interface FetchHooks {
  /** The request is about to go out, with the headers the EventSource made (`last-event-id` included). */
  request(url: string, init: FetchLikeInit): void
  /** The response head arrived; `true` to see its body (an event stream the EventSource will read). */
  response(response: Response): boolean
  /** A piece of the body, before the EventSource parses it. */
  chunk(bytes: Uint8Array): void
}

/** Whether the EventSource reads this response's body: a 200 `text/event-stream` (the spec's test). */
export function isEventStream(response: Response): boolean {
  return response.status === 200 && /^\s*text\/event-stream\s*(;|$)/i.test(response.headers.get('content-type') ?? '')
}

/**
 * A `fetch` that reports to `hooks` and passes everything on: the response of an event stream is
 * a copy whose body is the original read through a transform that reports each chunk first (same
 * status, headers, `url` and `redirected`); any other response is the original, whose body the
 * EventSource's `error` event hands on unread.
 */
export function observingFetch(hooks: FetchHooks, base: typeof fetch = fetch): FetchLike {
  return async (url, init) => {
    hooks.request(url, init)
    const response = await base(url, init as RequestInit)
    if (!response.body || !hooks.response(response)) return response
    const body = response.body.pipeThrough(
      new TransformStream<Uint8Array, Uint8Array>({
        transform(chunk, controller) {
          hooks.chunk(chunk)
          controller.enqueue(chunk)
        },
      }),
    )
    const observed = new Response(body, {status: response.status, statusText: response.statusText, headers: response.headers})
    // Where a redirect led: the events' `origin`.
    Object.defineProperties(observed, {url: {value: response.url}, redirected: {value: response.redirected}})
    return observed
  }
}

/** Header names whose values verbose output does not show in full. */
const SECRET_HEADERS = new Set(['authorization', 'proxy-authorization', 'cookie', 'set-cookie'])

/** `name: value` lines for verbose output; credentials shortened to their scheme (`Bearer ***`). */
export function headerLines(headers: Iterable<[string, string]>): string[] {
  return [...headers].map(([name, value]) => {
    if (!SECRET_HEADERS.has(name.toLowerCase())) return `${name}: ${value}`
    const scheme = /^(\S+)\s+\S/.exec(value)?.[1]
    return `${name}: ${scheme ? `${scheme} ` : ''}*** (${value.length} characters)`
  })
}

/** A read arriving after this long without a byte, holding {@link BURST_EVENTS} events or more, looks held back. */
export const BURST_SILENCE = 2000
export const BURST_EVENTS = 3
/** A `retry:` below this asks every client to come back at once after a drop. */
export const STORMY_RETRY = 1000

/** The warnings, in words. Each is given once per run. */
export const warnings = {
  contentType: (contentType: string | null): string =>
    `The response's Content-Type is ${contentType === null ? 'missing' : JSON.stringify(contentType)}, not text/event-stream: ` +
    'EventSource clients (browsers too) fail the connection; the server must send Content-Type: text/event-stream',
  compressed: (encoding: string): string =>
    `The stream is compressed (Content-Encoding: ${encoding}): a compressor holds events back until its buffer fills unless ` +
    'the server flushes it after each event; turn compression off for text/event-stream (or flush per event)',
  contentLength: (length: string): string =>
    `The response has a Content-Length (${length}): it was sent whole, not streamed, so events arrive only when it ends ` +
    '(a proxy, framework or middleware that buffers responses)',
  burst: (events: number, silence: number, span: (ms: number) => string): string =>
    `${events} events arrived in one read after ${span(silence)} without a byte: something between the server and here ` +
    'may be buffering the stream (a proxy such as nginx without X-Accel-Buffering: no, compression, a server that does not flush)',
  allAtEnd: (events: number, after: number, span: (ms: number) => string): string =>
    `All ${events} events of the connection arrived in its last read, ${span(after)} after the headers, as it ended: ` +
    'something buffered the stream until its end (a proxy, compression, a server that does not flush)',
  noIds: (events: number): string =>
    `${events === 1 ? 'The event had no' : `None of the ${events} events had an`} id: field, so a reconnect cannot resume ` +
    '(no Last-Event-ID): the client starts over and misses what was sent while it was away',
  stormyRetry: (retry: number): string =>
    `retry: ${retry} asks clients to reconnect ${retry} ms after a drop: with many clients, a restart or a proxy timeout ` +
    'turns into a reconnect storm (browsers obey it; this library, by default, waits at least 1 s from the second failure in a row); ' +
    'send 1000 or more',
  unknownField: (field: string, line: string | undefined): string =>
    `Ignored the unknown field "${field}"${quoteLine(line)} (the fields are data, event, id and retry; the line was skipped)`,
  invalidRetry: (line: string | undefined): string => `Ignored a retry: that is not a whole number of milliseconds${quoteLine(line)}`,
}

/** `: "the line"`, shortened past 80 characters; nothing when unknown. */
function quoteLine(line: string | undefined): string {
  return line === undefined ? '' : `: ${JSON.stringify(line.length > 80 ? `${line.slice(0, 80)}…` : line)}`
}
