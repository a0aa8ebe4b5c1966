/**
 * What the library's `EventSource` and a tab's shared source (shared-tabs.ts) have in common as event
 * targets: the event handler IDL attributes (`onopen`, `onmessage`, `onerror`) and listeners typed by
 * the event map. Both dispatch a message event only when someone could hear it, so each is told of
 * every event type a listener or handler is added for (`listen_`).
 *
 * @see https://html.spec.whatwg.org/multipage/webappapis.html#event-handler-attributes
 */
import type {EventSourceErrorEvent, EventSourceReconnectEvent} from './events.js'
import {createEvent, EventTargetBase} from '../platform/web.js'

// The types here are declared so that they hold without the DOM lib (a Node project with
// @types/node, a worker): `MessageEvent` is generic only in the DOM lib, and the DOM's listener and
// option types are the library's own here.

/**
 * The `MessageEvent` of a stream's event, with `data` of type `Data` (a string, or a narrower string
 * type that an event map gives). Where the DOM lib is loaded it is the DOM's `MessageEvent<Data>`;
 * in a Node project (@types/node), whose `MessageEvent` type is not generic, Node's with `data: Data`.
 *
 * @public
 */
// The constructor's type is generic in every one of those (`new <T>(…) => MessageEvent<T>`), the
// interface not: so the type is the one its constructor makes.
export type TypedMessageEvent<Data = string> = InstanceType<typeof MessageEvent<Data>>

/**
 * The options `addEventListener` takes, as the DOM's `AddEventListenerOptions`.
 *
 * @public
 */
export interface ListenerOptions {
  /** Listen in the capture phase (which, on an EventSource, is the only phase). */
  capture?: boolean
  /** Remove the listener after its first event. */
  once?: boolean
  /** The listener will not call `preventDefault()`. */
  passive?: boolean
  /** Remove the listener when this signal aborts. */
  signal?: AbortSignal
}

/**
 * The options `removeEventListener` takes, as the DOM's `EventListenerOptions`.
 *
 * @public
 */
export interface RemoveListenerOptions {
  /** Whether the listener to remove was added for the capture phase. */
  capture?: boolean
}

/**
 * A listener as the DOM's `EventTarget` takes one (`EventListenerOrEventListenerObject`): a
 * function, or an object with a `handleEvent` method.
 * @inline
 */
export type AnyListener =
  | Listener<Event>
  | {
      /** Called with each event, as a listener function would be. */
      handleEvent(event: Event): unknown
    }

/**
 * What the `Events` parameter of `EventSource<Events>` takes: event names
 * (`EventSource<'price' | 'trade'>`, each event's `data` a string), or a map from event name to the
 * type of its `data` (`EventSource<{price: string; status: 'up' | 'down'}>`), a string type, as the
 * EventSource does not parse. `string`, the default, accepts every name.
 *
 * @public
 */
export type EventSourceEvents<Events> = string | {[Type in keyof Events]: string}

/**
 * The event names of an `Events` parameter (see {@link EventSourceEvents}): the names themselves, or
 * the keys of the map.
 *
 * @public
 */
export type EventNames<Events> = [Events] extends [string] ? Events : keyof Events & string

/**
 * The `MessageEvent` of the named event `Type`, with `data` as the `Events` parameter types it (a
 * string for event names alone).
 *
 * @public
 */
export type NamedEvent<Events, Type extends string> = TypedMessageEvent<
  [Events] extends [string] ? string : Type extends keyof Events ? Events[Type] : string
>

/** The events every EventSource fires, by type. Named events are `MessageEvent`s too. */
export interface EventSourceEventMap {
  /** The connection opened: readyState OPEN (standard). */
  open: Event
  /** An event without an `event:` field, or with `event: message` (standard). */
  message: TypedMessageEvent
  /**
   * The connection dropped (readyState CONNECTING, a reconnect follows) or failed (CLOSED), as the
   * spec fires it; here with the details of {@link EventSourceErrorEvent}.
   */
  error: EventSourceErrorEvent
  /** [non-spec] A reconnect was scheduled. */
  reconnect: EventSourceReconnectEvent
  /** [non-spec] A stream of the `oneShot()` extension ended cleanly; the source is CLOSED. */
  end: Event
}

type HandlerName = 'open' | 'message' | 'error'

let handlersCalledByPlatform: boolean | undefined

/**
 * Whether the platform's `dispatchEvent` calls a target's `on<type>` property itself, before the
 * listeners, as workerd's `EventTarget` does (cloudflare/workerd#6022): there a handler attribute that
 * also added a listener, as the spec has it, would run twice per event. Found out once, on the first
 * handler set, so that importing the module dispatches nothing (a bundle that only parses drops it).
 */
function platformCallsHandlers(): boolean {
  if (handlersCalledByPlatform === undefined) {
    const probe = new EventTargetBase() as EventTarget & {onprobe?: () => void}
    handlersCalledByPlatform = false
    probe.onprobe = () => (handlersCalledByPlatform = true)
    probe.dispatchEvent(createEvent('probe'))
  }
  return handlersCalledByPlatform
}
/**
 * An event listener function, as the DOM's `on…` attributes take one.
 * @inline
 */
export type Listener<E> = (event: E) => unknown

/**
 * The event target side of an EventSource: handler attributes and typed listeners.
 * @internal
 */
export abstract class EventSourceTarget<Events extends EventSourceEvents<Events> = string> extends EventTargetBase {
  /** The event handler IDL attributes' values, and the listener each added. */
  private handlers_: Partial<Record<HandlerName, Listener<Event> | null>> = {}
  private listeners_: Partial<Record<HandlerName, Listener<Event>>> = {}

  /**
   * Told of every event type a listener or handler is added for.
   * @internal
   */
  protected abstract listen_(type: string): void

  /**
   * Listens to one of the EventSource's own events (`open`, `message`, `error`, `reconnect`,
   * `end`), with the event typed as {@link EventSourceEventMap} says (standard DOM method).
   */
  override addEventListener<K extends keyof EventSourceEventMap>(
    type: K,
    listener: Listener<EventSourceEventMap[K]> | null,
    options?: boolean | ListenerOptions,
  ): void
  /**
   * Listens to a named event (`event: price` in the stream): a `MessageEvent` whose `data` is a
   * string, or the type the `Events` parameter gives it. With an `Events` parameter other than
   * `string`, only its names (and the EventSource's own events) are accepted.
   */
  override addEventListener<K extends EventNames<Events>>(
    type: K,
    listener: Listener<NamedEvent<Events, K>> | null,
    options?: boolean | ListenerOptions,
  ): void
  /** Any listener the DOM's `EventTarget` takes, such as an object with `handleEvent` (standard DOM method). */
  override addEventListener(
    type: EventNames<Events> | keyof EventSourceEventMap,
    listener: AnyListener | null,
    options?: boolean | ListenerOptions,
  ): void
  override addEventListener(type: string, listener: AnyListener | Listener<never> | null, options?: boolean | ListenerOptions): void {
    this.listen_(type)
    super.addEventListener(type, listener as EventListenerOrEventListenerObject | null, options)
  }

  /**
   * Event handler IDL attributes: the first non-null value adds a listener that stays in its place
   * among the others while the value changes; null (or anything but a function) removes it.
   */
  /** @internal */
  protected setHandler_(name: HandlerName, handler: Listener<Event> | null): void {
    const handlers = this.handlers_
    const listeners = this.listeners_
    if (typeof handler != 'function') {
      super.removeEventListener(name, listeners[name] ?? null)
      delete listeners[name]
      handler = null
    } else if (!listeners[name]) {
      this.listen_(name)
      listeners[name] = (event) => handlers[name]?.call(this, event)
      // Where the platform calls the handler (workerd), it does so through the getter: then the
      // handler runs before the listeners, whatever the order they were added in, but only once.
      if (!platformCallsHandlers()) super.addEventListener(name, listeners[name])
    }
    handlers[name] = handler
  }
}

/**
 * The event handler IDL attributes of an EventSource (`onopen`, `onmessage`, `onerror`), as
 * accessors: the getters' types are the DOM's (`(event: Event) => unknown`) so that an instance can
 * be passed where lib.dom's `EventSource` is expected; the setters' types give handlers the precise
 * event. (ownHandlerAttributes() defines them on each interface's prototype.)
 *
 * @public
 */
export interface EventHandlerAttributes {
  /** The `open` event handler (standard DOM event handler attribute). */
  get onopen(): Listener<Event> | null
  /** Sets the `open` event handler; `null` removes it (standard DOM event handler attribute). */
  set onopen(handler: Listener<Event> | null)
  /** The `message` event handler (standard DOM event handler attribute): events without an `event:` field. */
  get onmessage(): Listener<MessageEvent> | null
  /** Sets the `message` event handler; `null` removes it (standard DOM event handler attribute). */
  set onmessage(handler: Listener<TypedMessageEvent> | null)
  /** The `error` event handler (standard DOM event handler attribute). */
  get onerror(): Listener<Event> | null
  /**
   * Sets the `error` event handler; `null` removes it (standard DOM event handler attribute). It
   * receives an {@link EventSourceErrorEvent} (from a shared source, in tabs other than the one
   * that holds the connection, without `response`).
   */
  set onerror(handler: Listener<EventSourceErrorEvent> | null)
}

/**
 * `removeEventListener`, typed as the event map says: an interface merged with the class, which
 * inherits the method itself, so the overloads cost no code.
 */
export interface EventSourceTarget<Events extends EventSourceEvents<Events> = string> extends EventHandlerAttributes {
  /** Removes a listener added for one of the EventSource's own events (standard DOM method). */
  removeEventListener<K extends keyof EventSourceEventMap>(
    type: K,
    listener: Listener<EventSourceEventMap[K]> | null,
    options?: boolean | RemoveListenerOptions,
  ): void
  /** Removes a listener added for a named event (standard DOM method). */
  removeEventListener<K extends EventNames<Events>>(
    type: K,
    listener: Listener<NamedEvent<Events, K>> | null,
    options?: boolean | RemoveListenerOptions,
  ): void
  /** Removes any listener the DOM's `EventTarget` took (standard DOM method). */
  removeEventListener(type: EventNames<Events> | keyof EventSourceEventMap, listener: AnyListener | null, options?: boolean | RemoveListenerOptions): void
}

/**
 * WebIDL puts an interface's attributes on its own prototype (`EventSource.prototype.onopen`), not on
 * a base's: each interface defines the handler attributes on its prototype, as accessors.
 */
export function ownHandlerAttributes(prototype: object): void {
  for (const name of ['open', 'message', 'error'] as const) {
    Object.defineProperty(prototype, `on${name}`, {
      get(this: {handlers_: Record<string, unknown>}) {
        return this.handlers_[name] ?? null
      },
      set(this: EventSourceTarget, handler: Listener<Event> | null) {
        this.setHandler_(name, handler)
      },
      enumerable: true,
      configurable: true,
    })
  }
}

/**
 * [non-spec] The `signal` option: `source.close()` when `signal` aborts. Returns what removes the
 * listener, for the source to call once CLOSED, so that one long-lived signal shared by many
 * sources does not collect a listener for each.
 */
export function closeOnAbort(source: {close(): void}, signal: AbortSignal): () => void {
  const onAbort = (): void => source.close()
  signal.addEventListener('abort', onAbort)
  return () => signal.removeEventListener('abort', onAbort)
}
