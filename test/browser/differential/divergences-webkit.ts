// Where WebKit's own EventSource (WebKitGTK 2.50, Debian's MiniBrowser) and the library differ in
// the differential scenarios (differential/scenarios.ts), by scenario title. Each `check` pins both
// sides exactly, so that a change on either side shows. Every scenario not named here must be the
// same in WebKit and the library; Chromium's divergences (in scenarios.ts) do not apply to WebKit.
import {expect} from 'vitest'
import type {SeenRequest} from './server.js'
import {asChromium, summary, xhrHeadersAtFirstByte, type Divergence, type Outcome} from './scenarios.js'

/**
 * The CORS failures: as in Chromium, WebKit "knows [reconnecting] to be futile" and fails the
 * connection (the spec allows it); the library's fetch rejects with the same TypeError as for a
 * dropped network, so it cannot tell and reconnects (after the default 3000 ms: still waiting when
 * the page stops watching). Both sent the same requests.
 */
function corsFailure(stop: 'CLOSED' | '1 errors'): Divergence {
  return {
    reason: 'a CORS failure fails the connection in WebKit; the library, which cannot tell it from a network error, reconnects',
    check(native, library) {
      expect(summary(native)).toEqual(['error(2)', `stop:${stop}`])
      // Waiting for a CLOSED that never comes, the library's run ends by its timeout.
      expect(summary(library)).toEqual(['error(0)', stop === 'CLOSED' ? 'stop:timeout' : `stop:${stop}`])
      expect(library.requests).toEqual(native.requests)
    },
  }
}

/**
 * "An id-only block" (an `id:` field and the blank line, no data) must still set the source's last
 * event ID: HTML's dispatch steps set it from the buffer first, and only then return when the data
 * buffer is empty. WebKit sets it only with an event it dispatches, so its reconnect carries the id
 * before. The library follows the spec (as Chromium does).
 */
const idOnlyBlock = 'WebKit does not take the id of a block without data for Last-Event-ID; the spec (and the library) does'

/** The request pair of a run: everything but the Last-Event-ID the same. */
function lastEventIds(outcome: Outcome): (string | null)[] {
  return outcome.requests.map((request) => request.lastEventId)
}

function withoutLastEventId(outcome: Outcome): Omit<SeenRequest, 'lastEventId'>[] {
  return outcome.requests.map(({lastEventId: _lastEventId, ...rest}) => rest)
}

/** As in Chromium: WebKit sends `Last-Event-ID` cross-origin without the preflight the Fetch standard requires. */
const lastEventIdPreflight = 'WebKit sends Last-Event-ID cross-origin without the CORS preflight the Fetch standard requires'

export const divergences: Record<string, Divergence> = {
  'a BOM split across writes is still removed': {
    // The spec decodes the stream with UTF-8 decode, which strips one leading BOM however the bytes
    // arrive. WebKit strips it only when its three bytes come in one piece: split, they decode to
    // U+FEFF at the start of the first field name, `\uFEFFdata`, an unknown field.
    reason: 'a leading BOM split across two chunks loses the first event in WebKit; the spec (and the library) removes it',
    check(native, library) {
      expect(summary(native)).toEqual(['open(1)', 'error(0)', 'stop:1 errors'])
      expect(summary(library)).toEqual(['open(1)', 'message:a', 'error(0)', 'stop:1 errors'])
      expect(library.requests).toEqual(native.requests)
    },
  },
  'an id-only block updates Last-Event-ID': {
    reason: idOnlyBlock,
    check(native, library) {
      expect(library.result).toEqual(native.result)
      expect(summary(native)).toEqual(['open(1)', 'message:a', 'error(0)', 'open(1)', 'stop:2 open'])
      expect(lastEventIds(native)).toEqual([null, '1'])
      expect(lastEventIds(library)).toEqual([null, '2'])
      expect(withoutLastEventId(library)).toEqual(withoutLastEventId(native))
    },
  },
  'an id line with no line end at the end of the stream is not used': {
    // `id: 1` and a blank line, then `id: 2` cut off: the library reconnects with 1, as the spec
    // says; WebKit with none, for the id-only block (the cut-off line both leave alone).
    reason: idOnlyBlock,
    check(native, library) {
      expect(library.result).toEqual(native.result)
      expect(summary(native)).toEqual(['open(1)', 'error(0)', 'open(1)', 'stop:2 open'])
      expect(lastEventIds(native)).toEqual([null, null])
      expect(lastEventIds(library)).toEqual([null, '1'])
      expect(withoutLastEventId(library)).toEqual(withoutLastEventId(native))
    },
  },
  'Last-Event-ID carries a non-ASCII id as UTF-8': {
    // WebKit's fetch and XMLHttpRequest encode a header value as UTF-8 themselves and refuse any
    // character above U+00FF (`→`, `😀`): no value makes them send these bytes, so the library
    // leaves the header out (src/eventsource/request-headers.ts). An id of Latin-1 characters goes right:
    // 'Last-Event-ID carries a Latin-1 id as UTF-8' is equal in WebKit.
    reason: "WebKit's fetch refuses header characters above U+00FF, so an id holding one cannot be sent as Last-Event-ID; the library leaves it out",
    check(native, library) {
      expect(library.result).toEqual(native.result)
      // Node reads header bytes as Latin-1: the UTF-8 bytes of `é→😀` read as below.
      expect(lastEventIds(native)).toEqual([null, Buffer.from('é→😀').toString('latin1')])
      expect(lastEventIds(library)).toEqual([null, null])
      expect(withoutLastEventId(library)).toEqual(withoutLastEventId(native))
    },
  },
  'a retry with two leading spaces is ignored': {
    // `retry:  50`: the value is ` 50`, not only ASCII digits, so the spec ignores the field and
    // the reconnect waits the default 3000 ms. WebKit takes 50 and reconnects at once.
    reason: 'WebKit accepts a `retry:` value with a leading space; the spec (and the library) ignores it',
    check(native, library) {
      expect(summary(native)).toEqual(['open(1)', 'message:a', 'error(0)', 'open(1)', 'stop:2 open'])
      expect(summary(library)).toEqual(['open(1)', 'message:a', 'error(0)', 'stop:timeout'])
      expect(native.requests).toEqual([library.requests[0], library.requests[0]])
      expect(library.requests).toHaveLength(1)
    },
  },
  'a data: URL is an event stream with the origin "null"': {
    // The spec fetches any URL, data: included (web-platform-tests eventsource/eventsource-url.htm
    // has one; Chromium and Firefox stream it). WebKit fails the connection at once.
    reason: 'WebKit fails an EventSource on a data: URL; the spec (and the library, on fetch) streams it',
    check(native, library) {
      expect(summary(native)).toEqual(['error(2)', 'stop:timeout'])
      expect(summary(library)).toEqual(['open(1)', 'message:a', 'error(0)', 'open(1)', 'stop:2 open'])
      expect(native.requests).toEqual([])
      expect(library.requests).toEqual([])
    },
  },
  'a redirect to another origin without CORS fails the connection': corsFailure('CLOSED'),
  'withCredentials: true fails on Access-Control-Allow-Origin: *': corsFailure('CLOSED'),
  'withCredentials: true fails without Access-Control-Allow-Credentials': corsFailure('CLOSED'),
  'cross-origin without Access-Control-Allow-Origin fails the connection': corsFailure('CLOSED'),
  'cross-origin allowing another origin fails the connection': corsFailure('CLOSED'),
  'a redirect away and back again: Origin null, events carry the page origin': {
    // Chromium follows localhost's redirect back to the page's origin (the request's origin now
    // "null", allowed by `*`). WebKit's loader does not, for its EventSource and for fetch alike:
    // both stop after /away, so this is then a CORS failure like the ones above.
    ...corsFailure('1 errors'),
    reason: 'WebKit does not follow a cross-origin redirect back to the page origin (its fetch neither); its EventSource then fails the connection, the library reconnects',
  },
  'cross-origin reconnect sends Last-Event-ID (the server allows it in preflights)': asChromium(
    'cross-origin reconnect sends Last-Event-ID (the server allows it in preflights)',
    lastEventIdPreflight,
  ),
  'cross-origin reconnect to a server that answers no preflight': asChromium(
    'cross-origin reconnect to a server that answers no preflight',
    lastEventIdPreflight,
  ),
}

/**
 * Where WebKit's XMLHttpRequest, which the script-tag build streams over in the legacy page, cannot
 * do what its EventSource does (on top of the divergences above).
 */
export const legacyDivergences: Record<string, Divergence> = {
  'open fires when the headers arrive, before any data': xhrHeadersAtFirstByte('WebKit'),
  'a BOM split across writes is still removed': {
    // XMLHttpRequest's `responseText` goes through WebKit's decoder, which has the same fault as its
    // EventSource: a BOM split across reads becomes U+FEFF in the first field name. Both sides lose
    // the first event, so they agree here, unlike in the module build.
    reason: "WebKit's text decoder behind XMLHttpRequest loses the first event after a split BOM, as its EventSource does",
    check(native, library) {
      expect(summary(native)).toEqual(['open(1)', 'error(0)', 'stop:1 errors'])
      expect(summary(library)).toEqual(summary(native))
      expect(library.requests).toEqual(native.requests)
    },
  },
}
