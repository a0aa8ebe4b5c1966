/**
 * The platform module of the ES5 script-tag build (rollup.config.mjs puts it in place of
 * ./web.ts there): the same exports, for browsers as old as IE 11 and for modern ones alike.
 *
 * An ES5 constructor function cannot extend a native class: its `Base.call(this)` throws ("use
 * the 'new' operator"). So every base class here is a function of this module: where the engine
 * has `Reflect.construct` and a constructible `EventTarget`, it builds the native object with the
 * subclass's prototype (real `EventTarget`s and `Event`s: listener options, `instanceof`, errors
 * in listeners reported as the platform reports them); elsewhere it is a small implementation of
 * its own. The build also makes the library's own `extends Error`, `extends EventTarget` and
 * `extends TransformStream…` go through {@link ErrorBase}, {@link EventTargetBase} and
 * {@link extendable}.
 */

import type {TypedMessageEvent} from '../eventsource/event-source-target.js'
import {scope} from './scope.js'

type Constructor = new (...args: any[]) => object

/**
 * ES2015's `Reflect.construct`, where it makes an `Error` with the prototype of a third argument,
 * `newTarget`, as the base classes below need: Duktape's throws "unsupported" for a `newTarget`
 * other than the constructor itself. (Without this test Duktape's errors could never be made.)
 */
const construct = ((): typeof Reflect.construct | undefined => {
  try {
    // (A function expression: ES5 has no function declarations in blocks.)
    const Probe = function (): void {}
    const prototype = (Probe.prototype = Object.create(Error.prototype))
    return Object.getPrototypeOf(Reflect.construct(Error, [], Probe)) === prototype ? Reflect.construct : undefined
  } catch {
    return undefined
  }
})()

/**
 * `Native` as a base an ES5 subclass can call: the native object is made with the subclass's
 * prototype (`this.constructor`: the ES5 build's classes call their base as `Base.apply(this,
 * arguments)`, `this` an object of the subclass's prototype, where ES2015 would pass `new.target`). Without
 * `Reflect.construct`, `Native` itself.
 */
export function extendable<T extends Constructor>(Native: T): T {
  if (!construct) return Native
  function Base(this: object): object {
    return construct!(Native, arguments, this.constructor)
  }
  Base.prototype = Native.prototype
  return Base as unknown as T
}

/** Whether this engine's `EventTarget` is a class that can be extended (not IE, not Safari < 14). */
const nativeEvents = ((): boolean => {
  try {
    return !!construct && !!new EventTarget()
  } catch {
    return false
  }
})()

interface Entry {
  listener: EventListenerOrEventListenerObject
  capture: boolean
  once: boolean
  removed?: boolean
}

/** The own event target: listeners in order, `once`, `handleEvent` objects, errors reported. */
function OwnEventTarget(this: {listeners_: Record<string, Entry[]>}): void {
  this.listeners_ = {}
}
const capture = (options: boolean | AddEventListenerOptions | undefined): boolean =>
  typeof options == 'object' ? !!options.capture : !!options
/** As browsers do with an error thrown by a listener: reported, and the other listeners still run. */
const report = (error: unknown): void =>
  void setTimeout(() => {
    throw error
  })
OwnEventTarget.prototype = {
  constructor: OwnEventTarget,
  addEventListener(this: {listeners_: Record<string, Entry[]>}, type: string, listener: EventListenerOrEventListenerObject | null, options?: boolean | AddEventListenerOptions): void {
    if (!listener) return
    const list = this.listeners_['$' + type] || (this.listeners_['$' + type] = [])
    const entry: Entry = {listener, capture: capture(options), once: typeof options == 'object' && !!options.once}
    for (const other of list) if (other.listener === listener && other.capture === entry.capture) return
    list.push(entry)
  },
  removeEventListener(this: {listeners_: Record<string, Entry[]>}, type: string, listener: EventListenerOrEventListenerObject | null, options?: boolean | EventListenerOptions): void {
    const list = this.listeners_['$' + type] || []
    for (let index = 0; index < list.length; index++) {
      const entry = list[index]!
      if (entry.listener === listener && entry.capture === capture(options)) {
        entry.removed = true
        list.splice(index, 1)
        return
      }
    }
  },
  dispatchEvent(this: {listeners_: Record<string, Entry[]>}, event: Event & {stopped_?: boolean}): boolean {
    const target = this as unknown as EventTarget
    const list = (this.listeners_['$' + event.type] || []).slice()
    // Own properties, over a native event's accessors; `writable` named each time: MuJS makes a
    // property read-only when a redefinition leaves it out, then ignores the next value.
    for (const name of ['target', 'currentTarget', 'srcElement']) {
      Object.defineProperty(event, name, {value: target, writable: true, configurable: true})
    }
    for (const entry of list) {
      if (event.stopped_) break
      if (entry.removed) continue
      if (entry.once) target.removeEventListener(event.type, entry.listener, entry.capture)
      const listener = entry.listener
      try {
        if (typeof listener == 'function') listener.call(target, event)
        else listener.handleEvent(event)
      } catch (error) {
        report(error)
      }
    }
    Object.defineProperty(event, 'currentTarget', {value: null, writable: true, configurable: true})
    return !event.defaultPrevented
  },
}

/** The own event: `type`, not bubbling, not cancelable. */
function OwnEvent(
  this: {type: string; bubbles: boolean; cancelable: boolean; defaultPrevented: boolean; eventPhase: number; isTrusted: boolean; timeStamp: number; target: null; currentTarget: null},
  type: string,
): void {
  this.type = type
  this.bubbles = this.cancelable = this.defaultPrevented = false
  this.eventPhase = 2
  this.isTrusted = false
  this.timeStamp = new Date().getTime()
  this.target = this.currentTarget = null
}
OwnEvent.prototype = {
  constructor: OwnEvent,
  NONE: 0,
  CAPTURING_PHASE: 1,
  AT_TARGET: 2,
  BUBBLING_PHASE: 3,
  preventDefault() {},
  stopPropagation() {},
  stopImmediatePropagation(this: {stopped_: boolean}) {
    this.stopped_ = true
  },
}

/** The base class of `EventSource`: the platform's `EventTarget` where it can be extended. */
export const EventTargetBase: typeof EventTarget = nativeEvents
  ? extendable(EventTarget)
  : (OwnEventTarget as unknown as typeof EventTarget)

/** The base class of the library's own events (`error`, `reconnect`). */
export const EventBase: typeof Event = nativeEvents ? extendable(Event) : (OwnEvent as unknown as typeof Event)

/** The base class of the library's errors: a real `Error` (with its stack) where it can be. */
export const ErrorBase: ErrorConstructor = construct ? extendable(Error) : (OwnError as unknown as ErrorConstructor)
function OwnError(this: Error, message?: string): void {
  const error = new Error(message)
  if (message !== undefined) this.message = error.message
  this.stack = error.stack!
}
OwnError.prototype = Error.prototype

/** A plain event (`open`, `end`). */
export const createEvent = (type: string): Event => new EventBase(type)

/** The `MessageEvent` an EventSource dispatches for each event of the stream. */
export function createMessageEvent(type: string, data: string, origin: string, lastEventId: string): TypedMessageEvent {
  if (nativeEvents) return new MessageEvent(type, {data, origin, lastEventId})
  const event = new EventBase(type) as unknown as Record<string, unknown>
  event['data'] = data
  event['origin'] = origin
  event['lastEventId'] = lastEventId
  event['source'] = null
  event['ports'] = []
  return event as unknown as TypedMessageEvent
}

export {defer, scope} from './scope.js'

/**
 * `url` parsed against `base`, serialized; throws when it is not a valid URL. Where `URL` is
 * missing, a link element resolves it against the document's base URL: its `protocol` is `:`
 * when the URL is invalid.
 */
export function resolveURL(url: string, base?: string): string {
  if (typeof URL == 'function') return new URL(url, base).href
  const a = link(url)
  if (a.protocol === ':') throw new SyntaxError(`Invalid URL: ${url}`)
  return a.href
}

/** The serialization of the origin of an absolute `url`, as `MessageEvent.origin` holds it. */
export function originOf(url: string): string {
  if (typeof URL == 'function') return new URL(url).origin
  const a = link(url)
  // IE has no `origin` on links, and gives `host` the default port.
  return a.origin || `${a.protocol}//${a.host}`.replace(/^(http:.*):80$|^(https:.*):443$/, '$1$2')
}

function link(url: string): HTMLAnchorElement {
  const a = scope.document!.createElement('a')
  a.href = url
  return a
}
