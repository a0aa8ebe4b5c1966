/**
 * The platform module of the Node build, in place of ./web.ts (scripts/platform-swaps.mjs): the
 * EventSource classes keep their own listener lists and dispatch their `MessageEvent`s themselves,
 * by the DOM's algorithm, instead of through Node's `EventTarget` and `MessageEvent`.
 *
 * Why: in Node 20, making a `MessageEvent` and dispatching it cost about 115 ns in isolation and
 * 150-190 ns per event end to end (bench/eventsource.mjs): more than parsing the event, a third of
 * all it costs. Node's `Event` constructor reads the monotonic clock and sets six private fields,
 * `MessageEvent` adds an init dictionary and two `ports` arrays, `dispatchEvent` a dozen internal
 * properties. The library's own event, with the same attributes, dispatched by a loop over an
 * array, costs a fraction of that.
 *
 * What stays as it was:
 * - `source instanceof EventTarget`, `event instanceof MessageEvent` (and `Event`): the own event's
 *   prototype inherits `MessageEvent.prototype`, and defines every attribute and method of `Event`
 *   and `MessageEvent` itself (Node's accessors accept only Node's own objects).
 * - Listeners follow the DOM's rules, quoted below: order, duplicates, `once`, `signal`,
 *   `handleEvent` objects, removal during a dispatch, `stopImmediatePropagation()`, and errors
 *   reported as Node's `EventTarget` reports them (an uncaught exception on the next tick, the
 *   other listeners still called).
 * - Events the library does not make here (one a user dispatches, and the library's own `open`,
 *   `error`, `reconnect` and `end`, which are Node `Event`s) go through Node's `dispatchEvent`,
 *   which sets their `target` and phase; a listener of this module's for each type calls the
 *   listeners of the list from there.
 *
 * What differs: a `MessageEvent` made here cannot be dispatched at an `EventTarget` of Node's
 * (which accepts only its own events), and its `timeStamp` is the time the first event of its
 * chunk was made (one clock read per chunk, not per event).
 *
 * @see https://dom.spec.whatwg.org/#interface-eventtarget
 */
import {createMessageEvent as createPlatformMessageEvent, EventTargetBase as PlatformEventTarget, type MessageEventFactory} from './web.js'
import type {TypedMessageEvent} from '../eventsource/event-source-target.js'

export {createEvent, defer, EventBase, originOf, resolveURL, scope, type MessageEventFactory} from './web.js'

/** One registered listener: the DOM's "event listener" struct. */
interface Entry {
  callback: EventListenerOrEventListenerObject
  capture: boolean
  passive: boolean
  once: boolean
  removed: boolean
  /** The abort listener that a `signal` option put on its signal, while it is there. */
  abort: AbortLink | undefined
}

/** An abort listener on a signal, to take off again when its listener goes. */
interface AbortLink {
  signal: AbortSignal
  listener: () => void
}

/**
 * Takes an abort listener off its signal once the listener entry it would remove is garbage (its
 * source collected with its lists): the signal may live far longer, and would collect dead
 * listeners otherwise, as Node's `EventTarget` takes its own off (a FinalizationRegistry too).
 */
const abortLinks = new FinalizationRegistry<AbortLink>(({signal, listener}) => signal.removeEventListener('abort', listener))

/** An options argument of addEventListener, flattened. */
type Flattened = {capture: boolean; passive: boolean; once: boolean; signal: AbortSignal | undefined}

const NONE = 0
const AT_TARGET = 2

/** `ports` of every event: "a frozen array", empty (an event stream has no ports). */
const NO_PORTS: readonly MessagePort[] = Object.freeze([])

/**
 * Where a listener's error goes: as Node's `EventTarget` sends it, an uncaught exception on the
 * next tick, so the listeners after it still run.
 */
function report(error: unknown): void {
  process.nextTick(() => {
    throw error
  })
}

/**
 * The clock of `timeStamp`, read once for all the events made in one synchronous run (the events of
 * one chunk): reading Node's monotonic clock costs about as much as the rest of an event.
 */
let clock: number | undefined
function now(): number {
  if (clock === undefined) {
    clock = performance.now()
    queueMicrotask(() => {
      clock = undefined
    })
  }
  return clock
}

/**
 * The `MessageEvent`s of an EventSource in Node. Fields are own properties, set in one order, so
 * every event has one shape; what never varies is on the prototype.
 */
class StreamMessageEvent {
  type: string
  data: string
  origin: string
  lastEventId: string
  timeStamp: number = now()
  target: EventTarget | null = null
  currentTarget: EventTarget | null = null
  eventPhase: number = NONE
  /** The DOM's dispatch flag. */
  dispatching_ = false
  /** The DOM's stop propagation and stop immediate propagation flags. */
  propagationStopped_ = false
  immediateStopped_ = false

  constructor(type: string, data: string, origin: string, lastEventId: string) {
    this.type = type
    this.data = data
    this.origin = origin
    this.lastEventId = lastEventId
  }

  get srcElement(): EventTarget | null {
    return this.target
  }

  // "The bubbles and cancelable attributes must return the values they were initialized to": false,
  // as for every event an EventSource fires. So nothing can cancel it.
  get bubbles(): boolean {
    return false
  }
  get cancelable(): boolean {
    return false
  }
  get composed(): boolean {
    return false
  }
  get defaultPrevented(): boolean {
    return false
  }
  get isTrusted(): boolean {
    return false
  }
  get returnValue(): boolean {
    return true
  }
  set returnValue(_value: boolean) {
    // "set the canceled flag if the given value is false": a no-op for an event that is not cancelable.
  }
  get cancelBubble(): boolean {
    return this.propagationStopped_
  }
  set cancelBubble(value: boolean) {
    // "The cancelBubble setter steps are to set this's stop propagation flag if the given value is true"
    if (value) this.propagationStopped_ = true
  }
  get source(): null {
    return null
  }
  get ports(): readonly MessagePort[] {
    return NO_PORTS
  }

  /** "[...] return [this's current target]" while dispatched (no other target is on the path), else empty. */
  composedPath(): EventTarget[] {
    return this.currentTarget ? [this.currentTarget] : []
  }
  stopPropagation(): void {
    this.propagationStopped_ = true
  }
  stopImmediatePropagation(): void {
    this.propagationStopped_ = this.immediateStopped_ = true
  }
  preventDefault(): void {
    // Not cancelable: "If event's cancelable attribute value is false [...] return."
  }
  /** "If this's dispatch flag is set, then return." Otherwise re-initializes the type (no other flag can change). */
  initEvent(type: string): void {
    if (!this.dispatching_) this.type = String(type)
  }

  /** What Node's `util.inspect` shows, as for its own events. */
  [Symbol.for('nodejs.util.inspect.custom')](depth: number, options: object, inspect: (value: unknown, options: object) => string): string {
    if (depth < 0) return 'MessageEvent'
    const {type, data, origin, lastEventId, timeStamp} = this
    return `MessageEvent ${inspect({type, data, origin, lastEventId, timeStamp}, options)}`
  }
}

/**
 * The listener lists and dispatch of an EventSource in Node, put between `EventSourceTarget` and
 * Node's `EventTarget` (see `EventTargetBase` below).
 */
class OwnListenersTarget extends PlatformEventTarget {
  /**
   * Each type's listeners. Replaced, never changed, once made: a dispatch keeps the list it began with.
   * `undefined` in a source made before this module was installed (one from `streamsource/polyfill`
   * or `streamsource/react`, which do not load the Node entry, made before something imported it):
   * its listeners are Node's, and stay so.
   */
  private lists_: Map<string, Entry[]> | undefined = new Map()

  override addEventListener(type: string, callback: EventListenerOrEventListenerObject | null, options?: boolean | AddEventListenerOptions): void {
    if (!this.lists_) return super.addEventListener(type, callback, options)
    type = `${type}`
    const {capture, passive, once, signal} = flatten(options)
    // "1. [...] 2. If listener's signal is not null and is aborted, then return. 3. If listener's
    // callback is null, then return."
    if (signal?.aborted || callback == null) return
    if (typeof callback != 'function' && typeof callback != 'object') {
      throw new TypeError(`The "listener" argument must be a function or an object with a handleEvent method`)
    }
    // "4. If eventTarget's event listener list does not contain an event listener whose type is
    // listener's type, callback is listener's callback, and capture is listener's capture, then
    // append listener to eventTarget's event listener list."
    const lists = this.lists_
    const list = lists.get(type)
    if (list?.some((entry) => entry.callback === callback && entry.capture === capture)) return
    const entry: Entry = {callback, capture, passive, once, removed: false, abort: undefined}
    lists.set(type, list ? [...list, entry] : [entry])
    // Events that Node's dispatchEvent handles (see dispatchEvent) reach the list through one Node
    // listener per type, added with the type's first listener and kept.
    if (!list) super.addEventListener(type, (event) => this.invoke_(event, type, true))
    // "5. If listener's signal is not null, then add the following abort steps to it: Remove an
    // event listener with eventTarget and listener."
    if (signal) this.linkAbort_(signal, type, entry)
  }

  /**
   * The abort steps of a `signal` option. They hold the source and the entry weakly, as Node's
   * `EventTarget` holds its own: a long-lived signal must not keep a closed source (nor the
   * listener's callback, which often holds the source) alive. Taken off the signal when the entry is
   * removed (see remove_), or when both are garbage (see abortLinks).
   */
  private linkAbort_(signal: AbortSignal, type: string, entry: Entry): void {
    const target = new WeakRef(this)
    const weakEntry = new WeakRef(entry)
    const listener = () => {
      const entry = weakEntry.deref()
      if (entry) target.deref()?.remove_(type, entry)
    }
    entry.abort = {signal, listener}
    abortLinks.register(entry, entry.abort, entry)
    signal.addEventListener('abort', listener, {once: true})
  }

  override removeEventListener(type: string, callback: EventListenerOrEventListenerObject | null, options?: boolean | EventListenerOptions): void {
    if (!this.lists_) return super.removeEventListener(type, callback, options)
    type = `${type}`
    // "2. If this's event listener list contains an event listener whose type is type, callback is
    // callback, and capture is capture, then remove an event listener with this and that event listener."
    const capture = flatten(options).capture
    const entry = this.lists_.get(type)?.find((other) => other.callback === callback && other.capture === capture)
    if (entry) this.remove_(type, entry)
  }

  override dispatchEvent(event: Event): boolean {
    if (!(event instanceof StreamMessageEvent)) return super.dispatchEvent(event)
    if (!this.lists_) {
      const {type, data, origin, lastEventId} = event
      return super.dispatchEvent(new MessageEvent(type, {data, origin, lastEventId}))
    }
    // "1. If event's dispatch flag is set, or if its initialized flag is not set, then throw an
    // "InvalidStateError" DOMException."
    if (event.dispatching_) throw new DOMException('The event is already being dispatched.', 'InvalidStateError')
    // Dispatch, for a target with no parent: "Set event's dispatch flag", its target, and invoke
    // the listeners at the target ("Set event's eventPhase attribute to AT_TARGET").
    event.dispatching_ = true
    event.target = event.currentTarget = this
    event.eventPhase = AT_TARGET
    this.invoke_(event, event.type, false)
    // "Set event's eventPhase attribute to NONE. Set event's currentTarget to null. [...] Unset
    // event's dispatch flag, stop propagation flag, and stop immediate propagation flag."
    event.eventPhase = NONE
    event.currentTarget = null
    event.dispatching_ = event.propagationStopped_ = event.immediateStopped_ = false
    return true
  }

  /** "Remove an event listener": "set listener's removed to true and remove listener from the list." */
  private remove_(type: string, entry: Entry): void {
    const lists = this.lists_
    const list = lists?.get(type)
    if (!lists || !list || entry.removed) return
    entry.removed = true
    lists.set(type, list.filter((other) => other !== entry))
    // The abort steps of a removed listener would do nothing: off the signal with them, so that one
    // signal used for many short-lived listeners does not gather them.
    const link = entry.abort
    if (link) {
      entry.abort = undefined
      abortLinks.unregister(entry)
      link.signal.removeEventListener('abort', link.listener)
    }
  }

  /**
   * "Inner invoke": the listeners of `type`, as the list was when the dispatch began ("Let listeners
   * be a clone of event's currentTarget's event listener list"). `foreign`: an event of Node's,
   * whose stop flag and passive mode cannot be read or set but through its methods.
   */
  private invoke_(event: Event, type: string, foreign: boolean): void {
    const list = this.lists_?.get(type)
    if (!list) return
    let stopped = false
    if (foreign) {
      const stop = event.stopImmediatePropagation
      // An own property for the length of the dispatch: the one way to learn of the call.
      event.stopImmediatePropagation = function (this: Event) {
        stopped = true
        stop.call(this)
      }
    }
    for (const entry of list) {
      // "1. If listener's removed is true, then continue."
      if (entry.removed) continue
      // "5. If listener's once is true, then remove an event listener given event's currentTarget and listener."
      if (entry.once) this.remove_(type, entry)
      const callback = entry.callback
      // "If listener's passive is true, then set event's in passive listener flag": preventDefault()
      // does nothing in the listener. (Events made here are not cancelable, so that holds already.)
      const passive = foreign && entry.passive
      if (passive) event.preventDefault = noop
      try {
        // "Call a user object's operation with listener's callback, "handleEvent", « event », and
        // event's currentTarget": a function is called with `this` the target, an object's
        // `handleEvent` (read now) with `this` the object.
        const result: unknown =
          typeof callback == 'function' ? callback.call(this, event) : callback.handleEvent(event)
        // As Node's EventTarget does: a rejected promise that a listener returns is an uncaught exception.
        if (typeof (result as PromiseLike<unknown> | null)?.then == 'function') (result as PromiseLike<unknown>).then(undefined, report)
      } catch (error) {
        report(error)
      }
      if (passive) delete (event as Partial<Event>).preventDefault
      // "8. If event's stop immediate propagation flag is set, then break."
      if (foreign ? stopped : (event as unknown as StreamMessageEvent).immediateStopped_) break
    }
    if (foreign) delete (event as Partial<Event>).stopImmediatePropagation
  }
}

function noop(): void {}

/** "Flatten more" an options argument: a boolean is `capture`. */
function flatten(options: boolean | AddEventListenerOptions | undefined): Flattened {
  if (typeof options != 'object' || options === null) return {capture: !!options, passive: false, once: false, signal: undefined}
  return {capture: !!options.capture, passive: !!options.passive, once: !!options.once, signal: options.signal}
}

/**
 * Where the runtime has a `MessageEvent` to inherit from, and is Node's kind (Node, Deno, Bun: not a
 * worker runtime that matched the `node` condition): the own lists and events; elsewhere the platform's.
 */
const ownEvents = typeof MessageEvent == 'function' && typeof process != 'undefined'

if (ownEvents) {
  // Every attribute and method of `MessageEvent` and `Event` is the event's own (the class above),
  // and the prototype chain makes `instanceof MessageEvent` and `instanceof Event` hold.
  Object.setPrototypeOf(StreamMessageEvent.prototype, MessageEvent.prototype)
  Object.defineProperty(StreamMessageEvent.prototype, 'constructor', {value: MessageEvent, configurable: true, writable: true})
}

/** The base class of `EventSource` (and of a tab's shared source): own listener lists over Node's `EventTarget`. */
export const EventTargetBase: typeof EventTarget = ownEvents ? (OwnListenersTarget as unknown as typeof EventTarget) : PlatformEventTarget

/** The `MessageEvent` an EventSource dispatches for each event of the stream. */
export const createMessageEvent: MessageEventFactory = ownEvents
  ? (type, data, origin, lastEventId) => new StreamMessageEvent(type, data, origin, lastEventId) as unknown as TypedMessageEvent
  : createPlatformMessageEvent
