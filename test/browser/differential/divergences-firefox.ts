// Where Firefox's own EventSource leaves the spec (or takes a choice the spec leaves open), by
// scenario title: the library follows the spec, and each `check` pins both sides exactly. Found by
// running the differential suite in Debian's firefox-esr (153) with DIFFERENTIAL_DUMP set.
import {expect} from 'vitest'
import type {Divergences} from './driver.js'
import {asChromium, summary, type Outcome} from './scenarios.js'

/** Each event of a run as `type:data#lastEventId`, for the scenarios where the ids differ. */
function eventIds({result}: Outcome): string[] {
  return (result.trace ?? [])
    .filter((entry) => entry.kind === 'event')
    .map((entry) => `${String(entry['type'])}:${String(entry['data'])}#${String(entry['lastEventId'])}`)
}

/** Both runs saw the same trace; only what they sent on the reconnect differs. */
function sameTraceLastEventIds(native: Outcome, library: Outcome, expected: {native: (string | null)[]; library: (string | null)[]}): void {
  expect(library.result).toEqual(native.result)
  expect(native.requests.map((request) => request.lastEventId)).toEqual(expected.native)
  expect(library.requests.map((request) => request.lastEventId)).toEqual(expected.library)
  // Otherwise the same requests.
  const rest = (outcome: Outcome) => outcome.requests.map(({lastEventId: _, ...request}) => request)
  expect(rest(library)).toEqual(rest(native))
}

/**
 * The spec: "if res is a network error, then reestablish the connection, unless the user agent
 * knows that to be futile, in which case the user agent may fail the connection." Firefox, as
 * Chromium, knows a CORS failure to be futile; fetch rejects with the same TypeError for it as for
 * a dropped network, so the library cannot tell and reconnects.
 */
const corsFailure = 'a CORS failure fails the connection in Firefox; the library, which cannot tell it from a network error, reconnects'

/** As in Chromium (scenarios.ts): HTML's EventSource just fetches, and a cross-origin Last-Event-ID needs a preflight. */
const lastEventIdPreflight = 'Firefox sends Last-Event-ID cross-origin without the CORS preflight the Fetch standard requires'

/**
 * The spec's "set the last event ID buffer" happens on the `id` field alone; the event stream's
 * last event ID is set from the buffer at every blank line, whether or not data follows. Firefox
 * sets it only when it dispatches an event, so an id in a block without data is lost.
 */
const idOnlyBlock = 'Firefox takes an `id:` into the last event ID only with an event to dispatch: a block without data sets nothing'

export const divergences: Divergences = {
  'a NULL in data is kept': {
    reason: 'Firefox drops U+0000 from data; the spec keeps every code point of a data line',
    check(native, library) {
      expect(summary(native)).toEqual(['open(1)', 'message:', 'message:ab', 'error(0)', 'stop:1 errors'])
      expect(summary(library)).toEqual(['open(1)', 'message:\0', 'message:a\0b', 'error(0)', 'stop:1 errors'])
      expect(library.requests).toEqual(native.requests)
    },
  },
  'an id containing NULL is ignored': {
    // The spec ignores such an `id` field, nothing more: the block's data is still dispatched.
    reason: 'Firefox dispatches no event from a block whose `id:` holds U+0000 (nor from any later block); the spec ignores the field alone',
    check(native, library) {
      expect(eventIds(native)).toEqual(['message:a#1'])
      expect(eventIds(library)).toEqual(['message:a#1', 'message:b#1', 'message:c#1'])
      expect(summary(native)).toEqual(['open(1)', 'message:a', 'error(0)', 'stop:1 errors'])
      expect(library.requests).toEqual(native.requests)
    },
  },
  'an id-only block sets the id for later events': {
    reason: idOnlyBlock,
    check(native, library) {
      expect(eventIds(native)).toEqual(['message:a#', 'message:b#'])
      expect(eventIds(library)).toEqual(['message:a#5', 'message:b#6'])
      expect(summary(library)).toEqual(summary(native))
      expect(library.requests).toEqual(native.requests)
    },
  },
  'an id-only block updates Last-Event-ID': {
    reason: idOnlyBlock,
    check: (native, library) => sameTraceLastEventIds(native, library, {native: [null, '1'], library: [null, '2']}),
  },
  'an id line with no line end at the end of the stream is not used': {
    // `id: 1\n\nid: 2`: the library sends the 1 of the id-only block, Firefox nothing.
    reason: idOnlyBlock,
    check: (native, library) => sameTraceLastEventIds(native, library, {native: [null, null], library: [null, '1']}),
  },
  'an empty retry is ignored': {
    // `retry\nretry:\n`: the spec sets the reconnection time from a value of ASCII digits, which
    // an empty one is not, as Chromium reads it too. Firefox takes it as 0, raised to its 500 ms
    // floor (measured here: `retry` and `retry:` alike reconnect after about 520 ms).
    reason: 'Firefox takes an empty `retry` field as 0 ms (reconnecting after its 500 ms floor); the library, as Chromium, ignores it',
    check(native, library) {
      expect(summary(native)).toEqual(['open(1)', 'message:a', 'error(0)', 'open(1)', 'stop:2 open'])
      expect(summary(library)).toEqual(['open(1)', 'message:a', 'error(0)', 'stop:timeout'])
      const [first] = native.requests
      expect(native.requests).toEqual([first, first])
      expect(library.requests).toEqual([first])
    },
  },
  'with no retry field, a reconnect waits the default reconnection time': {
    // A choice the spec leaves to the user agent.
    reason: 'Firefox waits 5 s before a reconnect by default, the library (as Chromium) 3 s',
    check(native, library) {
      expect(summary(native)).toEqual(['open(1)', 'message:a', 'error(0)', 'stop:timeout'])
      expect(summary(library)).toEqual(['open(1)', 'message:a', 'error(0)', 'open(1)', 'stop:2 open'])
      const [first] = native.requests
      expect(native.requests).toEqual([first])
      expect(library.requests).toEqual([first, first])
    },
  },
  'open fires when the headers arrive, before any data': {
    // Both sides agree, and both wait: the scenario's point, an `open` before the body, is not
    // something Firefox lets a page see, through EventSource or fetch.
    reason: 'Firefox hands a response to EventSource and to fetch alike only with the first byte of its body: neither opens on headers alone',
    check(native, library) {
      expect(summary(native)).toEqual(['stop:timeout'])
      expect(library).toEqual(native)
    },
  },
  'a data: URL is an event stream with the origin "null"': {
    // Fetch answers a data: URL in cors mode with a basic response, which EventSource takes as any other.
    reason: 'Firefox fails an EventSource on a data: URL at once; the spec fetches it as any URL, so the library streams it',
    check(native, library) {
      expect(summary(native)).toEqual(['error(2)', 'stop:timeout'])
      expect(summary(library)).toEqual(['open(1)', 'message:a', 'error(0)', 'open(1)', 'stop:2 open'])
      expect(eventIds(library)).toEqual(['message:a#'])
      expect(library.result.trace?.find((entry) => entry.kind === 'event')?.['origin']).toBe('null')
      expect([native.requests, library.requests]).toEqual([[], []])
    },
  },
  'a refused connection': {
    // The spec's "unless the user agent knows that to be futile": fetch gives the library the same
    // TypeError for a refused connection as for any other network error.
    reason: 'Firefox fails the connection when connecting is refused; the library reconnects, as after any network error',
    check(native, library) {
      expect(summary(native)).toEqual(['error(2)', 'stop:1 errors'])
      expect(summary(library)).toEqual(['error(0)', 'stop:1 errors'])
      expect([native.requests, library.requests]).toEqual([[], []])
    },
  },
  'close() right after construction sends no request': {
    // The spec fetches "in parallel" and close() aborts that fetch. Firefox opens its channel in
    // the constructor, and whether the request reaches the server before close() cancels it is a
    // race Firefox loses often (both outcomes are seen here, run to run); the library starts its
    // fetch after the constructor's task, which close() cancels first. The page sees the same.
    reason: 'Firefox may send the request even when close() follows the constructor at once; the library sends none',
    check(native, library) {
      expect(library.result).toEqual(native.result)
      expect(summary(native)).toEqual(['close', 'stop:close() in construct'])
      expect([[], ['GET self']]).toContainEqual(native.requests.map((request) => `${request.method} ${request.host}${request.path}`))
      expect(library.requests).toEqual([])
    },
  },
  'a redirect to another origin without CORS fails the connection': asChromium(
    'a redirect to another origin without CORS fails the connection',
    corsFailure,
  ),
  'withCredentials: true fails on Access-Control-Allow-Origin: *': asChromium(
    'withCredentials: true fails on Access-Control-Allow-Origin: *',
    corsFailure,
  ),
  'withCredentials: true fails without Access-Control-Allow-Credentials': asChromium(
    'withCredentials: true fails without Access-Control-Allow-Credentials',
    corsFailure,
  ),
  'cross-origin without Access-Control-Allow-Origin fails the connection': asChromium(
    'cross-origin without Access-Control-Allow-Origin fails the connection',
    corsFailure,
  ),
  'cross-origin allowing another origin fails the connection': asChromium('cross-origin allowing another origin fails the connection', corsFailure),
  'cross-origin reconnect sends Last-Event-ID (the server allows it in preflights)': asChromium(
    'cross-origin reconnect sends Last-Event-ID (the server allows it in preflights)',
    lastEventIdPreflight,
  ),
  'cross-origin reconnect to a server that answers no preflight': asChromium(
    'cross-origin reconnect to a server that answers no preflight',
    lastEventIdPreflight,
  ),
}

/** In the legacy page (the script-tag build on XMLHttpRequest), on top of the above. */
export const legacyDivergences: Divergences = {}
