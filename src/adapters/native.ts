/**
 * `createEventSource`: the browser's own EventSource when the options ask for nothing it lacks, so
 * a plain stream costs nothing extra at run time; the library's class otherwise.
 */
import {EventSource} from '../eventsource/EventSource.js'
import type {EventSourceInit} from '../eventsource/options.js'

/**
 * Opens an event stream on the platform's `EventSource` when that is enough, else on the library's.
 *
 * The rule: the native class (`globalThis.EventSource`, when there is one and it is not the
 * library's own class, as after `streamsource/polyfill`) is used when `init` asks for nothing
 * beyond `withCredentials`, which the native class has: `init` is `undefined`, `null`, or an
 * object whose every other key is `undefined`. Any other option (`headers`, `method`, `body`,
 * `fetch`, `reconnect`, `extensions`…) needs the library's class, and so does a platform with no
 * `EventSource` at all (Node without its experimental one, old browsers).
 *
 * The result is typed as the DOM's `EventSource`, the interface both classes share: the
 * library's extras (`lastEventId`, `messages()`, the extensions, the detailed `error` event) are not
 * there on a native source. Use `new EventSource()` from this package to always get them.
 *
 * @param url - The event stream's URL, resolved against the document's base URL where there is one.
 * @param init - `withCredentials` and the extensions; see {@link EventSourceInit}.
 * @returns A native `EventSource`, or the library's when `init` asks for more.
 * @example
 * ```ts
 * createEventSource('/prices') // the browser's EventSource
 * createEventSource('/prices', {withCredentials: true}) // still the browser's
 * createEventSource('/prices', {headers: {Authorization: `Bearer ${token}`}}) // the library's
 * ```
 * @public
 */
export function createEventSource(url: string | URL, init?: EventSourceInit | null): globalThis.EventSource {
  // Looked up at every call, not at import: a polyfill or a test may install or remove one later.
  const Native = (globalThis as {EventSource?: typeof globalThis.EventSource}).EventSource
  if (typeof Native === 'function' && Native !== EventSource && asksOnlyForCredentials(init)) {
    return new Native(url, {withCredentials: Boolean(init?.withCredentials)})
  }
  return new EventSource(url, init)
}

/**
 * Whether every option but `withCredentials` is `undefined`. Keys are walked rather than listed,
 * so an option added to `EventSourceInit` later can never be dropped silently on a native source;
 * `for…in` sees inherited keys too, as the library's own option reading does.
 */
function asksOnlyForCredentials(init: EventSourceInit | null | undefined): boolean {
  if (init == null) return true
  for (const key in init) {
    if (key !== 'withCredentials' && (init as Record<string, unknown>)[key] !== undefined) return false
  }
  return true
}
