/**
 * Everything the EventSource core takes from the platform beyond plain ES5, in one module: the
 * base class of event targets, event construction, URL resolution, the global scope and how the
 * first connection is deferred. (The transport comes from `./transport/index.ts`, the other module
 * a build may swap.)
 *
 * The Node build replaces this module with ./node.ts, whose event targets keep their own
 * listener lists (scripts/platform-swaps.mjs). The ES5 script-tag build replaces it with one that supplies what old
 * browsers lack: an ES5 constructor function cannot extend the native `EventTarget` or `Event`
 * (calling them without `new` throws), so that build brings its own small ones. The module build
 * pays for none of that: what is here is in every runtime with ES modules (the ES5 build's module,
 * ./legacy.ts, falls back where `queueMicrotask` or `URL` are missing).
 */

import type {TypedMessageEvent} from '../eventsource/event-source-target.js'

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

export {scope} from './scope.js'

/**
 * Runs `task` after the current task's script, before any other task: the first connection attempt
 * waits for it, so that `close()` right after construction sends nothing.
 */
export const defer: (task: () => void) => void = (task) => queueMicrotask(task)

/** `url` parsed against `base`, serialized; throws when it is not a valid URL. */
export const resolveURL = (url: string, base?: string): string => new URL(url, base).href

/** The serialization of the origin of an absolute `url`, as `MessageEvent.origin` holds it. */
export const originOf = (url: string): string => new URL(url).origin
