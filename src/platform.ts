/**
 * Everything the EventSource core takes from the platform beyond plain ES5, in one module: the
 * base class of event targets, event construction, URL resolution, the global scope and how the
 * first connection is deferred. (The transport comes from `./transport/index.ts`, the other module
 * a build may swap.)
 *
 * The Node build replaces this module with ./platform-node.ts, whose event targets keep their own
 * listener lists (scripts/platform-swaps.mjs). The ES5 script-tag build replaces it with one that supplies what old
 * browsers lack: an ES5 constructor function cannot extend the native `EventTarget` or `Event`
 * (calling them without `new` throws), so that build brings its own small ones. The module build
 * pays for none of that. What is here uses only what every runtime with ES modules has, plus two
 * cheap guards so that the core also runs where `queueMicrotask` or `URL` are missing.
 */

import type {TypedMessageEvent} from './event-source-target.js'
import {scope} from './scope.js'

/** The base class of `EventSource`: the platform's `EventTarget`. */
export const EventTargetBase: typeof EventTarget = EventTarget

/** The base class of the library's own events (`error`, `reconnect`): the platform's `Event`. */
export const EventBase: typeof Event = Event

/** A plain event (`open`, `end`). */
export const createEvent = (type: string): Event => new Event(type)

/** Makes the `MessageEvent` an EventSource dispatches for each event of the stream. */
export type MessageEventFactory = (type: string, data: string, origin: string, lastEventId: string) => TypedMessageEvent

/** The `MessageEvent` an EventSource dispatches for each event of the stream. */
export const createMessageEvent: MessageEventFactory = (type, data, origin, lastEventId) =>
  new MessageEvent(type, {data, origin, lastEventId})

export {defer, scope} from './scope.js'

/**
 * `url` parsed against `base`, serialized; throws when it is not a valid URL. Where `URL` is missing
 * (old browsers), a link element resolves it against the document's base URL instead, which never
 * throws.
 */
export function resolveURL(url: string, base?: string): string {
  return typeof URL == 'function' ? new URL(url, base).href : link(url).href
}

/** The serialization of the origin of an absolute `url`, as `MessageEvent.origin` holds it. */
export function originOf(url: string): string {
  if (typeof URL == 'function') return new URL(url).origin
  const a = link(url)
  return `${a.protocol}//${a.host}`
}

function link(url: string): HTMLAnchorElement {
  const a = scope.document!.createElement('a')
  a.href = url
  return a
}
